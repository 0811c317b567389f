import assert from 'node:assert/strict';
import { test } from 'node:test';
import rule from '../../src/rules/local-requirement-before-copy.js';
import { checkRepo } from '../helpers/check.js';

test('local paths and requirement files installed before they are copied are reported', async () => {
  const findings = await checkRepo(
    {
      files: {
        'requirements.txt': 'flask==3.0.0\n-e ./libs/common\n',
        Dockerfile: [
          'FROM python:3.12-slim',
          'WORKDIR /app',
          'COPY README.md .',
          'RUN pip install .',
          'RUN pip install -r requirements.txt',
          'COPY requirements.txt .',
          'RUN pip install -r requirements.txt',
          'RUN pip install -e ./libs/common',
          'COPY . .',
          'RUN pip install -e ./libs/common && pip install .',
          '',
        ].join('\n'),
      },
    },
    [rule],
  );
  assert.deepEqual(
    findings.map((f) => `${f.line}:${f.column} ${f.message.slice(0, 40)}`),
    [
      '4:17 `pip install .` runs before `/app` is co',
      '5:20 `pip install -r requirements.txt` runs b',
      '7:20 `requirements.txt` installs the local pa',
      '8:20 `pip install ./libs/common` runs before ',
    ],
  );
});

test('a bind mount of the context, or the project file copied first, is fine', async () => {
  const findings = await checkRepo(
    {
      files: {
        Dockerfile: 'FROM python:3.12-slim\nWORKDIR /src\nRUN --mount=type=bind,target=/src pip install .\n',
      },
    },
    [rule],
  );
  assert.deepEqual(findings, []);
});
