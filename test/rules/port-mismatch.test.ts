// biome-ignore-all lint/suspicious/noTemplateCurlyInString: Dockerfile fixtures hold `${PORT}` text literally.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import rule from '../../src/rules/port-mismatch.js';
import { at, checkRepo } from '../helpers/check.js';

const dockerfile = [
  'FROM python:3.12-slim',
  'WORKDIR /app',
  'COPY . .',
  'EXPOSE 5000',
  'USER 10001',
  'CMD ["python", "app.py"]',
  '',
].join('\n');

const buildScript = [
  '#!/usr/bin/env bash',
  'set -euo pipefail',
  'docker buildx build --platform linux/amd64,linux/arm64 -t registry.example.com:5000/team/api:1.0 --push -f api/Dockerfile api',
  '',
].join('\n');

/** Deployment + Service for the api image; `port` is the containerPort named `http`. */
function manifests(port: number, opts: { namespace?: string } = {}): string {
  const ns = opts.namespace ? `  namespace: ${opts.namespace}\n` : '';
  return [
    'apiVersion: apps/v1',
    'kind: Deployment',
    'metadata:',
    '  name: api',
    'spec:',
    '  replicas: 2',
    '  selector:',
    '    matchLabels:',
    '      app: api',
    '  template:',
    '    metadata:',
    '      labels:',
    '        app: api',
    '    spec:',
    '      containers:',
    '        - name: api',
    '          image: registry.example.com:5000/team/api:1.0',
    '          ports:',
    '            - name: http',
    `              containerPort: ${port}`,
    '          readinessProbe:',
    '            httpGet:',
    '              path: /healthz',
    '              port: http',
    '          livenessProbe:',
    '            tcpSocket:',
    '              port: 5000',
    '---',
    'apiVersion: v1',
    'kind: Service',
    'metadata:',
    '  name: api',
    `${ns}spec:`,
    '  selector:',
    '    app: api',
    '  ports:',
    '    - port: 80',
    '      targetPort: http',
    '',
  ].join('\n');
}

test('containerPort, a probe and a Service targetPort resolved through a named port are reported at their values', async () => {
  const findings = await checkRepo(
    {
      files: {
        'api/Dockerfile': dockerfile,
        'api/app.py': 'print(1)\n',
        'scripts/build.sh': buildScript,
        'k8s/api.yaml': manifests(8080),
      },
    },
    [rule],
  );
  assert.deepEqual(at(findings), ['port-mismatch@20:30', 'port-mismatch@24:21', 'port-mismatch@38:19']);
  assert.ok(findings.every((f) => f.file === 'k8s/api.yaml' && f.severity === 'error'));
  const [container, probe, service] = findings.map((f) => f.message);
  assert.equal(
    container,
    'containerPort of Deployment "api" uses port 8080, but the image built from api/Dockerfile declares 5000: traffic to it reaches nothing',
  );
  assert.match(probe ?? '', /^the readiness probe of Deployment "api" uses port 8080, .*never ready$/);
  assert.match(
    service ?? '',
    /^Service "api" targetPort of Deployment "api" uses port 8080, .*no working endpoint$/,
  );
  // The liveness probe on 5000 agrees with EXPOSE 5000: not reported.
  assert.ok(!findings.some((f) => f.line === 27));
  assert.deepEqual(
    findings[0]?.related.map((r) => `${r.file}:${r.line}:${r.column} ${r.message}`),
    ['api/Dockerfile:4:1 the image declares port 5000 here'],
  );
  assert.equal(findings[0]?.endColumn, 34);
});

test('the port the image declares reports nothing', async () => {
  const findings = await checkRepo(
    {
      files: {
        'api/Dockerfile': dockerfile,
        'scripts/build.sh': buildScript,
        'k8s/api.yaml': manifests(5000),
      },
    },
    [rule],
  );
  assert.deepEqual(findings, []);
});

test('a Service in another namespace does not select the workload', async () => {
  const findings = await checkRepo(
    {
      files: {
        'api/Dockerfile': dockerfile,
        'scripts/build.sh': buildScript,
        'k8s/api.yaml': manifests(8080, { namespace: 'other' }),
      },
    },
    [rule],
  );
  assert.deepEqual(at(findings), ['port-mismatch@20:30', 'port-mismatch@24:21']);
});

test('EXPOSE through an ARG takes the build arg of the build that produces the image', async () => {
  const files = {
    'api/Dockerfile': 'FROM python:3.12-slim\nARG PORT=8000\nEXPOSE ${PORT}\nUSER 10001\n',
    'scripts/build.sh': buildScript.replace('--push', '--build-arg PORT=8080 --push'),
    'k8s/api.yaml': manifests(8080).replace('port: 5000', 'port: http'),
  };
  assert.deepEqual(await checkRepo({ files }, [rule]), []);
  // Without the build arg the image declares the ARG default, 8000.
  const findings = await checkRepo({ files: { ...files, 'scripts/build.sh': buildScript } }, [rule]);
  assert.deepEqual(at(findings), [
    'port-mismatch@20:30',
    'port-mismatch@24:21',
    'port-mismatch@27:21',
    'port-mismatch@38:19',
  ]);
  assert.match(findings[0]?.message ?? '', /declares 8000:/);
});

test('compose: the container side of `ports` and the healthcheck URL are checked against EXPOSE / ENV PORT', async () => {
  const compose = [
    'services:',
    '  web:',
    '    build: ./web',
    '    ports:',
    '      - "8080:8000"',
    '      - "9090:3000"',
    '    healthcheck:',
    '      test: ["CMD", "curl", "-f", "http://localhost:8000/health"]',
    '  cache:',
    '    image: redis:7',
    '    ports:',
    '      - "6379:6379"',
    '',
  ].join('\n');
  const findings = await checkRepo(
    {
      files: {
        'web/Dockerfile': 'FROM node:20-slim\nENV PORT=3000\nCOPY . .\nCMD ["node", "server.js"]\n',
        'web/server.js': 'x',
        'compose.yaml': compose,
      },
    },
    [rule],
  );
  assert.deepEqual(at(findings), ['port-mismatch@5:9', 'port-mismatch@8:13']);
  assert.equal(
    findings[0]?.message,
    'the container side of `ports` of compose service "web" uses port 8000, but the image built from web/Dockerfile declares 3000: the published port reaches nothing',
  );
  assert.match(findings[1]?.message ?? '', /^the healthcheck probe of compose service "web" uses port 8000/);
  assert.deepEqual(
    findings[0]?.related.map((r) => `${r.file}:${r.line}`),
    ['web/Dockerfile:2'],
  );
});

test('images this repository does not build, and Dockerfiles without EXPOSE, are not checked', async () => {
  const redis = manifests(6380)
    .replace('registry.example.com:5000/team/api:1.0', 'redis:7')
    .replaceAll('app: api', 'app: redis')
    .replaceAll('name: api', 'name: redis');
  const notBuilt = await checkRepo(
    {
      files: {
        'api/Dockerfile': dockerfile,
        'scripts/build.sh': buildScript,
        'k8s/api.yaml': manifests(5000),
        'k8s/redis.yaml': redis,
      },
    },
    [rule],
  );
  assert.deepEqual(notBuilt, []);
  const noExpose = await checkRepo(
    {
      files: {
        'api/Dockerfile': 'FROM python:3.12-slim\nUSER 10001\nCMD ["python", "app.py"]\n',
        'scripts/build.sh': buildScript,
        'k8s/api.yaml': manifests(8080),
      },
    },
    [rule],
  );
  assert.deepEqual(noExpose, []);
});
