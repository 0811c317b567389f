import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { test } from 'node:test';
import {
  assertBundleFresh,
  type BundleMeta,
  bundleMeta,
  inputsOf,
  newest,
  root,
  runBin,
  staticClosure,
} from '../helpers/bundle.js';
import { makeRepo } from '../helpers/git-repo.js';

/**
 * The CLI users run: bin/crossdock.js over the esbuild bundle (bundle/). It must behave like the sources (data/
 * and docs/ found from the bundle's location) and load only what the command needs: `--version` and `--help`
 * load no command code, `inspect`/`copy` never load the YAML/TOML/HCL parsers or the rules, `check` never loads
 * registry or build code. Which sources each bundle file holds comes from esbuild's metafile (bundle/meta.json).
 */

const PARSERS_AND_RULES = [
  /^node_modules\/yaml\//,
  /^node_modules\/toml-eslint-parser\//,
  /^src\/sources\//,
  /^src\/rules\//,
  /^src\/engine\//,
];
const REGISTRY_AND_BUILD = [/^src\/registry\//, /^src\/build\//, /^src\/engine\/online\.ts$/];

function assertNone(inputs: string[], forbidden: RegExp[], what: string): void {
  const hits = inputs.filter((i) => forbidden.some((re) => re.test(i)));
  assert.deepEqual(hits, [], `${what} loads ${hits.slice(0, 5).join(', ')}`);
}

/** An example's broken/ or fixed/ folder as a fresh git repository (what a CI clone has), without EXPECTED.json. */
function exampleRepo(dir: string) {
  const files: Record<string, Buffer> = {};
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name !== 'EXPECTED.json') files[relative(dir, p)] = readFileSync(p);
    }
  };
  walk(dir);
  return makeRepo({ files });
}

interface Finding {
  ruleId: string;
  severity: string;
  file: string;
  line: number;
  column: number;
}
const key = (f: Finding) => `${f.severity} ${f.ruleId} ${f.file}:${f.line}:${f.column}`;

function entryOf(meta: BundleMeta, source: string): string {
  const out = Object.entries(meta.outputs).find(([, o]) => o.entryPoint === source)?.[0];
  assert.ok(out, `no bundle file for ${source}`);
  return out;
}

for (const example of ['python-service', 'ci-pipelines']) {
  test(`bundle: check on examples/${example}/broken reports the planted defects and loads no registry or build code`, {
    timeout: 60_000,
  }, (t) => {
    assertBundleFresh();
    const dir = join(root, 'examples', example, 'broken');
    const repo = exampleRepo(dir);
    t.after(repo.cleanup);
    const r = runBin(['check', repo.root, '--format', 'json', '--fail-on', 'never']);
    assert.equal(r.status, 0, r.stderr);
    const expected = JSON.parse(readFileSync(join(dir, 'EXPECTED.json'), 'utf8')) as Finding[];
    const json = JSON.parse(r.stdout) as { findings: Finding[] };
    // ci-pipelines has action-unknown-input, which reads data/actions.json next to the bundle.
    assert.deepEqual(json.findings.map(key).sort(), expected.map(key).sort());
    assert.ok(
      r.loaded.some((f) => /^bundle\/check-/.test(f)),
      r.loaded.join(' '),
    );
    assertNone(inputsOf(bundleMeta(), r.loaded), REGISTRY_AND_BUILD, 'check');
  });
}

