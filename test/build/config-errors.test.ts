import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { parse } from 'yaml';
import {
  buildPlatform,
  ConfigSource,
  DEFAULT_BUILD,
  dottedPath,
  KNOWN_ARCHITECTURES,
  loadBuildConfig,
  PLATFORM_HINT,
  parseBuildDefaults,
  parseImageBuilds,
  parseNodeEndpoint,
  parseNodes,
  parseSize,
  secretFromFields,
} from '../../src/build/config.js';
import { ConfigError } from '../../src/errors.js';

/**
 * Every error of crossdock.yaml's build side, read directly (no CLI, no engine): the exact message with its
 * file:line:column and dotted path, and the exact hint; and what valid sections read as.
 */
function read(text: string) {
  const src = ConfigSource.parse('c.yaml', text);
  const raw = (parse(text) ?? {}) as Record<string, unknown>;
  return {
    defaults: parseBuildDefaults(raw.build, src),
    nodes: parseNodes(raw.nodes, src),
    images: parseImageBuilds(raw.images, src),
  };
}

function fails(text: string, message: string, hint: string | undefined): void {
  assert.throws(
    () => read(text),
    (e: unknown) => {
      assert.ok(e instanceof ConfigError, `${text}: ${String(e)}`);
      assert.equal(e.message, message, text);
      assert.equal(e.hint, hint, text);
      return true;
    },
  );
}

const BUILD_KEYS_HINT =
  'known keys: tags, retries, parallel, emulation, source, labels, cacheRegistry, cache, secrets';
const SECRETS_EXAMPLE =
  'e.g. secrets: [{ id: npm_token, env: NPM_TOKEN }, { id: pip_conf, src: ./pip.conf }]';

