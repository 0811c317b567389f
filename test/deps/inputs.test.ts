import assert from 'node:assert/strict';
import { test } from 'node:test';
import { depsInputs, fileInputs, hideUserinfo } from '../../src/deps/inputs.js';
import type { DepsImage } from '../../src/deps/types.js';
import { libcOfImage } from '../../src/knowledge/images.js';
import { parsePlatform } from '../../src/model/platform.js';
import { loadRepo } from '../helpers/check.js';

/** A workflow job on an amd64 runner that builds ./Dockerfile for amd64 and arm64 with QEMU set up. */
const WORKFLOW = `on: push
jobs:
  image:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - uses: docker/setup-qemu-action@v3
      - uses: docker/setup-buildx-action@v3
      - uses: docker/build-push-action@v6
        with:
          context: .
          platforms: linux/amd64,linux/arm64
          tags: ghcr.io/acme/app:latest
`;
const CONFIG = 'platforms: [linux/amd64, linux/arm64]\n';

function only(images: DepsImage[]): DepsImage {
  assert.equal(images.length, 1, images.map((i) => i.name).join(', '));
  return images[0] as DepsImage;
}

const queries = (i: DepsImage) =>
  i.queries.map((q) => `${q.name} ${q.specifier ?? '*'} @${q.source.file}:${q.source.line}`);

test('a python:3.11-slim image built for amd64 and arm64 on an amd64 runner: arm64 is emulated, Debian 13 glibc', async () => {
  const model = await loadRepo({
    files: {
      '.github/workflows/image.yml': WORKFLOW,
      Dockerfile:
        'FROM python:3.11-slim\nWORKDIR /app\nCOPY requirements /opt/reqs\nRUN pip install --no-cache-dir -r /opt/reqs/prod.txt\n',
      'requirements/prod.txt':
        '# runtime\nnumpy==1.26.4\n-r base.txt\nlxml>=5 ; platform_machine == "aarch64"\n',
      'requirements/base.txt': 'flask==3.0.3\n./vendored\n',
    },
  });
  const image = only(depsInputs(model));
  assert.equal(image.name, 'Dockerfile');
  assert.deepEqual(
    image.targets.map((t) => [t.platform, t.python, t.libc?.kind, t.libc?.version]),
    [
      ['linux/amd64', '3.11', 'glibc', '2.41'],
      ['linux/arm64', '3.11', 'glibc', '2.41'],
    ],
  );
  assert.deepEqual(image.emulated, ['linux/arm64']);
  // The COPY of the folder is followed, and the nested -r relative to the including file's folder.
  assert.deepEqual(queries(image).sort(), [
    'flask ==3.0.3 @requirements/base.txt:1',
    'lxml >=5 @requirements/prod.txt:4',
    'numpy ==1.26.4 @requirements/prod.txt:2',
  ]);
  assert.equal(image.queries.find((q) => q.name === 'lxml')?.marker, 'platform_machine == "aarch64"');
  // A local path is not an index query, and says so; the floating python tag's Debian is a note.
  assert.ok(
    image.notes.some((n) =>
      /requirements\/base\.txt:2: `\.\/vendored` is not installed from an index/.test(n),
    ),
  );
  assert.ok(
    image.notes.some((n) => /names no Debian release: Debian 13 trixie/.test(n)),
    image.notes.join('\n'),
  );
  assert.deepEqual(image.index, { extraIndexUrls: [], onlyBinary: false });
});

test('index settings: requirement-file lines, ENV PIP_ONLY_BINARY, a pip.conf copied into the image; credentials redacted', async () => {
  const model = await loadRepo({
    files: {
      'crossdock.yaml': CONFIG,
      Dockerfile: [
        'FROM python:3.12-slim-bookworm',
        'ENV PIP_ONLY_BINARY=:all:',
        'COPY ci/pip.conf /etc/pip.conf',
        'COPY requirements.txt .',
        'RUN pip install -r requirements.txt --extra-index-url https://extra.example/simple',
        '',
      ].join('\n'),
      'ci/pip.conf':
        '[global]\nindex-url = https://conf.example/simple\nextra-index-url =\n  https://a.example/simple\n',
      'requirements.txt': '--index-url https://user:s3cret@files.example/simple\nrequests==2.32.3\n',
    },
  });
  const image = only(depsInputs(model));
  // The requirements file's --index-url beats pip.conf's; extra URLs from the command line and pip.conf.
  assert.deepEqual(image.index, {
    indexUrl: 'https://user:s3cret@files.example/simple',
    extraIndexUrls: ['https://extra.example/simple', 'https://a.example/simple'],
    onlyBinary: true,
  });
  assert.deepEqual(
    image.targets.map((t) => `${t.platform} ${t.python} ${t.libc?.kind}-${t.libc?.version}`),
    ['linux/amd64 3.12 glibc-2.36', 'linux/arm64 3.12 glibc-2.36'],
  );
  // crossdock.yaml platforms, no CI build: whether it is emulated is not known.
  assert.deepEqual(image.emulated, []);
  assert.ok(
    image.notes.some((n) => /whether Dockerfile is built under emulation is not known/.test(n)),
    image.notes.join('\n'),
  );
  assert.equal(hideUserinfo('https://user:s3cret@files.example/simple'), 'https://***@files.example/simple');
});

