// biome-ignore-all lint/suspicious/noTemplateCurlyInString: fixtures hold workflow `${{ }}` text literally.
/**
 * workflow-job-no-docker, one condition at a time: which actions are known not to install Docker, which commands
 * before `&&` leave the docker command unconditional, which probes look for Docker, where a remote builder counts,
 * and where the runner label is related.
 */
import rule from '../../src/rules/workflow-job-no-docker.js';
import { at, type Expected, type RuleCase, ruleTest } from '../helpers/rule-tester.js';

const R = 'workflow-job-no-docker';
const WF = '.github/workflows/image.yml';
const DF = { Dockerfile: 'FROM python:3.12-slim\n' };

/** One job in `python:3.12` (lines 1–5), checkout at line 7, then `steps` from line 8. */
const job = (steps: string[], container = ['    container: python:3.12']) =>
  [
    'on: push',
    'jobs:',
    '  image:',
    '    runs-on: ubuntu-latest',
    ...container,
    '    steps:',
    '      - uses: actions/checkout@v4',
    ...steps,
    '',
  ].join('\n');

const repo = (wf: string): RuleCase['repo'] => ({ files: { ...DF, [WF]: wf } });
const error = (line: number, column: number, what = 'docker build'): Expected =>
  at(R, 'error', WF, line, column, {
    message: new RegExp(`^job "image" runs \`${what}\` inside the container`),
  });

const cases: RuleCase[] = [];
const add = (name: string, wf: string, expect: Expected[]) => cases.push({ name, repo: repo(wf), expect });

add('action: docker/bake-action needs the engine', job(['      - uses: docker/bake-action@v5']), [
  error(8, 15, 'docker/bake-action'),
]);
add(
  'action: a docker action with `if:` may not run',
  job(["      - if: github.event_name == 'push'", '        uses: docker/build-push-action@v6']),
  [],
);
add(
  'action: actions/setup-python installs no Docker',
  job(['      - uses: actions/setup-python@v5', '      - run: docker build -t acme/app .']),
  [error(9, 14)],
);
add(
  'action: an action whose name only ends like a known one (`myorg-actions/checkout`) may install Docker',
  job(['      - uses: myorg-actions/checkout@v1', '      - run: docker build -t acme/app .']),
  [],
);
add(
  'action: an action whose name only begins like a known one (`actions/cache-docker`) may install Docker',
  job(['      - uses: actions/cache-docker@v1', '      - run: docker build -t acme/app .']),
  [],
);
add(
  'step: a run step without docker before the build',
  job(['      - run: echo start', '      - run: docker build -t acme/app .']),
  [error(9, 14)],
);

// `X && docker …`: setup commands leave it unconditional; a test makes it conditional.
for (const setup of [
  'pushd app',
  'echo building',
  'printf x',
  'mkdir -p out',
  'export TAG=1',
  'set -e',
  'true',
])
  add(
    `&&: \`${setup}\` before \`&&\` succeeds wherever the job runs`,
    job([`      - run: ${setup} && docker build -t acme/app .`]),
    [error(8, 18 + setup.length)],
  );
add(
  '&&: a test before `&&` makes it conditional',
  job(['      - run: \'[ -n "$CI" ] && docker build -t acme/app .\'']),
  [],
);
add(
  '||: a docker command after `||` runs only when the first fails',
  job(['      - run: \'[ -n "$SKIP" ] || docker build -t acme/app .\'']),
  [],
);
add(
  '||: a command after the docker one that is masked does not mask it',
  job(['      - run: |', '          docker build -t acme/app .', '          echo built || true']),
  [error(9, 11)],
);

add(
  'depth: a docker command in a function the script may never call',
  job(['      - run: |', '          build() { docker build -t acme/app .; }', '          echo skip']),
  [],
);

// Probes: only a probe for `docker` itself makes the step do without it.
for (const probe of ['command -v', 'which', 'type', 'hash'])
  add(
    `probe: \`${probe} docker-compose\` looks for another program`,
    job(['      - run: |', `          ${probe} docker-compose`, '          docker build -t acme/app .']),
    [error(10, 11)],
  );
add(
  'probe: `which docker` makes the step do without it',
  job(['      - run: |', '          which docker || exit 0', '          docker build -t acme/app .']),
  [],
);

// A remote builder counts in its own job only.
add(
  'remote builder: one set up after the docker step, in the same job',
  job([
    '      - run: docker buildx build -t acme/app .',
    '      - uses: docker/setup-buildx-action@v3',
    '        with:',
    '          driver: kubernetes',
  ]),
  [],
);
add(
  'remote builder: one in another job does not count',
  [
    'on: push',
    'jobs:',
    '  image:',
    '    runs-on: ubuntu-latest',
    '    container: python:3.12',
    '    steps:',
    '      - run: docker build -t acme/app .',
    '  remote:',
    '    runs-on: ubuntu-latest',
    '    steps:',
    '      - uses: docker/setup-buildx-action@v3',
    '        with:',
    '          driver: kubernetes',
    '',
  ].join('\n'),
  [error(7, 14)],
);
add(
  'container: a `container:` without an image is not claimed',
  job(['      - run: docker build -t acme/app .'], ['    container:', '      options: --cpus 2']),
  [],
);
add(
  'runner: the matrix value naming the runner is related, not another matrix key',
  [
    'on: push',
    'jobs:',
    '  image:',
    '    strategy:',
    '      matrix:',
    "        python: ['3.12']",
    '        os: [macos-14]',
    '    runs-on: ${{ matrix.os }}',
    '    steps:',
    '      - run: docker build -t acme/app .',
    '',
  ].join('\n'),
  [at(R, 'error', WF, 10, 14, { related: [`${WF}:7 the job runs on [macos-14]`] })],
);

ruleTest(rule, cases);
