import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SourceFile } from '../../src/model/source.js';
import { parseDockerignore } from '../../src/sources/dockerfile/dockerignore.js';
import { parseDockerfile, stageArgs, substituteArgs } from '../../src/sources/dockerfile/parse.js';
import { within } from './within.js';

const parse = (text: string) => {
  const file = new SourceFile('Dockerfile', text);
  return { file, df: parseDockerfile(file) };
};

test('directives, continuations with comments inside, flags, exec form, stages and ARG substitution', () => {
  const { file, df } = parse(
    [
      '# syntax=docker/dockerfile:1.7',
      'ARG PY=3.12',
      'ARG BASE=python:${PY}-slim',
      'FROM --platform=$BUILDPLATFORM ${BASE} AS Build',
      'RUN apt-get update \\',
      '    # a comment inside the continuation',
      '',
      '    && apt-get install -y gcc',
      'FROM build AS test',
      'COPY --from=build --chown=1000:1000 ["/src/a b", "/dst/"]',
      'FROM python:${MISSING}',
      'CMD ["python", "-m", "app"]',
      '',
    ].join('\n'),
  );
  assert.equal(df.syntax, 'docker/dockerfile:1.7');
  assert.deepEqual(
    df.globalArgs.map((a) => [a.name, a.defaultValue]),
    [
      ['PY', '3.12'],
      ['BASE', 'python:${PY}-slim'],
    ],
  );
  assert.deepEqual(
    df.stages.map((s) => [s.name, s.image, s.baseStage, s.platformFlag?.value]),
    [
      ['build', 'python:3.12-slim', undefined, '$BUILDPLATFORM'],
      ['test', 'build', 0, undefined],
      [undefined, undefined, undefined, undefined],
    ],
  );
  const run = df.instructions[3]!;
  assert.equal(run.keyword, 'RUN');
  assert.equal(run.args, 'apt-get update     && apt-get install -y gcc');
  assert.equal(run.argsOffsets.length, run.args.length);
  const gcc = run.args.indexOf('gcc');
  assert.deepEqual(file.position(run.argsOffsets[gcc]!), { line: 8, column: 27 });
  assert.deepEqual(file.position(run.span.end), { line: 8, column: 30 });
  const copy = df.instructions[5]!;
  assert.deepEqual(
    copy.flags.map((f) => [f.name, f.value]),
    [
      ['from', 'build'],
      ['chown', '1000:1000'],
    ],
  );
  assert.equal(copy.form, 'exec');
  assert.deepEqual(
    copy.words.map((w) => w.value),
    ['/src/a b', '/dst/'],
  );
  assert.deepEqual(file.position(copy.words[0]!.span.start), { line: 10, column: 38 });
  const cmd = df.instructions[7]!;
  assert.deepEqual(cmd.exec, ['python', '-m', 'app']);
  assert.equal(cmd.stage, 2);
  assert.deepEqual(df.problems, []);
});

test('heredocs: bodies are kept apart from args, with <<- tab stripping, quoting and two on one line', () => {
  const { file, df } = parse(
    'FROM alpine\nRUN <<-EOT bash && cat <<"X"\n\techo one\n\tEOT\n$HOME stays\nX\nCOPY <<EOF /etc/app.conf\nkey=1\nEOF\nRUN echo after\n',
  );
  const run = df.instructions[1]!;
  assert.deepEqual(
    run.heredocs.map((h) => [h.delimiter, h.body, h.stripTabs, h.quoted]),
    [
      ['EOT', 'echo one', true, false],
      ['X', '$HOME stays', false, true],
    ],
  );
  assert.deepEqual(file.position(run.heredocs[1]!.span.start), { line: 5, column: 1 });
  assert.equal(df.instructions[2]?.heredocs[0]?.body, 'key=1');
  assert.equal(df.instructions[3]?.args, 'echo after');
  assert.equal(df.instructions.length, 4);
});

test('escape=` directive, CRLF, BOM and problems', () => {
  const { file, df } = parse(
    '\ufeff# escape=`\r\nFROM mcr.microsoft.com/windows/servercore\r\nRUN dir `\r\n  c:\\\r\nFOO bar\r\nRUN <<EOF\r\nno end\r\n',
  );
  assert.equal(df.escape, '`');
  assert.equal(df.instructions[1]?.args, 'dir   c:\\');
  assert.deepEqual(
    df.problems.map((p) => [p.message.split(':')[0], file.position(p.span.start).line]),
    [
      ['unknown instruction FOO', 5],
      ['heredoc <<EOF is never terminated', 6],
    ],
  );
});

