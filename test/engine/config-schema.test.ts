import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import ajvModule from 'ajv';
import ajvFormats from 'ajv-formats';
import { parseDocument } from 'yaml';
import { configSchema, configSchemaText, SCHEMA_FILE } from '../../scripts/config-schema.js';
import { ConfigSource, readBuildConfig } from '../../src/build/config.js';
import { CONFIG_SCHEMA_URL, KNOWN_CONFIG_KEYS } from '../../src/engine/config.js';
import { parseConfig } from '../../src/engine/config-parse.js';
import { ENGINE_RULES, validateRuleIds } from '../../src/engine/run.js';
import { ConfigError } from '../../src/errors.js';
import { allRules } from '../../src/rules/index.js';

/**
 * docs/schemas/crossdock-config-v1.json is generated from the validators' own constants (scripts/config-schema.ts);
 * this file holds the two together: the committed schema is what the script writes, and a corpus of configs gets
 * the same verdict from ajv with the schema and from crossdock's validators (the engine's keys, the build side,
 * rule ids) — except the few checks a schema cannot express, listed below with the reason.
 */

const Ajv = ajvModule.default;
const addFormats = ajvFormats.default;

function schemaValidator() {
  // Union types (`string | number`) are on purpose; `oneOf: [{ required: [endpoint] }, …]` names properties
  // defined beside the oneOf, which strictRequired cannot see.
  const ajv = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true, strictRequired: false });
  addFormats(ajv);
  return ajv.compile(JSON.parse(readFileSync(SCHEMA_FILE, 'utf8')));
}
const validate = schemaValidator();

/** crossdock's verdict: undefined when every validator accepts the text, else the ConfigError's message. */
function crossdockVerdict(text: string): string | undefined {
  try {
    const config = parseConfig('crossdock.yaml', text);
    readBuildConfig(config, ConfigSource.parse('crossdock.yaml', text), '/nonexistent');
    validateRuleIds(config, allRules(), undefined);
    return undefined;
  } catch (e) {
    if (e instanceof ConfigError) return e.message;
    throw e;
  }
}

function schemaVerdict(text: string): string | undefined {
  const data = parseDocument(text).toJS() as unknown;
  return validate(data) ? undefined : JSON.stringify(validate.errors?.slice(0, 2));
}

test('the committed schema is what scripts/config-schema.ts writes (regenerate it after changing a key)', () => {
  assert.equal(readFileSync(SCHEMA_FILE, 'utf8'), configSchemaText());
});

test('the schema lists every rule id the validator accepts, the top-level keys, and the published $id', () => {
  const schema = configSchema() as {
    $id: string;
    properties: Record<string, { properties?: Record<string, unknown> }>;
  };
  const ids = [...new Set([...allRules().map((r) => r.meta.id), ...ENGINE_RULES])].sort();
  assert.deepEqual(Object.keys(schema.properties.rules?.properties ?? {}).sort(), ids);
  assert.deepEqual(Object.keys(schema.properties).sort(), [...KNOWN_CONFIG_KEYS].sort());
  assert.equal(schema.$id, CONFIG_SCHEMA_URL);
});

