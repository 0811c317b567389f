import assert from 'node:assert/strict';
import { test } from 'node:test';
import { UsageError } from '../../src/errors.js';
import { runCli } from '../helpers/cli.js';
import { firstTarFile, kubeletUserVerdict, stopGrace } from '../../src/smoke/checks.js';
import { parseContainerState } from '../../src/smoke/engine.js';
import { checkFlags, contractFromFlags, parseDurationFlag } from '../../src/smoke/flags.js';
import { effectiveArgv } from '../../src/smoke/image-config.js';
import {
  describeSockets,
  interpreterLine,
  likelyCause,
  parseProcNetTcp,
  tracebackLastLine,
  unameArchitecture,
} from '../../src/smoke/parse.js';
import { createArgs, type SmokeImage } from '../../src/smoke/run.js';
import type { SmokeContract } from '../../src/smoke/types.js';
import { tarOf } from '../helpers/images.js';

/** The pure parts of smoke, on text captured from the real engine and kernel (dockerd 20.10, Linux 6.1). */

// Captured from a busybox httpd container under QEMU on a user-defined network (Docker's DNS on 127.0.0.11).
const PROC_NET_TCP = `  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 0B00007F:A0C7 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 25791 1 0000000087bffe48 100 0 0 10 0
   1: 0100007F:1388 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 25792 1 0000000087bffe49 100 0 0 10 0
   2: 020012AC:1F90 010012AC:D2F4 01 00000000:00000000 00:00000000 00000000     0        0 25793 1 0000000087bffe4a 100 0 0 10 0
  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 00000000000000000000000000000000:1F90 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 25841 1 00000000b25a56d8 100 0 0 10 0
   1: 00000000000000000000000001000000:0050 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 25842 1 00000000b25a56d9 100 0 0 10 0
`;

test('listening sockets from /proc/net/tcp and tcp6: LISTEN rows only, no Docker DNS, addresses decoded', () => {
  assert.deepEqual(parseProcNetTcp(PROC_NET_TCP), [
    { address: '::1', port: 80 },
    { address: '127.0.0.1', port: 5000 },
    { address: '::', port: 8080 },
  ]);
  assert.equal(
    describeSockets(parseProcNetTcp(PROC_NET_TCP)),
    '[::1]:80 (loopback only), 127.0.0.1:5000 (loopback only), 8080',
  );
  assert.deepEqual(parseProcNetTcp('garbage\n  0: zz\n'), []);
});

test('likely causes of a start failure, from the engine line or the log', () => {
  const arm = 'linux/arm64';
  assert.match(
    likelyCause('standard_init_linux.go:228: exec user process caused: exec format error', arm) ?? '',
    /not built for arm64/,
  );
  assert.match(
    likelyCause(
      'failed to create shim: OCI runtime create failed: container_linux.go:380: starting container process caused: exec: "/app/entrypoint.sh": stat /app/entrypoint.sh: no such file or directory: unknown',
      arm,
    ) ?? '',
    /entrypoint \/app\/entrypoint.sh is not in the image/,
  );
  assert.match(
    likelyCause("Traceback (most recent call last):\nModuleNotFoundError: No module named 'numpy'", arm) ??
      '',
    /Python module numpy is not installed in the linux\/arm64 image/,
  );
  assert.equal(likelyCause('listening on :8080', arm), undefined);
});

test('traceback, uname, interpreter lines', () => {
  assert.equal(
    tracebackLastLine(
      'Traceback (most recent call last):\n  File "<string>", line 1\nImportError: libfoo.so: cannot open\n\n',
    ),
    'ImportError: libfoo.so: cannot open',
  );
  assert.equal(unameArchitecture('aarch64\n'), 'arm64');
  assert.equal(unameArchitecture('x86_64'), 'amd64');
  assert.equal(unameArchitecture('sparc'), undefined);
  assert.deepEqual(interpreterLine(Buffer.from('#!/usr/bin/env python3 -u\nprint(1)')), [
    '/usr/bin/env',
    'python3',
    '-u',
  ]);
  assert.equal(interpreterLine(Buffer.from('\x7fELF')), undefined);
});

test('the first file of a docker cp tar stream, past a PAX header', () => {
  const pax = tarOf([['PaxHeaders/x', '30 path=some/very/long/name/x\n']]);
  // tarOf ends with two zero blocks: cut them and mark the first entry as a PAX header ('x').
  const paxHeader = Buffer.from(pax.subarray(0, pax.length - 1024));
  paxHeader.write('x', 156);
  let sum = 0;
  paxHeader.write('        ', 148);
  for (const b of paxHeader.subarray(0, 512)) sum += b;
  paxHeader.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148);
  const file = tarOf([['busybox', Buffer.from('\x7fELF\x02\x01rest-of-binary')]]);
  const head = firstTarFile(Buffer.concat([paxHeader, file]), 6);
  assert.deepEqual(head, Buffer.from('\x7fELF\x02\x01'));
  assert.equal(firstTarFile(Buffer.alloc(1024), 6), undefined);
});

