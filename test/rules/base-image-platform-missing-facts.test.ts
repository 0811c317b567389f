import { test } from 'node:test';
import { runRules } from '../../src/engine/run.js';
import rule from '../../src/rules/base-image-platform-missing.js';
import { loadRepo, type RepoSpec } from '../helpers/check.js';
import { assertFindings, at, type Expected } from '../helpers/rule-tester.js';

/**
 * Conditions of base-image-platform-missing without a registry: the model is loaded from an in-memory repository
 * and given the registry facts `check --online` would have fetched (platforms of the index or single image, or
 * why it could not be read). base-image-platform-missing.test.ts covers the real fetch.
 */

type Facts = { platforms: string[]; index: boolean } | { error: string };

const R = 'base-image-platform-missing';
const U = 'unresolved-value';
const IMAGES = 'images:\n  reg/app:\n    context: .\n    dockerfile: Dockerfile\n';
const TWO = 'platforms: [linux/amd64, linux/arm64]\n';
const AMD: Facts = { platforms: ['linux/amd64'], index: true };
const BOTH: Facts = { platforms: ['linux/amd64', 'linux/arm64'], index: true };
const DIGEST = `reg.io/base@sha256:${'a'.repeat(64)}`;

function factsCase(
  name: string,
  repo: RepoSpec,
  online: Record<string, Facts> | undefined,
  expect: Expected[],
  options: { online?: boolean } = {},
): void {
  test(`${R}: ${name}`, { timeout: 20_000 }, async () => {
    const model = await loadRepo(repo);
    if (online) model.online = new Map(Object.entries(online));
    const findings = await runRules(model, [rule], { online: options.online ?? true });
    assertFindings(
      findings.filter((f) => f.ruleId === R || f.ruleId === U || f.ruleId === 'internal-error'),
      expect,
    );
  });
}

