import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkRepo } from '../helpers/check.js';

test('broken files become parse-error findings with positions, and the run goes on', async () => {
  const findings = await checkRepo(
    {
      files: {
        Dockerfile: 'FROM python:3.12-slim\nRUN <<EOF\npip install x\n',
        'pyproject.toml': '[project]\nname = "x"\nrequires-python = \n',
        'web/package.json': '{"name": "web",\n  "engines": {"node": ">=20"\n}',
        '.gitmodules': '[submodule "lib"\n\tpath = lib\n',
        'api/Dockerfile': 'FROM python:3.12-slim\nFRUM x\n',
      },
    },
    [],
  );
  assert.deepEqual(
    findings.map((f) => `${f.file}@${f.line}:${f.column}`),
    [
      '.gitmodules@1:1',
      '.gitmodules@2:2',
      'Dockerfile@2:5',
      'api/Dockerfile@2:1',
      'pyproject.toml@4:1',
      'web/package.json@3:2',
    ],
  );
  const byFile = new Map(findings.map((f) => [f.file, f] as const).reverse());
  assert.match(byFile.get('Dockerfile')?.message ?? '', /heredoc <<EOF is never terminated/);
  assert.deepEqual([byFile.get('Dockerfile')?.line, byFile.get('Dockerfile')?.column], [2, 5]);
  assert.match(byFile.get('api/Dockerfile')?.message ?? '', /unknown instruction FRUM/);
  assert.deepEqual([byFile.get('api/Dockerfile')?.line, byFile.get('api/Dockerfile')?.column], [2, 1]);
  assert.match(byFile.get('pyproject.toml')?.message ?? '', /invalid TOML/);

  assert.match(byFile.get('web/package.json')?.message ?? '', /invalid JSON/);
  assert.match(byFile.get('.gitmodules')?.message ?? '', /malformed section header/);

  assert.ok(findings.every((f) => f.ruleId === 'parse-error' && f.severity === 'error'));
});

test('binary and non-UTF-8 files named like Dockerfiles are notes, not crashes', async () => {
  const { makeRepo } = await import('../helpers/git-repo.js');
  const { loadProject } = await import('../../src/engine/load.js');
  const repo = makeRepo({
    files: {
      Dockerfile: Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0, 1, 2, 3]),
      'x/Dockerfile': Buffer.concat([
        Buffer.from('FROM alpine:3.20\nRUN echo '),
        Buffer.from([0xff, 0xfe]),
        Buffer.from('\n'),
      ]),
      'empty/Dockerfile': '',
      'crlf/Dockerfile': '\ufeffFROM alpine:3.20\r\nRUN echo a \\\r\n  && echo b\r\n',
    },
  });
  try {
    const model = await loadProject({ root: repo.root });
    const notes = model.inventory.notes.join('\n');
    assert.match(notes, /Dockerfile: binary file, not parsed/);
    assert.match(notes, /x\/Dockerfile: not valid UTF-8/);
    assert.equal(model.dockerfiles.length, 3);
    const crlf = model.dockerfiles.find((d) => d.path === 'crlf/Dockerfile');
    assert.equal(crlf?.instructions[1]?.args, 'echo a   && echo b');
    assert.equal(model.loadFindings.length, 0);
  } finally {
    repo.cleanup();
  }
});
