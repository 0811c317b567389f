import assert from 'node:assert/strict';
import { test } from 'node:test';
import { InternalError, UsageError } from '../../src/errors.js';
import {
  applyFlags,
  applyImageConfig,
  contractsFromManifests,
  effectiveArgv,
  emptyContract,
  parseDurationFlag,
  type SmokeFlags,
  type SmokeImageConfig,
  probeDeadlineSeconds,
  startupWindowSeconds,
} from '../../src/smoke/contract.js';
import { contractFromFlags } from '../../src/smoke/flags.js';
import type { SmokeImage } from '../../src/smoke/run.js';
import type { SmokeContract, SmokeProbe } from '../../src/smoke/types.js';

/** A Deployment whose container has the given extra lines (command, args, env…). */
function deployment(lines: string[]): SmokeContract {
  const text = [
    'apiVersion: apps/v1',
    'kind: Deployment',
    'metadata:',
    '  name: web',
    'spec:',
    '  template:',
    '    spec:',
    '      containers:',
    '        - name: web',
    '          image: example.com/web:1',
    ...lines.map((l) => `          ${l}`),
  ].join('\n');
  const [c] = contractsFromManifests([{ path: 'deploy.yaml', text }]).contracts;
  assert.ok(c);
  return c;
}

function compose(lines: string[]): SmokeContract {
  const text = ['services:', '  web:', '    image: example.com/web:1', ...lines.map((l) => `    ${l}`)].join(
    '\n',
  );
  const [c] = contractsFromManifests([{ path: 'compose.yaml', text }]).contracts;
  assert.ok(c);
  return c;
}

const IMAGE: SmokeImageConfig = {
  Entrypoint: ['/docker-entrypoint.sh'],
  Cmd: ['serve', '--port', '80'],
  Env: ['PATH=/usr/local/bin:/usr/bin', 'MODE=image', 'TOKEN=image-default'],
  User: 'app',
  WorkingDir: '/app',
  ExposedPorts: { '80/tcp': {}, '53/udp': {} },
  Healthcheck: { Test: ['CMD-SHELL', 'wget -q -O- http://localhost/health'], Interval: 7e9, Retries: 2 },
};

test('Kubernetes: command replaces Entrypoint and drops Cmd; args replaces Cmd only', () => {
  const both = applyImageConfig(deployment(['command: ["/bin/app"]', 'args: ["--fast"]']), IMAGE);
  assert.deepEqual([both.entrypoint, both.cmd], [['/bin/app'], ['--fast']]);
  const command = applyImageConfig(deployment(['command: ["/bin/app"]']), IMAGE);
  assert.deepEqual([command.entrypoint, command.cmd], [['/bin/app'], []]);
  const args = applyImageConfig(deployment(['args: ["--fast"]']), IMAGE);
  assert.deepEqual([args.entrypoint, args.cmd], [['/docker-entrypoint.sh'], ['--fast']]);
  const neither = applyImageConfig(deployment([]), IMAGE);
  assert.deepEqual(effectiveArgv(neither), ['/docker-entrypoint.sh', 'serve', '--port', '80']);
  assert.ok(neither.imageConfigApplied);
  // Before the image config, the argv depends on it unless both are overridden.
  assert.equal(effectiveArgv(deployment(['args: ["--fast"]'])), undefined);
  assert.deepEqual(effectiveArgv(deployment(['command: ["/bin/app"]', 'args: ["-v"]'])), ['/bin/app', '-v']);
  // Each platform's config applies to the contract as derived, never on top of another.
  assert.throws(() => applyImageConfig(command, IMAGE), InternalError);
});

