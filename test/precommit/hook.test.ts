import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { parse } from 'yaml';
import { CONFIG_FILE_NAMES } from '../../src/engine/config.js';
import { FAMILIES } from '../../src/engine/families.js';
import { assertBundleFresh, bin, root } from '../helpers/bundle.js';
import { makeRepo } from '../helpers/git-repo.js';

/**
 * .pre-commit-hooks.yaml run the way pre-commit runs it (pre-commit itself is not installed here): the staged
 * paths filtered with the hook's `files` regex by Python's `re.search` (what pre-commit calls), unstaged changes
 * set aside as pre-commit does (a patch, checked out, applied back), then the hook's `entry` with the installed
 * `crossdock` on PATH, in the repository root, with no file names (pass_filenames: false).
 */

interface Hook {
  id: string;
  name: string;
  entry: string;
  language: string;
  pass_filenames?: boolean;
  files?: string;
  minimum_pre_commit_version?: string;
}

const hooks = parse(readFileSync(join(root, '.pre-commit-hooks.yaml'), 'utf8')) as Hook[];
const hook = hooks.find((h) => h.id === 'crossdock-check');

/** Python's re.search over paths, in one process: pre-commit's own filter. */
function pythonMatches(regex: string, paths: string[]): string[] {
  const r = spawnSync(
    'python3',
    [
      '-c',
      'import json,re,sys\nd=json.load(sys.stdin)\nr=re.compile(d["re"])\nprint(json.dumps([p for p in d["paths"] if r.search(p)]))',
    ],
    { input: JSON.stringify({ re: regex, paths }), encoding: 'utf8', timeout: 20_000 },
  );
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout) as string[];
}

