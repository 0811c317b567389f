import assert from 'node:assert/strict';
import { test } from 'node:test';
import rule from '../../src/rules/python-version-mismatch.js';
import { checkRepo } from '../helpers/check.js';

test("a base image's Python outside requires-python is reported at the image, with the constraint as related", async () => {
  const findings = await checkRepo(
    {
      files: {
        'pyproject.toml': '[project]\nname = "svc"\nrequires-python = ">=3.10"\n',
        Dockerfile: 'ARG PY=3.9\nFROM python:${PY}-slim\nRUN pip install .\n',
      },
    },
    [rule],
  );
  assert.deepEqual(
    findings.map((f) => `${f.line}:${f.column}-${f.endColumn}`),
    ['2:6-23'],
  );
  assert.match(
    findings[0]?.message ?? '',
    /runs Python 3\.9 \(the python:3\.9-slim image\), but requires-python in pyproject\.toml requires ">=3\.10"/,
  );
  assert.deepEqual(
    findings[0]?.related.map((r) => `${r.file}:${r.line}:${r.column}`),
    ['pyproject.toml:3:19'],
  );
});

test('distro python3, .python-version and setup.py constraints; deadsnakes installs win over the image', async () => {
  const cases: [Record<string, string>, string[]][] = [
    [
      {
        'setup.py': 'setup(name="x", python_requires=">=3.11")\n',
        Dockerfile: 'FROM debian:bookworm-slim\nRUN apt-get install -y python3\n',
      },
      [],
    ],
    [
      {
        'setup.py': 'setup(python_requires=">=3.12")\n',
        Dockerfile: 'FROM ubuntu:22.04\nRUN apt-get install -y python3-pip\n',
      },
      ['1:6'],
    ],
    [{ '.python-version': '3.12.1\n', Dockerfile: 'FROM alpine:3.18\nRUN apk add python3\n' }, ['1:6']],
    [
      {
        '.python-version': '3.11\n',
        Dockerfile: 'FROM ubuntu:22.04\nRUN apt-get install -y python3.11 python3.11-venv\n',
      },
      [],
    ],
  ];
  for (const [files, expected] of cases) {
    const findings = await checkRepo({ files }, [rule]);
    assert.deepEqual(
      findings.map((f) => `${f.line}:${f.column}`),
      expected,
      JSON.stringify(files),
    );
  }
});

test('a builder stage on another Python than the runtime receiving its site-packages is reported at the COPY', async () => {
  const findings = await checkRepo(
    {
      files: {
        Dockerfile: [
          'FROM python:3.11 AS builder',
          'RUN python -m venv /opt/venv && /opt/venv/bin/pip install -r requirements.txt',
          'FROM python:3.12-slim',
          'COPY --from=builder /opt/venv /opt/venv',
          '',
        ].join('\n'),
      },
    },
    [rule],
  );
  assert.deepEqual(
    findings.map((f) => `${f.line}:${f.column}`),
    ['4:1'],
  );
  assert.match(
    findings[0]?.message ?? '',
    /stage "builder" builds with Python 3\.11 and this stage runs Python 3\.12.*cpython-311/,
  );
});
