import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import ajvModule from 'ajv';
import ajvFormats from 'ajv-formats';
import { parse } from 'yaml';
import { loadBuildConfig } from '../../src/build/config.js';
import { CONFIG_SCHEMA_URL } from '../../src/engine/config.js';
import { runCli } from '../helpers/cli.js';
import { makeRepo } from '../helpers/git-repo.js';

const Ajv = ajvModule.default;
const ajv = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true, strictRequired: false });
ajvFormats.default(ajv);
const validate = ajv.compile(
  JSON.parse(readFileSync(new URL('../../docs/schemas/crossdock-config-v1.json', import.meta.url), 'utf8')),
);

/** compose builds two images (one for two platforms, one for the machine's), and a Dockerfile nothing builds. */
const FILES = {
  'compose.yaml': [
    'services:',
    '  web:',
    '    image: registry.lan:5000/shop/web:1.4.0',
    '    build:',
    '      context: web',
    '      platforms: [linux/amd64, linux/arm64]',
    '  worker:',
    '    image: registry.lan:5000/shop/worker:1.4.0',
    '    build: worker',
    '',
  ].join('\n'),
  'web/Dockerfile': 'FROM alpine:3.20\nCMD ["sh"]\n',
  'worker/Dockerfile': 'FROM alpine:3.20\nCMD ["sh"]\n',
  'tools/Dockerfile': 'FROM alpine:3.20\nCMD ["sh"]\n',
};

test('init writes a starter crossdock.yaml from the build graph: schema line, targets, one entry per image', {
  timeout: 30_000,
}, async (t) => {
  const repo = makeRepo({ files: FILES });
  t.after(repo.cleanup);
  const findings = async () => {
    const c = await runCli(['check', repo.root, '--format', 'json', '--fail-on', 'never']);
    assert.equal(c.code, 0, c.stderr);
    const json = JSON.parse(c.stdout) as { findings: { ruleId: string; file: string; line: number }[] };
    return json.findings.map((f) => `${f.ruleId} ${f.file}:${f.line}`).sort();
  };
  const before = await findings();
  const r = await runCli(['init', repo.root]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /wrote .*crossdock\.yaml: platforms linux\/amd64, linux\/arm64, 2 images\n$/);
  const text = readFileSync(join(repo.root, 'crossdock.yaml'), 'utf8');
  assert.equal(text.split('\n')[0], `# yaml-language-server: $schema=${CONFIG_SCHEMA_URL}`);
  const data = parse(text) as unknown;
  assert.ok(validate(data), ajv.errorsText(validate.errors));
  assert.deepEqual(data, {
    version: 1,
    platforms: ['linux/amd64', 'linux/arm64'],
    images: {
      'registry.lan:5000/shop/web': { platforms: ['linux/amd64', 'linux/arm64'] },
      'registry.lan:5000/shop/worker': { platforms: ['linux/amd64', 'linux/arm64'] },
    },
  });
  // Said, not written as a value: the worker's platforms are the targets because compose's are not known; the
  // Dockerfile nothing builds is a template to fill in.
  assert.match(text, /# platforms: the targets \(the build's platforms are not known: compose builds/);
  assert.match(text, /# tools\/Dockerfile: nothing in the repository builds it/);
  assert.match(text, /\n {2}# {3}context: tools {2}# or one of \.\n {2}# {3}dockerfile: tools\/Dockerfile\n/);
  assert.match(text, /^# nodes:\n# {3}- name: amd64\n/m);
  // crossdock's own loader reads it, build side included.
  const bc = await loadBuildConfig(repo.root);
  assert.equal(bc.config.path, 'crossdock.yaml');
  assert.deepEqual(bc.nodes, []);
  assert.deepEqual(bc.images, []); // policies only: the builds stay in compose.yaml
  // A starter that declares what the graph already inferred changes no finding.
  assert.deepEqual(await findings(), before);
  // The same repository gives the same file.
  const again = await runCli(['init', repo.root, '--force']);
  assert.equal(again.code, 0, again.stderr);
  assert.equal(readFileSync(join(repo.root, 'crossdock.yaml'), 'utf8'), text);
});

test('init refuses to replace a config without --force, and replaces the file crossdock reads with it', {
  timeout: 30_000,
}, async (t) => {
  const repo = makeRepo({ files: { ...FILES, '.crossdock.yml': 'platfroms: broken\n' } });
  t.after(repo.cleanup);
  const r = await runCli(['init'], { cwd: repo.root });
  assert.equal(r.code, 2);
  assert.match(r.stderr, /\.crossdock\.yml already exists/);
  assert.match(r.stderr, /--force/);
  assert.equal(readFileSync(join(repo.root, '.crossdock.yml'), 'utf8'), 'platfroms: broken\n');
  // The broken config is left out of the inference: --force works where check would refuse the old file.
  const forced = await runCli(['init', '--force'], { cwd: repo.root });
  assert.equal(forced.code, 0, forced.stderr);
  const data = parse(readFileSync(join(repo.root, '.crossdock.yml'), 'utf8')) as unknown;
  assert.ok(validate(data), ajv.errorsText(validate.errors));
  assert.equal((await loadBuildConfig(repo.root)).config.path, '.crossdock.yml');
});

test('init on a folder with nothing to build: defaults, no images key; on a file: a usage error', {
  timeout: 30_000,
}, async (t) => {
  const repo = makeRepo({ files: { 'README.md': '# x\n' } });
  t.after(repo.cleanup);
  const r = await runCli(['init', repo.root]);
  assert.equal(r.code, 0, r.stderr);
  const text = readFileSync(join(repo.root, 'crossdock.yaml'), 'utf8');
  assert.match(text, /# Target platforms \(nothing in the repository declares them: crossdock's defaults\)/);
  assert.deepEqual(parse(text), { version: 1, platforms: ['linux/amd64', 'linux/arm64'] });
  writeFileSync(join(repo.root, 'file'), 'x');
  const bad = await runCli(['init', join(repo.root, 'file')]);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /is not a directory/);
});
