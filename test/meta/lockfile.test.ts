import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { root } from '../helpers/bundle.js';

/**
 * The install is reproducible: `npm ci` accepts the committed lock file on a clean machine, and the lock lists the
 * other platforms' optional packages (biome's and esbuild's native binaries), so `npm ci` on macOS, on arm64 or on
 * musl installs the same versions. `npm install --package-lock-only` (npm 11.19) writes them all, from scratch too;
 * an install that rewrites the lock with node_modules present has been known to drop them (npm/cli#4828).
 */

interface Lock {
  lockfileVersion: number;
  packages: Record<
    string,
    {
      version?: string;
      optional?: boolean;
      os?: string[];
      cpu?: string[];
      optionalDependencies?: Record<string, string>;
    }
  >;
}

const lock = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8')) as Lock;

test('the lock lists every optional dependency of every package (other platforms included)', () => {
  assert.equal(lock.lockfileVersion, 3);
  const missing: string[] = [];
  for (const [path, p] of Object.entries(lock.packages))
    for (const [name, range] of Object.entries(p.optionalDependencies ?? {})) {
      const nested = `${path ? `${path}/` : ''}node_modules/${name}`;
      const entry = lock.packages[nested] ?? lock.packages[`node_modules/${name}`];
      if (!entry) missing.push(`${path || '(root)'} → ${name}@${range}`);
      else assert.equal(entry.optional, true, `${name} is marked optional`);
    }
  assert.deepEqual(missing, []);
  for (const name of [
    '@biomejs/cli-linux-arm64',
    '@biomejs/cli-linux-x64-musl',
    '@biomejs/cli-darwin-arm64',
    '@biomejs/cli-win32-x64',
    '@esbuild/linux-arm64',
    '@esbuild/darwin-arm64',
    '@esbuild/win32-x64',
  ])
    assert.ok(lock.packages[`node_modules/${name}`]?.os, `${name} is in the lock with its os`);
});

/** `npm ci --dry-run` on package.json + package-lock.json alone (a fresh clone), as another platform would. */
function dryRun(platform: string[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'crossdock-lock-'));
  try {
    for (const f of ['package.json', 'package-lock.json']) copyFileSync(join(root, f), join(dir, f));
    const r = spawnSync(
      'npm',
      ['ci', '--dry-run', '--ignore-scripts', '--no-audit', '--no-fund', '--prefer-offline', ...platform],
      { cwd: dir, encoding: 'utf8', timeout: 120_000 },
    );
    assert.equal(r.status, 0, `npm ci --dry-run ${platform.join(' ')}: ${r.stderr}`);
    return r.stdout;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

for (const [platform, biome, esbuild] of [
  [[], undefined, undefined],
  [['--os=darwin', '--cpu=arm64'], '@biomejs/cli-darwin-arm64', '@esbuild/darwin-arm64'],
  [['--os=linux', '--cpu=arm64', '--libc=musl'], '@biomejs/cli-linux-arm64-musl', '@esbuild/linux-arm64'],
] as const)
  test(`npm ci --dry-run accepts the lock ${platform.length ? platform.join(' ') : 'on this machine'}`, {
    timeout: 150_000,
  }, () => {
    const out = dryRun([...platform]);
    assert.match(out, /added \d+ packages/);
    if (biome) assert.match(out, new RegExp(`^add ${biome} \\d`, 'm'));
    if (esbuild) assert.match(out, new RegExp(`^add ${esbuild} \\d`, 'm'));
  });