test('uv pip install reads UV_* and uv.toml, not PIP_*; an unknown index variable is a note, not a guess', async () => {
  const model = await loadRepo({
    files: {
      'crossdock.yaml': CONFIG,
      Dockerfile: [
        'FROM python:3.12-alpine3.20',
        'ARG TOKEN',
        'ENV PIP_INDEX_URL=https://pip-only.example/simple',
        `ENV UV_EXTRA_INDEX_URL=https://${'$'}{TOKEN}@private.example/simple`,
        'COPY uv.toml /etc/uv/uv.toml',
        'RUN uv pip install --system "httpx>=0.27"',
        '',
      ].join('\n'),
      'uv.toml': '[[index]]\nurl = "https://uv.example/simple"\ndefault = true\n',
    },
  });
  const image = only(depsInputs(model));
  assert.deepEqual(image.index, {
    indexUrl: 'https://uv.example/simple',
    extraIndexUrls: [],
    onlyBinary: false,
  });
  assert.deepEqual(queries(image), ['httpx >=0.27 @Dockerfile:6']);
  assert.deepEqual(image.targets[0]?.libc, { kind: 'musl', version: '1.2' });
  assert.ok(
    image.notes.some((n) =>
      /UV_EXTRA_INDEX_URL at Dockerfile:6 is not known: ARG TOKEN has no default/.test(n),
    ),
    image.notes.join('\n'),
  );
});

test('pip install . installs the project metadata; -c pins apply; a builder stage and the runtime stage are separate images', async () => {
  const model = await loadRepo({
    files: {
      '.github/workflows/image.yml': WORKFLOW,
      Dockerfile: [
        'FROM python:3.10-bookworm AS build',
        'WORKDIR /src',
        'COPY . .',
        'RUN pip wheel -c constraints.txt -w /wheels .',
        'FROM ubuntu:22.04',
        'COPY --from=build /wheels /wheels',
        'RUN apt-get update && apt-get install -y python3-pip && pip install "gunicorn==22.0.0"',
        '',
      ].join('\n'),
      'pyproject.toml':
        '[project]\nname = "svc"\nversion = "1"\ndependencies = ["pydantic>=2", "psycopg2"]\n',
      'constraints.txt': 'psycopg2==2.9.9\n',
    },
  });
  const images = depsInputs(model);
  assert.deepEqual(
    images.map((i) => i.name),
    ['Dockerfile (stage build)', 'Dockerfile (stage 1)'],
  );
  const [build, runtime] = images as [DepsImage, DepsImage];
  assert.deepEqual(queries(build), ['pydantic >=2 @pyproject.toml:4', 'psycopg2 ==2.9.9 @pyproject.toml:4']);
  // The TOML string's quotes are not part of the requirement as written.
  assert.deepEqual(
    build.queries.map((q) => q.requirement),
    ['pydantic>=2', 'psycopg2'],
  );
  assert.deepEqual(build.targets[0]?.libc, { kind: 'glibc', version: '2.36' });
  assert.equal(build.targets[0]?.python, '3.10');
  assert.deepEqual(queries(runtime), ['gunicorn ==22.0.0 @Dockerfile:7']);
  assert.deepEqual(runtime.targets[1], {
    platform: 'linux/arm64',
    python: '3.10',
    libc: { kind: 'glibc', version: '2.35' },
  });
});

