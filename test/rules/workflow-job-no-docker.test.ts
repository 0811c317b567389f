// biome-ignore-all lint/suspicious/noTemplateCurlyInString: fixtures hold workflow `${{ }}` text literally.
import rule from '../../src/rules/workflow-job-no-docker.js';
import { at, type RuleCase, ruleTest } from '../helpers/rule-tester.js';

const R = 'workflow-job-no-docker';
const WF = '.github/workflows/image.yml';
const DF = { Dockerfile: 'FROM python:3.12-slim\n' };

/** One job: `runs-on`, optional `container:` lines, then checkout and the given steps (from line 7 + container lines). */
const job = (o: { runsOn?: string; container?: string[]; steps: string[]; top?: string[] }) =>
  [
    'on: push', // 1
    ...(o.top ?? []),
    'jobs:',
    '  image:',
    `    runs-on: ${o.runsOn ?? 'ubuntu-latest'}`, // 4
    ...(o.container ?? []),
    '    steps:',
    '      - uses: actions/checkout@v4',
    ...o.steps,
    '',
  ].join('\n');

const build = '      - run: docker build -t acme/app .';
const inPython = (steps: string[], container = ['    container: python:3.12']) =>
  ({ files: { ...DF, [WF]: job({ container, steps }) } }) as RuleCase['repo'];

