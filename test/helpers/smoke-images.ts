import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DOCKER } from './engine.js';
import { busyboxLayout, type LayoutOptions } from './images.js';
import { makePki } from './pki.js';
import { skopeo, startRegistry, type TestRegistry } from './registry.js';

/**
 * Two-platform busybox images for the smoke tests (real amd64 and arm64 ELF binaries from Debian's
 * busybox-static), pushed by skopeo to a real distribution registry over TLS with a CA made for the test.
 * `busybox httpd -f -p PORT -h /www` is a real HTTP server on both architectures (arm64 under QEMU).
 */
export const WWW = [
  ['www/index.html', '<h1>crossdock smoke</h1>\n'],
  ['www/health', 'ok\n'],
] as const;

/** A shell as PID 1 that exits on SIGTERM and runs httpd in the background: a server that stops cleanly. */
export const SERVER_ENTRYPOINT = [
  '/bin/busybox',
  'sh',
  '-c',
  "echo serving on 8080; trap 'exit 0' TERM; /bin/busybox httpd -f -p 8080 -h /www & wait",
];

export const IMAGES = {
  /** A correct server on 8080, stopping on SIGTERM. */
  server: { config: { Entrypoint: SERVER_ENTRYPOINT, Cmd: null, ExposedPorts: { '8080/tcp': {} } } },
  /** An entrypoint that exits at once with 0. */
  exits: { config: { Entrypoint: ['/bin/busybox', 'true'], Cmd: null } },
  /** PID 1 is a shell loop without a SIGTERM handler: it ignores SIGTERM. */
  loop: {
    config: {
      Entrypoint: ['/bin/busybox', 'sh', '-c', 'while true; do /bin/busybox sleep 1; done'],
      Cmd: null,
    },
  },
  /** The server, with the amd64 busybox in the arm64 image. */
  swapped: {
    swapArm64Binary: true,
    config: { Entrypoint: SERVER_ENTRYPOINT, Cmd: null, ExposedPorts: { '8080/tcp': {} } },
  },
} satisfies Record<string, LayoutOptions>;

export type ImageName = keyof typeof IMAGES;

export interface SmokeFixture {
  registry: TestRegistry;
  caFile: string;
  ref(name: ImageName): string;
  stop(): Promise<void>;
}

export async function smokeFixture(names: ImageName[]): Promise<SmokeFixture> {
  const work = mkdtempSync(join(tmpdir(), 'crossdock-smoke-'));
  const pki = makePki(join(work, 'pki'));
  const server = pki.server('registry');
  const registry = await startRegistry({ tls: { cert: server.chain, key: server.key } });
  const certDir = join(work, 'certs');
  mkdirSync(certDir);
  const caFile = join(certDir, 'ca.crt');
  writeFileSync(caFile, pki.caPem);
  try {
    for (const name of names) {
      const layout = busyboxLayout(join(work, name), {
        ...IMAGES[name],
        files: WWW.map(([p, c]) => [p, c] as [string, string]),
      });
      skopeo([
        'copy',
        '--all',
        '--quiet',
        '--dest-cert-dir',
        certDir,
        `oci:${layout.dir}:latest`,
        `docker://${registry.host}/smoke/${name}:1`,
      ]);
    }
  } catch (e) {
    await registry.stop();
    rmSync(work, { recursive: true, force: true });
    throw e;
  }
  return {
    registry,
    caFile,
    ref: (name) => `${registry.host}/smoke/${name}:1`,
    stop: async () => {
      // The images smoke pulled by digest from this registry: removed, so the tests leave nothing on the engine.
      const ids = spawnSync(
        DOCKER,
        ['images', '--quiet', '--no-trunc', '--filter', `reference=${registry.host}/smoke/*`],
        { encoding: 'utf8', timeout: 60_000 },
      )
        .stdout.split('\n')
        .filter(Boolean);
      if (ids.length) spawnSync(DOCKER, ['rmi', '--force', ...new Set(ids)], { timeout: 120_000 });
      await registry.stop();
      rmSync(work, { recursive: true, force: true });
    },
  };
}