test('unknown stays unknown: a private base image, platforms nothing declares', async () => {
  const model = await loadRepo({
    files: {
      Dockerfile:
        'FROM registry.example/base/py:1\nCOPY requirements.txt .\nRUN pip install -r requirements.txt\n',
      'requirements.txt': 'numpy==2.1.0\n',
    },
  });
  const image = only(depsInputs(model));
  assert.deepEqual(image.targets, []);
  assert.ok(
    image.notes.some((n) => /platforms of Dockerfile are not known: .*pass --platform/.test(n)),
    image.notes.join('\n'),
  );
  assert.ok(
    image.notes.some((n) =>
      /the Python of Dockerfile is not known: which Python registry\.example\/base\/py:1 has/.test(n),
    ),
  );
  assert.ok(
    image.notes.some((n) =>
      /C library of Dockerfile is not known: which C library registry\.example\/base\/py:1 has/.test(n),
    ),
  );
  // --python / --platform / --libc give them.
  const given = only(
    depsInputs(model, {
      python: '3.12',
      platforms: [parsePlatform('linux/arm64')].flatMap((p) => (p ? [p] : [])),
      libc: { kind: 'glibc', version: '2.36' },
    }),
  );
  assert.deepEqual(given.targets, [
    { platform: 'linux/arm64', python: '3.12', libc: { kind: 'glibc', version: '2.36' } },
  ]);
});

test('a requirements file on its own: includes followed, targets from the command line', async () => {
  const model = await loadRepo({
    files: {
      'reqs/requirements.txt': '-c ../pins.txt\n-r extra.txt\ncryptography\n',
      'reqs/extra.txt': 'orjson==3.10.7 \\\n    --hash=sha256:abc\n',
      'pins.txt': 'cryptography==43.0.1\n',
    },
  });
  const arm = parsePlatform('linux/arm64');
  assert.ok(arm);
  const image = only(fileInputs(model, ['reqs/requirements.txt'], { python: '3.12', platforms: [arm] }));
  assert.deepEqual(queries(image), [
    'cryptography ==43.0.1 @reqs/requirements.txt:3',
    'orjson ==3.10.7 @reqs/extra.txt:1',
  ]);
  assert.equal(image.queries[1]?.requirement, 'orjson==3.10.7');
  assert.ok(image.notes.some((n) => /C library of reqs\/requirements\.txt is not known/.test(n)));
});

test('libc of images: distro releases, python tags with and without a release, Alpine musl; unknown otherwise', () => {
  const cases: [string, string | undefined][] = [
    ['debian:11-slim', 'glibc-2.31'],
    ['debian:bookworm', 'glibc-2.36'],
    ['python:3.12-slim-trixie', 'glibc-2.41'],
    ['python:3.9-slim-bullseye', 'glibc-2.31'],
    ['python:3.11', 'glibc-2.41'],
    ['ubuntu:24.04', 'glibc-2.39'],
    ['ubuntu:jammy', 'glibc-2.35'],
    ['alpine:3.12', 'musl-1.1'],
    ['alpine:3.20', 'musl-1.2'],
    ['python:3.12-alpine', 'musl-1.2'],
    ['node:22-bookworm-slim', 'glibc-2.36'],
    ['node:22', undefined],
    ['ghcr.io/acme/python:3.11-slim', undefined],
    ['centos:7', undefined],
  ];
  for (const [image, want] of cases) {
    const l = libcOfImage(image);
    assert.equal(l ? `${l.kind}-${l.version}` : undefined, want, image);
  }
  assert.equal(libcOfImage('python:3.11-slim')?.floating, true);
  assert.equal(libcOfImage('python:3.11-slim-bookworm')?.floating, undefined);
});

test('a nested -r the image does not have (only the including file was copied, renamed) is a note', async () => {
  const model = await loadRepo({
    files: {
      'crossdock.yaml': CONFIG,
      Dockerfile:
        'FROM python:3.11-slim\nCOPY requirements/prod.txt /tmp/reqs.txt\nRUN pip install -r /tmp/reqs.txt\n',
      'requirements/prod.txt': 'numpy==1.26.4\n-r base.txt\n',
      'requirements/base.txt': 'flask==3.0.3\n',
    },
  });
  const image = only(depsInputs(model));
  assert.deepEqual(queries(image), ['numpy ==1.26.4 @requirements/prod.txt:1']);
  assert.ok(
    image.notes.some((n) => /requirements\/prod\.txt:2/.test(n)),
    image.notes.join('\n'),
  );
});