factsCase(
  'a reached build for linux/arm64 whose base has only linux/amd64 is an error at the image',
  { files: { 'crossdock.yaml': `${TWO}${IMAGES}`, Dockerfile: 'FROM reg.io/base:1\n' } },
  { 'reg.io/base:1': AMD },
  [
    at(R, 'error', 'Dockerfile', 1, 6, {
      message:
        /^`reg\.io\/base:1` has no linux\/arm64 image in its registry \(it has: linux\/amd64\): the linux\/arm64 build fails with "no match for platform in manifest"$/,
      sites: ['crossdock.yaml:1'],
      related: [],
      reachable: true,
    }),
  ],
);
factsCase(
  'one finding per missing platform',
  {
    files: {
      'crossdock.yaml': `platforms: [linux/amd64, linux/arm64, linux/s390x]\n${IMAGES}`,
      Dockerfile: 'FROM reg.io/base:1\n',
    },
  },
  { 'reg.io/base:1': AMD },
  [
    at(R, 'error', 'Dockerfile', 1, 6, { message: /no linux\/arm64 image/ }),
    at(R, 'error', 'Dockerfile', 1, 6, { message: /no linux\/s390x image/ }),
  ],
);
factsCase(
  'a Dockerfile nothing builds with crossdock.yaml platforms: a warning',
  { files: { 'crossdock.yaml': TWO, Dockerfile: 'FROM reg.io/base:1\n' } },
  { 'reg.io/base:1': AMD },
  [at(R, 'warning', 'Dockerfile', 1, 6, { reachable: false })],
);
factsCase(
  'condition "a platform is missing": a base with both platforms is fine',
  { files: { 'crossdock.yaml': `${TWO}${IMAGES}`, Dockerfile: 'FROM reg.io/base:1\n' } },
  { 'reg.io/base:1': BOTH },
  [],
);
factsCase(
  'condition "the build targets that platform": an amd64-only build of an amd64-only base is fine',
  { files: { 'crossdock.yaml': `platforms: [linux/amd64]\n${IMAGES}`, Dockerfile: 'FROM reg.io/base:1\n' } },
  { 'reg.io/base:1': AMD },
  [],
);
factsCase(
  'a variant platform matches its listing (linux/arm/v7), and linux/arm64 matches linux/arm64/v8; unknown/unknown is ignored',
  {
    files: {
      'crossdock.yaml': `platforms: [linux/arm/v7, linux/arm64]\n${IMAGES}`,
      Dockerfile: 'FROM reg.io/base:1\n',
    },
  },
  { 'reg.io/base:1': { platforms: ['linux/arm/v7', 'linux/arm64/v8', 'unknown/unknown'], index: true } },
  [],
);
factsCase(
  "the build's own platforms: docker build on ubuntu-latest builds linux/amd64 only (fine), --platform linux/arm64 does not",
  {
    files: {
      Dockerfile: 'FROM reg.io/base:1\n',
      '.github/workflows/b.yml':
        'on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n      - run: docker build -t app .\n  b:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n      - run: docker buildx build --platform linux/arm64 -t app2 .\n',
    },
  },
  { 'reg.io/base:1': AMD },
  [at(R, 'error', 'Dockerfile', 1, 6, { sites: ['.github/workflows/b.yml:12'] })],
);
factsCase(
  'condition "the platforms are known": a crossdock.yaml image naming no platforms gets an unresolved-value note, no claim',
  { files: { 'crossdock.yaml': IMAGES, Dockerfile: 'FROM reg.io/base:1\n' } },
  { 'reg.io/base:1': AMD },
  [
    at(U, 'info', 'Dockerfile', 1, 6, {
      message:
        /^crossdock\.yaml images\."reg\/app" names no platforms; not checked: whether reg\.io\/base:1 has every platform built \(base-image-platform-missing\)$/,
    }),
  ],
);
factsCase(
  'a Dockerfile nothing builds and no declared platforms: unresolved-value note at its FROM',
  { files: { Dockerfile: 'FROM reg.io/base:1\n' } },
  { 'reg.io/base:1': AMD },
  [
    at(U, 'info', 'Dockerfile', 1, 1, {
      message: /nothing in the repository builds Dockerfile/,
      reachable: false,
    }),
  ],
);
factsCase(
  'condition "the stage runs on the target platform": a FROM --platform=$BUILDPLATFORM stage needs only the builder platform',
  {
    files: {
      'crossdock.yaml': `${TWO}${IMAGES}`,
      Dockerfile:
        'FROM --platform=$BUILDPLATFORM reg.io/base:1 AS b\nFROM reg.io/full:1\nCOPY --from=b /x /x\n',
    },
  },
  { 'reg.io/base:1': AMD, 'reg.io/full:1': BOTH },
  [],
);
factsCase(
  'a constant FROM --platform pulls that platform only: linux/amd64 is fine, linux/arm64 on an amd64-only base is not',
  {
    files: {
      'crossdock.yaml': `${TWO}${IMAGES}`,
      Dockerfile:
        'FROM --platform=linux/amd64 reg.io/base:1 AS a\nFROM --platform=linux/arm64 reg.io/base:1 AS b\nFROM reg.io/full:1\nCOPY --from=a /x /x\nCOPY --from=b /y /y\n',
    },
  },
  { 'reg.io/base:1': AMD, 'reg.io/full:1': BOTH },
  [at(R, 'error', 'Dockerfile', 2, 29, { message: /no linux\/arm64 image/ })],
);
factsCase(
  'a digest of one single-platform manifest where two platforms are built is reported as such',
  { files: { 'crossdock.yaml': `${TWO}${IMAGES}`, Dockerfile: `FROM ${DIGEST}\n` } },
  { [DIGEST]: { platforms: ['linux/amd64'], index: false } },
  [
    at(R, 'error', 'Dockerfile', 1, 6, {
      message: new RegExp(
        `^\`${DIGEST.replace(/[.]/g, '\\.')}\` pins a single-platform manifest \\(linux/amd64\\), but this stage is built for linux/amd64, linux/arm64: every platform gets that one architecture, or the build fails$`,
      ),
      sites: ['crossdock.yaml:1'],
      related: [],
    }),
  ],
);
factsCase(
  'condition "several platforms built": the same digest for an amd64-only build is fine',
  { files: { 'crossdock.yaml': `platforms: [linux/amd64]\n${IMAGES}`, Dockerfile: `FROM ${DIGEST}\n` } },
  { [DIGEST]: { platforms: ['linux/amd64'], index: false } },
  [],
);
factsCase(
  'condition "the registry was read": an unreadable image or one not fetched is not reported',
  {
    files: {
      'crossdock.yaml': `${TWO}${IMAGES}`,
      Dockerfile: 'FROM reg.io/base:1 AS a\nFROM reg.io/other:1\nCOPY --from=a /x /x\n',
    },
  },
  { 'reg.io/base:1': { error: 'connection refused' } },
  [],
);
factsCase(
  'condition "the stage is built": a stage the target does not use is not reported',
  {
    files: {
      'crossdock.yaml': `${TWO}${IMAGES}`,
      Dockerfile: 'FROM reg.io/base:1 AS unused\nFROM reg.io/full:1\n',
    },
  },
  { 'reg.io/base:1': AMD, 'reg.io/full:1': BOTH },
  [],
);
factsCase(
  "the base image is resolved with the build's own build args",
  {
    files: {
      'crossdock.yaml': `${TWO}${IMAGES}    buildArgs:\n      BASE: reg.io/full:1\n`,
      Dockerfile: `ARG BASE=reg.io/base:1\nFROM \${BASE}\n`,
    },
  },
  { 'reg.io/base:1': AMD, 'reg.io/full:1': BOTH },
  [],
);
factsCase(
  'condition "the base image is known": an ARG nothing passes is not checked',
  { files: { 'crossdock.yaml': `${TWO}${IMAGES}`, Dockerfile: `ARG BASE\nFROM \${BASE}\n` } },
  { 'reg.io/base:1': AMD },
  [],
);
factsCase(
  'a stage built FROM a local stage is judged at the root only',
  { files: { 'crossdock.yaml': `${TWO}${IMAGES}`, Dockerfile: 'FROM reg.io/base:1 AS base\nFROM base\n' } },
  { 'reg.io/base:1': AMD },
  [at(R, 'error', 'Dockerfile', 1, 6)],
);
factsCase(
  'offline (no --online) the rule does not run',
  { files: { 'crossdock.yaml': `${TWO}${IMAGES}`, Dockerfile: 'FROM reg.io/base:1\n' } },
  { 'reg.io/base:1': AMD },
  [],
  { online: false },
);
factsCase(
  'condition "has": unknown/unknown is not a platform the image has; an image with none has nothing',
  {
    files: {
      'crossdock.yaml': `${TWO}${IMAGES}`,
      Dockerfile: 'FROM reg.io/base:1 AS a\nFROM reg.io/empty:1\nCOPY --from=a /x /x\n',
    },
  },
  {
    'reg.io/base:1': { platforms: ['linux/amd64', 'unknown/unknown'], index: true },
    'reg.io/empty:1': { platforms: ['unknown/unknown'], index: true },
  },
  [
    at(R, 'error', 'Dockerfile', 1, 6, {
      message: /^`reg\.io\/base:1` has no linux\/arm64 image in its registry \(it has: linux\/amd64\): /,
    }),
    at(R, 'error', 'Dockerfile', 2, 6, {
      message: /^`reg\.io\/empty:1` has no linux\/amd64 image in its registry \(it has: nothing\): /,
    }),
    at(R, 'error', 'Dockerfile', 2, 6, { message: /^`reg\.io\/empty:1` has no linux\/arm64 image/ }),
  ],
);
factsCase(
  'condition "a platform is missing": a listing without a variant covers the variant built (linux/arm has linux/arm/v7), but not linux/arm64',
  {
    files: {
      'crossdock.yaml': `platforms: [linux/arm/v7, linux/arm64]\n${IMAGES}`,
      Dockerfile: 'FROM reg.io/base:1\n',
    },
  },
  { 'reg.io/base:1': { platforms: ['linux/arm'], index: true } },
  [
    at(R, 'error', 'Dockerfile', 1, 6, {
      message: /^`reg\.io\/base:1` has no linux\/arm64 image in its registry \(it has: linux\/arm\)/,
    }),
  ],
);
factsCase(
  'condition "the platforms are known": a constant --platform is checked even when the build\'s platforms are not known',
  {
    files: {
      'crossdock.yaml': IMAGES,
      Dockerfile: 'FROM --platform=linux/arm64 reg.io/base:1\n',
    },
  },
  { 'reg.io/base:1': AMD },
  [at(R, 'error', 'Dockerfile', 1, 29, { message: /^`reg\.io\/base:1` has no linux\/arm64 image/ })],
);
factsCase(
  'condition "a single-platform digest": a tag of one single-platform image is a missing platform, not a pinned digest',
  { files: { 'crossdock.yaml': `${TWO}${IMAGES}`, Dockerfile: 'FROM reg.io/base:1\n' } },
  { 'reg.io/base:1': { platforms: ['linux/amd64'], index: false } },
  [at(R, 'error', 'Dockerfile', 1, 6, { message: /^`reg\.io\/base:1` has no linux\/arm64 image/ })],
);
factsCase(
  'condition "a single-platform digest": an index digest without arm64 is a missing platform',
  { files: { 'crossdock.yaml': `${TWO}${IMAGES}`, Dockerfile: `FROM ${DIGEST}\n` } },
  { [DIGEST]: { platforms: ['linux/amd64'], index: true } },
  [at(R, 'error', 'Dockerfile', 1, 6, { message: /has no linux\/arm64 image/ })],
);
factsCase(
  'condition "several platforms built": a single-platform digest for a build of another single platform is a missing platform',
  { files: { 'crossdock.yaml': `platforms: [linux/arm64]\n${IMAGES}`, Dockerfile: `FROM ${DIGEST}\n` } },
  { [DIGEST]: { platforms: ['linux/amd64'], index: false } },
  [
    at(R, 'error', 'Dockerfile', 1, 6, {
      message: /has no linux\/arm64 image in its registry \(it has: linux\/amd64\)/,
    }),
  ],
);
factsCase(
  'condition "a platform is missing": a manifest digest listing every platform built is fine',
  { files: { 'crossdock.yaml': `${TWO}${IMAGES}`, Dockerfile: `FROM ${DIGEST}\n` } },
  { [DIGEST]: { platforms: ['linux/amd64', 'linux/arm64'], index: false } },
  [],
);
factsCase(
  'condition "registry facts were fetched": a run asked to be online without facts reports nothing and does not fail',
  { files: { 'crossdock.yaml': `${TWO}${IMAGES}`, Dockerfile: 'FROM reg.io/base:1\n' } },
  undefined,
  [],
);