test('effectiveArgv: the same argv from the image config as after applyImageConfig; empty command/args', () => {
  for (const lines of [
    [],
    ['command: ["/bin/app"]'],
    ['args: ["--fast"]'],
    ['command: ["/bin/app"]', 'args: ["-v"]'],
  ]) {
    const c = deployment(lines);
    assert.deepEqual(effectiveArgv(c, IMAGE), effectiveArgv(applyImageConfig(c, IMAGE)), lines.join(' '));
  }
  // An empty Kubernetes `command` or `args` overrides nothing: the CRI runs the image's Entrypoint and Cmd
  // (containerd's WithProcessArgs), where an empty list used to run no command at all.
  const empty = deployment(['command: []', 'args: []']);
  assert.deepEqual([empty.entrypoint, empty.cmd], [undefined, undefined]);
  assert.deepEqual(effectiveArgv(empty, IMAGE), ['/docker-entrypoint.sh', 'serve', '--port', '80']);
  assert.deepEqual(effectiveArgv(deployment(['command: ["/bin/app"]', 'args: []']), IMAGE), ['/bin/app']);
});

test('compose: entrypoint replaces Entrypoint and drops Cmd; command replaces Cmd only', () => {
  const entrypoint = applyImageConfig(compose(['entrypoint: /bin/app -v']), IMAGE);
  assert.deepEqual([entrypoint.entrypoint, entrypoint.cmd], [['/bin/app', '-v'], []]);
  const command = applyImageConfig(compose(['command: ["run"]']), IMAGE);
  assert.deepEqual([command.entrypoint, command.cmd], [['/docker-entrypoint.sh'], ['run']]);
});

test("env, user, working directory: the image's under the deployment's", () => {
  const c = applyImageConfig(
    deployment([
      'env:',
      '  - name: MODE',
      '    value: deploy',
      '  - name: TOKEN',
      '    valueFrom:',
      '      secretKeyRef: {name: s, key: t}',
      'securityContext:',
      '  runAsNonRoot: true',
    ]),
    IMAGE,
  );
  // MODE from the deployment wins; TOKEN is not provided, so the image's default is not claimed as its value.
  assert.deepEqual(c.env, { PATH: '/usr/local/bin:/usr/bin', MODE: 'deploy' });
  assert.deepEqual(
    c.envNotProvided.map((n) => n.name),
    ['TOKEN'],
  );
  assert.deepEqual(c.user, { runAsNonRoot: true, imageUser: 'app' });
  assert.equal(c.workingDir, '/app');
  assert.equal(applyImageConfig(deployment(['workingDir: /srv']), IMAGE).workingDir, '/srv');
  assert.ok(c.sources.some((s) => s.file === 'image config' && s.what === 'User'));
});

test('ExposedPorts count only without a deployment; Kubernetes ignores HEALTHCHECK', () => {
  const k8s = applyImageConfig(deployment([]), IMAGE);
  assert.deepEqual(k8s.ports, []);
  assert.deepEqual(k8s.probes, []);
  assert.deepEqual(k8s.notes, [
    "Kubernetes ignores the image's HEALTHCHECK: it is not part of this contract",
  ]);
  const flags = applyImageConfig(emptyContract('flags', 'example.com/web:1'), IMAGE);
  assert.deepEqual(
    flags.ports.map((p) => [p.port, p.source.what]),
    [[80, 'ExposedPorts 80/tcp']],
  );
  assert.deepEqual(flags.probes, [
    {
      kind: 'healthcheck',
      action: { type: 'exec', command: ['/bin/sh', '-c', 'wget -q -O- http://localhost/health'] },
      initialDelaySeconds: 0,
      periodSeconds: 7,
      timeoutSeconds: 30,
      failureThreshold: 2,
      source: { file: 'image config', what: 'Healthcheck (Dockerfile HEALTHCHECK)' },
    },
  ]);
  // A SHELL instruction runs CMD-SHELL checks.
  const shell = applyImageConfig(emptyContract('flags', undefined), {
    ...IMAGE,
    Shell: ['/bin/bash', '-lc'],
  });
  assert.deepEqual(shell.probes[0]?.action, {
    type: 'exec',
    command: ['/bin/bash', '-lc', 'wget -q -O- http://localhost/health'],
  });
  // First looked at after 10 s (the shortest window: the check's first run is at 0 + 7 s); the check counts as
  // failed after 0 + 7 × 2 s.
  assert.equal(startupWindowSeconds(flags), 10);
  assert.equal(probeDeadlineSeconds(flags.probes[0] as SmokeProbe), 14);
});

