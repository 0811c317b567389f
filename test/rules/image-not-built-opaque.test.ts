import rule from '../../src/rules/image-not-built.js';
import { at, ruleTest } from '../helpers/rule-tester.js';

/**
 * "No build pushes this tag" is a claim about every producer of the image. A release program crossdock does
 * not read (JavaScript, Python…) or a workflow action that builds images may push the deployed tag: then the
 * tags are not known, and the rule leaves a note instead of a claim.
 */
const R = rule.meta.id;
const base = {
  Dockerfile: 'FROM node:22-slim\nCOPY . /app\n',
  'compose.yaml': 'services:\n  web:\n    image: acme/web:2\n',
  'package.json': JSON.stringify({
    scripts: { 'build-docker': 'docker buildx build -t acme/web:nightly . --push' },
  }),
};

ruleTest(rule, [
  {
    name: 'the only producers are read: a tag no build pushes is reported',
    repo: { files: base },
    expect: [at(R, 'error', 'compose.yaml', 3, 12, { message: /push only `nightly`/ })],
  },
  {
    name: 'a release script in JavaScript that runs `buildx build` may push it: no claim, a note at the script',
    repo: {
      files: {
        ...base,
        'extra/release/images.mjs': 'await $`docker buildx build -t acme/web:${version} --push .`;\n',
      },
    },
    only: [R, 'unresolved-value'],
    expect: [at('unresolved-value', 'info', 'extra/release/images.mjs', 1, 9)],
  },
  {
    name: 'a workflow step using an image-building action crossdock does not read: no claim, a note at the step',
    repo: {
      files: {
        ...base,
        '.github/workflows/release.yml':
          'on: push\njobs:\n  r:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: acme/docker-release@v1\n',
      },
    },
    only: [R, 'unresolved-value'],
    expect: [at('unresolved-value', 'info', '.github/workflows/release.yml', 6, 15)],
  },
  {
    name: 'a JavaScript file that is a test, not release tooling, is not a producer',
    repo: {
      files: {
        ...base,
        'test/docker.test.mjs': 'exec("docker build -t acme/web:2 .")\n',
      },
    },
    expect: [at(R, 'error', 'compose.yaml', 3, 12)],
  },
]);