test('substituteArgs follows Docker: defaults, alternatives, unset variables', () => {
  const vars = new Map<string, string | undefined>([
    ['A', 'x'],
    ['E', ''],
    ['U', undefined],
  ]);
  assert.equal(substituteArgs('$A-${A}-${E:-d}-${E-d}-${A:+alt}-${U:-u}', vars), 'x-x-d--alt-u');
  assert.equal(substituteArgs('img:${U}', vars), undefined);
  assert.equal(substituteArgs('no vars', vars), 'no vars');
});

test('stageArgs sees redeclared global ARGs, stage ARGs and ENV, and inherits from base stages', () => {
  const { df } = parse('ARG V=1\nFROM alpine AS a\nARG V\nENV HOME_DIR=/srv/$V\nFROM a\nARG W=2\n');
  assert.deepEqual(
    [...stageArgs(df, 0)],
    [
      ['V', '1'],
      ['HOME_DIR', '/srv/1'],
    ],
  );
  assert.deepEqual(
    [...stageArgs(df, 1)],
    [
      ['V', '1'],
      ['HOME_DIR', '/srv/1'],
      ['W', '2'],
    ],
  );
});

test('.dockerignore uses Docker semantics: folders, exceptions, ** and comments', () => {
  const ig = parseDockerignore(
    '.dockerignore',
    '# comment\nnode_modules\n**/*.pyc\n*.md\n!README.md\n/secrets/\n',
  );
  const cases: [string, boolean][] = [
    ['node_modules/x/index.js', true],
    ['a/b/c.pyc', true],
    ['CHANGES.md', true],
    ['README.md', false],
    ['docs/guide.md', false],
    ['secrets/key.pem', true],
    ['./src/app.py', false],
    ['.', false],
  ];
  for (const [p, expected] of cases) assert.equal(ig.ignores(p), expected, p);
});

test('pathological Dockerfiles parse in linear time; more than 256 heredocs is a problem', {
  timeout: 5000,
}, () => {
  const blanks = ' '.repeat(50_000);
  const { df } = within(1000, () =>
    parse(
      `#${blanks}a${blanks}=${blanks}\u2028\nFROM x\nRUN ${'--a '.repeat(20_000)}echo \\${blanks}\n  done\n`,
    ),
  );
  assert.equal(df.instructions.length, 2);
  assert.equal(df.instructions[1]?.flags.length, 20_000);
  assert.equal(df.instructions[1]?.shell, 'echo   done');
  const many = within(1000, () => substituteArgs('${A:-'.repeat(100_000), new Map([['A', 'a']])));
  assert.equal(many?.length, 500_000);
  assert.equal(substituteArgs('${A:-${B}}/$A/${A+set}/${C-c}', new Map([['A', 'a']])), 'a}/a/set/c');

  const markers = Array.from({ length: 300 }, (_, i) => `<<E${i}`).join(' ');
  const bodies = Array.from({ length: 300 }, (_, i) => `x\nE${i}`).join('\n');
  const heredocs = parse(`FROM x\nRUN cat ${markers}\n${bodies}\n`);
  const run = heredocs.df.instructions[1];
  assert.equal(run?.heredocs.length, 256);
  // The bodies of the heredocs not read then read as instructions, which the problems also say.
  const first = heredocs.df.problems[0];
  assert.equal(first?.message, 'more than 256 heredocs in one instruction: the rest are not read');
  assert.equal(heredocs.file.text.slice(first.span.start, first.span.end), '<<E256');
});

test('.dockerignore patterns that would backtrack or abort the process are dropped', {
  timeout: 5000,
}, () => {
  const ig = parseDockerignore(
    '.dockerignore',
    `*a*a*a*a*a*a*a*ab\n${'('.repeat(10_000)}\n(a+)+b\n**/**/**/**/x\n*.pyc\n**/build/**\n`,
  );
  assert.equal(
    within(1000, () => ig.ignores(`${'a'.repeat(60)}c`)),
    false,
  );
  assert.equal(
    within(1000, () => ig.ignores(`${'a/'.repeat(40)}y`)),
    false,
  );
  assert.equal(ig.ignores('x.pyc'), true, 'ordinary patterns still apply (root-anchored, as in Docker)');
  assert.equal(ig.ignores('a/build/out.o'), true);
});

test('flags on the line after `RUN \\` are flags, not shell text', () => {
  const text =
    'FROM a\nRUN \\\n    --mount=type=bind,source=./requirements.txt,target=/src/requirements.txt \\\n    pip install -r /src/requirements.txt\n';
  const run = parseDockerfile(new SourceFile('Dockerfile', text)).instructions[1];
  assert.deepEqual(
    run?.flags.map((f) => [f.name, f.value, text.slice(f.span.start, f.span.end)]),
    [
      [
        'mount',
        'type=bind,source=./requirements.txt,target=/src/requirements.txt',
        '--mount=type=bind,source=./requirements.txt,target=/src/requirements.txt',
      ],
    ],
  );
  assert.equal(run?.shell, 'pip install -r /src/requirements.txt');
});
