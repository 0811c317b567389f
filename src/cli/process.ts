import { runCleanups, stopEverything } from '../stop.js';
import { main } from './main.js';

/**
 * The entry point bin/crossdock.js (and scripts/dev.mjs) call: the only code that touches `process` for exit
 * and signals. Ctrl-C / SIGTERM: the first asks the running command to stop its children and clean up (exit
 * 130); a second one kills the children still running and removes the scratch folders, synchronously, then
 * exits at once.
 */
export function runProcess(): void {
  const controller = new AbortController();
  let stopping = false;
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    process.on(sig, () => {
      if (stopping) {
        const { killed, removed } = stopEverything();
        const cleaned = runCleanups();
        process.stderr.write(
          `crossdock: second ${sig}: killed ${killed} running program(s), removed ${removed} scratch folder(s)${cleaned ? `, ran ${cleaned} cleanup(s)` : ''}; exiting\n`,
        );
        process.exit(130);
      }
      stopping = true;
      process.stderr.write(`\ncrossdock: ${sig} received, stopping (send it again to exit at once)\n`);
      controller.abort();
    });
  }
  main(process.argv.slice(2), {
    stdout: process.stdout,
    stderr: process.stderr,
    stdin: process.stdin,
    env: process.env,
    cwd: process.cwd(),
    signal: controller.signal,
  }).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(
        `crossdock: internal error: ${error instanceof Error ? error.message : String(error)}\n`,
      );
      process.stderr.write(
        'Please report this at https://github.com/crossdock/crossdock/issues with the command you ran.\n',
      );
      process.exitCode = 2;
    },
  );
}
