#!/usr/bin/env node
// Finds test/**/*.test.ts (or the files/folders given) and runs them with node's test runner through tsx.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

function collect(path, out) {
  const st = statSync(path);
  if (st.isFile()) {
    out.push(path);
    return;
  }
  for (const name of readdirSync(path).sort()) {
    if (name === 'fixtures' || name === 'node_modules') continue;
    const child = join(path, name);
    if (statSync(child).isDirectory()) collect(child, out);
    else if (name.endsWith('.test.ts')) out.push(child);
  }
}

const args = process.argv.slice(2);
const flags = args.filter((a) => a.startsWith('--'));
const paths = args.filter((a) => !a.startsWith('--'));
const files = [];
for (const p of paths.length ? paths : ['test']) collect(p, files);
if (files.length === 0) {
  console.error('run-tests: no test files found');
  process.exit(2);
}
const result = spawnSync(process.execPath, ['--import', 'tsx', '--test', ...flags, ...files], {
  stdio: 'inherit',
});
process.exit(result.status ?? 1);
