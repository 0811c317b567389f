import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { loadRepo } from '../helpers/check.js';
import { DOCKER, docker, requireEngine } from '../helpers/engine.js';
import { allRules } from '../../src/rules/index.js';
import { runRules } from '../../src/engine/run.js';

/**
 * The real engine (dockerd 20.10 with BuildKit) as the oracle for two facts crossdock states about build contexts:
 * which files `.dockerignore` keeps out of the context (pattern order, `!` exceptions, parent folders), and what
 * `COPY ../x` copies (BuildKit reads `x` from the context root). Each case builds a context, lists what the image
 * received, and compares it with what crossdock says.
 */

function write(root: string, files: Record<string, string>): void {
  for (const [p, t] of Object.entries(files)) {
    mkdirSync(dirname(join(root, p)), { recursive: true });
    writeFileSync(join(root, p), t);
  }
}

/** Builds `FROM scratch` + `COPY . /ctx/` and returns the files the image holds under /ctx. */
function contextSeenByEngine(root: string): string[] {
  const tag = `crossdock-oracle-${process.pid}-${Date.now()}`;
  const b = spawnSync(DOCKER, ['build', '-q', '-t', tag, root], {
    encoding: 'utf8',
    env: { ...process.env, DOCKER_BUILDKIT: '1' },
    timeout: 120_000,
  });
  assert.equal(b.status, 0, b.stderr);
  try {
    const c = docker(['create', tag, 'x']);
    assert.equal(c.code, 0, c.stderr);
    const id = c.stdout.trim();
    try {
      const e = spawnSync(DOCKER, ['export', id], { maxBuffer: 64 * 1024 * 1024, timeout: 60_000 });
      const t = spawnSync('tar', ['-t'], { input: e.stdout, encoding: 'utf8' });
      return t.stdout
        .split('\n')
        .filter((l) => l.startsWith('ctx/') && !l.endsWith('/'))
        .map((l) => l.slice(4))
        .sort();
    } finally {
      docker(['rm', '-f', id]);
    }
  } finally {
    docker(['rmi', '-f', tag]);
  }
}

const IGNORE_CASES: { name: string; ignore: string; files: string[] }[] = [
  {
    name: 'everything except a re-included tree',
    ignore: '*\n!src/**\n!Dockerfile\n',
    files: ['src/a.py', 'src/pkg/b.py', 'docs/x.md', 'top.txt'],
  },
  {
    name: 'a folder partly re-included',
    ignore: 'conf\n!conf/app.ini\n',
    files: ['conf/app.ini', 'conf/secret.ini', 'main.py'],
  },
  {
    name: 'later patterns win over earlier ones',
    ignore: '!keep.log\n*.log\n',
    files: ['keep.log', 'drop.log', 'a.py'],
  },
  {
    name: 'double-star and nested folders',
    ignore: '**/__pycache__\n**/*.pyc\n!lib/keep.pyc\n',
    files: ['app/__pycache__/x.py', 'lib/keep.pyc', 'lib/y.pyc', 'lib/z.py'],
  },
  {
    name: 'a leading slash and ./ are cleaned',
    ignore: '/build\n./dist\n',
    files: ['build/out.bin', 'dist/x.js', 'src/build/keep.txt'],
  },
];

for (const c of IGNORE_CASES) {
  test(`.dockerignore as the engine applies it: ${c.name}`, { timeout: 180_000 }, async () => {
    requireEngine();
    const root = mkdtempSync(join(tmpdir(), 'crossdock-oracle-'));
    try {
      const files: Record<string, string> = {
        Dockerfile: 'FROM scratch\nCOPY . /ctx/\n',
        '.dockerignore': c.ignore,
      };
      for (const f of c.files) files[f] = `${f}\n`;
      write(root, files);
      const seen = contextSeenByEngine(root);
      const model = await loadRepo({ files, noGit: true });
      const ignore = model.dockerignores.get('.');
      assert.ok(ignore, 'crossdock read the .dockerignore');
      const ours = Object.keys(files)
        .filter((f) => !ignore.ignores(f))
        .sort();
      assert.deepEqual(
        ours,
        seen,
        `crossdock's view of the context differs from the engine's for:\n${c.ignore}`,
      );
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
}

test("COPY ../x: BuildKit copies the context root's x, and crossdock says so (warning), or says it is missing (error)", {
  timeout: 180_000,
}, async () => {
  requireEngine();
  const root = mkdtempSync(join(tmpdir(), 'crossdock-oracle-'));
  try {
    const files = {
      'svc/Dockerfile': 'FROM scratch\nCOPY ../shared.txt /got.txt\n',
      'svc/shared.txt': 'inside the context\n',
      'shared.txt': 'outside the context\n',
      'crossdock.yaml': 'version: 1\nimages:\n  reg.example.com/svc:\n    context: svc\n',
    };
    write(root, files);
    const b = spawnSync(DOCKER, ['build', '-q', '-t', `crossdock-clamp-${process.pid}`, join(root, 'svc')], {
      encoding: 'utf8',
      env: { ...process.env, DOCKER_BUILDKIT: '1' },
      timeout: 120_000,
    });
    assert.equal(b.status, 0, `BuildKit accepts ../shared.txt: ${b.stderr}`);
    const c = docker(['create', `crossdock-clamp-${process.pid}`, 'x']);
    const id = c.stdout.trim();
    const cp = spawnSync(DOCKER, ['cp', `${id}:/got.txt`, '-'], { encoding: 'utf8' });
    docker(['rm', '-f', id]);
    docker(['rmi', '-f', `crossdock-clamp-${process.pid}`]);
    assert.match(cp.stdout, /inside the context/, "the engine copied the context root's file");
    const model = await loadRepo({ files, noGit: true });
    const findings = (await runRules(model, allRules())).filter((f) => f.ruleId === 'copy-outside-context');
    assert.deepEqual(
      findings.map((f) => `${f.severity} ${f.file}:${f.line}`),
      ['warning svc/Dockerfile:2'],
    );
    assert.match(findings[0]?.message ?? '', /copies the context's own `shared.txt`/);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
