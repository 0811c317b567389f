// biome-ignore-all lint/suspicious/noTemplateCurlyInString: fixtures hold workflow `${{ }}` text literally.
import rule from '../../src/rules/platform-tag-overwrite.js';
import { at, type RuleCase, ruleTest } from '../helpers/rule-tester.js';

const R = 'platform-tag-overwrite';
const U = 'unresolved-value';
const WF = '.github/workflows/image.yml';
const DF = { Dockerfile: 'FROM python:3.12-slim\nRUN pip --version\n' };

/** A per-platform matrix (amd64 and arm64 legs, each on its native runner) with one build-push-action step. */
const matrix = (
  o: {
    platforms?: [string, string];
    tags?: string;
    push?: string;
    outputs?: string;
    stepIf?: string;
    more?: string[];
  } = {},
) =>
  [
    'on: push', // 1
    'jobs:',
    '  build:',
    '    strategy:',
    '      matrix:', // 5
    '        include:',
    '          - runner: ubuntu-24.04',
    `            platform: ${o.platforms?.[0] ?? 'linux/amd64'}`,
    '          - runner: ubuntu-24.04-arm',
    `            platform: ${o.platforms?.[1] ?? 'linux/arm64'}`, // 10
    '    runs-on: ${{ matrix.runner }}',
    '    steps:',
    '      - uses: actions/checkout@v4',
    '      - uses: docker/setup-buildx-action@v3',
    '      - uses: docker/build-push-action@v6', // 15
    ...(o.stepIf ? [`        if: ${o.stepIf}`] : []),
    '        with:',
    '          platforms: ${{ matrix.platform }}',
    `          push: ${o.push ?? 'true'}`,
    `          tags: ${o.tags ?? 'ghcr.io/acme/app:latest'}`, // 19
    ...(o.outputs ? [`          outputs: ${o.outputs}`] : []),
    ...(o.more ?? []),
    '',
  ].join('\n');

/** A runner matrix with no `platforms:`: each runner builds its own platform. */
const runners = (list: string) =>
  [
    'on: push', // 1
    'jobs:',
    '  build:',
    '    strategy:',
    '      matrix:', // 5
    `        runner: [${list}]`,
    '    runs-on: ${{ matrix.runner }}',
    '    steps:',
    '      - uses: actions/checkout@v4',
    '      - uses: docker/build-push-action@v6', // 10
    '        with:',
    '          push: true',
    '          tags: ghcr.io/acme/app:latest', // 13
    '',
  ].join('\n');

/** Two jobs, each a `run:` step building one platform and pushing `app:1.0`. */
const twoJobs = (o: { ifA?: string; ifB?: string; tagB?: string; runB?: string } = {}) =>
  [
    'on: push', // 1
    'jobs:',
    '  amd64:',
    '    runs-on: ubuntu-latest',
    ...(o.ifA ? [`    if: ${o.ifA}`] : []),
    '    steps:', // 5
    '      - uses: actions/checkout@v4',
    '      - run: docker buildx build --platform linux/amd64 -t ghcr.io/acme/app:1.0 --push .',
    '  arm64:',
    '    runs-on: ubuntu-latest',
    ...(o.ifB ? [`    if: ${o.ifB}`] : []),
    '    steps:', // 10
    '      - uses: actions/checkout@v4',
    `      - run: ${o.runB ?? `docker buildx build --platform linux/arm64 -t ${o.tagB ?? 'ghcr.io/acme/app:1.0'} --push .`}`,
    '',
  ].join('\n');

const SH = 'scripts/release.sh';
/** A bash script with these lines (from line 3). */
const release = (lines: string[]) => ['#!/usr/bin/env bash', 'set -euo pipefail', ...lines, ''].join('\n');

/** One `run:` block with these lines. */
const script = (lines: string[]) =>
  [
    'on: push', // 1
    'jobs:',
    '  release:',
    '    runs-on: ubuntu-latest',
    '    steps:', // 5
    '      - uses: actions/checkout@v4',
    '      - run: |',
    ...lines.map((l) => `          ${l}`), // 8…
    '',
  ].join('\n');

const mergeJob = (tag: string) => [
  '  merge:',
  '    needs: build',
  '    runs-on: ubuntu-latest',
  '    steps:',
  `      - run: docker buildx imagetools create -t ${tag} ghcr.io/acme/app@sha256:${'a'.repeat(64)} ghcr.io/acme/app@sha256:${'b'.repeat(64)}`,
];

