import assert from 'node:assert/strict';
import { test } from 'node:test';
import rule from '../../src/rules/missing-file.js';
import { checkRepo } from '../helpers/check.js';

const dockerfile = [
  'FROM python:3.12-slim',
  'WORKDIR /app',
  'COPY requirements.txt .',
  'COPY .env.example /app/.env',
  'COPY local_settings.py /app/',
  'COPY secrets.json /app/',
  'COPY config/ /app/config/',
  'COPY src/*.py /app/',
  'COPY docs/*.md /app/docs/',
  'COPY --from=builder /wheels /wheels',
  'ADD https://example.com/x.tgz /tmp/',
  '',
].join('\n');

test('absent, untracked, git-ignored and .dockerignored sources are each reported distinctly', async () => {
  const findings = await checkRepo(
    {
      files: {
        'api/Dockerfile': dockerfile,
        'api/requirements.txt': 'flask==3.0.0\n',
        'api/config/app.toml': 'x=1\n',
        'api/src/main.py': 'print(1)\n',
        'api/.dockerignore': '# keep images small\nconfig\n',
      },
      untracked: { 'api/local_settings.py': 'DEBUG=True\n' },
      ignored: { 'api/secrets.json': '{}' },
    },
    [rule],
  );
  assert.deepEqual(
    findings.map((f) => `${f.file}:${f.line}:${f.column}-${f.endColumn}`),
    [
      'api/Dockerfile:4:6-18',
      'api/Dockerfile:5:6-23',
      'api/Dockerfile:6:6-18',
      'api/Dockerfile:7:6-13',
      'api/Dockerfile:9:6-15',
    ],
  );
  const [absent, untracked, ignored, dockerignored, noMatch] = findings.map((f) => f.message);
  assert.match(
    absent ?? '',
    /`.env.example` does not exist in the build context `api` \(the Dockerfile's folder, inferred\)/,
  );
  assert.match(untracked ?? '', /not committed \(untracked\)/);
  assert.match(ignored ?? '', /ignored by git/);
  assert.match(dockerignored ?? '', /excluded from the build context by api\/.dockerignore/);
  assert.match(noMatch ?? '', /`docs\/\*\.md` matches no committed file/);
});

test('the repository root is taken as context when it resolves the sources, and the message says so', async () => {
  const findings = await checkRepo(
    {
      files: {
        'docker/api.Dockerfile':
          'FROM python:3.12-slim\nCOPY services/api /app\nCOPY services/api/.env.example /app/.env\n',
        'services/api/main.py': 'x',
      },
    },
    [rule],
  );
  assert.deepEqual(
    findings.map((f) => `${f.line}:${f.column}`),
    ['3:6'],
  );
  assert.match(findings[0]?.message ?? '', /build context `\.` \(the repository root, inferred\)/);
});

test('a clean repository reports nothing, also outside git', async () => {
  const files = {
    Dockerfile: 'FROM python:3.12-slim\nARG APP=app\nCOPY ${APP}/ /srv/\nCOPY requirements*.txt ./\n',
    'app/x.py': 'x',
    'requirements.txt': 'x\n',
  };
  assert.deepEqual(await checkRepo({ files }, [rule]), []);
  assert.deepEqual(await checkRepo({ files, noGit: true }, [rule]), []);
});
