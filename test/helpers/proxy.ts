import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { trackProcess, untrackProcess } from './procs.js';
import { freePort } from './registry.js';

export interface TestProxy {
  /** `http://127.0.0.1:PORT` */
  url: string;
  /** The proxy's log so far (tinyproxy's own lines: each CONNECT and each request it forwards). */
  log(): string;
  stop(): Promise<void>;
}

/**
 * tinyproxy (Debian's `tinyproxy` package), a real HTTP proxy: CONNECT tunnels to any port and absolute-URI
 * requests, on loopback, in the foreground, logging every connection it makes.
 */
export async function startProxy(): Promise<TestProxy> {
  const dir = mkdtempSync(join(tmpdir(), 'crossdock-proxy-'));
  const port = await freePort();
  const logFile = join(dir, 'tinyproxy.log');
  const conf = join(dir, 'tinyproxy.conf');
  // No ConnectPort line: CONNECT to every port (registries listen on 5000 and the like).
  writeFileSync(
    conf,
    [
      `Port ${port}`,
      'Listen 127.0.0.1',
      'Timeout 60',
      `LogFile "${logFile}"`,
      'LogLevel Connect',
      'MaxClients 50',
      'Allow 127.0.0.1',
      'DisableViaHeader Yes',
      '',
    ].join('\n'),
  );
  const child: ChildProcess = spawn('tinyproxy', ['-d', '-c', conf], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (c: Buffer) => {
    stderr += c.toString();
  });
  if (child.pid) trackProcess({ pid: child.pid, what: `tinyproxy (${conf})` });
  const deadline = Date.now() + 10_000;
  for (;;) {
    const up = await new Promise<boolean>((resolve) => {
      const s = connect(port, '127.0.0.1', () => {
        s.destroy();
        resolve(true);
      });
      s.on('error', () => resolve(false));
    });
    if (up) break;
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      untrackProcess(child.pid);
      rmSync(dir, { recursive: true, force: true });
      throw new Error(`tinyproxy did not start: ${stderr}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    url: `http://127.0.0.1:${port}`,
    log: () => (existsSync(logFile) ? readFileSync(logFile, 'utf8') : ''),
    stop: async () => {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await exited;
      }
      untrackProcess(child.pid);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