const VALID: [string, string][] = [
  ['empty', ''],
  ['a comment only', '# nothing yet\n'],
  [
    'the engine keys',
    'version: 1\nplatforms: [linux/amd64, linux/arm64/v8, linux/arm/v7, arm64, windows/amd64]\nrules:\n  pip-no-timeout: error\n  unpinned-dependency: off\n  parse-error: warning\nignore: ["legacy/**"]\n',
  ],
  ['runners as label lists and as labels:', 'runners:\n  - [self-hosted, linux, arm64]\n  - labels: [gpu]\n'],
  ['smoke python imports', 'smoke:\n  pythonImports: [numpy, app.main]\n'],
  ['registries is reserved: anything goes', 'registries: { anything: [1, 2] }\n'],
  ['empty build sections', 'build:\nnodes:\nimages:\n'],
  [
    'every build key',
    [
      'build:',
      '  tags: ["{date}-{sha}", "{branch}", latest]',
      '  retries: 0',
      '  parallel: false',
      '  emulation: forbid',
      '  source: https://github.com/team/app',
      '  labels: { org.opencontainers.image.vendor: Team }',
      '  cacheRegistry: reg.example:5000/team/cache',
      '  cache: { maxBytes: 5GiB, maxAgeDays: 30 }',
      '  secrets:',
      '    - { id: npm_token, env: NPM_TOKEN }',
      '    - { id: pip_conf, src: ~/.config/pip/pip.conf }',
      '',
    ].join('\n'),
  ],
  ['cache size as a number of bytes', 'build:\n  cache: { maxBytes: 1073741824 }\n'],
  [
    'every node kind',
    [
      'nodes:',
      '  - { name: x86, endpoint: "unix:///var/run/docker.sock" }',
      '  - { name: pi, context: pi5, platforms: [linux/arm64] }',
      '  - { name: cloud, buildx: remote-builder, platforms: [aarch64, linux/x86_64, LINUX/ARM/V7] }',
      '  - { name: box, buildah: local }',
      '  - { name: tls-box, endpoint: "tcp://10.0.0.5:2376", tls: ./certs }',
      '',
    ].join('\n'),
  ],
  [
    'an image with build and policy keys',
    [
      'images:',
      '  reg.example:5000/team/app:',
      '    context: .',
      '    dockerfile: Dockerfile',
      '    target: runtime',
      '    buildArgs: { PYTHON_VERSION: "3.12", WORKERS: 4, DEBUG: false }',
      '    platforms: [linux/amd64, linux/arm64]',
      '    tags: ["{sha}", 2024]',
      '    nonRoot: numeric',
      '    init: true',
      '    healthcheck: false',
      '    labels: [org.opencontainers.image.source]',
      '    revision: "3f2a9c1"',
      "    tagPattern: '^\\d{8}-[0-9a-f]{7,}$'",
      '    maxSizeMb: 250.5',
      '    forbidAttestations: true',
      '    elf: false',
      '  ghcr.io/team/policy-only: { platforms: [linux/arm64], nonRoot: true }',
      '',
    ].join('\n'),
  ],
];

const INVALID: [string, string][] = [
  ['a list at the top', '- a\n- b\n'],
  ['an unknown top-level key', 'platfroms: [linux/amd64]\n'],
  ['version 2', 'version: 2\n'],
  ['version as text', 'version: "1"\n'],
  ['platforms not a list', 'platforms: linux/amd64\n'],
  ['platforms empty', 'platforms: []\n'],
  ['a malformed platform', 'platforms: ["linux//x"]\n'],
  ['a platform with four parts', 'platforms: [linux/arm/v7/x]\n'],
  ['an unknown rule id', 'rules:\n  missing-files: off\n'],
  ['a bad severity', 'rules:\n  missing-file: fatal\n'],
  ['rules as a list', 'rules: [missing-file]\n'],
  ['ignore as text', 'ignore: vendor/\n'],
  ['ignore with a number', 'ignore: [1]\n'],
  ['runners as text', 'runners: self-hosted\n'],
  ['a runner entry with another key', 'runners:\n  - { labels: [gpu], name: big }\n'],
  ['a runner with no labels', 'runners:\n  - []\n'],
  ['a runner label that is a number', 'runners:\n  - [self-hosted, 64]\n'],
  ['smoke as a list', 'smoke: [numpy]\n'],
  ['smoke with an unknown key', 'smoke:\n  imports: [numpy]\n'],
  ['a smoke import that is not a module name', 'smoke:\n  pythonImports: ["numpy; rm -rf /"]\n'],
  ['build as a list', 'build: [tags]\n'],
  ['an unknown build key', 'build:\n  tag: [latest]\n'],
  ['retries out of range', 'build:\n  retries: 11\n'],
  ['retries not whole', 'build:\n  retries: 1.5\n'],
  ['parallel as text', 'build:\n  parallel: "yes"\n'],
  ['emulation unknown', 'build:\n  emulation: never\n'],
  ['source not a URL', 'build:\n  source: github.com/team/app\n'],
  ['labels as a list', 'build:\n  labels: [a]\n'],
  ['cache size unreadable', 'build:\n  cache: { maxBytes: lots }\n'],
  ['cache age negative', 'build:\n  cache: { maxAgeDays: -1 }\n'],
  ['cache unknown key', 'build:\n  cache: { size: 5GiB }\n'],
  ['a secret with env and src', 'build:\n  secrets:\n    - { id: a, env: A, src: ./a }\n'],
  ['a secret with neither', 'build:\n  secrets:\n    - { id: a }\n'],
  ['a secret without id', 'build:\n  secrets:\n    - { env: A }\n'],
  ['a secret id with a space', 'build:\n  secrets:\n    - { id: "a b", env: A }\n'],
  ['a secret env not a variable', 'build:\n  secrets:\n    - { id: a, env: "1A" }\n'],
  ['nodes as a mapping', 'nodes: { pi: ssh://pi }\n'],
  ['a node without a name', 'nodes:\n  - { context: pi5 }\n'],
  ['a node with two kinds', 'nodes:\n  - { name: pi, context: pi5, buildx: b }\n'],
  ['a node with no kind', 'nodes:\n  - { name: pi }\n'],
  ['a node name with a space', 'nodes:\n  - { name: "my pi", context: pi5 }\n'],
  ['an endpoint of another scheme', 'nodes:\n  - { name: pi, endpoint: "http://pi:2375" }\n'],
  ['an endpoint with no address', 'nodes:\n  - { name: pi, endpoint: "ssh://" }\n'],
  [
    'a node platform crossdock cannot build',
    'nodes:\n  - { name: pi, context: pi5, platforms: [linux/sparc] }\n',
  ],
  ['an unknown node key', 'nodes:\n  - { name: pi, context: pi5, arch: arm64 }\n'],
  ['images as a list', 'images: [reg/app]\n'],
  ['an image entry that is empty', 'images:\n  reg/app:\n'],
  ['an unknown image key', 'images:\n  reg/app: { contxt: . }\n'],
  ['buildArgs as a list', 'images:\n  reg/app: { context: ., buildArgs: [A=1] }\n'],
  ['image platform crossdock cannot build', 'images:\n  reg/app: { platforms: [linux/sparc64] }\n'],
  ['nonRoot as text', 'images:\n  reg/app: { nonRoot: "yes" }\n'],
  ['init as text', 'images:\n  reg/app: { init: "true" }\n'],
  ['revision as a number', 'images:\n  reg/app: { revision: 1234567 }\n'],
  ['revision not hex', 'images:\n  reg/app: { revision: "main" }\n'],
  ['tagPattern not a regex', 'images:\n  reg/app: { tagPattern: "([" }\n'],
  ['maxSizeMb zero', 'images:\n  reg/app: { maxSizeMb: 0 }\n'],
  ['maxSizeMb as text', 'images:\n  reg/app: { maxSizeMb: "250" }\n'],
  ['labels as a mapping', 'images:\n  reg/app: { labels: { a: b } }\n'],
];

