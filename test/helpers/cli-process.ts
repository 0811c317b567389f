import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Runs the CLI from source in a process of its own (scripts/dev.mjs through tsx) and reports its peak resident
 * memory, for tests that must show crossdock does not buffer what it is sent.
 */
const root = fileURLToPath(new URL('../../', import.meta.url));
// Loaded into the child: on exit, writes its peak RSS (KiB) where the parent said.
const RSS_HOOK =
  'data:text/javascript,import{writeFileSync}from"node:fs";process.on("exit",()=>writeFileSync(process.env.CROSSDOCK_TEST_RSS,String(process.resourceUsage().maxRSS)))';

export async function runCliProcess(
  argv: string[],
  env: Record<string, string> = {},
): Promise<{ code: number | null; stdout: string; stderr: string; peakRssMb: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'crossdock-rss-'));
  const rssFile = join(dir, 'rss');
  try {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', '--import', RSS_HOOK, join(root, 'scripts/dev.mjs'), ...argv],
      { cwd: root, env: { PATH: process.env.PATH ?? '', ...env, CROSSDOCK_TEST_RSS: rssFile } },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    child.stdin.end();
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    const kib = Number(readFileSync(rssFile, 'utf8'));
    return { code, stdout, stderr, peakRssMb: Math.round(kib / 1024) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