test('compose healthcheck merges with the image HEALTHCHECK field by field; disable and NONE turn it off', () => {
  // Only an interval: the test and retries come from the image.
  const partial = applyImageConfig(compose(['healthcheck:', '  interval: 5s', '  start_period: 1m']), IMAGE);
  assert.deepEqual(
    partial.probes.map((p) => [
      p.action,
      p.initialDelaySeconds,
      p.periodSeconds,
      p.timeoutSeconds,
      p.failureThreshold,
    ]),
    [[{ type: 'exec', command: ['/bin/sh', '-c', 'wget -q -O- http://localhost/health'] }, 60, 5, 30, 2]],
  );
  // Its own test replaces the image's, as a CMD-SHELL string.
  const own = applyImageConfig(compose(['healthcheck:', '  test: curl -f localhost:8080']), IMAGE);
  assert.deepEqual(own.probes[0]?.action, {
    type: 'exec',
    command: ['/bin/sh', '-c', 'curl -f localhost:8080'],
  });
  assert.equal(own.probes[0]?.source.line, 5);
  assert.deepEqual(applyImageConfig(compose(['healthcheck:', '  disable: true']), IMAGE).probes, []);
  assert.deepEqual(applyImageConfig(compose(['healthcheck:', '  test: ["NONE"]']), IMAGE).probes, []);
  // No compose healthcheck: the image's runs.
  assert.equal(applyImageConfig(compose([]), IMAGE).probes.length, 1);
  assert.deepEqual(applyImageConfig(compose([]), { ...IMAGE, Healthcheck: { Test: ['NONE'] } }).probes, []);
});

test('flags: --port, --http, --expect-exit, --env, --startup-window', () => {
  const base = deployment([
    'ports:',
    '  - containerPort: 8080',
    'env:',
    '  - name: TOKEN',
    '    valueFrom:',
    '      secretKeyRef: {name: s, key: t}',
  ]);
  const k = applyFlags(base, {
    port: ['9000'],
    http: ['/metrics:9100'],
    env: ['TOKEN=abc', 'EXTRA=a=b'],
    startupWindow: '1m30s',
  });
  assert.deepEqual(
    k.ports.map((p) => [p.port, p.source.file]),
    [
      [8080, 'deploy.yaml'],
      [9000, '--port'],
      [9100, '--http'],
    ],
  );
  assert.deepEqual(k.probes, [
    {
      kind: 'readiness',
      action: { type: 'http', path: '/metrics', port: 9100, scheme: 'HTTP', headers: {} },
      initialDelaySeconds: 0,
      periodSeconds: 10,
      timeoutSeconds: 1,
      failureThreshold: 3,
      source: { file: '--http', what: '--http /metrics:9100' },
    },
  ]);
  assert.deepEqual(k.env, { TOKEN: 'abc', EXTRA: 'a=b' });
  // --env provides what the secret would have; its value is not written into the sources.
  assert.deepEqual(k.envNotProvided, []);
  assert.ok(!JSON.stringify(k.sources).includes('abc'));
  assert.equal(startupWindowSeconds(k), 90);
  // The original is untouched.
  assert.deepEqual(base.ports.length, 1);
  // --http without a port asks the only port.
  assert.equal(applyFlags(base, { http: ['/healthz'] }).probes[0]?.action.type, 'http');
  assert.deepEqual(applyFlags(base, { http: ['/healthz'] }).probes[0]?.action, {
    type: 'http',
    path: '/healthz',
    port: 8080,
    scheme: 'HTTP',
    headers: {},
  });
  const batch = applyFlags(base, { expectExit: '3' });
  assert.deepEqual([batch.lifecycle, batch.expectExit], ['batch', 3]);
  assert.equal(parseDurationFlag('20', '--startup-window'), 20);
  assert.equal(parseDurationFlag('500ms', '--startup-window'), 0.5);
});