ruleTest(rule, [
  {
    name: '`docker build` in a job running in `python:3.12`: an error at the command, the container image related',
    repo: inPython([build]),
    expect: [
      at(R, 'error', WF, 8, 14, {
        message:
          /^job "image" runs `docker build` inside the container `python:3\.12`, which has no Docker CLI, and no Docker socket is mounted: the step fails/,
        related: [`${WF}:5 the job's steps run in \`python:3.12\``],
        reachable: true,
      }),
    ],
  },
  {
    name: 'docker/build-push-action in `container: { image: node:20 }`: an error at the action',
    repo: inPython(
      ['      - uses: docker/build-push-action@v6', '        with:', '          push: false'],
      ['    container:', '      image: node:20'],
    ),
    expect: [
      at(R, 'error', WF, 9, 15, {
        message: /runs `docker\/build-push-action` inside the container `node:20`/,
      }),
    ],
  },
  {
    name: 'docker/setup-buildx-action in `ubuntu:24.04`: its docker-container builder needs the engine',
    repo: inPython(['      - uses: docker/setup-buildx-action@v3'], ['    container: ubuntu:24.04']),
    expect: [at(R, 'error', WF, 8, 15)],
  },
  // Each condition alone makes the finding disappear.
  ...(
    [
      ['the image ships the Docker CLI (`docker:27-cli`)', ['    container: docker:27-cli'], [build]],
      [
        'the socket is mounted (`volumes`)',
        [
          '    container:',
          '      image: python:3.12',
          '      volumes:',
          '        - /var/run/docker.sock:/var/run/docker.sock',
        ],
        [build],
      ],
      [
        'the socket is mounted (`options`)',
        [
          '    container:',
          '      image: python:3.12',
          '      options: -v /var/run/docker.sock:/var/run/docker.sock',
        ],
        [build],
      ],
      ['no container (the runner has Docker)', [], [build]],
      [
        'an earlier step installs Docker (apt-get install docker.io)',
        undefined,
        ['      - run: apt-get update && apt-get install -y docker.io', build],
      ],
      [
        'the same step installs the CLI before using it',
        undefined,
        [
          '      - run: |',
          '          apt-get update && apt-get install -y docker-ce-cli',
          '          docker build -t acme/app .',
        ],
      ],
      [
        'an action crossdock does not know runs before (it may install Docker)',
        undefined,
        ['      - uses: docker/setup-docker-action@v4', build],
      ],
      [
        'an earlier step runs a script (it may install Docker)',
        undefined,
        ['      - run: ./ci/setup.sh', build],
      ],
      [
        'the docker step has an `if:`',
        undefined,
        ["      - if: github.event_name == 'push'", '        run: docker build -t acme/app .'],
      ],
      ['the command is masked (`|| true`)', undefined, ['      - run: docker build -t acme/app . || true']],
      [
        'the command is in a branch of its script',
        undefined,
        ['      - run: if [ -f Dockerfile ]; then docker build -t acme/app .; fi'],
      ],
      [
        'the step looks for Docker first (`command -v docker`)',
        undefined,
        ['      - run: |', '          command -v docker || exit 0', '          docker build -t acme/app .'],
      ],
      ['the step uses another action', undefined, ['      - uses: actions/setup-python@v5']],
    ] as const
  ).map(
    ([what, container, steps]): RuleCase => ({
      name: `condition: ${what}`,
      repo: inPython([...steps], container ? [...container] : undefined),
      expect: [],
    }),
  ),
  {
    name: 'condition: a remote builder (setup-buildx-action with the kubernetes driver) needs no local engine',
    repo: inPython([
      '      - uses: docker/setup-buildx-action@v3',
      '        with:',
      '          driver: kubernetes',
      '      - uses: docker/build-push-action@v6',
    ]),
    expect: [],
  },
  {
    name: 'condition: a Docker daemon reached through DOCKER_HOST (a dind service)',
    repo: {
      files: {
        ...DF,
        [WF]: job({
          top: ['env:', '  DOCKER_HOST: tcp://docker:2375'],
          container: ['    container: python:3.12'],
          steps: [build],
        }),
      },
    },
    expect: [],
  },
  {
    name: 'condition: a dind service answers docker',
    repo: inPython(
      [build],
      ['    container: python:3.12', '    services:', '      docker:', '        image: docker:27-dind'],
    ),
    expect: [],
  },
  {
    name: 'a `cd` before `&&` does not make the command conditional',
    repo: inPython(['      - run: cd app && docker build -t acme/app .']),
    expect: [at(R, 'error', WF, 8, 24)],
  },
  {
    name: 'condition: a test before `&&` makes the command conditional',
    repo: inPython(['      - run: test -S /var/run/docker.sock && docker build -t acme/app .']),
    expect: [],
  },
  {
    name: 'unknown: an image crossdock knows nothing about may ship Docker: no claim',
    repo: inPython([build], ['    container: ghcr.io/acme/ci-builder:1']),
    expect: [],
  },
  {
    name: 'unknown: an image written with an expression: no claim',
    repo: inPython([build], ['    container: ${{ matrix.image }}']),
    expect: [],
  },
  {
    name: '`runs-on: macos-latest` with `docker build`: an error, the runner related',
    repo: { files: { ...DF, [WF]: job({ runsOn: 'macos-latest', steps: [build] }) } },
    expect: [
      at(R, 'error', WF, 7, 14, {
        message:
          /^job "image" runs `docker build` on \[macos-latest\]: GitHub's macOS runner images ship no Docker/,
        related: [`${WF}:4 the job runs on [macos-latest]`],
      }),
    ],
  },
  {
    name: 'a matrix over ubuntu and macOS runners: the macOS leg fails, its matrix value related',
    repo: {
      files: {
        ...DF,
        [WF]: [
          'on: push',
          'jobs:',
          '  image:',
          '    strategy:',
          '      matrix:',
          '        os: [ubuntu-latest, macos-14]',
          '    runs-on: ${{ matrix.os }}',
          '    steps:',
          '      - uses: docker/build-push-action@v6',
          '',
        ].join('\n'),
      },
    },
    expect: [at(R, 'error', WF, 9, 15, { related: [`${WF}:6 the job runs on [macos-14]`] })],
  },
  {
    name: 'condition: a step guarded by `runner.os` does not run on macOS',
    repo: {
      files: {
        ...DF,
        [WF]: job({
          runsOn: 'macos-latest',
          steps: ["      - if: runner.os == 'Linux'", '        run: docker build -t acme/app .'],
        }),
      },
    },
    expect: [],
  },
  {
    name: 'windows-11-arm ships no Docker',
    repo: { files: { ...DF, [WF]: job({ runsOn: 'windows-11-arm', steps: [build] }) } },
    expect: [at(R, 'error', WF, 7, 14, { message: /the windows-11-arm runner image ships no Docker/ })],
  },
  ...(
    [
      ['windows-latest has Docker (Windows containers): not claimed', 'windows-latest'],
      ['a self-hosted macOS runner may have Docker installed', '[self-hosted, macos]'],
      ['an ubuntu runner has Docker', 'ubuntu-24.04-arm'],
    ] as const
  ).map(
    ([what, runsOn]): RuleCase => ({
      name: `condition: ${what}`,
      repo: { files: { ...DF, [WF]: job({ runsOn, steps: [build] }) } },
      expect: [],
    }),
  ),
]);
