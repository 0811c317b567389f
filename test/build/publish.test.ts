import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { publishPlatform } from '../../src/build/publish.js';
import { RegistryClient } from '../../src/registry/client.js';
import { type TarEntry, tarOf } from '../helpers/images.js';
import { skopeo, startRegistry, type TestRegistry } from '../helpers/registry.js';

/**
 * Publishing what an engine exported, against the real distribution registry, read back by skopeo: a `docker
 * save` archive is read in place and every name in it stays inside it (no `..`, no absolute path, no symlink or
 * hard link out); every layer, compressed or not, matches the config's diff_ids before anything is pushed. The
 * archives are written here as a hostile or broken engine could write them.
 */
let work: string;
let registry: TestRegistry;
let client: RegistryClient;

before(async () => {
  work = mkdtempSync(join(tmpdir(), 'crossdock-publish-'));
  registry = await startRegistry();
  client = new RegistryClient({ trust: { plainHttp: [registry.host] }, backoffMs: 1 });
});

after(async () => {
  client?.close();
  await registry?.stop();
  rmSync(work, { recursive: true, force: true });
});

const sha = (b: Buffer) => `sha256:${createHash('sha256').update(b).digest('hex')}`;
const env = () => ({ PATH: process.env.PATH ?? '', CROSSDOCK_CACHE_DIR: join(work, 'cache') });

/** A small layer (a tar of two files) and the image config that lists it. */
function layerAndConfig(seed: string): { layer: Buffer; config: Buffer } {
  const layer = tarOf([
    ['app/hello.sh', `#!/bin/sh\necho ${seed}\n`, 0o755],
    ['etc/seed', `${seed}\n`],
  ]);
  const config = Buffer.from(
    JSON.stringify({
      architecture: 'amd64',
      os: 'linux',
      config: { Entrypoint: ['/app/hello.sh'] },
      rootfs: { type: 'layers', diff_ids: [sha(layer)] },
    }),
  );
  return { layer, config };
}

let n = 0;
/** Writes a docker save archive: manifest.json naming `layers` (member names), plus the given members. */
function saveArchive(layers: string[], members: TarEntry[], config: Buffer): string {
  const file = join(work, `save-${++n}.tar`);
  const manifest = JSON.stringify([{ Config: 'config.json', RepoTags: null, Layers: layers }]);
  writeFileSync(file, tarOf([['manifest.json', manifest], ['config.json', config], ...members]));
  return file;
}

const repoOf = (name: string) => ({ registry: registry.host, repository: `team/${name}` });
const stored = (name: string) =>
  existsSync(join(registry.dir, 'data/docker/registry/v2/repositories/team', name));

async function publish(name: string, tar: string) {
  return publishPlatform(client, repoOf(name), { kind: 'docker-archive', tar }, 'linux/amd64', env());
}

test('a docker save archive is read in place: layers (also through an inner symlink) pushed, read back by skopeo', {
  timeout: 60_000,
}, async () => {
  const { layer, config } = layerAndConfig('good');
  // docker save links a layer it already wrote: <id2>/layer.tar -> ../<id1>/layer.tar.
  const tar = saveArchive(
    ['aaa/layer.tar'],
    [['bbb/layer.tar', layer], { name: 'aaa/layer.tar', symlink: '../bbb/layer.tar' }],
    config,
  );
  const published = await publish('good', tar);
  const ref = `docker://${registry.host}/team/good@${published.descriptor.digest}`;
  const raw = JSON.parse(skopeo(['inspect', '--raw', '--tls-verify=false', ref]).stdout) as {
    layers: { digest: string; mediaType: string }[];
  };
  assert.equal(raw.layers.length, 1);
  assert.equal(raw.layers[0]?.mediaType, 'application/vnd.oci.image.layer.v1.tar+gzip');
  const cfg = JSON.parse(skopeo(['inspect', '--config', '--tls-verify=false', ref]).stdout);
  assert.deepEqual(cfg.rootfs.diff_ids, [sha(layer)]);
});

