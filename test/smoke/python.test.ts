import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { runCli } from '../helpers/cli.js';
import { DOCKER, requireEngine } from '../helpers/engine.js';
import { busyboxLayout } from '../helpers/images.js';
import { makePki } from '../helpers/pki.js';
import { skopeo, startRegistry, type TestRegistry } from '../helpers/registry.js';
import { assertSchema } from '../helpers/schema.js';

/**
 * `crossdock smoke --python-import` on real Python images: Debian 12 root filesystems with CPython 3.11 for amd64
 * and arm64 (scripts/make-python-rootfs.sh, mmdebstrap, cached), plus a C extension module compiled here for
 * x86_64 only and installed in both images — the "amd64 wheel copied into the arm64 image" defect. It imports on
 * amd64 and fails on arm64 (under QEMU), and crossdock shows the traceback's last line.
 */
const ROOTFS = join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'crossdock-test/rootfs');
const EXTENSION = `#define Py_LIMITED_API 0x030b0000
#include <Python.h>
static PyObject *answer(PyObject *self, PyObject *args) { return PyLong_FromLong(42); }
static PyMethodDef methods[] = {{"answer", answer, METH_NOARGS, NULL}, {NULL, NULL, 0, NULL}};
static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "fastlib", NULL, -1, methods};
PyMODINIT_FUNC PyInit_fastlib(void) { return PyModule_Create(&module); }
`;

let work: string;
let registry: TestRegistry | undefined;
let caFile: string;
let ref: string;

function run(cmd: string, args: string[], timeout: number): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')}: ${r.error ?? r.stderr}`);
  return r.stdout;
}

before(async () => {
  requireEngine();
  // Cached by scripts/setup-env.sh; a cold build takes minutes (arm64 through QEMU), more than a test file may.
  const tars = {
    amd64: join(ROOTFS, 'bookworm-minbase-python3-minimal-amd64.tar'),
    arm64: join(ROOTFS, 'bookworm-minbase-python3-minimal-arm64.tar'),
  };
  for (const t of Object.values(tars))
    assert.ok(
      existsSync(t),
      `${t} is missing: run scripts/setup-env.sh (scripts/make-python-rootfs.sh) first`,
    );
  work = mkdtempSync(join(tmpdir(), 'crossdock-smoke-python-'));
  writeFileSync(join(work, 'fastlib.c'), EXTENSION);
  const include = run(
    'python3',
    ['-c', "import sysconfig; print(sysconfig.get_paths()['include'])"],
    30_000,
  ).trim();
  const so = join(work, 'fastlib.abi3.so');
  run('gcc', ['-shared', '-fPIC', '-O1', `-I${include}`, join(work, 'fastlib.c'), '-o', so], 60_000);
  const pki = makePki(join(work, 'pki'));
  const server = pki.server('registry');
  registry = await startRegistry({ tls: { cert: server.chain, key: server.key } });
  const certDir = join(work, 'certs');
  mkdirSync(certDir);
  caFile = join(certDir, 'ca.crt');
  writeFileSync(caFile, pki.caPem);
  const layout = busyboxLayout(join(work, 'layout'), {
    rootfsTars: tars,
    config: { Entrypoint: ['python3', '-c', 'import fastlib; print(fastlib.answer())'], Cmd: null },
    files: [['usr/lib/python3/dist-packages/fastlib.abi3.so', readFileSync(so), 0o755]],
  });
  ref = `${registry.host}/smoke/python:1`;
  skopeo([
    'copy',
    '--all',
    '--quiet',
    '--dest-cert-dir',
    certDir,
    `oci:${layout.dir}:latest`,
    `docker://${ref}`,
  ]);
});

after(async () => {
  if (registry) {
    const ids = spawnSync(
      DOCKER,
      ['images', '--quiet', '--no-trunc', '--filter', `reference=${registry.host}/smoke/*`],
      {
        encoding: 'utf8',
        timeout: 60_000,
      },
    )
      .stdout.split('\n')
      .filter(Boolean);
    if (ids.length) spawnSync(DOCKER, ['rmi', '--force', ...new Set(ids)], { timeout: 120_000 });
    await registry.stop();
  }
  if (work) rmSync(work, { recursive: true, force: true });
});

interface Check {
  id: string;
  status: string;
  summary: string;
  evidence: string[];
}

describe('smoke --python-import on Debian Python images', { timeout: 280_000 }, () => {
  test('a module built for x86_64 imports on amd64 and fails on arm64 with the traceback line', async () => {
    const runId = `cdtest-smoke-python-${process.pid}`;
    const r = await runCli(
      [
        'smoke',
        ref,
        '--ca-file',
        caFile,
        '--expect-exit',
        '0',
        '--python-import',
        'fastlib,os',
        '--run-id',
        runId,
        '--quiet',
        '--format',
        'json',
      ],
      { env: { PATH: process.env.PATH ?? '' } },
    );
    const left = await promisify(execFile)(
      DOCKER,
      ['ps', '-a', '-q', '--filter', `label=crossdock.smoke=${runId}`],
      {
        timeout: 60_000,
      },
    );
    assert.equal(left.stdout.trim(), '', 'containers left behind');
    const doc = JSON.parse(r.stdout) as { runs: { platforms: { platform: string; checks: Check[] }[] }[] };
    assertSchema('crossdock-smoke-v1.json', doc);
    const checks = (p: string) => doc.runs[0]?.platforms.find((x) => x.platform === p)?.checks ?? [];
    const imports = (p: string) => checks(p).find((c) => c.id === 'imports');
    const starts = (p: string) => checks(p).find((c) => c.id === 'starts');
    assert.equal(imports('linux/amd64')?.status, 'pass', JSON.stringify(imports('linux/amd64')));
    assert.equal(imports('linux/arm64')?.status, 'fail', JSON.stringify(imports('linux/arm64')));
    assert.match(
      [imports('linux/arm64')?.summary, ...(imports('linux/arm64')?.evidence ?? [])].join('\n'),
      /fastlib/,
    );
    assert.match(
      [imports('linux/arm64')?.summary, ...(imports('linux/arm64')?.evidence ?? [])].join('\n'),
      /(ModuleNotFoundError|ImportError)/,
    );
    // The entrypoint itself imports fastlib: it prints 42 and exits 0 on amd64, and fails on arm64.
    assert.equal(starts('linux/amd64')?.status, 'pass', JSON.stringify(starts('linux/amd64')));
    assert.equal(starts('linux/arm64')?.status, 'fail');
    assert.equal(r.code, 1);
  });
});