test('flags with bad values are usage errors that say how to write them', () => {
  const two = applyFlags(emptyContract('flags', undefined), { port: [80, 443] });
  const bad: [string, Parameters<typeof applyFlags>[1], RegExp][] = [
    ['port out of range', { port: ['70000'] }, /--port 70000: not a port number/],
    ['port not a number', { port: ['http'] }, /--port http: not a port number/],
    ['http without a slash', { http: ['healthz:80'] }, /the path must start with \//],
    ['http, two ports', { http: ['/healthz'] }, /--http \/healthz: which port to ask is not known/],
    ['exit code', { expectExit: '256' }, /--expect-exit 256: not an exit code/],
    ['env without =', { env: ['TOKEN'] }, /--env TOKEN: not NAME=VALUE/],
    ['window', { startupWindow: '10 parsecs' }, /--startup-window 10 parsecs: not a duration/],
    ['window zero', { startupWindow: '0s' }, /not a duration/],
    ['uid', { runAsUser: 'root' }, /--run-as-user root: not a numeric uid/],
    ['grace period', { gracePeriod: '30s' }, /--grace-period 30s: not a number of seconds/],
  ];
  for (const [what, flags, message] of bad)
    assert.throws(
      () => applyFlags(two, flags),
      (e: unknown) => e instanceof UsageError && message.test(e.message) && !!e.hint,
      what,
    );
  assert.throws(
    () => applyFlags(emptyContract('flags', undefined), { http: ['/healthz'] }),
    (e: unknown) =>
      e instanceof UsageError && /routes to no port: write it as \/healthz:PORT/.test(e.hint ?? ''),
  );
});

test('flags over a derived contract replace its user and grace period and add imports, each with its source', () => {
  const base = deployment(['securityContext: {runAsUser: 1000}']);
  assert.equal(base.user.runAsUser, 1000);
  const k = applyFlags(base, {
    runAsUser: '2000',
    runAsNonRoot: true,
    gracePeriod: '5',
    pythonImports: ['numpy'],
  });
  assert.deepEqual(k.user, { runAsUser: 2000, runAsNonRoot: true });
  assert.equal(k.terminationGracePeriodSeconds, 5);
  assert.deepEqual(k.pythonImports, ['numpy']);
  assert.deepEqual(
    k.sources.slice(-4).map((s) => s.what),
    ['--python-import numpy', '--run-as-user 2000', '--run-as-non-root', '--grace-period 5'],
  );
  // compose's 10 s default (or stop_grace_period) is replaced too.
  assert.equal(
    applyFlags(compose(['stop_grace_period: 1m']), { gracePeriod: '0' }).terminationGracePeriodSeconds,
    0,
  );
});

test('a bad flag value is the same usage error with and without deployment files', () => {
  const image: SmokeImage = { reference: 'r/x:1', repository: 'r/x', digest: 'sha256:0', platforms: [] };
  const derived = deployment(['ports:', '  - containerPort: 8080']);
  const error = (f: () => unknown): [string, string | undefined] => {
    try {
      f();
    } catch (e) {
      if (e instanceof UsageError) return [e.message, e.hint];
      throw e;
    }
    return assert.fail('no usage error');
  };
  const bad: SmokeFlags[] = [
    { port: ['0'] },
    { http: ['health'] },
    { http: ['/health:99999'] },
    { expectExit: '-1' },
    { env: ['=x'] },
    { runAsUser: '1.5' },
    { gracePeriod: 'soon' },
    { startupWindow: '0' },
  ];
  for (const flags of bad)
    assert.deepEqual(
      error(() => contractFromFlags(flags, image)),
      error(() => applyFlags(derived, flags)),
      JSON.stringify(flags),
    );
});