test('build: errors name the place, the value and the fix', { timeout: 10_000 }, () => {
  fails(
    'build: 5\n',
    'c.yaml:1:8: build must be a mapping, not number 5',
    'e.g. build: { tags: ["{sha}", latest] }',
  );
  fails(
    'build: [a]\n',
    'c.yaml:1:8: build must be a mapping, not a list',
    'e.g. build: { tags: ["{sha}", latest] }',
  );
  fails('build:\n  colour: red\n', 'c.yaml:2:3: build.colour is not a known key', BUILD_KEYS_HINT);
  const tagsHint = 'e.g. ["{date}-{sha}", "{branch}", latest]';
  fails(
    'build:\n  tags: latest\n',
    'c.yaml:2:9: build.tags must be a list of strings, not string "latest"',
    tagsHint,
  );
  fails(
    'build:\n  tags: [{ a: 1 }]\n',
    'c.yaml:2:10: build.tags[0] must be a string, not a mapping',
    tagsHint,
  );
  fails('build:\n  tags: [x, ~]\n', 'c.yaml:2:13: build.tags[1] must be a string, not empty', tagsHint);
  for (const bad of ['1.5', '-1', '11', '"3"', 'true']) {
    const shown = bad === '"3"' ? 'string "3"' : bad === 'true' ? 'boolean true' : `number ${bad}`;
    fails(
      `build:\n  retries: ${bad}\n`,
      `c.yaml:2:12: build.retries must be a whole number from 0 to 10, not ${shown}`,
      'e.g. retries: 2',
    );
  }
  fails(
    'build:\n  parallel: "yes"\n',
    'c.yaml:2:13: build.parallel must be true or false, not string "yes"',
    'write parallel: true or false, unquoted',
  );
  fails(
    'build:\n  emulation: sometimes\n',
    'c.yaml:2:14: build.emulation must be allow or forbid, not string "sometimes"',
    'emulation: forbid fails a build that would run under QEMU',
  );
  for (const url of ['ftp://x', '"https://a b"', '"see https://x"', 'https://']) {
    const shown = url.replace(/"/g, '');
    fails(
      `build:\n  source: ${url}\n`,
      `c.yaml:2:11: build.source "${shown}" is not an http(s) URL`,
      'e.g. source: https://github.com/team/app',
    );
  }
  fails(
    'build:\n  source: [x]\n',
    'c.yaml:2:11: build.source must be a string, not a list',
    'e.g. https://github.com/team/app',
  );
  const labelsHint = 'e.g. { org.opencontainers.image.vendor: Team }';
  fails('build:\n  labels: x\n', 'c.yaml:2:11: build.labels must be a mapping, not string "x"', labelsHint);
  fails('build:\n  labels: [x]\n', 'c.yaml:2:11: build.labels must be a mapping, not a list', labelsHint);
  fails('build:\n  labels: ~\n', 'c.yaml:2:11: build.labels must be a mapping, not empty', labelsHint);
  fails(
    'build:\n  labels:\n    version: 3.10\n',
    'c.yaml:3:14: build.labels.version is the number 3.1 as YAML reads 3.10',
    'quote it: "3.10"',
  );
  const registryHint =
    'e.g. cacheRegistry: reg.example:5000/team/cache (no tag: one tag per platform is added)';
  for (const ref of [
    'reg.example/cache:v1',
    `reg.example/cache@sha256:${'a'.repeat(64)}`,
    'Not A Repo',
    'reg.example/ca,che',
    'reg.example/ca=che',
    'Team/App',
  ])
    fails(
      `build:\n  cacheRegistry: "${ref}"\n`,
      `c.yaml:2:18: build.cacheRegistry "${ref}" is not a repository`,
      registryHint,
    );
  fails(
    'build:\n  cacheRegistry: {}\n',
    'c.yaml:2:18: build.cacheRegistry must be a string, not a mapping',
    'e.g. reg.example:5000/team/cache',
  );
});

test('build.cache and build.secrets errors', { timeout: 10_000 }, () => {
  fails(
    'build:\n  cache: 5\n',
    'c.yaml:2:10: build.cache must be a mapping, not number 5',
    'e.g. cache: { maxBytes: 5GiB, maxAgeDays: 30 }',
  );
  fails(
    'build:\n  cache: { size: 1 }\n',
    'c.yaml:2:12: build.cache.size is not a known key',
    'known keys: maxBytes, maxAgeDays',
  );
  for (const [bad, shown] of [
    ['ten', 'string "ten"'],
    ['1.5', 'number 1.5'],
    ['-1', 'number -1'],
    ['true', 'boolean true'],
    ['[1]', 'a list'],
    ['"-5"', 'string "-5"'],
    ['1e300', 'number 1e+300'],
  ])
    fails(
      `build:\n  cache: { maxBytes: ${bad} }\n`,
      `c.yaml:2:22: build.cache.maxBytes must be a size in bytes, not ${shown}`,
      'e.g. maxBytes: 5GiB (or 500MB, or a number of bytes)',
    );
  for (const [bad, shown] of [
    ['1.5', 'number 1.5'],
    ['-1', 'number -1'],
    ['"3"', 'string "3"'],
  ])
    fails(
      `build:\n  cache: { maxAgeDays: ${bad} }\n`,
      `c.yaml:2:24: build.cache.maxAgeDays must be a whole number of days, not ${shown}`,
      'e.g. maxAgeDays: 30',
    );
  fails(
    'build:\n  secrets: x\n',
    'c.yaml:2:12: build.secrets must be a list of secrets, not string "x"',
    SECRETS_EXAMPLE,
  );
  fails(
    'build:\n  secrets: [x]\n',
    'c.yaml:2:13: build.secrets[0] must be a mapping, not string "x"',
    SECRETS_EXAMPLE,
  );
  fails(
    'build:\n  secrets:\n    - { id: a, type: env, env: X }\n',
    'c.yaml:3:16: build.secrets[0].type is not a known key',
    'known keys: id, env, src',
  );
  fails(
    'build:\n  secrets:\n    - { id: a }\n',
    'c.yaml:3:7: build.secrets[0] needs exactly one of env=VARIABLE or src=FILE',
    SECRETS_EXAMPLE,
  );
  fails(
    'build:\n  secrets:\n    - { id: a, env: [X] }\n',
    'c.yaml:3:21: build.secrets[0].env must be a string, not a list',
    SECRETS_EXAMPLE,
  );
  fails(
    'build:\n  secrets:\n    - { id: a, env: X }\n    - { id: a, src: f }\n',
    'c.yaml:4:13: build.secrets[1].id "a" is used twice',
    'give each secret its own id',
  );
});

test('valid build: sections read as written, with defaults for the rest', { timeout: 10_000 }, () => {
  assert.deepEqual(DEFAULT_BUILD, {
    tags: ['latest'],
    retries: 2,
    parallel: true,
    emulation: 'allow',
    labels: {},
    cache: { maxBytes: 5 * 1024 ** 3, maxAgeDays: 30 },
    secrets: [],
  });
  assert.deepEqual(read('').defaults, DEFAULT_BUILD);
  assert.deepEqual(read('build: ~\n').defaults, DEFAULT_BUILD);
  const d = read(
    [
      'build:',
      '  tags: ["{sha}", 20]',
      '  retries: 0',
      '  parallel: false',
      '  emulation: forbid',
      '  source: https://github.com/team/app',
      '  labels: { vendor: Team, year: 2024 }',
      '  cacheRegistry: reg.example:5000/team/cache',
      '  cache: { maxBytes: 500MB, maxAgeDays: 0 }',
      '  secrets:',
      '    - { id: tok, env: API_TOKEN }',
      '    - { id: pip, src: ./pip.conf }',
      '',
    ].join('\n'),
  ).defaults;
  assert.deepEqual(d, {
    tags: ['{sha}', '20'],
    retries: 0,
    parallel: false,
    emulation: 'forbid',
    source: 'https://github.com/team/app',
    labels: { vendor: 'Team', year: '2024' },
    cacheRegistry: 'reg.example:5000/team/cache',
    cache: { maxBytes: 500e6, maxAgeDays: 0 },
    secrets: [
      { id: 'tok', env: 'API_TOKEN', origin: 'c.yaml:11:7' },
      { id: 'pip', src: './pip.conf', origin: 'c.yaml:12:7' },
    ],
  });
  assert.equal(read('build:\n  retries: 10\n').defaults.retries, 10);
  assert.equal(read('build:\n  emulation: allow\n').defaults.emulation, 'allow');
  assert.equal(read('build:\n  parallel: true\n').defaults.parallel, true);
  assert.equal(read('build:\n  source: http://x\n').defaults.source, 'http://x');
  assert.deepEqual(read('build:\n  cache: { maxBytes: 0 }\n').defaults.cache, {
    maxBytes: 0,
    maxAgeDays: 30,
  });
  assert.deepEqual(read('build:\n  cache: { maxBytes: 1000 }\n').defaults.cache, {
    maxBytes: 1000,
    maxAgeDays: 30,
  });
  assert.deepEqual(read('build:\n  cache: { maxAgeDays: 7 }\n').defaults.cache, {
    maxBytes: 5 * 1024 ** 3,
    maxAgeDays: 7,
  });
  assert.deepEqual(read('build:\n  cache: {}\n').defaults.cache, { maxBytes: 5 * 1024 ** 3, maxAgeDays: 30 });
  // Defaults are copied, never shared with what a config reads.
  const a = parseBuildDefaults({ labels: { a: 'b' }, secrets: [{ id: 'x', env: 'X' }] });
  assert.deepEqual(a.labels, { a: 'b' });
  assert.deepEqual(DEFAULT_BUILD.labels, {});
  assert.deepEqual(DEFAULT_BUILD.secrets, []);
  assert.deepEqual(parseBuildDefaults({}).labels, {});
  assert.deepEqual(parseBuildDefaults({}).secrets, []);
  assert.deepEqual(parseBuildDefaults({ secrets: [] }).secrets, []);
  assert.equal(parseBuildDefaults({ secrets: [{ id: 'x', env: 'X' }] }).secrets[0]?.origin, 'crossdock.yaml');
});

test('secrets from fields: every way to get one wrong', { timeout: 10_000 }, () => {
  const id = 'needs an id of letters, digits, ".", "_" or "-" (what RUN --mount=type=secret,id=ID names)';
  assert.equal(secretFromFields({ env: 'X' }, 'o'), id);
  assert.equal(secretFromFields({ id: '', env: 'X' }, 'o'), id);
  assert.equal(secretFromFields({ id: 'a b', env: 'X' }, 'o'), id);
  assert.equal(secretFromFields({ id: 'a'.repeat(65), env: 'X' }, 'o'), id);
  assert.equal(secretFromFields({ id: 'x;a', env: 'X' }, 'o'), id);
  assert.deepEqual(secretFromFields({ id: `a.b_c-${'d'.repeat(58)}`, env: 'X' }, 'o'), {
    id: `a.b_c-${'d'.repeat(58)}`,
    env: 'X',
    origin: 'o',
  });
  assert.equal(
    secretFromFields({ id: 'a', env: 'X', mode: '1', uid: '0' }, 'o'),
    'unknown field "mode", "uid": use id= with env= or src=',
  );
  assert.equal(secretFromFields({ id: 'a' }, 'o'), 'needs exactly one of env=VARIABLE or src=FILE');
  assert.equal(
    secretFromFields({ id: 'a', env: 'X', source: '/f' }, 'o'),
    'needs exactly one of env=VARIABLE or src=FILE',
  );
  assert.equal(secretFromFields({ id: 'a', env: '1X' }, 'o'), 'env=1X is not an environment variable name');
  assert.equal(secretFromFields({ id: 'a', env: 'X Y' }, 'o'), 'env=X Y is not an environment variable name');
  assert.deepEqual(secretFromFields({ id: 'a', env: '_x9' }, 'o'), { id: 'a', env: '_x9', origin: 'o' });
  assert.equal(secretFromFields({ id: 'a', src: '' }, 'o'), 'src= names no file');
  assert.deepEqual(secretFromFields({ id: 'a', source: '/f' }, 'o'), { id: 'a', src: '/f', origin: 'o' });
  assert.deepEqual(secretFromFields({ id: 'a', type: 'file', src: '/f' }, 'o'), {
    id: 'a',
    src: '/f',
    origin: 'o',
  });
  assert.deepEqual(secretFromFields({ id: 'a', type: 'env', env: 'X' }, 'o'), {
    id: 'a',
    env: 'X',
    origin: 'o',
  });
  assert.equal(
    secretFromFields({ id: 'a', type: 'file', env: 'X' }, 'o'),
    'type=file does not match env= (type=file with src=, type=env with env=)',
  );
  assert.equal(
    secretFromFields({ id: 'a', type: 'env', src: '/f' }, 'o'),
    'type=env does not match src= (type=file with src=, type=env with env=)',
  );
});

const NODE_KEYS_HINT = 'known keys: name, endpoint, context, buildx, buildah, platforms, tls';
const NODE_NAME_HINT = 'use letters, digits, ".", "_" or "-", e.g. --node pi5=ssh://pi@10.0.0.5';

test('nodes: errors name the place, the value and the fix', { timeout: 10_000 }, () => {
  fails(
    'nodes: x\n',
    'c.yaml:1:8: nodes must be a list of builder nodes, not string "x"',
    'e.g. nodes: [{ name: pi, endpoint: "ssh://builder@10.0.0.5", platforms: [linux/arm64] }]',
  );
  fails(
    'nodes: [x]\n',
    'c.yaml:1:9: nodes[0] must be a mapping, not string "x"',
    'e.g. { name: pi, endpoint: "ssh://builder@10.0.0.5" }',
  );
  fails(
    'nodes:\n  - { name: a, host: h }\n',
    'c.yaml:2:16: nodes[0].host is not a known key',
    NODE_KEYS_HINT,
  );
  fails('nodes:\n  - { context: pi5 }\n', 'c.yaml:2:5: nodes[0] has no name', 'add e.g. `name: pi5`');
  fails('nodes:\n  - { name: [a] }\n', 'c.yaml:2:13: nodes[0].name must be a string, not a list', 'e.g. pi5');
  for (const name of ['-a', 'a b', 'a/b', 'a'.repeat(64), '"é"'])
    fails(
      `nodes:\n  - { name: ${name}, context: x }\n`,
      `c.yaml:2:13: nodes[0].name "${name.replace(/"/g, '')}" is not a valid node name`,
      NODE_NAME_HINT,
    );
  fails(
    'nodes:\n  - { name: a, context: x }\n  - { name: a, context: y }\n',
    'c.yaml:3:13: nodes[1].name "a" is used twice',
    'give each node its own name',
  );
  const oneOf = 'e.g. endpoint: "unix:///var/run/docker.sock" or context: pi5';
  fails(
    'nodes:\n  - { name: a }\n',
    'c.yaml:2:5: nodes[0] (a) must have exactly one of endpoint, context, buildx, buildah',
    oneOf,
  );
  fails(
    'nodes:\n  - { name: a, context: x, buildx: y }\n',
    'c.yaml:2:5: nodes[0] (a) must have exactly one of endpoint, context, buildx, buildah',
    oneOf,
  );
  fails(
    'nodes:\n  - { name: a, endpoint: [x] }\n',
    'c.yaml:2:26: nodes[0].endpoint must be a string, not a list',
    'e.g. "ssh://builder@10.0.0.5"',
  );
  fails(
    'nodes:\n  - { name: a, buildx: [x] }\n',
    'c.yaml:2:24: nodes[0].buildx must be a string, not a list',
    'e.g. NAME',
  );
  const address = 'e.g. unix:///var/run/docker.sock, tcp://10.0.0.5:2376, ssh://builder@10.0.0.5';
  for (const scheme of ['unix', 'tcp', 'ssh'])
    fails(
      `nodes:\n  - { name: a, endpoint: "${scheme}://" }\n`,
      `c.yaml:2:26: nodes[0].endpoint of a: ${scheme}:// has no address`,
      address,
    );
  const endpoints =
    'use unix:///path.sock, tcp://host:port, ssh://user@host (Docker engines), context://NAME (a docker context), buildx://BUILDER or buildah://local';
  for (const e of ['ftp://x', 'pi5', 'UNIX://x', 'xunix://x'])
    fails(
      `nodes:\n  - { name: a, endpoint: "${e}" }\n`,
      `c.yaml:2:26: nodes[0].endpoint of a: "${e}" is not a builder endpoint`,
      endpoints,
    );
  fails(
    'nodes:\n  - { name: a, endpoint: "context://" }\n',
    'c.yaml:2:26: nodes[0].endpoint of a: context:// names no context',
    'e.g. context://NAME',
  );
  fails(
    'nodes:\n  - { name: a, endpoint: "buildx://" }\n',
    'c.yaml:2:26: nodes[0].endpoint of a: buildx:// names no buildx',
    'e.g. buildx://NAME',
  );
  fails(
    'nodes:\n  - { name: a, endpoint: "context://pi5" }\n',
    'c.yaml:2:26: nodes[0].endpoint must be unix://, tcp:// or ssh://',
    'write `context: pi5` instead',
  );
  fails(
    'nodes:\n  - { name: a, endpoint: "buildah://" }\n',
    'c.yaml:2:26: nodes[0].endpoint must be unix://, tcp:// or ssh://',
    'write `buildah: local` instead',
  );
  fails(
    'nodes:\n  - { name: a, context: x, platforms: [linux/sparc] }\n',
    'c.yaml:2:40: nodes[0].platforms[0] "linux/sparc" is not a platform',
    PLATFORM_HINT,
  );
  fails(
    'nodes:\n  - { name: a, context: x, tls: [x] }\n',
    'c.yaml:2:33: nodes[0].tls must be a string, not a list',
    'e.g. a folder with ca.pem, cert.pem, key.pem',
  );
});

test('valid nodes: read as written', { timeout: 10_000 }, () => {
  assert.deepEqual(read('').nodes, []);
  assert.deepEqual(read('nodes: ~\n').nodes, []);
  const nodes = read(
    [
      'nodes:',
      '  - { name: x86, endpoint: "unix:///var/run/docker.sock", platforms: [linux/amd64] }',
      '  - { name: Pi.5_b-1, context: 5 }',
      '  - { name: cloud, buildx: remote }',
      '  - { name: podman, buildah: local }',
      `  - { name: ${'n'.repeat(63)}, endpoint: "tcp://10.0.0.5:2376", tls: /certs }`,
      '  - { name: s, endpoint: "ssh://b@h" }',
      '',
    ].join('\n'),
  ).nodes;
  assert.deepEqual(nodes, [
    {
      name: 'x86',
      kind: 'docker',
      endpoint: 'unix:///var/run/docker.sock',
      origin: 'c.yaml nodes[0]',
      platforms: ['linux/amd64'],
    },
    { name: 'Pi.5_b-1', kind: 'context', endpoint: '5', origin: 'c.yaml nodes[1]' },
    { name: 'cloud', kind: 'buildx', endpoint: 'remote', origin: 'c.yaml nodes[2]' },
    { name: 'podman', kind: 'buildah', endpoint: 'local', origin: 'c.yaml nodes[3]' },
    {
      name: 'n'.repeat(63),
      kind: 'docker',
      endpoint: 'tcp://10.0.0.5:2376',
      origin: 'c.yaml nodes[4]',
      tlsCertPath: '/certs',
    },
    { name: 's', kind: 'docker', endpoint: 'ssh://b@h', origin: 'c.yaml nodes[5]' },
  ]);
  assert.equal(parseNodes([{ name: 'a', context: 'x' }])[0]?.origin, 'crossdock.yaml nodes[0]');
});

test('--node endpoints', { timeout: 10_000 }, () => {
  const err = (name: string, endpoint: string) => {
    try {
      parseNodeEndpoint(name, endpoint, '--node');
    } catch (e) {
      assert.ok(e instanceof ConfigError);
      return [e.message, e.hint];
    }
    assert.fail(`${name}=${endpoint} was accepted`);
  };
  assert.deepEqual(err('a b', 'ssh://h'), ['--node: node name "a b" is not valid', NODE_NAME_HINT]);
  assert.deepEqual(err('_a', 'ssh://h'), ['--node: node name "_a" is not valid', NODE_NAME_HINT]);
  assert.deepEqual(err('a', 'tcp://'), [
    '--node: node "a": tcp:// has no address',
    'e.g. unix:///var/run/docker.sock, tcp://10.0.0.5:2376, ssh://builder@10.0.0.5',
  ]);
  assert.deepEqual(err('a', 'context://'), [
    '--node: node "a": context:// names no context',
    'e.g. context://NAME',
  ]);
  assert.deepEqual(parseNodeEndpoint('a', 'buildx://b', '--node'), {
    name: 'a',
    kind: 'buildx',
    endpoint: 'b',
    origin: '--node',
  });
  assert.deepEqual(parseNodeEndpoint('a', 'context://pi', 'o'), {
    name: 'a',
    kind: 'context',
    endpoint: 'pi',
    origin: 'o',
  });
  assert.deepEqual(parseNodeEndpoint('a', 'buildah://', 'o'), {
    name: 'a',
    kind: 'buildah',
    endpoint: 'local',
    origin: 'o',
  });
  assert.deepEqual(parseNodeEndpoint('a', 'buildah://other', 'o'), {
    name: 'a',
    kind: 'buildah',
    endpoint: 'other',
    origin: 'o',
  });
  assert.deepEqual(parseNodeEndpoint('9', 'tcp://h:1', 'o'), {
    name: '9',
    kind: 'docker',
    endpoint: 'tcp://h:1',
    origin: 'o',
  });
  assert.deepEqual(err('a', '1ssh://h'), [
    '--node: node "a": "1ssh://h" is not a builder endpoint',
    'use unix:///path.sock, tcp://host:port, ssh://user@host (Docker engines), context://NAME (a docker context), buildx://BUILDER or buildah://local',
  ]);
  assert.equal(err('a', 'ssh://h\nx')?.[0], '--node: node "a": "ssh://h\nx" is not a builder endpoint');
});

const IMAGE_EXAMPLE = 'e.g. images: { "reg/app": { context: ., platforms: [linux/amd64, linux/arm64] } }';
const IMAGE_KEYS_HINT =
  'known keys: context, dockerfile, target, buildArgs, tags, platforms, nonRoot, init, healthcheck, labels, revision, tagPattern, maxSizeMb, forbidAttestations, elf';

test('images: errors name the place, the value and the fix', { timeout: 10_000 }, () => {
  fails(
    'images: [a]\n',
    'c.yaml:1:9: images must map repositories to settings, not a list',
    'e.g. images: { "reg:5000/team/app": { context: ., platforms: [linux/amd64, linux/arm64] } }',
  );
  fails(
    'images:\n  reg/app: x\n',
    'c.yaml:2:12: images."reg/app" must be a mapping, not string "x"',
    IMAGE_EXAMPLE,
  );
  fails(
    'images:\n  app: { colour: red }\n',
    'c.yaml:2:10: images.app.colour is not a known key',
    IMAGE_KEYS_HINT,
  );
  const str = (key: string, example: string) =>
    fails(
      `images:\n  app: { ${key}: [x] }\n`,
      `c.yaml:2:${10 + key.length + 2}: images.app.${key} must be a string, not a list`,
      example,
    );
  str('context', 'e.g. .');
  str('dockerfile', 'e.g. Dockerfile');
  str('target', 'e.g. runtime');
  str('tagPattern', 'e.g. "^v\\\\d+\\\\.\\\\d+\\\\.\\\\d+$"');
  fails(
    'images:\n  app: { buildArgs: x }\n',
    'c.yaml:2:21: images.app.buildArgs must be a mapping, not string "x"',
    'e.g. { PYTHON_VERSION: "3.12" }',
  );
  fails(
    'images:\n  app: { buildArgs: { PYTHON: 3.10 } }\n',
    'c.yaml:2:31: images.app.buildArgs.PYTHON is the number 3.1 as YAML reads 3.10',
    'quote it: "3.10"',
  );
  fails(
    'images:\n  app: { tags: x }\n',
    'c.yaml:2:16: images.app.tags must be a list of strings, not string "x"',
    'e.g. ["{sha}", latest]',
  );
  fails(
    'images:\n  app: { labels: x }\n',
    'c.yaml:2:18: images.app.labels must be a list of strings, not string "x"',
    'e.g. [org.opencontainers.image.source]',
  );
  fails(
    'images:\n  app: { platforms: [linux/amd64, windows] }\n',
    'c.yaml:2:35: images.app.platforms[1] "windows" is not a platform',
    PLATFORM_HINT,
  );
  fails(
    'images:\n  app: { nonRoot: "yes" }\n',
    'c.yaml:2:19: images.app.nonRoot must be true, false or numeric, not string "yes"',
    'e.g. nonRoot: numeric',
  );
  for (const k of ['init', 'healthcheck', 'forbidAttestations', 'elf'])
    fails(
      `images:\n  app: { ${k}: "yes" }\n`,
      `c.yaml:2:${10 + k.length + 2}: images.app.${k} must be true or false, not string "yes"`,
      `write ${k}: true or false, unquoted`,
    );
  fails(
    'images:\n  app: { revision: 1234567 }\n',
    'c.yaml:2:20: images.app.revision must be a git commit as a string, not number 1234567',
    'quote it: revision: "1234567"',
  );
  fails(
    'images:\n  app: { revision: 0123456 }\n',
    'c.yaml:2:20: images.app.revision must be a git commit as a string, not number 123456',
    'quote it: revision: "0123456"',
  );
  for (const rev of ['abcdef', 'xyz1234', 'a'.repeat(65), 'abc 1234'])
    fails(
      `images:\n  app: { revision: "${rev}" }\n`,
      `c.yaml:2:20: images.app.revision "${rev}" is not a git commit`,
      'give 7 to 40 hex digits of the commit, e.g. revision: "3f2a9c1"',
    );
  fails(
    'images:\n  app: { tagPattern: "(" }\n',
    'c.yaml:2:22: images.app.tagPattern is not a regular expression: Invalid regular expression: /(/: Unterminated group',
    undefined,
  );
  for (const [bad, shown] of [
    ['0', 'number 0'],
    ['-1', 'number -1'],
    ['"5"', 'string "5"'],
    ['.nan', 'number null'],
  ])
    fails(
      `images:\n  app: { maxSizeMb: ${bad} }\n`,
      `c.yaml:2:21: images.app.maxSizeMb must be a positive number of MB, not ${shown}`,
      'e.g. maxSizeMb: 250',
    );
});

test('valid images: read as written; policy-only entries build nothing', { timeout: 10_000 }, () => {
  assert.deepEqual(read('').images, []);
  assert.deepEqual(read('images: ~\n').images, []);
  const images = read(
    [
      'images:',
      '  reg/app:',
      '    context: .',
      '    dockerfile: Dockerfile.prod',
      '    target: runtime',
      '    buildArgs: { PY: "3.12", N: 2 }',
      '    platforms: [linux/aarch64, linux/amd64]',
      '    tags: ["{sha}", latest]',
      '    nonRoot: numeric',
      '    init: true',
      '    healthcheck: false',
      '    forbidAttestations: true',
      '    elf: true',
      '    labels: [org.opencontainers.image.source]',
      '    revision: "ABCDEF0"',
      '    tagPattern: "^v\\\\d+$"',
      '    maxSizeMb: 0.5',
      '  reg/other:',
      '    dockerfile: other.Dockerfile',
      '  reg/ctx:',
      '    context: sub',
      '  reg/policy:',
      '    nonRoot: true',
      `    revision: "${'a'.repeat(64)}"`,
      '',
    ].join('\n'),
  ).images;
  assert.deepEqual(images, [
    {
      repository: 'reg/app',
      buildArgs: { PY: '3.12', N: '2' },
      context: '.',
      dockerfile: 'Dockerfile.prod',
      target: 'runtime',
      platforms: ['linux/arm64', 'linux/amd64'],
      tags: ['{sha}', 'latest'],
    },
    { repository: 'reg/other', buildArgs: {}, dockerfile: 'other.Dockerfile' },
    { repository: 'reg/ctx', buildArgs: {}, context: 'sub' },
  ]);
  assert.deepEqual(read('images:\n  a: { nonRoot: false, context: . }\n').images, [
    { repository: 'a', buildArgs: {}, context: '.' },
  ]);
});

test('platforms: every known architecture, normalised; others refused', { timeout: 10_000 }, () => {
  assert.deepEqual(KNOWN_ARCHITECTURES, [
    'amd64',
    'arm64',
    'arm',
    '386',
    'ppc64le',
    's390x',
    'riscv64',
    'mips64le',
    'mips64',
    'loong64',
  ]);
  for (const arch of KNOWN_ARCHITECTURES)
    assert.ok(buildPlatform(`linux/${arch}`)?.startsWith(`linux/${arch}`), arch);
  assert.equal(buildPlatform('linux/x86_64'), 'linux/amd64');
  assert.equal(buildPlatform('linux/sparc'), undefined);
  assert.equal(buildPlatform('nonsense'), undefined);
  assert.equal(
    PLATFORM_HINT,
    'use os/arch[/variant] with arch one of amd64, arm64, arm, 386, ppc64le, s390x, riscv64, mips64le, mips64, loong64, e.g. linux/arm64',
  );
});

test('positions and dotted paths', { timeout: 10_000 }, () => {
  assert.equal(
    dottedPath(['images', 'reg:5000/team/app', 'maxSizeMb']),
    'images."reg:5000/team/app".maxSizeMb',
  );
  assert.equal(dottedPath(['nodes', 1, 'platforms', 0]), 'nodes[1].platforms[0]');
  assert.equal(dottedPath(['_a-b', 'c9']), '_a-b.c9');
  assert.equal(dottedPath(['1a', 'x']), '"1a".x');
  assert.equal(dottedPath(['a', '-b']), 'a."-b"');
  assert.equal(dottedPath(['a', 'b c']), 'a."b c"');
  assert.equal(dottedPath(['a', 'b-']), 'a.b-');
  const src = ConfigSource.parse('c.yaml', 'a:\n  list: [x, y]\n  empty:\n  5: five\nb: 3.10\n');
  assert.equal(src.at(['a', 'list', 1]), 'c.yaml:2:13');
  assert.equal(src.at(['a', 'list', 7]), 'c.yaml:2:3', 'a missing item falls back to its list (its key)');
  assert.equal(src.at(['a', 'list', 'x']), 'c.yaml:2:3', 'a key into a list falls back to it');
  assert.equal(src.at(['a', 'list'], true), 'c.yaml:2:3');
  assert.equal(src.at(['a', 'list', 1], true), 'c.yaml:2:13');
  assert.equal(src.at(['a', 'empty']), 'c.yaml:3:9', 'an empty value: where it would be');
  assert.equal(src.at(['a', 5]), 'c.yaml:4:6');
  assert.equal(src.at(['b']), 'c.yaml:5:4');
  assert.equal(src.at(['zzz']), 'c.yaml:1:1');
  assert.equal(src.source(['b']), '3.10');
  assert.equal(src.source(['a', 'list']), undefined, 'not a scalar');
  assert.equal(src.source(['a', 'empty']), '', 'an empty value is written as nothing');
  assert.equal(ConfigSource.parse('c.yaml', '').at(['a']), 'c.yaml');
  assert.equal(ConfigSource.none().at(['a']), 'crossdock.yaml');
  assert.equal(ConfigSource.none('x.yaml').at(['a']), 'x.yaml');
  assert.equal(ConfigSource.none().source(['a']), undefined);
  assert.equal(src.at(['b', 0]), 'c.yaml:5:1', 'a path through a scalar falls back to it (its key)');
});

test('loadBuildConfig finds crossdock.yaml, reads --config, refuses files outside the repository', {
  timeout: 10_000,
}, async () => {
  const root = mkdtempSync(join(tmpdir(), 'crossdock-config-load-'));
  try {
    const none = await loadBuildConfig(root);
    assert.equal(none.source.file, 'crossdock.yaml');
    assert.equal(none.dir, root);
    assert.deepEqual(none.defaults, DEFAULT_BUILD);
    writeFileSync(join(root, '.crossdock.yml'), 'build:\n  retries: 5\n');
    const found = await loadBuildConfig(root);
    assert.equal(found.source.file, '.crossdock.yml');
    assert.equal(found.defaults.retries, 5);
    writeFileSync(join(root, 'crossdock.yaml'), 'build:\n  retries: 1\nnodes: [{ name: a, context: x }]\n');
    const first = await loadBuildConfig(root);
    assert.equal(first.source.file, 'crossdock.yaml', 'crossdock.yaml comes first');
    assert.equal(first.defaults.retries, 1);
    assert.equal(first.nodes[0]?.origin, 'crossdock.yaml nodes[0]');
    mkdirSync(join(root, 'sub'));
    writeFileSync(join(root, 'sub', 'ci.yaml'), 'build:\n  retries: x\n');
    await assert.rejects(loadBuildConfig(root, join(root, 'sub', 'ci.yaml')), (e: unknown) => {
      assert.ok(e instanceof ConfigError);
      assert.equal(
        e.message,
        'sub/ci.yaml:2:12: build.retries must be a whole number from 0 to 10, not string "x"',
      );
      return true;
    });
    writeFileSync(join(root, 'sub', 'ok.yaml'), 'build:\n  retries: 3\n');
    const explicit = await loadBuildConfig(root, join(root, 'sub', 'ok.yaml'));
    assert.equal(explicit.source.file, 'sub/ok.yaml');
    assert.equal(explicit.dir, join(root, 'sub'));
    assert.equal(explicit.defaults.retries, 3);
    const outside = await loadBuildConfig(join(root, 'sub'), join(root, 'crossdock.yaml'));
    assert.equal(outside.source.file, join(root, 'crossdock.yaml'), 'outside the root: the path as given');
    assert.equal(outside.dir, root);
    await assert.rejects(loadBuildConfig(root, join(root, 'missing.yaml')), (e: unknown) => {
      assert.ok(e instanceof ConfigError);
      assert.equal(e.message, `cannot read config file ${join(root, 'missing.yaml')}: ENOENT`);
      assert.equal(e.hint, 'check the path given to --config');
      return true;
    });
    const repo = join(root, 'repo');
    mkdirSync(repo);
    symlinkSync(join(root, 'crossdock.yaml'), join(repo, 'crossdock.yaml'));
    await assert.rejects(loadBuildConfig(repo), (e: unknown) => {
      assert.ok(e instanceof ConfigError);
      assert.match(e.message, /^crossdock\.yaml: symlink to outside the repository/);
      assert.equal(e.hint, 'make crossdock.yaml a regular file inside the repository');
      return true;
    });
    const dirRepo = join(root, 'dir-repo');
    mkdirSync(join(dirRepo, 'crossdock.yaml'), { recursive: true });
    writeFileSync(join(dirRepo, 'crossdock.yml'), 'build:\n  retries: 4\n');
    const next = await loadBuildConfig(dirRepo);
    assert.equal(next.source.file, 'crossdock.yml', 'a folder named crossdock.yaml is passed over');
    assert.equal(next.defaults.retries, 4);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('values given in code: numbers and booleans read as strings, missing values named', {
  timeout: 10_000,
}, () => {
  assert.deepEqual(parseBuildDefaults({ tags: [5, true, 'x'] }).tags, ['5', 'true', 'x']);
  assert.deepEqual(read('build:\n  tags: [true, 20]\n').defaults.tags, ['true', '20']);
  assert.throws(
    () => parseBuildDefaults({ tags: [undefined] }),
    (e: unknown) =>
      e instanceof ConfigError && e.message === 'crossdock.yaml: build.tags[0] must be a string, not empty',
  );
  fails(
    'nodes:\n  - { name: a, context: x, platforms: linux/arm64 }\n',
    'c.yaml:2:39: nodes[0].platforms must be a list of strings, not string "linux/arm64"',
    'e.g. [linux/amd64, linux/arm64]',
  );
});

test('sizes: fractions, units in any case, blanks around', { timeout: 10_000 }, () => {
  assert.deepEqual(['1.25KiB', ' 5GiB ', '2 mb', '3TB', '1tib', '7b', '0.5'].map(parseSize), [
    1280,
    5 * 1024 ** 3,
    2e6,
    3e12,
    1024 ** 4,
    7,
    1,
  ]);
  assert.deepEqual(['1.KiB', '.5MB', '5 GiB B', '5Gb/s', '1e3', '99999999TiB'].map(parseSize), [
    undefined,
    undefined,
    undefined,
    undefined,
    undefined,
    undefined,
  ]);
});
