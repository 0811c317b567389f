import assert from 'node:assert/strict';
import { test } from 'node:test';
import rule from '../../src/rules/arch-specific-download.js';
import { checkRepo } from '../helpers/check.js';

const df = [
  'FROM debian:12-slim',
  'RUN curl -fsSL https://example.com/tool/v1.2/tool-linux-amd64.tar.gz | tar xz -C /usr/local/bin',
  'ARG TARGETARCH',
  'RUN curl -fsSL https://example.com/tool/v1.2/tool-linux-${TARGETARCH}.tar.gz | tar xz',
  'ADD https://github.com/krallin/tini/releases/download/v0.19.0/tini-amd64 /tini',
  'RUN ARCH=$(uname -m) && wget https://example.com/x-$ARCH-aarch64.tgz',
  'RUN echo amd64',
  '',
].join('\n');

test('arch-specific downloads are reported at the URL when targets span architectures', async () => {
  const findings = await checkRepo({ files: { Dockerfile: df } }, [rule]);
  assert.deepEqual(
    findings.map((f) => `${f.line}:${f.column}-${f.endColumn}`),
    ['2:16-69', '5:5-73'],
  );
  assert.match(
    findings[0]?.message ?? '',
    /fetches the "amd64" build for every target platform; the arm64 image/,
  );
});

test('a single-architecture target set reports nothing', async () => {
  const findings = await checkRepo(
    { files: { Dockerfile: df, 'crossdock.yaml': 'platforms: [linux/amd64]\n' } },
    [rule],
  );
  assert.deepEqual(findings, []);
});