const IMAGE: SmokeImage = {
  reference: 'r/x:1',
  repository: 'r/x',
  digest: 'sha256:0',
  platforms: [
    {
      platform: 'linux/amd64',
      digest: 'sha256:1',
      config: { config: { ExposedPorts: { '8080/tcp': {}, '53/udp': {} } } },
    },
  ],
};

function flags(over: Parameters<typeof contractFromFlags>[0] = {}) {
  return contractFromFlags(over, IMAGE);
}

test('the flags contract: EXPOSE tcp ports unless --port; --http on the only port; --expect-exit is batch', () => {
  const c = flags({ http: ['/health'] });
  assert.deepEqual(
    c.ports.map((p) => p.port),
    [8080],
  );
  assert.equal(c.lifecycle, 'long-running');
  assert.deepEqual(c.probes[0]?.action, {
    type: 'http',
    path: '/health',
    port: 8080,
    scheme: 'HTTP',
    headers: {},
  });
  const d = flags({
    port: ['9090'],
    http: ['/x:7070'],
    expectExit: '3',
    env: ['A=b=c'],
    runAsNonRoot: true,
  });
  // --port replaces the EXPOSE ports; --http adds its port.
  assert.deepEqual(
    d.ports.map((p) => p.port),
    [9090, 7070],
  );
  assert.equal(d.probes[0]?.action.type === 'http' && d.probes[0].action.port, 7070);
  assert.equal(d.lifecycle, 'batch');
  assert.equal(d.expectExit, 3);
  assert.deepEqual(d.env, { A: 'b=c' });
  assert.deepEqual(d.user, { runAsNonRoot: true });
  assert.throws(() => flags({ port: ['70000'] }), UsageError);
  assert.throws(() => flags({ env: ['NOEQUALS'] }), UsageError);
  assert.throws(() => flags({ expectExit: '256' }), UsageError);
  assert.throws(() => flags({ http: ['health'] }), UsageError);
  // Two EXPOSE ports and --http without one: which to ask is not guessed.
  const two = {
    ...IMAGE,
    platforms: [
      { ...IMAGE.platforms[0]!, config: { config: { ExposedPorts: { '443/tcp': {}, '80/tcp': {} } } } },
    ],
  };
  assert.throws(
    () => contractFromFlags({ http: ['/health'] }, two),
    (e: unknown) =>
      e instanceof UsageError && /routes to ports 80, 443: write it as \/health:PORT/.test(e.hint ?? ''),
  );
  assert.equal(parseDurationFlag('1.5s', 'x'), 1.5);
  assert.equal(parseDurationFlag('250ms', 'x'), 0.25);
  assert.equal(parseDurationFlag('2m', 'x'), 120);
  assert.equal(parseDurationFlag('1m30s', 'x'), 90);
  assert.equal(parseDurationFlag('7', 'x'), 7);
  assert.throws(() => parseDurationFlag('soon', 'x'), UsageError);
});

const BASE: SmokeContract = flags();

test('docker create arguments: command replaces the entrypoint and drops the image Cmd; args replace Cmd', () => {
  const opts = {
    name: 'n',
    label: 'crossdock.smoke=r',
    network: 'net',
    platform: 'linux/arm64',
    imageRef: 'r/x@sha256:1',
  };
  const withCommand = createArgs(
    {
      ...BASE,
      entrypoint: ['/app/run', '--serve'],
      env: { A: '1' },
      user: { runAsUser: 1000, runAsGroup: 3000 },
      workingDir: '/app',
    },
    opts,
  );
  assert.deepEqual(withCommand, [
    'create',
    '--name',
    'n',
    '--label',
    'crossdock.smoke=r',
    '--platform',
    'linux/arm64',
    '--network',
    'net',
    '--env',
    'A=1',
    '--user',
    '1000:3000',
    '--workdir',
    '/app',
    '--entrypoint',
    '/app/run',
    'r/x@sha256:1',
    '--serve',
  ]);
  const withArgs = createArgs(
    { ...BASE, cmd: ['worker'], user: { composeUser: 'app' } },
    { ...opts, init: true },
  );
  assert.deepEqual(withArgs.slice(-5), ['--init', '--user', 'app', 'r/x@sha256:1', 'worker']);
  assert.deepEqual(effectiveArgv({ ...BASE, entrypoint: ['/bin/sh'] }, { Entrypoint: ['/e'], Cmd: ['c'] }), [
    '/bin/sh',
  ]);
  assert.deepEqual(effectiveArgv({ ...BASE, cmd: ['x'] }, { Entrypoint: ['/e'], Cmd: ['c'] }), ['/e', 'x']);
  assert.deepEqual(effectiveArgv(BASE, { Entrypoint: null, Cmd: ['c'] }), ['c']);
});

