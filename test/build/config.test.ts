import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import {
  ConfigSource,
  parseBuildDefaults,
  parseImageBuilds,
  parseNodes,
  parseSize,
  secretFromFields,
} from '../../src/build/config.js';
import { runCli } from '../helpers/cli.js';

/**
 * crossdock.yaml's build:, nodes: and images: (verify policies included) and the flags are checked for type before
 * any work, each error at file:line:column with the fix. No engine is needed: a TCP listener stands in for a
 * builder node and a registry, and counts the connections that must never come.
 */
let work: string;
let listener: Server;
let port: number;
let connections = 0;

before(async () => {
  work = mkdtempSync(join(tmpdir(), 'crossdock-config-'));
  listener = createServer((s) => {
    connections++;
    s.destroy();
  });
  await new Promise<void>((r) => listener.listen(0, '127.0.0.1', r));
  const a = listener.address();
  port = typeof a === 'object' && a ? a.port : 0;
});

after(async () => {
  if (listener) await new Promise((r) => listener.close(r));
  rmSync(work, { recursive: true, force: true });
});

let files = 0;

async function plan(config: string, extra: string[] = []) {
  const file = join(work, `crossdock-${++files}.yaml`);
  writeFileSync(file, config);
  writeFileSync(join(work, 'Dockerfile'), 'FROM scratch\n');
  const before = connections;
  const r = await runCli(
    [
      'plan',
      work,
      '--config',
      file,
      '--node',
      `probe=tcp://127.0.0.1:${port}`,
      '--platform',
      'linux/amd64',
      ...extra,
    ],
    { env: { PATH: process.env.PATH ?? '', HOME: work }, cwd: work },
  );
  return { ...r, file, probed: connections - before };
}

const base = (file: string) => file.slice(file.lastIndexOf('/') + 1);

test('wrong types in build:, nodes: and images: are errors at file:line:column, before any node is probed', {
  timeout: 60_000,
}, async () => {
  const repo = 'reg.example:5000/team/app';
  const cases: [string, string, RegExp][] = [
    [
      'build:\n  retries: many\n',
      '2:12',
      /build\.retries must be a whole number from 0 to 10, not string "many"/,
    ],
    ['build:\n  parallel: "yes"\n', '2:13', /build\.parallel must be true or false/],
    ['build:\n  labels: x\n', '2:11', /build\.labels must be a mapping, not string "x"/],
    ['build:\n  tags: latest\n', '2:9', /build\.tags must be a list of strings/],
    ['build:\n  source: 42\n', '2:11', /build\.source "42" is not an http\(s\) URL/],
    ['build:\n  cache: { maxBytes: lots }\n', '2:22', /build\.cache\.maxBytes must be a size in bytes/],
    ['build:\n  tgas: [x]\n', '2:3', /build\.tgas is not a known key[\s\S]*known keys: tags, retries/],
    [
      'nodes:\n  - name: pi\n    endpoint: 123\n',
      '3:15',
      /nodes\[0\]\.endpoint of pi: "123" is not a builder endpoint/,
    ],
    [
      'nodes:\n  - name: pi\n    context: pi\n    platforms: linux/arm64\n',
      '4:16',
      /nodes\[0\]\.platforms must be a list of strings/,
    ],
    [
      'nodes:\n  - name: 7\n    context: pi\n  - name: 7\n    context: x\n',
      '4:11',
      /nodes\[1\]\.name "7" is used twice/,
    ],
    [
      `images:\n  ${repo}:\n    revision: 123\n`,
      '3:15',
      /images\."reg\.example:5000\/team\/app"\.revision must be a git commit as a string, not number 123[\s\S]*quote it: revision: "123"/,
    ],
    [
      `images:\n  ${repo}:\n    maxSizeMb: "ten"\n`,
      '3:16',
      /\.maxSizeMb must be a positive number of MB, not string "ten"/,
    ],
    [`images:\n  ${repo}:\n    labels: "x"\n`, '3:13', /\.labels must be a list of strings, not string "x"/],
    [`images:\n  ${repo}:\n    nonRoot: "yes"\n`, '3:14', /\.nonRoot must be true, false or numeric/],
    [`images:\n  ${repo}:\n    tagPattern: "v(1"\n`, '3:17', /\.tagPattern is not a regular expression/],
    [`images:\n  ${repo}:\n    context: [a, b]\n`, '3:14', /\.context must be a string, not a list/],
    [
      `images:\n  ${repo}:\n    context: .\n    buildArgs: { PYTHON_VERSION: 3.10 }\n`,
      '4:34',
      /buildArgs\.PYTHON_VERSION is the number 3\.1 as YAML reads 3\.10[\s\S]*quote it: "3\.10"/,
    ],
    [
      `images:\n  ${repo}:\n    context: .\n    platforms: [linux/arm64, linux/sparc]\n`,
      '4:30',
      /platforms\[1\] "linux\/sparc" is not a platform/,
    ],
    [`images:\n  ${repo}:\n    healthchek: true\n`, '3:5', /\.healthchek is not a known key/],
    [
      `images:\n  ${repo}:1.0:\n    context: .\n`,
      '2:3',
      /images\."reg\.example:5000\/team\/app:1\.0": the key is a repository, without a tag/,
    ],
  ];
  for (const [config, at, expected] of cases) {
    const r = await plan(config);
    const where = `${base(r.file)}:${at}: `;
    assert.equal(r.code, 2, `${config}\n${r.stderr}${r.stdout}`);
    assert.ok(
      r.stderr.includes(`crossdock: error: ${where}`) || r.stderr.includes(where),
      `${config}\nwant ${where}\n${r.stderr}`,
    );
    assert.match(r.stderr, expected, config);
    assert.match(r.stderr, /\n {2}hint: |is not a/, 'says how to fix it');
    assert.doesNotMatch(r.stderr, /internal error|\n\s+at /, 'no stack trace');
    assert.equal(r.probed, 0, `no node was probed for ${config}`);
  }
});

