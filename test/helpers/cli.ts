import { Readable } from 'node:stream';
import { main } from '../../src/cli/main.js';

/** Runs the CLI in-process with captured streams (the same `main` bin/crossdock.js calls). */
export async function runCli(
  argv: string[],
  options: { cwd?: string; env?: Record<string, string>; stdin?: string } = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, {
    stdout: { write: (s: string) => (stdout += s), isTTY: false },
    stderr: { write: (s: string) => (stderr += s), isTTY: false },
    stdin: Readable.from([options.stdin ?? '']),
    env: { ...options.env },
    cwd: options.cwd ?? process.cwd(),
  });
  return { code, stdout, stderr };
}