test('names that leave the archive folder are refused before anything is pushed', {
  timeout: 60_000,
}, async () => {
  const { layer, config } = layerAndConfig('hostile');
  mkdirSync(join(work, 'outside'), { recursive: true });
  writeFileSync(join(work, 'outside', 'secret.tar'), layer); // what an escape would reach and push
  const cases: [string, string, RegExp][] = [
    [
      'dotdot',
      saveArchive(['../outside/secret.tar'], [['x/layer.tar', layer]], config),
      /manifest\.json names "\.\.\/outside\/secret\.tar", outside the archive folder/,
    ],
    [
      'absolute',
      saveArchive([join(work, 'outside', 'secret.tar')], [['x/layer.tar', layer]], config),
      /manifest\.json names "\/.*secret\.tar", outside the archive folder/,
    ],
    [
      'symlink-absolute',
      saveArchive(
        ['x/layer.tar'],
        [{ name: 'x/layer.tar', symlink: join(work, 'outside', 'secret.tar') }],
        config,
      ),
      /symlink "x\/layer\.tar" points to the absolute path/,
    ],
    [
      'symlink-up',
      saveArchive(['x/layer.tar'], [{ name: 'x/layer.tar', symlink: '../../outside/secret.tar' }], config),
      /leads outside the archive folder through symlink "x\/layer\.tar" -> "\.\.\/\.\.\/outside\/secret\.tar"/,
    ],
    [
      'symlinked-dir',
      saveArchive(['x/layer.tar'], [{ name: 'x', symlink: '../outside' }], config),
      /leads outside the archive folder through symlink "x" -> "\.\.\/outside"/,
    ],
    [
      'hardlink',
      saveArchive(['x/layer.tar'], [{ name: 'x/layer.tar', hardlink: '../outside/secret.tar' }], config),
      /hard link "x\/layer\.tar" points outside the archive/,
    ],
    [
      'member-dotdot',
      saveArchive(
        ['x/layer.tar'],
        [
          ['x/layer.tar', layer],
          ['../planted', 'x'],
        ],
        config,
      ),
      /member "\.\.\/planted" is outside the archive folder/,
    ],
  ];
  for (const [name, tar, expected] of cases) {
    await assert.rejects(publish(name, tar), (e: Error) => {
      assert.match(e.message, /the image archive .* is refused: /, name);
      assert.match(e.message, expected, name);
      return true;
    });
    assert.equal(stored(name), false, `${name}: nothing reached the registry`);
  }
});

test('compressed layers are checked against the diff_ids before pushing; a mismatch pushes nothing', {
  timeout: 60_000,
}, async () => {
  const { layer, config } = layerAndConfig('gz');
  const gz = gzipSync(layer);
  const ok = await publish('gz-ok', saveArchive(['l/layer.tar'], [['l/layer.tar', gz]], config));
  const ref = `docker://${registry.host}/team/gz-ok@${ok.descriptor.digest}`;
  const raw = JSON.parse(skopeo(['inspect', '--raw', '--tls-verify=false', ref]).stdout);
  assert.equal(raw.layers[0].digest, sha(gz), 'an already-compressed layer is pushed as it is');

  // Another layer's bytes under this config: the config's diff_id says otherwise.
  const other = gzipSync(layerAndConfig('swapped').layer);
  await assert.rejects(
    publish('gz-bad', saveArchive(['l/layer.tar'], [['l/layer.tar', other]], config)),
    /a gzip layer decompresses to sha256:[0-9a-f]{64}, but the image config says sha256:[0-9a-f]{64}; nothing of this platform was pushed/,
  );
  assert.equal(stored('gz-bad'), false);
  const broken = Buffer.concat([gz.subarray(0, 40), Buffer.alloc(40, 7)]);
  await assert.rejects(
    publish('gz-broken', saveArchive(['l/layer.tar'], [['l/layer.tar', broken]], config)),
    /a gzip layer does not decompress/,
  );
  assert.equal(stored('gz-broken'), false);
  // zstd (Node 20 has none): checked through the zstd program.
  const zst = spawnSync('zstd', ['-q', '-c'], { input: layer, maxBuffer: 16 * 1024 * 1024 });
  assert.equal(zst.status, 0, String(zst.stderr));
  const zok = await publish('zstd-ok', saveArchive(['l/layer.tar'], [['l/layer.tar', zst.stdout]], config));
  const zref = `docker://${registry.host}/team/zstd-ok@${zok.descriptor.digest}`;
  const zraw = JSON.parse(skopeo(['inspect', '--raw', '--tls-verify=false', zref]).stdout);
  assert.deepEqual(
    [zraw.layers[0].digest, zraw.layers[0].mediaType],
    [sha(zst.stdout), 'application/vnd.oci.image.layer.v1.tar+zstd'],
  );
  const zbad = spawnSync('zstd', ['-q', '-c'], { input: layerAndConfig('swapped').layer }).stdout;
  await assert.rejects(
    publish('zstd-bad', saveArchive(['l/layer.tar'], [['l/layer.tar', zbad]], config)),
    /a zstd layer decompresses to sha256:[0-9a-f]{64}, but the image config says/,
  );
  assert.equal(stored('zstd-bad'), false);
  // An uncompressed layer that is not what the config says (compressed while checked).
  const wrong = layerAndConfig('other').layer;
  await assert.rejects(
    publish('raw-bad', saveArchive(['l/layer.tar'], [['l/layer.tar', wrong]], config)),
    /a layer has digest sha256:[0-9a-f]{64}, but the image config says/,
  );
  assert.equal(stored('raw-bad'), false);
});

test('an OCI layout naming a blob by a non-digest is refused (no path from it)', {
  timeout: 30_000,
}, async () => {
  const dir = join(work, 'oci');
  mkdirSync(join(dir, 'blobs', 'sha256'), { recursive: true });
  writeFileSync(
    join(dir, 'index.json'),
    JSON.stringify({ schemaVersion: 2, manifests: [{ digest: 'sha256:../../../../etc/passwd', size: 1 }] }),
  );
  await assert.rejects(
    publishPlatform(client, repoOf('oci-bad'), { kind: 'oci-layout', dir }, 'linux/amd64', env()),
    /names the blob "sha256:\.\.\/\.\.\/\.\.\/\.\.\/etc\/passwd", which is not a sha256 digest/,
  );
  assert.equal(stored('oci-bad'), false);
});
