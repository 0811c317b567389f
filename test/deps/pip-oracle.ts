import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TargetEnv } from '../../src/deps/types.js';

/**
 * pip as the oracle: `pip download --no-deps` for a target (its Python, ABI and every platform tag pip's own
 * packaging would accept inside that image, from pip-tags.py), against a given index, with no network but
 * loopback, no cache, no config, no prompt, and a timeout.
 */
const here = fileURLToPath(new URL('.', import.meta.url));

const ARCH: Record<string, string> = {
  'linux/amd64': 'x86_64',
  'linux/arm64': 'aarch64',
  'linux/arm/v7': 'armv7l',
};

function run(
  cmd: string,
  args: string[],
  timeoutMs: number,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      cmd,
      args,
      {
        timeout: timeoutMs,
        maxBuffer: 16 * 1024 * 1024,
        env: {
          PATH: process.env.PATH,
          HOME: process.env.HOME,
          PIP_NO_INPUT: '1',
          PIP_DISABLE_PIP_VERSION_CHECK: '1',
          PIP_CONFIG_FILE: '/dev/null',
          NO_PROXY: '127.0.0.1,localhost',
        },
      },
      (err, stdout, stderr) =>
        resolve({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr }),
    );
  });
}

const platformsCache = new Map<string, Promise<string[]>>();

export function pipPlatforms(t: TargetEnv): Promise<string[]> {
  const key = JSON.stringify(t);
  let p = platformsCache.get(key);
  if (!p) {
    p = platformsOf(t);
    platformsCache.set(key, p);
  }
  return p;
}

async function platformsOf(t: TargetEnv): Promise<string[]> {
  const arch = ARCH[t.platform];
  if (!arch || !t.python || !t.libc) throw new Error(`no oracle for ${JSON.stringify(t)}`);
  const r = await run(
    'python3',
    [join(here, 'pip-tags.py'), t.python, t.libc.kind, t.libc.version, arch, 'platforms'],
    20_000,
  );
  if (r.code !== 0) throw new Error(r.stderr);
  return r.stdout.trim().split('\n');
}

export async function pipTags(py: string, kind: string, libc: string, arch: string): Promise<string[]> {
  const r = await run('python3', [join(here, 'pip-tags.py'), py, kind, libc, arch], 20_000);
  if (r.code !== 0) throw new Error(r.stderr);
  return r.stdout.trim().split('\n');
}

export interface PipResult {
  ok: boolean;
  files: string[];
  output: string;
}

export async function pipDownload(
  indexUrl: string,
  t: TargetEnv,
  requirements: string[],
  mode: 'only-binary' | 'no-binary',
): Promise<PipResult> {
  const platforms = await pipPlatforms(t);
  const py = t.python ?? '';
  const dest = mkdtempSync(join(tmpdir(), 'crossdock-pip-'));
  try {
    const args = [
      '-m',
      'pip',
      'download',
      '--no-deps',
      '--no-cache-dir',
      '--isolated',
      '--progress-bar',
      'off',
      '--timeout',
      '10',
      '--retries',
      '0',
      '-d',
      dest,
      '--index-url',
      indexUrl,
      ...(mode === 'only-binary'
        ? [
            '--only-binary=:all:',
            ...platforms.flatMap((p) => ['--platform', p]),
            '--python-version',
            py,
            '--implementation',
            'cp',
            '--abi',
            `cp${py.replace('.', '')}`,
          ]
        : ['--no-binary=:all:', '--no-build-isolation']),
      ...requirements,
    ];
    const r = await run('python3', args, 60_000);
    return { ok: r.code === 0, files: readdirSync(dest).sort(), output: r.stdout + r.stderr };
  } finally {
    rmSync(dest, { recursive: true, force: true });
  }
}

export type FinderMode = 'default' | 'only-binary' | 'no-binary';

/**
 * pip's PackageFinder (what `pip download` and `pip install` run to choose a file), for every target × mode ×
 * query in one Python process: `key|mode|i` → the file pip picks, or null when it finds nothing.
 */
export async function pipFinder(
  indexUrl: string,
  targets: TargetEnv[],
  queries: { name: string; specifier: string | undefined }[],
  modes: FinderMode[],
): Promise<Map<string, string | null>> {
  const input = {
    index: indexUrl,
    targets: await Promise.all(
      targets.map(async (t, i) => ({ key: String(i), python: t.python, platforms: await pipPlatforms(t) })),
    ),
    queries: queries.map((q) => ({ name: q.name, specifier: q.specifier ?? '' })),
    modes,
  };
  const out = await new Promise<string>((resolve, reject) => {
    const child = execFile(
      'python3',
      [join(here, 'pip-finder.py')],
      {
        timeout: 120_000,
        maxBuffer: 16 * 1024 * 1024,
        env: {
          PATH: process.env.PATH,
          HOME: process.env.HOME,
          PIP_NO_INPUT: '1',
          PIP_CONFIG_FILE: '/dev/null',
          NO_PROXY: '127.0.0.1',
        },
      },
      (err, stdout, stderr) =>
        err ? reject(new Error(`pip-finder.py: ${err.message}\n${stderr}`)) : resolve(stdout),
    );
    child.stdin?.end(JSON.stringify(input));
  });
  const parsed: unknown = JSON.parse(out);
  const map = new Map<string, string | null>();
  for (const [k, v] of Object.entries(parsed as Record<string, unknown>))
    map.set(k, typeof v === 'string' ? v : null);
  return map;
}