test('bundle: a check served whole from its cache loads no parser, loader or rule, and reports the same', {
  timeout: 60_000,
}, (t) => {
  assertBundleFresh();
  // An example without crossdock.yaml: reading one loads the YAML parser, cache or not.
  const repo = exampleRepo(join(root, 'examples', 'compose-stack', 'broken'));
  const cache = mkdtempSync(join(tmpdir(), 'crossdock-cache-'));
  t.after(() => {
    repo.cleanup();
    rmSync(cache, { recursive: true, force: true });
  });
  const run = () => runBin(['check', repo.root, '--format', 'json'], { env: { CROSSDOCK_CACHE_DIR: cache } });
  const cold = run();
  const warm = run();
  assert.equal(cold.status, 1, cold.stderr);
  assert.equal(warm.status, 1, warm.stderr);
  assert.match(warm.stderr, /^$/);
  const findings = (r: { stdout: string }) => (JSON.parse(r.stdout) as { findings: Finding[] }).findings;
  assert.ok(findings(cold).length > 0);
  assert.deepEqual(findings(warm), findings(cold));
  const meta = bundleMeta();
  const parsing = [/^node_modules\/yaml\//, /^src\/sources\//, /^src\/rules\//, /^src\/engine\/load\.ts$/];
  // The cold run loaded them (so the fence below means something), the warm one none of them.
  assert.ok(
    inputsOf(meta, cold.loaded).some((i) => /^src\/rules\//.test(i)),
    cold.loaded.join(' '),
  );
  assertNone(inputsOf(meta, warm.loaded), parsing, 'a warm check');
});

test('bundle: the text report, explain (reads docs/) and the exit code, as the README shows', {
  timeout: 60_000,
}, () => {
  assertBundleFresh();
  const r = runBin(['check', 'examples/python-service/broken']);
  assert.equal(r.status, 1, r.stderr);
  assert.match(r.stdout, /error +python-version-mismatch/);
  const e = runBin(['explain', 'missing-file']);
  assert.equal(e.status, 0, e.stderr);
  assert.match(e.stdout, /^# missing-file\n/);
});

test('bundle: --version and --help load no command code (nor node:child_process); inspect/build --help print their options', {
  timeout: 60_000,
}, () => {
  assertBundleFresh();
  const meta = bundleMeta();
  const entryFiles = staticClosure(meta, 'bundle/crossdock.js');
  const cases: [string[], RegExp][] = [
    [['--version'], /^\d+\.\d+\.\d+\n$/],
    [['--help'], /Commands:\n {2}check /],
    [['inspect', '--help'], /^Usage: crossdock inspect <ref>.*--platform PLATFORM.*--ca-file PEM/s],
    [['build', '--help'], /^Usage: crossdock build \[dir\].*--push.*--node NAME=ENDPOINT/s],
  ];
  for (const [argv, expected] of cases) {
    const r = runBin(argv);
    assert.equal(r.status, 0, `${argv.join(' ')}: ${r.stderr}`);
    assert.match(r.stdout, expected, argv.join(' '));
    assert.ok(r.loaded.includes('bundle/crossdock.js'), `${argv.join(' ')} ran the bundle`);
    // The second Ctrl-C handler lives in src/stop.ts, apart from exec.ts: nothing starts a child here.
    assert.ok(!r.builtins.includes('node:child_process'), `${argv.join(' ')}: ${r.builtins.join(' ')}`);
    const extra = r.loaded.filter((f) => !entryFiles.includes(f));
    assert.deepEqual(extra, [], `${argv.join(' ')} loads only the entry and its static imports`);
    assertNone(
      inputsOf(meta, r.loaded),
      [/^node_modules\//, ...PARSERS_AND_RULES, ...REGISTRY_AND_BUILD],
      argv[0] ?? '',
    );
  }
});

test('bundle: inspect and copy load their command, never the parsers or the rules', {
  timeout: 60_000,
}, () => {
  assertBundleFresh();
  const meta = bundleMeta();
  // Usage errors: the command's module is loaded and runs, nothing goes to the network.
  for (const [argv, command] of [
    [['inspect', 'a', 'b'], 'inspect'],
    [['copy', 'a'], 'copy'],
  ] as const) {
    const r = runBin([...argv]);
    assert.equal(r.status, 2, r.stderr);
    assert.match(r.stderr, new RegExp(`${command} takes`));
    assert.ok(
      r.loaded.some((f) => f.startsWith(`bundle/${command}-`)),
      `${command} loaded: ${r.loaded.join(' ')}`,
    );
    const inputs = inputsOf(meta, r.loaded);
    assert.ok(inputs.includes('src/registry/client.ts'), `${command} loads the registry client`);
    assertNone(inputs, PARSERS_AND_RULES, command);
  }
});

test('bundle metafile: what every command can load, statically', { timeout: 30_000 }, () => {
  assertBundleFresh();
  const meta = bundleMeta();
  const closure = (source: string) => inputsOf(meta, staticClosure(meta, entryOf(meta, source)));
  assertNone(
    closure('src/cli/process.ts'),
    [/^node_modules\//, ...PARSERS_AND_RULES, ...REGISTRY_AND_BUILD],
    'the entry',
  );
  for (const c of ['inspect', 'copy', 'trust'])
    assertNone(closure(`src/cli/commands/${c}.ts`), PARSERS_AND_RULES, c);
  // smoke reads crossdock.yaml's nodes (yaml, the config reader) but never the rules, the sources or the loader.
  assertNone(
    closure('src/cli/commands/smoke.ts'),
    [/^src\/sources\//, /^src\/rules\//, /^src\/engine\/load\.ts$/],
    'smoke',
  );
  // build loads the smoke runner (and the project loader it needs) only with --smoke, through import().
  assertNone(closure('src/cli/commands/build.ts'), [/^src\/smoke\//], 'build');
  for (const c of ['check', 'graph', 'rules', 'explain', 'init', 'deps'])
    assertNone(closure(`src/cli/commands/${c}.ts`), REGISTRY_AND_BUILD, c);
  // deps asks the package index with its own client (src/deps/http.ts), never the registry client.
  assert.ok(closure('src/cli/commands/deps.ts').includes('src/deps/decide.ts'));
  // check's own static closure is what a run served whole from its cache needs: the inventory, the cache and the
  // reporters. The parsers, the loaders and the rules come through import() when the cache cannot serve it.
  const checkClosure = closure('src/cli/commands/check.ts');
  assert.ok(
    checkClosure.includes('src/engine/cached.ts') && checkClosure.includes('src/engine/inventory.ts'),
  );
  assertNone(
    checkClosure,
    [
      /^node_modules\/yaml\//,
      /^node_modules\/toml-eslint-parser\//,
      /^src\/sources\//,
      /^src\/rules\//,
      /^src\/engine\/(load|link|run|config-parse)\.ts$/,
    ],
    'check (statically)',
  );
  // ci reads the build graph and crossdock.yaml (build/config.ts, build/tags.ts): no registry client, no build
  // engine (nodes, backends, planner), no rules.
  const ci = closure('src/cli/commands/ci.ts');
  assertNone(
    ci,
    [
      /^src\/registry\//,
      /^src\/build\/(?!config\.ts$|tags\.ts$)/,
      /^src\/engine\/online\.ts$/,
      /^src\/rules\//,
    ],
    'ci',
  );
  assert.ok(ci.includes('src/ci/github.ts') && ci.includes('src/build/tags.ts'), ci.join(' '));
  // Dependencies are bundled: the bundle imports node builtins only, so bin/ + bundle/ run without node_modules.
  const external = new Set(
    Object.values(meta.outputs).flatMap((o) => o.imports.filter((i) => i.external).map((i) => i.path)),
  );
  const notBuiltin = [...external].filter(
    (p) => !p.startsWith('node:') && !['path', 'process', 'buffer'].includes(p),
  );
  assert.deepEqual(notBuiltin, []);
});

test('npm pack: the installed crossdock command runs the bundle; the library entry loads', {
  timeout: 300_000,
}, (t) => {
  assertBundleFresh();
  assert.ok(
    newest(join(root, 'src')) <= statSync(join(root, 'dist/index.js')).mtimeMs,
    'dist/ is older than src/: run `npm run build` (npm test builds it first)',
  );
  const dir = mkdtempSync(join(tmpdir(), 'crossdock-pack-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const npm = (args: string[], cwd: string) => {
    const r = spawnSync('npm', args, { cwd, encoding: 'utf8', timeout: 150_000 });
    assert.equal(r.status, 0, `npm ${args.join(' ')}: ${r.stderr}`);
    return r.stdout;
  };
  const packed = JSON.parse(npm(['pack', '--json', '--ignore-scripts', '--pack-destination', dir], root)) as {
    filename: string;
    files: { path: string }[];
  }[];
  const paths = packed[0]?.files.map((f) => f.path) ?? [];
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { bin: Record<string, string> };
  assert.ok(paths.includes(pkg.bin.crossdock ?? ''), 'bin is in the package');
  const bundled = readdirSync(join(root, 'bundle')).filter((f) => f.endsWith('.js'));
  for (const f of bundled) assert.ok(paths.includes(`bundle/${f}`), `bundle/${f} is in the package`);
  assert.ok(!paths.includes('bundle/meta.json'), 'the metafile is not published');
  assert.ok(paths.includes('bundle/THIRD-PARTY-LICENSES.txt'), 'the bundled licences are published');
  const licences = readFileSync(join(root, 'bundle/THIRD-PARTY-LICENSES.txt'), 'utf8');
  const meta = bundleMeta();
  const bundledPackages = new Set(
    inputsOf(meta, Object.keys(meta.outputs)).flatMap(
      (i) => /^node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(i)?.[1] ?? [],
    ),
  );
  assert.ok(bundledPackages.has('yaml'), [...bundledPackages].join(' '));
  for (const name of bundledPackages)
    assert.match(
      licences,
      new RegExp(`^${name} \\S+ \\(`, 'm'),
      `${name}'s licence is in THIRD-PARTY-LICENSES.txt`,
    );
  for (const f of [
    'dist/index.js',
    'dist/index.d.ts',
    'data/actions.json',
    'docs/rules/missing-file.md',
    'docs/schemas/crossdock-config-v1.json',
    'docs/schemas/crossdock-result-v1.json',
    'README.md',
  ])
    assert.ok(paths.includes(f), `${f} is in the package`);
  // Runtime dependencies (for dist/, the library) come from the npm cache, else the registry.
  const prefix = join(dir, 'install');
  npm(
    [
      'install',
      '--prefix',
      prefix,
      '--prefer-offline',
      '--no-audit',
      '--no-fund',
      '--ignore-scripts',
      join(dir, packed[0]?.filename ?? ''),
    ],
    dir,
  );
  const installed = join(prefix, 'node_modules/.bin/crossdock');
  assert.ok(statSync(installed).mode & 0o111, 'the installed command is executable');
  const v = spawnSync(installed, ['--version'], { encoding: 'utf8', timeout: 30_000 });
  assert.equal(v.status, 0, v.stderr);
  assert.match(v.stdout, /^\d+\.\d+\.\d+\n$/);
  const c = spawnSync(
    installed,
    ['check', join(root, 'examples/python-service/broken'), '--format', 'json'],
    {
      encoding: 'utf8',
      timeout: 60_000,
    },
  );
  assert.equal(c.status, 1, c.stderr);
  assert.ok((JSON.parse(c.stdout) as { findings: unknown[] }).findings.length > 0);
  const explain = spawnSync(installed, ['explain', 'missing-file'], { encoding: 'utf8', timeout: 30_000 });
  assert.match(explain.stdout, /^# missing-file\n/, explain.stderr);
  const lib = spawnSync(
    process.execPath,
    [
      '--input-type=module',
      '-e',
      "const m = await import('crossdock'); console.log(m.VERSION, typeof m.check)",
    ],
    { cwd: prefix, encoding: 'utf8', timeout: 30_000 },
  );
  assert.equal(lib.status, 0, lib.stderr);
  assert.match(lib.stdout, /^\d+\.\d+\.\d+ function\n$/);

  // What the README shows: `npx crossdock@file:<tarball> check`, in an empty folder and in a small repository.
  const npx = (cwd: string, args: string[]) =>
    spawnSync(
      'npx',
      ['--yes', '--prefer-offline', `crossdock@file:${join(dir, packed[0]?.filename ?? '')}`, ...args],
      { cwd, encoding: 'utf8', timeout: 120_000, env: { ...process.env, NO_COLOR: '1' } },
    );
  const empty = join(dir, 'empty');
  mkdirSync(empty);
  const e0 = npx(empty, ['check']);
  assert.equal(e0.status, 0, e0.stderr);
  assert.match(e0.stdout, /^ok: no problems in 0 files/m);
  const repo = makeRepo({
    files: {
      Dockerfile: 'FROM python:3.9-slim\nCOPY . /app\nRUN pip install --no-cache-dir /app\n',
      'pyproject.toml': '[project]\nname = "svc"\nversion = "1.0"\nrequires-python = ">=3.10"\n',
      'compose.yaml': 'services:\n  svc:\n    image: registry.example/svc:1\n    build: .\n',
    },
  });
  t.after(repo.cleanup);
  const r1 = npx(repo.root, ['check', '--format', 'json']);
  assert.equal(r1.status, 1, r1.stderr);
  const findings = (JSON.parse(r1.stdout) as { findings: Finding[] }).findings;
  assert.deepEqual(findings.filter((f) => f.severity === 'error').map(key), [
    'error python-version-mismatch Dockerfile:1:6',
  ]);
});
