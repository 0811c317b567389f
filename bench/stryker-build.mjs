// Stryker's buildCommand (stryker.config.mjs): Stryker runs it without a shell, so `tsc ... && cp ...` would pass
// `&&` to tsc. Compiles sources and tests into bench/work/stryker-js, then copies data/ (action metadata, read at
// run time relative to the compiled sources) next to them.
import { spawnSync } from 'node:child_process';
import { cpSync } from 'node:fs';

const tsc = spawnSync('npx', ['tsc', '-p', 'tsconfig.stryker.json'], { stdio: 'inherit' });
if (tsc.status !== 0) process.exit(tsc.status ?? 1);
cpSync('data', 'bench/work/stryker-js/data', { recursive: true });
