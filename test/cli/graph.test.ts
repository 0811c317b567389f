import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { Graph, GraphValue } from '../../src/graph/graph.js';
import { assertSchema } from '../helpers/schema.js';
import { runCli } from '../helpers/cli.js';

const examples = fileURLToPath(new URL('../../examples/', import.meta.url));

/** An example copied into a fresh git repository (what a clean clone has). */
function exampleRepo(name: string): { root: string; cleanup(): void } {
  const root = mkdtempSync(join(tmpdir(), 'crossdock-graph-'));
  cpSync(join(examples, name), root, { recursive: true, filter: (s) => !s.endsWith('EXPECTED.json') });
  for (const args of [
    ['init', '-q'],
    ['add', '-A'],
    ['-c', 'user.name=t', '-c', 'user.email=t@t', 'commit', '-qm', 'x'],
  ]) {
    const r = spawnSync('git', args, { cwd: root, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(r.stderr);
  }
  return { root, cleanup: () => rmSync(root, { recursive: true, force: true }) };
}

async function graphOf(name: string): Promise<Graph> {
  const repo = exampleRepo(name);
  try {
    const r = await runCli(['graph', repo.root, '--format', 'json']);
    assert.equal(r.code, 0, r.stderr);
    const g: unknown = JSON.parse(r.stdout);
    assertSchema('crossdock-graph-v2.json', g);
    return g as Graph;
  } finally {
    repo.cleanup();
  }
}

const v = <T>(x: GraphValue<T>): T | string => ('value' in x ? x.value : `unknown: ${x.unknown}`);

test('graph: a kustomize overlay resolves the base Deployment to the script build that pushes its image', async () => {
  const g = await graphOf('k3s-kustomize/fixed');
  assert.equal(g.version, 2);
  assert.deepEqual(g.targets.platforms, ['linux/amd64', 'linux/arm64']);
  assert.equal(g.builds.length, 1);
  const b = g.builds[0];
  assert.ok(b);
  assert.deepEqual(
    [b.origin, v(b.dockerfile), v(b.context), String(v(b.platforms)), b.push, b.definedAt, b.reached],
    ['script', 'app/Dockerfile', 'app', 'linux/amd64,linux/arm64', true, 'scripts/build.sh:6', true],
  );
  assert.deepEqual(b.tags, [
    'registry.home.arpa:5000/home/api:1.3.0',
    'registry.home.arpa:5000/home/api:arm64-latest',
  ]);
  const dep = g.deployments.find((d) => d.kind === 'Deployment');
  assert.deepEqual([dep?.name, dep?.image && v(dep.image), dep?.build], ['api', 'api', b.id]);
  const override = g.deployments.find((d) => d.origin === 'kustomize');
  assert.deepEqual(
    [override?.image && v(override.image), override?.build],
    ['registry.home.arpa:5000/home/api:1.3.0', b.id],
  );
});

test('graph: workflow matrix builds carry their runner; scripts run by a job carry the job', async () => {
  const g = await graphOf('ci-pipelines/fixed');
  const rows = g.builds.map(
    (b) =>
      `${b.origin} ${v(b.dockerfile)} ${String(v(b.platforms))} ${b.job ?? '-'} ${(b.runner ?? []).join(',')}`,
  );
  assert.deepEqual(rows.sort(), [
    'makefile docker/edge.Dockerfile linux/arm64 .github/workflows/release.yml#publish ubuntu-24.04-arm',
    'script docker/edge.Dockerfile linux/arm64 .github/workflows/build.yml#edge self-hosted,linux,arm64',
    'workflow docker/api.Dockerfile linux/amd64 .github/workflows/build.yml#image ubuntu-24.04',
    'workflow docker/api.Dockerfile linux/arm64 .github/workflows/build.yml#image ubuntu-24.04-arm',
  ]);
});

test('graph: compose services resolve to their builds; text and dot formats show the same graph', async () => {
  const repo = exampleRepo('compose-stack/fixed');
  try {
    const json = JSON.parse((await runCli(['graph', repo.root, '--format', 'json'])).stdout) as Graph;
    const web = json.deployments.find((d) => d.name === 'web');
    assert.equal(web?.build, 'compose:compose.yaml#web');
    assert.equal(json.deployments.find((d) => d.name === 'db')?.build, null);
    const text = await runCli(['graph', repo.root]);
    assert.match(text.stdout, /^targets: linux\/amd64, linux\/arm64 \(inferred from compose\.yaml:5\)$/m);
    assert.match(
      text.stdout,
      /compose-service web {2}\[compose\] compose\.yaml:2\n {4}image: registry\.lan:5000\/shop\/web:1\.4\.0 → compose:compose\.yaml#web/,
    );
    const dot = await runCli(['graph', repo.root, '--format', 'dot']);
    assert.match(dot.stdout, /^digraph crossdock \{/);
    assert.match(dot.stdout, /"compose:compose\.yaml#web" -> "image:registry\.lan:5000\/shop\/web:1\.4\.0";/);
    const bad = await runCli(['graph', repo.root, '--format', 'yaml']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--format yaml is not supported/);
  } finally {
    repo.cleanup();
  }
});

test('graph: unknown values are shown with their reasons, in JSON and in text', async () => {
  const { mkdtempSync: mk, writeFileSync, mkdirSync } = await import('node:fs');
  const root = mk(join(tmpdir(), 'crossdock-graph-unknown-'));
  try {
    mkdirSync(join(root, 'svc'));
    writeFileSync(join(root, 'svc/Dockerfile'), 'ARG BASE\nFROM ${BASE}\nRUN echo\n');
    writeFileSync(
      join(root, 'build.sh'),
      '#!/bin/sh\ndocker build -f svc/Dockerfile --platform "$PLATFORMS" svc\ndocker build -f "$DOCKERFILE" .\n',
    );
    const r = await runCli(['graph', root, '--format', 'json']);
    assert.equal(r.code, 0, r.stderr);
    const g: unknown = JSON.parse(r.stdout);
    assertSchema('crossdock-graph-v2.json', g);
    const graph = g as Graph;
    const [b, c] = graph.builds.filter((x) => x.origin === 'script');
    assert.ok(b && c);
    assert.ok(
      !('value' in b.platforms) && b.platforms.kind === 'environment',
      'platforms from $PLATFORMS are unknown',
    );
    assert.ok(
      !('value' in c.dockerfile) && c.dockerfile.kind === 'environment',
      'the Dockerfile from $DOCKERFILE is unknown',
    );
    assert.ok('value' in b.context && b.context.value === 'svc');
    // The unknown base is noted at the ARG nothing passes (one note for all its uses), not at the FROM.
    const base = b.bases[0]?.image;
    assert.ok(base && !('value' in base) && base.kind === 'arg-no-default' && base.at === 'svc/Dockerfile:1');
    assert.ok(graph.unknowns.some((u) => u.kind === 'environment' && u.at === 'build.sh:2'));
    assert.ok(graph.unknowns.some((u) => u.kind === 'arg-no-default' && u.at === 'svc/Dockerfile:1'));
    const text = await runCli(['graph', root]);
    assert.match(text.stdout, /platforms: unknown \(`\$PLATFORMS` is not set in this file/);
    assert.match(text.stdout, /^unknown \(\d+\): what crossdock could not resolve/m);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