function git(cwd: string, ...args: string[]): string {
  const r = spawnSync('git', args, { cwd, encoding: 'utf8', timeout: 20_000 });
  assert.equal(r.status, 0, `git ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

test('.pre-commit-hooks.yaml: crossdock-check is a node hook over the whole repository', () => {
  assert.ok(hook, 'a hook with id crossdock-check');
  assert.equal(hook.language, 'node');
  assert.equal(hook.pass_filenames, false);
  assert.equal(hook.entry, 'crossdock check');
  assert.ok(hook.minimum_pre_commit_version, 'older pre-commit cannot install a package that builds on pack');
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
    bin: Record<string, string>;
    scripts: Record<string, string>;
  };
  assert.ok(pkg.bin[hook.entry.split(' ')[0] ?? ''], 'the entry is a bin of the package');
  assert.equal(pkg.scripts.prepack, 'npm run build', 'installing from git builds the bundle');
});

/** Paths crossdock reads (one per family, and the config) and paths it does not. */
const PATHS = [
  'Dockerfile',
  'svc/Dockerfile.dev',
  'x/api.Dockerfile',
  'docs/Dockerfile.md.txt', // crossdock reads Dockerfile.<anything> as a Dockerfile
  'Containerfile',
  '.dockerignore',
  'web/Dockerfile.dockerignore',
  'requirements.txt',
  'requirements/base.txt',
  'deps/requirements/prod/all.in',
  'dev-requirements.txt',
  'constraints.txt',
  'requirements.lock',
  'pyproject.toml',
  'pkg/setup.py',
  'setup.cfg',
  '.python-version',
  'package.json',
  '.nvmrc',
  '.node-version',
  '.gitmodules',
  'scripts/build.sh',
  'Makefile',
  'build/rules.mk',
  'docker-bake.hcl',
  'docker-bake.override.json',
  'buildkitd.toml',
  '.github/workflows/ci.yml',
  '.github/workflows/release.yaml',
  'compose.yaml',
  'docker-compose.override.yml',
  'k8s/deploy.yaml',
  'charts/app/values.yaml',
  'crossdock.yaml',
  '.crossdock.yml',
  // not read
  'README.md',
  'src/app.py',
  'notes.txt',
  'go.mod',
  '.github/dependabot.yml',
  '.github/actions/setup/action.yml',
  'Dockerfiles/readme.md',
  'vendor/sub/.gitmodules',
];

test('files: exactly the paths crossdock reads, as pre-commit (Python re.search) and JavaScript match them', () => {
  assert.ok(hook?.files);
  const read = PATHS.filter((p) => FAMILIES.some((f) => f.match(p)) || CONFIG_FILE_NAMES.includes(p));
  // The corpus has both kinds, and Python agrees with JavaScript on the regex.
  assert.ok(read.length > 30 && PATHS.length - read.length >= 8);
  const python = pythonMatches(hook.files, PATHS);
  const js = PATHS.filter((p) => new RegExp(hook.files ?? '').test(p));
  assert.deepEqual(python, js);
  assert.deepEqual(python, read);
});

/** The hook run as pre-commit runs it at `git commit`: the exit code, or 'skipped' when no staged path matches. */
function runHook(repo: string, binDir: string): { result: number | 'skipped'; stdout: string } {
  const staged = git(repo, 'diff', '--staged', '--name-only', '--no-ext-diff', '-z')
    .split('\0')
    .filter(Boolean);
  if (pythonMatches(hook?.files ?? '', staged).length === 0) return { result: 'skipped', stdout: '' };
  // Unstaged changes are set aside: what is checked is what would be committed.
  const patch = git(repo, 'diff', '--binary', '--no-color', '--no-ext-diff', '--ignore-submodules');
  if (patch) git(repo, 'checkout', '--', '.');
  try {
    const [cmd, ...args] = (hook?.entry ?? '').split(' ');
    const r = spawnSync(cmd ?? '', args, {
      cwd: repo,
      encoding: 'utf8',
      timeout: 60_000,
      env: { ...process.env, PATH: `${binDir}:${process.env.PATH ?? ''}`, NO_COLOR: '1' },
    });
    return { result: r.status ?? -1, stdout: r.stdout + r.stderr };
  } finally {
    if (patch) {
      const patchFile = join(binDir, 'unstaged.patch');
      writeFileSync(patchFile, patch);
      git(repo, 'apply', patchFile);
    }
  }
}

test('the hook blocks a staged change with a finding, passes a clean one, skips unrelated files', {
  timeout: 120_000,
}, (t) => {
  assertBundleFresh();
  // `crossdock` on PATH, as the installed package's bin.
  const binDir = mkdtempSync(join(tmpdir(), 'crossdock-hook-bin-'));
  t.after(() => rmSync(binDir, { recursive: true, force: true }));
  symlinkSync(bin, join(binDir, 'crossdock'));
  const repo = makeRepo({
    files: {
      Dockerfile: 'FROM python:3.12-slim\nCOPY . /app\nRUN pip install --no-cache-dir /app\n',
      'pyproject.toml': '[project]\nname = "svc"\nversion = "1.0"\nrequires-python = ">=3.10"\n',
      'compose.yaml': 'services:\n  svc:\n    image: registry.example/svc:1\n    build: .\n',
      'README.md': '# svc\n',
    },
  });
  t.after(repo.cleanup);
  const at = (p: string) => join(repo.root, p);

  writeFileSync(at('README.md'), '# svc, documented\n');
  git(repo.root, 'add', 'README.md');
  assert.equal(runHook(repo.root, binDir).result, 'skipped');
  git(repo.root, 'commit', '-qm', 'docs');

  // A clean change to a file crossdock reads: the hook runs and passes.
  writeFileSync(
    at('pyproject.toml'),
    '[project]\nname = "svc"\nversion = "1.1"\nrequires-python = ">=3.11"\n',
  );
  git(repo.root, 'add', 'pyproject.toml');
  const clean = runHook(repo.root, binDir);
  assert.equal(clean.result, 0, clean.stdout);
  git(repo.root, 'commit', '-qm', 'clean');

  // The base image moves to Python 3.9, which the project refuses: the commit is blocked.
  writeFileSync(at('Dockerfile'), 'FROM python:3.9-slim\nCOPY . /app\nRUN pip install --no-cache-dir /app\n');
  git(repo.root, 'add', 'Dockerfile');
  const broken = runHook(repo.root, binDir);
  assert.equal(broken.result, 1, broken.stdout);
  assert.match(broken.stdout, /error +python-version-mismatch/);

  // Fixed in the working tree but not staged: what would be committed is still broken.
  writeFileSync(
    at('Dockerfile'),
    'FROM python:3.11-slim\nCOPY . /app\nRUN pip install --no-cache-dir /app\n',
  );
  assert.equal(runHook(repo.root, binDir).result, 1);
  assert.match(readFileSync(at('Dockerfile'), 'utf8'), /python:3\.11/, 'the unstaged fix is put back');
  git(repo.root, 'add', 'Dockerfile');
  assert.equal(runHook(repo.root, binDir).result, 0);
});
