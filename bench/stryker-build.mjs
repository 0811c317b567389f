// Stryker's build command (it runs without a shell): compile sources and tests, then put data/ (action metadata,
// read at run time relative to the compiled sources) next to them.
import { execFileSync } from 'node:child_process';
import { cpSync } from 'node:fs';

execFileSync('npx', ['tsc', '-p', 'tsconfig.stryker.json'], { stdio: 'inherit' });
cpSync('data', 'bench/work/stryker-js/data', { recursive: true });