test('a valid build: section with secrets and cache settings is accepted', { timeout: 30_000 }, async () => {
  const r = await plan(
    'build:\n  cache: { maxBytes: 500MiB, maxAgeDays: 7 }\n  secrets:\n    - { id: npm_token, env: NPM_TOKEN }\n    - { id: pip, src: ./pip.conf }\nimages:\n  reg.example:5000/team/app:\n    context: .\n    revision: "0123abc"\n    maxSizeMb: 250\n    labels: [org.opencontainers.image.source]\n',
    ['--format', 'json'],
  );
  assert.ok(r.stdout.startsWith('{'), r.stderr);
  assert.equal(r.probed > 0, true, 'the node was probed: configuration passed');
});

test('bad flags are usage errors before any node is probed', { timeout: 60_000 }, async () => {
  const cases: [string[], RegExp][] = [
    [
      ['--node', 'pi=ftp://10.0.0.5'],
      /"ftp:\/\/10\.0\.0\.5" is not a builder endpoint[\s\S]*hint: use unix:\/\/\/path\.sock/,
    ],
    [['--node', 'nameonly'], /--node nameonly: expected NAME=ENDPOINT/],
    [['--platform', 'linux/arm64,windoze'], /--platform: "windoze" is not a platform/],
    [['--build-arg', 'NOVALUE'], /--build-arg NOVALUE: expected KEY=VALUE/],
    [['--tag', 'a:1', '--tag', 'b:2'], /every tag of one build must name the same repository/],
    [['--secret', 'id=x'], /--secret id=x: needs exactly one of env=VARIABLE or src=FILE/],
    [['--secret', 'env=TOKEN'], /--secret env=TOKEN: needs an id/],
    [['--secret', 'id=x,env'], /--secret id=x,env: "env" is not KEY=VALUE/],
    [['--secret', 'id=x,env=T,mode=0400'], /--secret id=x,env=T,mode=0400: unknown field "mode"/],
  ];
  for (const [args, expected] of cases) {
    const r = await plan('', args);
    assert.equal(r.code, 2, `${args.join(' ')}\n${r.stderr}`);
    assert.match(r.stderr, expected);
    assert.doesNotMatch(r.stderr, /internal error|\n\s+at /);
    assert.equal(r.probed, 0, args.join(' '));
  }
});