/**
 * What crossdock refuses and the schema cannot: uniqueness across entries, how a number was written, an image
 * reference's grammar. Each passes the schema and fails crossdock; a change to either side shows up here.
 */
const RUNTIME_ONLY: [string, string, RegExp][] = [
  [
    'two nodes with one name',
    'nodes:\n  - { name: a, context: x }\n  - { name: a, context: y }\n',
    /used twice/,
  ],
  [
    'two secrets with one id',
    'build:\n  secrets:\n    - { id: a, env: A }\n    - { id: a, env: B }\n',
    /used twice/,
  ],
  [
    'a number YAML reads differently than written',
    'images:\n  reg/app: { context: ., target: 3.10 }\n',
    /as YAML reads 3\.10/,
  ],
  [
    'a cache registry with a tag',
    'build:\n  cacheRegistry: reg.example/cache:latest\n',
    /is not a repository/,
  ],
];

for (const [name, text] of VALID)
  test(`valid for both: ${name}`, () => {
    assert.equal(crossdockVerdict(text), undefined);
    assert.equal(schemaVerdict(text), undefined);
  });

for (const [name, text] of INVALID)
  test(`invalid for both: ${name}`, () => {
    assert.notEqual(crossdockVerdict(text), undefined, 'crossdock accepts it');
    assert.notEqual(schemaVerdict(text), undefined, 'the schema accepts it');
  });

for (const [name, text, message] of RUNTIME_ONLY)
  test(`beyond the schema, crossdock refuses: ${name}`, () => {
    assert.equal(schemaVerdict(text), undefined);
    assert.match(crossdockVerdict(text) ?? '', message);
  });

test('runners: errors name the entry and its position', () => {
  assert.throws(
    () => parseConfig('crossdock.yaml', 'runners:\n  - [self-hosted]\n  - { labels: [gpu], name: big }\n'),
    { message: /^crossdock\.yaml:3:22: runners\[1\]: unknown key "name"/ },
  );
  assert.throws(() => parseConfig('crossdock.yaml', 'runners:\n  - [self-hosted, 64]\n'), {
    message: /^crossdock\.yaml:2:19: runners\[0\]: a runner label must be a non-empty string/,
  });
});