ruleTest(rule, [
  {
    name: 'matrix legs building linux/amd64 and linux/arm64 push the same tag: an error at the tag, each leg a site',
    repo: { files: { ...DF, [WF]: matrix() } },
    expect: [
      at(R, 'error', WF, 19, 17, {
        message:
          /^tag `ghcr\.io\/acme\/app:latest` is pushed by 2 builds of one platform each \(linux\/amd64, linux\/arm64\), and nothing merges them into one manifest list: .*whichever build pushes last$/,
        sites: [`${WF}:8`, `${WF}:10`],
        related: [
          `${WF}:8 builds only linux/amd64 and pushes the tag`,
          `${WF}:10 builds only linux/arm64 and pushes the tag`,
        ],
        reachable: true,
      }),
    ],
  },
  {
    name: 'several tags pushed by the same legs: one finding naming them all, at the first',
    repo: { files: { ...DF, [WF]: matrix({ tags: 'ghcr.io/acme/app:latest,ghcr.io/acme/app:1.0' }) } },
    expect: [
      at(R, 'error', WF, 19, 17, {
        message: /^tags `ghcr\.io\/acme\/app:latest`, `ghcr\.io\/acme\/app:1\.0` are pushed by 2 builds/,
      }),
    ],
  },
  {
    name: 'a runner matrix without `platforms:`: each runner builds its own platform, the runner values are the sites',
    repo: { files: { ...DF, [WF]: runners('ubuntu-24.04, ubuntu-24.04-arm') } },
    expect: [at(R, 'error', WF, 13, 17, { sites: [`${WF}:6`, `${WF}:6`] })],
  },
  {
    name: 'two jobs, each a `docker buildx build --push` of one platform with the same tag: one error at the first command, the other as site',
    repo: { files: { ...DF, [WF]: twoJobs() } },
    expect: [
      at(R, 'error', WF, 7, 60, {
        message: /^tag `ghcr\.io\/acme\/app:1\.0` is pushed by 2 builds/,
        sites: [`${WF}:12`],
      }),
    ],
  },
  {
    name: 'two commands of one run block, one after the other: the second push replaces the first',
    repo: {
      files: {
        ...DF,
        [WF]: script([
          'docker buildx build --platform linux/amd64 -t acme/app:edge --push .',
          'docker buildx build --platform linux/arm64 -t acme/app:edge --push .',
        ]),
      },
    },
    expect: [at(R, 'error', WF, 8, 57, { sites: [`${WF}:9`] })],
  },
  {
    name: 'tags that name the same image differently (`app` and `docker.io/library/app:latest`) are the same tag',
    repo: {
      files: {
        ...DF,
        [WF]: script([
          'docker buildx build --platform linux/amd64 -t app --push .',
          'docker buildx build --platform linux/arm64 -t docker.io/library/app:latest --push .',
        ]),
      },
    },
    expect: [at(R, 'error', WF, 8, 57)],
  },
  {
    name: 'matrix expansion of the tag: `app:${{ matrix.version }}` gives each version its own pair of legs',
    repo: {
      files: {
        ...DF,
        [WF]: [
          'on: push',
          'jobs:',
          '  build:',
          '    strategy:',
          '      matrix:',
          '        version: ["1", "2"]',
          '        platform: [linux/amd64, linux/arm64]',
          '    runs-on: ubuntu-latest',
          '    steps:',
          '      - uses: docker/setup-qemu-action@v3',
          '      - uses: docker/build-push-action@v6',
          '        with:',
          '          platforms: ${{ matrix.platform }}',
          '          push: true',
          '          tags: acme/app:${{ matrix.version }}',
          '',
        ].join('\n'),
      },
    },
    expect: [
      at(R, 'error', WF, 15, 17, { message: /^tag `acme\/app:1` is pushed by 2 builds/ }),
      at(R, 'error', WF, 15, 17, { message: /^tag `acme\/app:2` is pushed by 2 builds/ }),
    ],
  },
  // Each condition of the rule, alone, makes the finding disappear.
  ...(
    [
      ['each leg tags its own platform', { tags: 'ghcr.io/acme/app:latest-${{ matrix.runner }}' }],
      ['push is off', { push: 'false' }],
      ['a leg builds several platforms', { platforms: ['linux/amd64', 'linux/amd64,linux/arm64'] }],
      ['the legs build the same platform', { platforms: ['linux/amd64', 'linux/amd64'] }],
      [
        'pushed by digest (no tag written)',
        { outputs: 'type=image,name=ghcr.io/acme/app,push-by-digest=true,name-canonical=true,push=true' },
      ],
      ['a step condition selects legs', { stepIf: "matrix.platform == 'linux/amd64'" }],
      ['push depends on the leg', { push: "${{ matrix.platform == 'linux/amd64' }}" }],
      ['a job merges the digests under the tag', { more: mergeJob('ghcr.io/acme/app:latest') }],
      ['a merge writes references crossdock cannot read', { more: mergeJob('"$TAG"') }],
    ] as const
  ).map(
    ([what, o]): RuleCase => ({
      name: `condition: ${what}`,
      repo: { files: { ...DF, [WF]: matrix(o as Parameters<typeof matrix>[0]) } },
      expect: [],
    }),
  ),
  {
    name: 'a merge of other tags (`app:latest` merged while the legs push `app:edge`) leaves the tag single-platform',
    repo: {
      files: {
        ...DF,
        [WF]: matrix({ tags: 'ghcr.io/acme/app:edge', more: mergeJob('ghcr.io/acme/app:latest') }),
      },
    },
    expect: [at(R, 'error', WF, 19, 17)],
  },
  {
    name: 'condition: a push condition that does not depend on the leg still pushes from every leg',
    repo: { files: { ...DF, [WF]: matrix({ push: "${{ github.event_name != 'pull_request' }}" }) } },
    expect: [at(R, 'error', WF, 19, 17)],
  },
  {
    name: '`outputs: type=registry` pushes without `push: true`',
    repo: { files: { ...DF, [WF]: matrix({ push: 'false', outputs: 'type=registry' }) } },
    expect: [at(R, 'error', WF, 19, 17)],
  },
  {
    name: '`--output type=registry` pushes without `--push`',
    repo: {
      files: {
        ...DF,
        [WF]: script([
          'docker buildx build --platform linux/amd64 -t acme/app:edge --output type=registry .',
          'docker buildx build --platform linux/arm64 -t acme/app:edge --output type=registry .',
        ]),
      },
    },
    expect: [at(R, 'error', WF, 8, 57)],
  },
  {
    name: 'condition: the second job pushes another tag',
    repo: { files: { ...DF, [WF]: twoJobs({ tagB: 'ghcr.io/acme/app:1.0-arm64' }) } },
    expect: [],
  },
  {
    name: 'condition: jobs with different `if:` may never run together',
    repo: {
      files: {
        ...DF,
        [WF]: twoJobs({
          ifA: "github.ref == 'refs/heads/main'",
          ifB: "startsWith(github.ref, 'refs/tags/')",
        }),
      },
    },
    expect: [],
  },
  {
    name: 'jobs with the same `if:` run together',
    repo: {
      files: {
        ...DF,
        [WF]: twoJobs({ ifA: "github.ref == 'refs/heads/main'", ifB: "github.ref == 'refs/heads/main'" }),
      },
    },
    expect: [at(R, 'error', WF, 8, 60)],
  },
  {
    name: 'condition: a command in a branch of its script may not run',
    repo: {
      files: {
        ...DF,
        [WF]: twoJobs({
          runB: 'if [ "$GITHUB_REF" = refs/heads/main ]; then docker buildx build --platform linux/arm64 -t ghcr.io/acme/app:1.0 --push .; fi',
        }),
      },
    },
    expect: [],
  },
  {
    name: 'a build followed by `&&` or `||` runs all the same',
    repo: {
      files: {
        ...DF,
        [WF]: twoJobs({
          runB: 'docker buildx build --platform linux/arm64 -t ghcr.io/acme/app:1.0 --push . && echo pushed || echo failed',
        }),
      },
    },
    expect: [at(R, 'error', WF, 7, 60)],
  },
  {
    name: 'condition: a command after `&&` may not run',
    repo: {
      files: {
        ...DF,
        [WF]: twoJobs({
          runB: 'test -f Dockerfile && docker buildx build --platform linux/arm64 -t ghcr.io/acme/app:1.0 --push .',
        }),
      },
    },
    expect: [],
  },
  {
    name: 'condition: `crossdock build` in the workflow may merge the platforms',
    repo: {
      files: {
        ...DF,
        [WF]: matrix({
          more: [
            '  release:',
            '    runs-on: ubuntu-latest',
            '    steps:',
            '      - run: npx crossdock build --push',
          ],
        }),
      },
    },
    expect: [],
  },
  {
    name: 'condition: a merge action the rule does not model may merge the platforms',
    repo: {
      files: {
        ...DF,
        [WF]: matrix({
          more: [
            '  merge:',
            '    runs-on: ubuntu-latest',
            '    steps:',
            '      - uses: int128/docker-manifest-create-action@v2',
          ],
        }),
      },
    },
    expect: [],
  },
  {
    name: 'condition: `docker manifest push` of the tag may merge the platforms',
    repo: {
      files: {
        ...DF,
        [WF]: matrix({
          more: [
            '  manifest:',
            '    needs: build',
            '    runs-on: ubuntu-latest',
            '    steps:',
            '      - run: |',
            '          docker manifest create ghcr.io/acme/app:latest ghcr.io/acme/app:a ghcr.io/acme/app:b',
            '          docker manifest push ghcr.io/acme/app:latest',
          ],
        }),
      },
    },
    expect: [],
  },
  {
    name: 'condition: a release program in another language that pushes images may merge them',
    repo: {
      files: {
        ...DF,
        [WF]: matrix(),
        'scripts/release.py':
          'import subprocess\nsubprocess.run(["docker", "buildx", "build", "--push", "."])\n',
      },
    },
    expect: [],
  },
  {
    name: 'a script nothing runs, building each platform in turn with the same tag: an error, the second build a site',
    repo: {
      files: {
        ...DF,
        'scripts/release.sh': release([
          'docker buildx build --platform linux/amd64 -t acme/app:1.0 --push .',
          'docker buildx build --platform linux/arm64 -t acme/app:1.0 --push .',
        ]),
      },
    },
    expect: [at(R, 'error', SH, 3, 47, { sites: [`${SH}:4`] })],
  },
  {
    name: '`… || exit 1` after a build stops only a failed script: the next build still runs',
    repo: {
      files: {
        ...DF,
        'scripts/release.sh': release([
          'docker buildx build --platform linux/amd64 -t acme/app:1.0 --push . || exit 1',
          'docker buildx build --platform linux/arm64 -t acme/app:1.0 --push . || exit 1',
        ]),
      },
    },
    expect: [at(R, 'error', SH, 3, 47)],
  },
  ...(
    [
      [
        'a build in a branch of the script',
        [
          'docker buildx build --platform linux/amd64 -t acme/app:1.0 --push .',
          'if [ "$ARM" = 1 ]; then',
          '  docker buildx build --platform linux/arm64 -t acme/app:1.0 --push .',
          'fi',
        ],
      ],
      [
        'a build after an exit the script may take',
        [
          'docker buildx build --platform linux/amd64 -t acme/app:1.0 --push .',
          '[ -n "$ARM" ] || exit 0',
          'docker buildx build --platform linux/arm64 -t acme/app:1.0 --push .',
        ],
      ],
      [
        'a build that passes arguments crossdock cannot read (they may set the platform)',
        [
          'docker buildx build --platform linux/amd64 -t acme/app:1.0 --push .',
          'docker buildx build --platform linux/arm64 "$@" -t acme/app:1.0 --push .',
        ],
      ],
    ] as const
  ).map(
    ([what, lines]): RuleCase => ({
      name: `condition: ${what}`,
      repo: { files: { ...DF, 'scripts/release.sh': release([...lines]) } },
      expect: [],
    }),
  ),
  {
    name: 'a matrix job running a script per platform: the script builds push the same tag; the matrix values are the sites',
    repo: {
      files: {
        ...DF,
        'build.sh': release(['docker buildx build --platform "$1" -t acme/app:latest --push .']),
        [WF]: [
          'on: push',
          'jobs:',
          '  build:',
          '    strategy:',
          '      matrix:',
          '        platform: [linux/amd64, linux/arm64]',
          '    runs-on: ubuntu-latest',
          '    steps:',
          '      - uses: actions/checkout@v4',
          '      - uses: docker/setup-qemu-action@v3',
          '      - run: ./build.sh ${{ matrix.platform }}',
          '',
        ].join('\n'),
      },
    },
    expect: [at(R, 'error', 'build.sh', 3, 40, { sites: [`${WF}:6`, `${WF}:6`] })],
  },
  {
    name: 'condition: the step running the script is guarded by the leg',
    repo: {
      files: {
        ...DF,
        'build.sh': release(['docker buildx build --platform "$1" -t acme/app:latest --push .']),
        [WF]: [
          'on: push',
          'jobs:',
          '  build:',
          '    strategy:',
          '      matrix:',
          '        platform: [linux/amd64, linux/arm64]',
          '    runs-on: ubuntu-latest',
          '    steps:',
          '      - uses: actions/checkout@v4',
          "      - if: matrix.platform != 'linux/arm64'",
          '        run: ./build.sh ${{ matrix.platform }}',
          '',
        ].join('\n'),
      },
    },
    expect: [],
  },
  {
    name: 'unknown: the tag comes from docker/metadata-action (computed when the workflow runs): no claim',
    repo: { files: { ...DF, [WF]: matrix({ tags: '${{ steps.meta.outputs.tags }}' }) } },
    expect: [],
  },
  {
    name: 'unknown: a self-hosted runner of unknown architecture builds one leg: an unresolved-value note, no error',
    only: [R, U],
    repo: { files: { ...DF, [WF]: runners('ubuntu-24.04, self-hosted') } },
    expect: [at(U, 'info', WF, 7, 14, { message: /runner \[self-hosted\] is not known/ })],
  },
  {
    name: 'unknown: a platform from an expression crossdock cannot evaluate: an unresolved-value note, no error',
    only: [R, U],
    repo: { files: { ...DF, [WF]: matrix({ platforms: ['linux/amd64', '${{ inputs.platform }}'] }) } },
    expect: [at(U, 'info', WF, 17, 22)],
  },
]);