test('verify checks --fail-on and its policy file before the first request', {
  timeout: 60_000,
}, async () => {
  const ref = `127.0.0.1:${port}/team/app:1`;
  const before = connections;
  const bad = await runCli(['verify', ref, '--plain-http', `127.0.0.1:${port}`, '--fail-on', 'sometimes'], {
    env: { PATH: process.env.PATH ?? '', HOME: work },
  });
  assert.equal(bad.code, 2);
  assert.match(
    bad.stderr,
    /--fail-on sometimes is not supported\n {2}hint: use error, warning, info or never/,
  );
  const policy = join(work, 'policy.yaml');
  writeFileSync(policy, 'images:\n  team/app:\n    maxSizeMb: "ten"\n');
  const typed = await runCli(['verify', ref, '--plain-http', `127.0.0.1:${port}`, '--policy', policy], {
    env: { PATH: process.env.PATH ?? '', HOME: work },
  });
  assert.equal(typed.code, 2);
  assert.match(
    typed.stderr,
    /policy\.yaml:3:16: images\."team\/app"\.maxSizeMb must be a positive number of MB/,
  );
  assert.equal(connections - before, 0, 'the registry was never contacted');
});

test('the parsers keep positions and read sizes, secrets and cache settings (pure)', {
  timeout: 10_000,
}, () => {
  const text = 'build:\n  cache:\n    maxBytes: 2GiB\n  secrets:\n    - id: tok\n      env: API_TOKEN\n';
  const src = ConfigSource.parse('crossdock.yaml', text);
  assert.equal(src.at(['build', 'cache', 'maxBytes']), 'crossdock.yaml:3:15');
  assert.equal(src.at(['build', 'cache', 'maxBytes'], true), 'crossdock.yaml:3:5');
  assert.equal(src.at(['build', 'nothing', 'here']), 'crossdock.yaml:1:1', 'the closest parent');
  const d = parseBuildDefaults(
    { cache: { maxBytes: '2GiB' }, secrets: [{ id: 'tok', env: 'API_TOKEN' }] },
    src,
  );
  assert.equal(d.cache.maxBytes, 2 * 1024 ** 3);
  assert.equal(d.cache.maxAgeDays, 30);
  assert.deepEqual(
    d.secrets.map(({ origin: _o, ...s }) => s),
    [{ id: 'tok', env: 'API_TOKEN' }],
  );
  assert.equal(parseBuildDefaults(undefined).cache.maxBytes, 5 * 1024 ** 3, 'default 5 GiB');
  assert.deepEqual(['5GiB', '500MB', '1024', '1.5KiB', 'ten', '5 parsecs', '-1'].map(parseSize), [
    5 * 1024 ** 3,
    500e6,
    1024,
    1536,
    undefined,
    undefined,
    undefined,
  ]);
  assert.deepEqual(secretFromFields({ id: 'a', src: '/f' }, 'x'), { id: 'a', src: '/f', origin: 'x' });
  assert.match(String(secretFromFields({ id: 'a', env: 'X', src: '/f' }, 'x')), /exactly one of env=/);
  assert.match(String(secretFromFields({ id: 'a', env: 'X-Y' }, 'x')), /not an environment variable name/);
  assert.match(String(secretFromFields({ id: 'a', env: 'X', mode: '0400' }, 'x')), /unknown field "mode"/);
  assert.deepEqual(
    parseNodes([{ name: 'pi', endpoint: 'ssh://b@h', platforms: ['linux/aarch64'] }])[0]?.platforms,
    ['linux/arm64'],
  );
  assert.deepEqual(
    parseImageBuilds({ 'reg/app': { maxSizeMb: 10 } }),
    [],
    'a policy-only entry builds nothing',
  );
});