test("runAsNonRoot: kubelet's own messages for root and non-numeric users", () => {
  const nonRoot = { ...BASE, user: { runAsNonRoot: true } };
  assert.equal(
    kubeletUserVerdict(nonRoot, undefined),
    'container has runAsNonRoot and image will run as root',
  );
  assert.equal(kubeletUserVerdict(nonRoot, '0:0'), 'container has runAsNonRoot and image will run as root');
  assert.equal(
    kubeletUserVerdict(nonRoot, 'www-data'),
    'container has runAsNonRoot and image has non-numeric user (www-data), cannot verify user is non-root',
  );
  assert.equal(kubeletUserVerdict(nonRoot, '10001'), undefined);
  assert.equal(
    kubeletUserVerdict({ ...BASE, user: { runAsNonRoot: true, runAsUser: 0 } }, '10001'),
    "container's runAsUser breaks non-root policy",
  );
  assert.equal(
    kubeletUserVerdict({ ...BASE, user: { runAsNonRoot: true, runAsUser: 5 } }, 'www-data'),
    undefined,
  );
  assert.equal(kubeletUserVerdict(BASE, undefined), undefined);
  assert.equal(stopGrace({ ...BASE, terminationGracePeriodSeconds: 30 }, 2), 2);
  assert.equal(stopGrace({ ...BASE, terminationGracePeriodSeconds: 1 }, 2), 1);
  assert.equal(stopGrace({ ...BASE, terminationGracePeriodSeconds: 30 }, undefined), 30);
});

test('docker inspect of a container: state, PID 1, init, addresses', () => {
  const s = parseContainerState(
    JSON.stringify({
      Path: '/bin/busybox',
      Args: ['httpd', '-f'],
      State: { Status: 'exited', Running: false, ExitCode: 137, Error: '', Pid: 0, OOMKilled: false },
      HostConfig: { Init: true },
      NetworkSettings: {
        Networks: { 'crossdock-smoke-x': { IPAddress: '172.18.0.2' }, none: { IPAddress: '' } },
      },
    }),
  );
  assert.equal(s?.exitCode, 137);
  assert.equal(s?.init, true);
  assert.deepEqual(s?.args, ['httpd', '-f']);
  assert.deepEqual(s?.ips, { 'crossdock-smoke-x': '172.18.0.2' });
  assert.equal(parseContainerState('not json'), undefined);
});

test('smoke: a malformed flag is a usage error before the registry or the manifests are read', async () => {
  // Nothing listens on port 1 and the manifest does not exist: were either read first, the error would be theirs.
  for (const [flag, message] of [
    [['--expect-exit', '300'], /--expect-exit 300: not an exit code/],
    [['--env', 'NOEQUALS'], /--env NOEQUALS: not NAME=VALUE/],
    [['--http', 'health'], /--http health: the path must start with \//],
    [['--run-as-user', 'app'], /--run-as-user app: not a numeric uid/],
  ] as const) {
    const r = await runCli(['smoke', '127.0.0.1:1/team/app:1', '--manifest', 'missing.yaml', ...flag]);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, message);
  }
  // `--http PATH` without a port is well formed: which port it means is decided against the contract, so here
  // the manifest is what fails.
  const r = await runCli([
    'smoke',
    '127.0.0.1:1/team/app:1',
    '--manifest',
    'missing.yaml',
    '--http',
    '/health',
  ]);
  assert.equal(r.code, 2, r.stderr);
  assert.doesNotMatch(r.stderr, /--http/);
});

test('checkFlags: well-formed flags pass whatever the contract will hold', () => {
  // A port-less --http beside --port (or beside several EXPOSE ports) is decided later, not refused here.
  checkFlags({ port: ['8080'], http: ['/health'] });
  checkFlags({ port: ['8080', '9090'], http: ['/health', '/metrics:9090'] });
  assert.throws(() => checkFlags({ http: ['/health:99999'] }), /--http/);
  assert.throws(() => checkFlags({ http: ['health'] }), /the path must start with \//);
});
