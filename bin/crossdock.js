#!/usr/bin/env node
// The only file that touches `process` for exit: everything else returns an exit code.
import { main } from '../dist/cli/main.js';

main(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  stdin: process.stdin,
  env: process.env,
  cwd: process.cwd(),
}).then(
  (code) => {
    process.exitCode = code;
  },
  (error) => {
    process.stderr.write(
      `crossdock: internal error: ${error instanceof Error ? error.message : String(error)}\n`,
    );
    process.stderr.write(
      'Please report this at https://github.com/crossdock/crossdock/issues with the command you ran.\n',
    );
    process.exitCode = 2;
  },
);
