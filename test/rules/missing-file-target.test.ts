// biome-ignore-all lint/suspicious/noTemplateCurlyInString: fixtures hold workflow `${{ }}` text literally.
import rule from '../../src/rules/missing-file.js';
import { at, ruleTest } from '../helpers/rule-tester.js';

/** A build's `--target` / `target:` whose value is not known: which stages it builds is not known either. */
const R = rule.meta.id;
const DOCKERFILE =
  'FROM python:3.12-slim AS prod\nCOPY app.py /app/\n\nFROM python:3.12-slim AS dev\nCOPY dist/app.whl /tmp/\n';
const workflow = (target: string) =>
  `on:\n  workflow_dispatch:\n    inputs:\n      stage:\n        type: string\njobs:\n  image:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n      - uses: docker/build-push-action@v6\n        with:\n          context: .\n          target: ${target}\n          tags: reg/app:1\n`;

ruleTest(rule, [
  {
    name: 'unknown: build-push-action `target: ${{ inputs.stage }}` is not the last stage: no claim on the dev stage',
    repo: {
      files: {
        Dockerfile: DOCKERFILE,
        'app.py': 'print(1)\n',
        '.github/workflows/ci.yml': workflow('${{ inputs.stage }}'),
      },
    },
    only: [R],
    expect: [],
  },
  {
    name: 'a known target that is the last stage: its missing file is an error',
    repo: {
      files: {
        Dockerfile: DOCKERFILE,
        'app.py': 'print(1)\n',
        '.github/workflows/ci.yml': workflow('dev'),
      },
    },
    only: [R],
    expect: [at(R, 'error', 'Dockerfile', 5, 6, { reachable: true })],
  },
]);
