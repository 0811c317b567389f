import assert from 'node:assert/strict';
import { test } from 'node:test';
import rule from '../../src/rules/entrypoint-missing.js';
import { checkRepo } from '../helpers/check.js';

const repo = (dockerfile: string, extra: Record<string, string> = {}) => ({
  files: { Dockerfile: dockerfile, ...extra },
});

test('an init or script the final image never receives is reported at the program', async () => {
  const cases: [string, string[]][] = [
    ['FROM python:3.12-slim\nENTRYPOINT ["tini", "--"]\nCMD ["python", "-m", "app"]\n', ['2:13-19']],
    ['FROM python:3.12-slim\nWORKDIR /app\nCMD ["./start.sh"]\n', ['3:6-18']],
    [
      'FROM python:3.12-slim AS build\nCOPY start.sh /app/start.sh\nFROM python:3.12-slim\nENTRYPOINT ["/app/start.sh"]\n',
      ['4:13-28'],
    ],
    ['FROM scratch\nCOPY app /app\nENTRYPOINT ["/server"]\n', ['3:13-22']],
    // A tar unpacked elsewhere does not provide the program; COPY never unpacks.
    ['FROM scratch\nADD rootfs.tar.gz /opt/\nENTRYPOINT ["/server"]\n', ['3:13-22']],
    ['FROM scratch\nCOPY rootfs.tar /\nENTRYPOINT ["/server"]\n', ['3:13-22']],
  ];
  for (const [df, expected] of cases) {
    const findings = await checkRepo(repo(df, { 'start.sh': '#!/bin/sh\n', app: 'x' }), [rule]);
    assert.deepEqual(
      findings.map((f) => `${f.line}:${f.column}-${f.endColumn}`),
      expected,
      df,
    );
  }
});

test('programs copied, installed, or shipped by the base are fine', async () => {
  const fine = [
    'FROM python:3.12-slim\nRUN apt-get update && apt-get install -y tini\nENTRYPOINT ["tini", "--"]\n',
    'FROM python:3.12-slim\nWORKDIR /app\nCOPY . .\nCMD ["./start.sh"]\n',
    'FROM python:3.12-slim\nCOPY start.sh /usr/local/bin/\nENTRYPOINT ["/usr/local/bin/start.sh"]\n',
    'FROM python:3.12-slim\nCOPY --chmod=755 start.sh /docker-entrypoint.sh\nENTRYPOINT ["/docker-entrypoint.sh"]\n',
    'FROM python:3.12-slim\nCMD ["python", "-m", "app"]\n',
    'FROM python:3.12-slim\nADD https://github.com/krallin/tini/releases/download/v0.19.0/tini /tini\nENTRYPOINT ["/tini", "--"]\n',
    'FROM mycorp/base:1\nENTRYPOINT ["/opt/entry.sh"]\n',
    // A root filesystem unpacked by ADD (examples/build-sample), through a base stage.
    'FROM scratch AS base\nARG TARGETARCH\nADD rootfs-${TARGETARCH}.tar /\nFROM base\nENTRYPOINT ["/bin/busybox", "sh"]\n',
    'FROM scratch\nADD rootfs.tar.gz /opt/\nENTRYPOINT ["/opt/bin/server"]\n',
  ];
  for (const df of fine)
    assert.deepEqual(await checkRepo(repo(df, { 'start.sh': '#!/bin/sh\n' }), [rule]), [], df);
});
