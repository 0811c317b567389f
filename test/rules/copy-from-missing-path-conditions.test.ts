import rule from '../../src/rules/copy-from-missing-path.js';
import { at, ruleTest } from '../helpers/rule-tester.js';

/** The message pinned whole, and one case per condition of what a stage is taken to create. */
const R = rule.meta.id;
const BUILT = 'images:\n  reg/app:\n    context: .\n';
const built = (...lines: string[]) => ({
  files: { Dockerfile: `${lines.join('\n')}\n`, 'crossdock.yaml': BUILT, 'a.txt': 'x' },
});
const PY = 'FROM python:3.12-slim';
const missing = (src: string, stage: string) =>
  new RegExp(
    `^\`${src}\` is copied from stage "${stage}", but no COPY/ADD, WORKDIR or RUN in that stage creates it and its base image has nothing there: the build fails with "not found"$`,
  );

ruleTest(rule, [
  {
    name: 'message: an unnamed stage is named by its index; relative, glob and `/` sources are not checked',
    repo: built(
      PY,
      'RUN mkdir -p /out',
      PY,
      'COPY --from=0 /nothing /x',
      'COPY --from=0 elsewhere /y',
      'COPY --from=0 /nowhere/*.whl /w/',
      'COPY --from=0 / /rootfs',
    ),
    expect: [
      at(R, 'warning', 'Dockerfile', 4, 15, {
        message: missing('/nothing', '0'),
        sites: ['crossdock.yaml:1'],
        related: [],
      }),
    ],
  },
  {
    name: 'unknown: the note names an unnamed stage by its index',
    repo: built(PY, 'RUN ./x.sh', PY, 'COPY --from=0 /nothing /x'),
    expect: [
      at('unresolved-value', 'info', 'Dockerfile', 2, 1, {
        message:
          /^this RUN's effects are not known: it runs \.\/x\.sh; not checked: whether stage "0" creates \/nothing \(copy-from-missing-path\)$/,
      }),
    ],
  },
  {
    name: 'condition "a RUN or ENV names it": an ENV value naming the path makes it no claim; a LABEL does not',
    repo: built(
      `${PY} AS b`,
      'ENV APPDIR=/appdata',
      'LABEL dir=/labelled',
      PY,
      'COPY --from=b /appdata /x',
      'COPY --from=b /labelled /y',
    ),
    expect: [at(R, 'warning', 'Dockerfile', 6, 15, { message: missing('/labelled', 'b') })],
  },
  {
    name: 'condition "names the path, not a longer one": `mkdir -p /output/app` names neither /out nor /out/app',
    repo: built(
      `${PY} AS b`,
      'RUN mkdir -p /output/app',
      PY,
      'COPY --from=b /out /x',
      'COPY --from=b /out/app /y',
    ),
    expect: [
      at(R, 'warning', 'Dockerfile', 4, 15, { message: missing('/out', 'b') }),
      at(R, 'warning', 'Dockerfile', 5, 15, { message: missing('/out/app', 'b') }),
    ],
  },
  {
    name: 'condition "system ancestors do not count": a RUN naming /opt/venv does not name /opt/app; /opt/lib is no system folder, so naming it names /opt/lib/x.so',
    repo: built(
      `${PY} AS b`,
      'RUN python -m venv /opt/venv && chmod -R a+r /opt/lib',
      PY,
      'COPY --from=b /opt/app /x',
      'COPY --from=b /opt/lib/x.so /y',
    ),
    expect: [at(R, 'warning', 'Dockerfile', 4, 15, { message: missing('/opt/app', 'b') })],
  },
  {
    name: 'condition "a tree at `/` says nothing": a stage that copies another stage’s folder to `/` still lacks /nothing',
    repo: built(
      `${PY} AS a`,
      'RUN mkdir -p /a',
      `${PY} AS b`,
      'COPY --from=a /a /',
      PY,
      'COPY --from=b /nothing /x',
    ),
    expect: [at(R, 'warning', 'Dockerfile', 6, 15, { message: missing('/nothing', 'b') })],
  },
  {
    name: 'condition "COPY --from fills its destination": absolute, and relative to the WORKDIR; beside it nothing is created',
    repo: built(
      `${PY} AS a`,
      'RUN mkdir -p /a',
      `${PY} AS b`,
      'WORKDIR /w',
      'COPY --from=a /a /opt/x',
      'COPY --from=a /a rel',
      PY,
      'COPY --from=b /opt/x/y /y',
      'COPY --from=b /w/rel/z /z',
      'COPY --from=b /opt/nothing /n',
    ),
    expect: [at(R, 'warning', 'Dockerfile', 10, 15, { message: missing('/opt/nothing', 'b') })],
  },
  {
    name: 'condition "glob and variable sources fill their destination": any file below them (an ARG nothing passes is any name); a plain COPY only makes its own file',
    repo: built(
      `${PY} AS b`,
      'COPY *.txt /texts/',
      'ARG F',
      'COPY $F /vars/',
      'COPY a.txt /plain/',
      PY,
      'COPY --from=b /texts/a.txt /t',
      'COPY --from=b /vars/a.txt /v',
      'COPY --from=b /plain/b.txt /p',
    ),
    expect: [at(R, 'warning', 'Dockerfile', 9, 15, { message: missing('/plain/b.txt', 'b') })],
  },
  {
    name: 'condition "ADD of an archive": only ADD unpacks, and only archive names (`.tbz` among other sources, not `.tar.txt`)',
    repo: {
      files: {
        'a/Dockerfile': `${PY} AS b\nADD notes.tar.txt /n/\n${PY}\nCOPY --from=b /out/app /app\n`,
        'b/Dockerfile': `${PY} AS b\nCOPY dist.tar.gz /\n${PY}\nCOPY --from=b /out/app /app\n`,
        'c/Dockerfile': `${PY} AS b\nADD notes.txt app.tbz /srv/\n${PY}\nCOPY --from=b /out/app /app\n`,
        'a/notes.tar.txt': 'x',
        'b/dist.tar.gz': 'x',
        'c/notes.txt': 'x',
        'c/app.tbz': 'x',
        'crossdock.yaml':
          'images:\n  reg/a:\n    context: a\n  reg/b:\n    context: b\n  reg/c:\n    context: c\n',
      },
    },
    expect: [
      at(R, 'warning', 'a/Dockerfile', 4, 15, { message: missing('/out/app', 'b') }),
      at(R, 'warning', 'b/Dockerfile', 4, 15, { message: missing('/out/app', 'b') }),
      at('unresolved-value', 'info', 'c/Dockerfile', 2, 1, {
        message:
          /^`ADD` of an archive unpacks files crossdock cannot list; not checked: whether stage "b" creates \/out\/app \(copy-from-missing-path\)$/,
      }),
    ],
  },
  {
    name: 'condition "WORKDIR creates its folder": a relative WORKDIR below another creates both, not their siblings',
    repo: built(
      `${PY} AS b`,
      'WORKDIR /app',
      'WORKDIR sub',
      PY,
      'COPY --from=b /app/sub /x',
      'COPY --from=b /app /y',
      'COPY --from=b /app/other /z',
    ),
    expect: [at(R, 'warning', 'Dockerfile', 7, 15, { message: missing('/app/other', 'b') })],
  },
  {
    name: 'condition "a cache mount may leave files": a RUN with a cache mount at /opt may have moved files below it (no claim); without the mount, a claim',
    repo: {
      files: {
        'a/Dockerfile': `${PY} AS b\nRUN --mount=type=cache,target=/opt echo hi\n${PY}\nCOPY --from=b /opt/data /d\n`,
        'b/Dockerfile': `${PY} AS b\nRUN echo hi\n${PY}\nCOPY --from=b /opt/data /d\n`,
        'crossdock.yaml': 'images:\n  reg/a:\n    context: a\n  reg/b:\n    context: b\n',
      },
    },
    expect: [at(R, 'warning', 'b/Dockerfile', 4, 15, { message: missing('/opt/data', 'b') })],
  },
  {
    name: 'condition "a tree below the path": a stage that copies another stage\'s folder to /data/x has /data',
    repo: built(
      `${PY} AS a`,
      'RUN mkdir -p /a',
      `${PY} AS b`,
      'COPY --from=a /a /data/x',
      PY,
      'COPY --from=b /data /data',
      'COPY --from=b /data/x/y /y',
      'COPY --from=b /nothing /n',
    ),
    expect: [at(R, 'warning', 'Dockerfile', 8, 15, { message: missing('/nothing', 'b') })],
  },
  {
    name: 'condition "WORKDIR creates its ancestors": WORKDIR /app/sub alone makes /app',
    repo: built(`${PY} AS b`, 'WORKDIR /app/sub', PY, 'COPY --from=b /app /x', 'COPY --from=b /other /y'),
    expect: [at(R, 'warning', 'Dockerfile', 5, 15, { message: missing('/other', 'b') })],
  },
  {
    name: 'unknown: a COPY destination or a WORKDIR whose value is not known may be the path: a note at the ARG, no claim',
    repo: {
      files: {
        'a/Dockerfile': `${PY} AS b\nARG DEST\nCOPY a.txt $DEST/\n${PY}\nCOPY --from=b /srv/app/a.txt /x\n`,
        'b/Dockerfile': `${PY} AS a\nRUN mkdir -p /a\n${PY} AS b\nARG W\nWORKDIR $W\nCOPY --from=a /a rel\n${PY}\nCOPY --from=b /data/rel/x /x\n`,
        'a/a.txt': 'x',
        'crossdock.yaml': 'images:\n  reg/a:\n    context: a\n  reg/b:\n    context: b\n',
      },
    },
    expect: [
      at('unresolved-value', 'info', 'a/Dockerfile', 2, 5, {
        message:
          /^ARG DEST has no default and this build does not pass it; not checked: whether stage "b" creates \/srv\/app\/a\.txt \(copy-from-missing-path\)$/,
      }),
      at('unresolved-value', 'info', 'b/Dockerfile', 4, 5, {
        message: /^ARG W has no default .*; not checked: whether stage "b" creates \/data\/rel\/x/,
      }),
    ],
  },
  {
    name: 'condition "COPY or ADD": ADD of a glob fills its destination; a LABEL with a value that is not known says nothing about files',
    repo: built(
      `${PY} AS b`,
      'ADD *.txt /texts/',
      'ARG V',
      'LABEL version=$V',
      PY,
      'COPY --from=b /texts/a.txt /t',
      'COPY --from=b /nothing /n',
    ),
    expect: [at(R, 'warning', 'Dockerfile', 7, 15, { message: missing('/nothing', 'b') })],
  },
  {
    name: 'condition "the --from flag": another flag (`--chown`) neither makes a plain COPY fill its destination nor hides a --from after it',
    repo: built(
      `${PY} AS b`,
      'COPY --chown=app a.txt /plain/',
      PY,
      'COPY --from=b /plain/a.txt /a',
      'COPY --from=b /plain/b.txt /b',
      'COPY --chown=app --from=b /nothing /n',
    ),
    expect: [
      at(R, 'warning', 'Dockerfile', 5, 15, { message: missing('/plain/b.txt', 'b') }),
      at(R, 'warning', 'Dockerfile', 6, 27, { message: missing('/nothing', 'b') }),
    ],
  },
  {
    name: 'condition "COPY --from": ADD has no --from flag (the build rejects it), so it is not checked; an image is not a stage',
    repo: built(
      `${PY} AS b`,
      'RUN mkdir -p /out',
      PY,
      'ADD --from=b /nothing /x',
      'COPY --from=ghcr.io/acme/tools:1 /tools /tools',
    ),
    expect: [],
  },
  {
    name: 'every source is checked, not the destination; one glob among the sources fills the destination; a variable destination is read',
    repo: built(
      `${PY} AS b`,
      'RUN mkdir -p /out',
      'COPY a.txt *.md /docs/',
      'ARG D=/srv/app',
      'COPY a.txt $D/',
      PY,
      'COPY --from=b /out /nothing /dest/',
      'COPY --from=b /docs/README.md /r',
      'COPY --from=b /srv/app/a.txt /s',
      'COPY --from=b /srv/app/other.txt /o',
    ),
    expect: [
      at(R, 'warning', 'Dockerfile', 7, 20, { message: missing('/nothing', 'b') }),
      at(R, 'warning', 'Dockerfile', 10, 15, { message: missing('/srv/app/other.txt', 'b') }),
    ],
  },
  {
    name: 'condition "heredoc source": `COPY <<EOF /app/conf.ini` creates the file',
    repo: built(
      `${PY} AS b`,
      'COPY <<EOF /app/conf.ini',
      'x=1',
      'EOF',
      PY,
      'COPY --from=b /app/conf.ini /c',
      'COPY --from=b /app/other.ini /o',
    ),
    expect: [at(R, 'warning', 'Dockerfile', 7, 15, { message: missing('/app/other.ini', 'b') })],
  },
  {
    name: 'condition "a cache mount": its target (first, from an ARG, or relative to the WORKDIR) counts; a bind mount (its files are gone after the RUN), or a cache mount without a target, does not',
    repo: built(
      `${PY} AS b`,
      'WORKDIR /w',
      'ARG C=/data/cache',
      'RUN --mount=target=$C,type=cache echo hi',
      'RUN --mount=type=cache,target=cache echo hi',
      'RUN --mount=type=bind,target=/srv echo hi',
      'RUN --mount=type=cache,id=pip echo hi',
      PY,
      'COPY --from=b /data/cache/x /a',
      'COPY --from=b /w/cache/x /b',
      'COPY --from=b /srv/x /c',
    ),
    expect: [at(R, 'warning', 'Dockerfile', 11, 15, { message: missing('/srv/x', 'b') })],
  },
  {
    name: 'condition "a RUN names it": `chmod -R a+r /data && echo done` names /data (and what is below it), also as the last line of a heredoc before another RUN',
    repo: {
      files: {
        'a/Dockerfile': `${PY} AS b\nRUN chmod -R a+r /data && echo done\n${PY}\nCOPY --from=b /data/conf /c\nCOPY --from=b /data /d\n`,
        'b/Dockerfile': `${PY} AS b\nRUN <<EOF\nchmod -R a+r /data\nEOF\nRUN echo done\n${PY}\nCOPY --from=b /data/conf /c\n`,
        'crossdock.yaml': 'images:\n  reg/a:\n    context: a\n  reg/b:\n    context: b\n',
      },
    },
    expect: [],
  },
  {
    name: 'unknown: a stage built FROM another stage: the note is at the root image',
    repo: built(
      'FROM mycorp/builder:1 AS a',
      'FROM a AS b',
      'RUN echo hi',
      PY,
      'COPY --from=b /out/app /app',
    ),
    expect: [
      at('unresolved-value', 'info', 'Dockerfile', 1, 6, {
        message: /^what mycorp\/builder:1 contains is not known/,
      }),
    ],
  },
  {
    name: 'a WORKDIR or COPY without arguments (which the build rejects) creates nothing and does not stop the check',
    repo: built(`${PY} AS b`, 'WORKDIR', 'COPY', PY, 'COPY --from=b /nothing /n'),
    expect: [at(R, 'warning', 'Dockerfile', 5, 15, { message: missing('/nothing', 'b') })],
  },
  {
    name: 'condition "URL and git sources": `ADD https://…` and `ADD git@…` create their destination',
    repo: built(
      `${PY} AS b`,
      'ADD https://example.com/tool /srv/tool',
      'ADD git@github.com:acme/lib.git /src/lib',
      PY,
      'COPY --from=b /srv/tool /t',
      'COPY --from=b /src/lib/setup.py /s',
      'COPY --from=b /src/other /o',
    ),
    expect: [at(R, 'warning', 'Dockerfile', 7, 15, { message: missing('/src/other', 'b') })],
  },
  {
    name: 'unknown: distroless sets no WORKDIR crossdock knows: an absolute destination is still known, a relative one is not (a note at the FROM)',
    repo: {
      files: {
        'a/Dockerfile': `${PY} AS a\nRUN mkdir -p /a\nFROM gcr.io/distroless/static AS b\nCOPY --from=a /a /data\n${PY}\nCOPY --from=b /data/x /x\nCOPY --from=b /nothing /n\n`,
        'b/Dockerfile': `${PY} AS a\nRUN mkdir -p /a\nFROM gcr.io/distroless/static AS b\nCOPY --from=a /a data\n${PY}\nCOPY --from=b /nothing /n\n`,
        'crossdock.yaml': 'images:\n  reg/a:\n    context: a\n  reg/b:\n    context: b\n',
      },
    },
    expect: [
      at(R, 'warning', 'a/Dockerfile', 7, 15, { message: missing('/nothing', 'b') }),
      at('unresolved-value', 'info', 'b/Dockerfile', 3, 1, {
        message:
          /^the WORKDIR of gcr\.io\/distroless\/static is not known; not checked: whether stage "b" creates \/nothing \(copy-from-missing-path\)$/,
      }),
    ],
  },
]);
