// biome-ignore-all lint/suspicious/noTemplateCurlyInString: workflow fixtures hold `${{ }}` text literally.
import selfHostedTrigger from '../../src/rules/self-hosted-trigger.js';
import { at, ruleTest } from '../helpers/rule-tester.js';

const CI = '.github/workflows/ci.yml';

const ci = [
  'name: ci',
  'on:',
  '  push:',
  '    branches: [main]',
  '  pull_request:',
  '  workflow_dispatch:',
  'jobs:',
  '  gpu:',
  '    runs-on: [self-hosted, linux, gpu]',
  '    timeout-minutes: 30',
  '    steps:',
  '      - uses: actions/checkout@v4',
  '      - run: nvidia-smi',
  '  edge:',
  '    runs-on:',
  '      labels: [self-hosted, Linux, ARM64]',
  '    steps:',
  '      - run: ./scripts/build-edge.sh',
  '  matrix:',
  '    strategy:',
  '      matrix:',
  '        arch: [x64, arm64]',
  '    runs-on: [self-hosted, linux, "${{ matrix.arch }}"]',
  '    steps:',
  '      - run: uname -m',
  '  dynamic:',
  '    runs-on: ${{ inputs.runner }}',
  '    steps:',
  '      - run: "true"',
  '  hosted:',
  '    runs-on: ubuntu-24.04-arm',
  '    steps:',
  '      - run: "true"',
  '',
].join('\n');

const config = [
  'runners:',
  '  - [self-hosted, linux, arm64]',
  '  - labels: [self-hosted, linux, x64, docker]',
  '',
].join('\n');

/** A workflow triggered by `on` with one job on `runsOn`. */
const one = (on: string, runsOn: string) =>
  `${on}\njobs:\n  build:\n    runs-on: ${runsOn}\n    steps:\n      - run: make\n`;

ruleTest(selfHostedTrigger, [
  {
    name: 'jobs on push/pull_request needing self-hosted labels are info at runs-on, one per matrix label set',
    repo: { files: { [CI]: ci } },
    expect: [
      at('self-hosted-trigger', 'info', CI, 9, 14, {
        message:
          /^job "gpu" runs on every push\/pull_request and needs a self-hosted runner with labels \[self-hosted, linux, gpu\]: with none online it queues until it is cancelled \(24 h\)$/,
        reachable: true,
      }),
      at('self-hosted-trigger', 'info', CI, 16, 7, {
        message: /^job "edge" .*labels \[self-hosted, Linux, ARM64\]/,
      }),
      at('self-hosted-trigger', 'info', CI, 23, 14, {
        message: /^job "matrix" .*labels \[self-hosted, linux, x64\]/,
      }),
      at('self-hosted-trigger', 'info', CI, 23, 14, {
        message: /^job "matrix" .*labels \[self-hosted, linux, arm64\]/,
      }),
    ],
  },
  {
    name: 'a bare `self-hosted` label and a runs-on mapping with a group count too',
    repo: {
      files: {
        '.github/workflows/a.yml': one('on: push', 'self-hosted'),
        '.github/workflows/b.yml':
          'on: push\njobs:\n  build:\n    runs-on:\n      group: arm\n      labels: [self-hosted, arm64]\n    steps:\n      - run: make\n',
      },
    },
    expect: [
      at('self-hosted-trigger', 'info', '.github/workflows/a.yml', 4, 14, {
        message: /labels \[self-hosted\]/,
      }),
      at('self-hosted-trigger', 'info', '.github/workflows/b.yml', 5, 7, {
        message: /labels \[self-hosted, arm64\]/,
      }),
    ],
  },
  // Condition: runners declared in crossdock.yaml.
  {
    name: 'with runners declared in crossdock.yaml, only label sets no runner has are reported, as warnings (labels match case-insensitively)',
    repo: { files: { [CI]: ci, 'crossdock.yaml': config } },
    expect: [
      at('self-hosted-trigger', 'warning', CI, 9, 14, {
        message:
          /^job "gpu" needs a self-hosted runner with labels \[self-hosted, linux, gpu\], but no runner declared in crossdock\.yaml has them: it will queue forever$/,
      }),
    ],
  },
  {
    name: 'a declared runner with the GPU labels (and more) covers the last set: nothing',
    repo: { files: { [CI]: ci, 'crossdock.yaml': `${config}  - [self-hosted, linux, gpu, cuda]\n` } },
    expect: [],
  },
  {
    name: 'an empty runner list declares that there are none: every self-hosted set is a warning',
    repo: { files: { 'crossdock.yaml': 'runners: []\n', [CI]: one('on: push', '[self-hosted, arm64]') } },
    expect: [at('self-hosted-trigger', 'warning', CI, 4, 14, { message: /no runner declared/ })],
  },
  // Condition: the trigger is automatic.
  {
    name: 'workflows run only by hand, on a schedule or on a release report nothing',
    repo: {
      files: {
        '.github/workflows/nightly.yml': [
          'name: nightly',
          'on:',
          '  workflow_dispatch:',
          '  schedule:',
          '    - cron: "0 3 * * *"',
          'jobs:',
          '  bench:',
          '    runs-on: [self-hosted, gpu]',
          '    steps:',
          '      - run: ./bench.sh',
          '',
        ].join('\n'),
        '.github/workflows/release.yml': one(
          'on:\n  release:\n    types: [published]',
          '[self-hosted, linux, arm64]',
        ),
      },
    },
    expect: [],
  },
  {
    name: 'the trigger list may be a string, a list or a mapping',
    repo: {
      files: {
        '.github/workflows/a.yml': one('on: pull_request_target', '[self-hosted, arm64]'),
        '.github/workflows/b.yml': one('on: [merge_group, workflow_dispatch]', '[self-hosted, arm64]'),
        '.github/workflows/c.yml': one('on:\n  push:\n    tags: ["v*"]', '[self-hosted, arm64]'),
      },
    },
    expect: [
      at('self-hosted-trigger', 'info', '.github/workflows/a.yml', 4, 14, {
        message: /runs on every pull_request_target and/,
      }),
      at('self-hosted-trigger', 'info', '.github/workflows/b.yml', 4, 14, {
        message: /runs on every merge_group and/,
      }),
      at('self-hosted-trigger', 'info', '.github/workflows/c.yml', 6, 14, {
        message: /runs on every push and/,
      }),
    ],
  },
  // Condition: the labels are self-hosted.
  {
    name: 'hosted runners (a string, a list) report nothing',
    repo: {
      files: {
        '.github/workflows/a.yml': one('on: push', 'ubuntu-24.04-arm'),
        '.github/workflows/b.yml': one('on: push', '[ubuntu-latest]'),
      },
    },
    expect: [],
  },
  // Unknown labels: no claim.
  {
    name: 'labels from an expression crossdock cannot resolve (an input) report nothing',
    repo: {
      files: {
        '.github/workflows/a.yml': one('on: push', '${{ inputs.runner }}'),
        '.github/workflows/b.yml': one('on: push', '[self-hosted, "${{ inputs.arch }}"]'),
      },
    },
    expect: [],
  },
]);
