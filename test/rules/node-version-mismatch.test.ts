import rule from '../../src/rules/node-version-mismatch.js';
import { at, type RuleCase, ruleTest } from '../helpers/rule-tester.js';

const R = 'node-version-mismatch';
const U = 'unresolved-value';
const withNotes = (cases: RuleCase[]) => cases.map((c) => ({ only: [R, U], ...c }));
const IMAGES = 'images:\n  reg/app:\n    context: .\n    dockerfile: Dockerfile\n';
const ENGINES = '{"name":"web","engines":{"node":">=20.11"}}';
const WEB_PKG = '{\n  "engines": { "node": ">=20" }\n}\n';
const built = (dockerfile: string, files: Record<string, string> = {}) => ({
  files: { 'crossdock.yaml': IMAGES, Dockerfile: dockerfile, ...files },
});

// unresolved-value notes are compared exhaustively too.
ruleTest(
  rule,
  withNotes([
    {
      name: 'a node image outside engines.node is an error at the image of every built stage root, with the constraint as related',
      repo: built(
        'FROM node:18-alpine AS deps\nWORKDIR /app\nCOPY package.json ./\nRUN npm ci\nFROM node:18-alpine\nCOPY --from=deps /app /app\n',
        { 'package.json': ENGINES },
      ),
      expect: [
        at(R, 'warning', 'Dockerfile', 1, 6, {
          message:
            /runs Node 18 \(the node:18-alpine image\), but engines\.node in package\.json asks for ">=20\.11": the app runs on a Node it does not declare support for/,
          sites: ['crossdock.yaml:1'],
          reachable: true,
        }),
        at(R, 'warning', 'Dockerfile', 5, 6),
      ],
    },
    {
      name: 'each consequence in full, with the constraint as the related location: engines.node',
      repo: built('FROM node:18-alpine\n', {
        'package.json': '{\n  "name": "web",\n  "engines": { "node": ">=20.11" }\n}\n',
      }),
      expect: [
        at(R, 'warning', 'Dockerfile', 1, 6, {
          message:
            /^this stage runs Node 18 \(the node:18-alpine image\), but engines\.node in package\.json asks for ">=20\.11": the app runs on a Node it does not declare support for \(`npm ci` fails with EBADENGINE under engine-strict\)$/,
          sites: ['crossdock.yaml:1'],
          related: ['package.json:3 engines.node is ">=20.11" here'],
        }),
      ],
    },
    {
      name: '... and .nvmrc (its major, as a range)',
      repo: built('FROM node:20.11-bookworm-slim\n', { '.nvmrc': 'v22.3.0\n' }),
      expect: [
        at(R, 'warning', 'Dockerfile', 1, 6, {
          message:
            /^this stage runs Node 20\.11 \(the node:20\.11-bookworm-slim image\), but \.nvmrc in \.nvmrc asks for "22\.x": the image runs another Node than the one the project is developed on$/,
          related: ['.nvmrc:1 .nvmrc is "22.x" here'],
        }),
      ],
    },
    {
      name: 'condition "package.json declares engines.node": a package.json without engines leaves .nvmrc in charge',
      repo: built('FROM node:20\n', { 'package.json': '{"name":"web"}', '.nvmrc': '22\n' }),
      expect: [at(R, 'warning', 'Dockerfile', 1, 6, { message: /but \.nvmrc in \.nvmrc asks for "22\.x"/ })],
    },
    {
      name: 'condition "the project folder\'s .nvmrc": web/.node-version is named by its file name; the root .nvmrc is not the web project\'s',
      repo: {
        files: {
          'crossdock.yaml': 'images:\n  reg/web:\n    context: web\n  reg/api:\n    context: api\n',
          '.nvmrc': '18\n',
          'web/.node-version': '22\n',
          'web/Dockerfile': 'FROM node:20-slim\n',
          'api/Dockerfile': 'FROM node:20-slim\n',
        },
      },
      expect: [
        at(R, 'warning', 'web/Dockerfile', 1, 6, {
          message: /, but \.node-version in web\/\.node-version asks for "22\.x": /,
          related: ['web/.node-version:1 .node-version is "22.x" here'],
        }),
      ],
    },
    {
      name: 'condition "a numeric version": a multi-digit major is taken whole (.nvmrc 18 against node:8)',
      repo: built('FROM node:8\n', { '.nvmrc': '18.20.1\n' }),
      expect: [at(R, 'warning', 'Dockerfile', 1, 6, { message: /asks for "18\.x"/ })],
    },
    {
      name: 'condition "a numeric version": .nvmrc iojs-3 does not start with a number, it is not compared',
      repo: built('FROM node:18\n', { '.nvmrc': 'iojs-3\n' }),
      expect: [],
    },
    {
      name: 'condition "a numeric version": with .nvmrc lts/iron there is no constraint, so a private base running npm gets no note either',
      repo: built('FROM ghcr.io/acme/node:18\nRUN npm ci\n', { '.nvmrc': 'lts/iron\n' }),
      expect: [],
    },
    {
      name: 'condition "the constraint can be compared": an engines.node that is no semver range is not judged',
      repo: built('FROM node:18\n', { 'package.json': '{"engines":{"node":"latest"}}' }),
      expect: [],
    },
    {
      name: 'condition "the stage runs Node tooling": a private base whose stage runs no Node command gets no note',
      repo: built(
        'FROM ghcr.io/acme/node:18\nRUN apt-get update && nodemon-setup && xnode\nCOPY package.json .\n',
        {
          'package.json': ENGINES,
        },
      ),
      expect: [],
    },
    ...['node app.js', 'npx tsc', 'yarn build', 'pnpm build', 'corepack enable'].map((cmd) => ({
      name: `condition "the stage runs Node tooling": \`RUN ${cmd}\` on a private base is a note`,
      repo: built(`FROM ghcr.io/acme/node:18\nCOPY package.json .\nRUN ${cmd}\n`, {
        'package.json': ENGINES,
      }),
      expect: [
        at(U, 'info', 'Dockerfile', 1, 6, {
          message:
            /^which Node ghcr\.io\/acme\/node:18 has is not known; not checked: the Node version of this stage against engines\.node/,
        }),
      ],
    })),
    {
      name: 'condition "Node tooling anywhere in the chain": npm in a stage built FROM a private root that runs none is a note at the root',
      repo: built(
        'FROM ghcr.io/acme/node:18 AS base\nRUN apt-get update\nFROM base\nCOPY package.json .\nRUN npm ci\n',
        {
          'package.json': ENGINES,
        },
      ),
      expect: [at(U, 'info', 'Dockerfile', 1, 6)],
    },
    {
      name: 'condition "the stage is built": a stage nothing copies from is not reported (the old test reported both FROMs)',
      repo: built('FROM node:18-alpine AS deps\nFROM node:18-alpine\n', { 'package.json': ENGINES }),
      expect: [at(R, 'warning', 'Dockerfile', 2, 6)],
    },
    {
      name: 'the build target decides which stages are built',
      repo: {
        files: {
          'crossdock.yaml': `${IMAGES}    target: final\n`,
          'package.json': ENGINES,
          Dockerfile: 'FROM node:18 AS old\nFROM node:22 AS final\n',
        },
      },
      expect: [],
    },
    {
      name: 'stages built FROM a local stage are reported once, at the root image',
      repo: built('FROM node:18 AS base\nFROM base AS build\nFROM base\nCOPY --from=build /x /x\n', {
        'package.json': ENGINES,
      }),
      expect: [at(R, 'warning', 'Dockerfile', 1, 6)],
    },
    {
      name: 'condition "outside the constraint": node:20 satisfies ^20.11.0 (floating minor), node:22 with a python builder stage is fine',
      repo: built('FROM python:3.12 AS py\nFROM node:20-slim\nCOPY --from=py /x /x\n', {
        'package.json': '{"name":"web","engines":{"node":"^20.11.0"}}',
      }),
      expect: [],
    },
    {
      name: '.nvmrc is not a declared requirement: a warning saying the image runs another Node than the project is developed on',
      repo: built('FROM node:20.11-bookworm-slim\n', { '.nvmrc': 'v22.3.0\n' }),
      expect: [
        at(R, 'warning', 'Dockerfile', 1, 6, {
          message: /runs Node 20\.11 .*\.nvmrc in \.nvmrc asks for "22\.x": the image runs another Node/,
        }),
      ],
    },
    {
      name: '.node-version counts like .nvmrc',
      repo: built('FROM node:20\n', { '.node-version': '22\n' }),
      expect: [at(R, 'warning', 'Dockerfile', 1, 6)],
    },
    {
      name: 'condition "a numeric version": .nvmrc lts/iron is not compared',
      repo: built('FROM node:18\n', { '.nvmrc': 'lts/iron\n' }),
      expect: [],
    },
    {
      name: 'engines.node wins over .nvmrc',
      repo: built('FROM node:20\n', { '.nvmrc': '22\n', 'package.json': '{"engines":{"node":">=18"}}' }),
      expect: [],
    },
    {
      name: 'condition "a constraint exists": a project without package.json or .nvmrc is not reported',
      repo: built('FROM node:18\n'),
      expect: [],
    },
    {
      name: 'a Dockerfile in web/ built with context web/ uses web/package.json',
      repo: {
        files: {
          'crossdock.yaml': 'images:\n  reg/web:\n    context: web\n',
          'web/package.json': WEB_PKG,
          'web/Dockerfile': 'FROM node:18-slim\n',
        },
      },
      expect: [
        at(R, 'warning', 'web/Dockerfile', 1, 6, {
          message:
            /runs Node 18 \(the node:18-slim image\), but engines\.node in web\/package\.json asks for ">=20"/,
        }),
      ],
    },
    {
      name: 'a Dockerfile nothing builds that copies no package.json: its context (so its project) is unknown, no claim (the old test used the folder)',
      repo: { files: { 'web/package.json': WEB_PKG, 'web/Dockerfile': 'FROM node:18-slim\n' } },
      expect: [],
    },
    {
      name: 'a Dockerfile nothing builds that copies package.json present in only one candidate context: the context may be the other (where the COPY fails), so no claim, a note (no "only candidate where it exists")',
      repo: {
        files: {
          'web/package.json': WEB_PKG,
          'web/Dockerfile': 'FROM node:18-slim\nWORKDIR /app\nCOPY package.json .\nRUN npm ci\n',
        },
      },
      expect: [
        at(U, 'info', 'web/Dockerfile', 1, 1, {
          message:
            /nothing in the repository builds web\/Dockerfile, so its build context is not known; not checked: which package\.json the image copies/,
          reachable: false,
        }),
      ],
    },
    {
      name: '... and with a package.json in both candidate contexts, which one is unknown: no claim, the same note',
      repo: {
        files: {
          'package.json': ENGINES,
          'web/package.json': '{"engines":{"node":">=16"}}',
          'web/Dockerfile': 'FROM node:18-slim\nWORKDIR /app\nCOPY package.json .\nRUN npm ci\n',
        },
      },
      expect: [at(U, 'info', 'web/Dockerfile', 1, 1, { reachable: false })],
    },
    {
      name: 'a root Dockerfile nothing builds (only candidate context: the root) copying package.json is a warning',
      repo: {
        files: {
          'package.json': ENGINES,
          Dockerfile: 'FROM node:18-slim\nWORKDIR /app\nCOPY package.json .\nRUN npm ci\n',
        },
      },
      expect: [at(R, 'warning', 'Dockerfile', 1, 6, { reachable: false })],
    },
    {
      name: 'the package.json is followed through the COPY: web/package.json copied from the root context',
      repo: built('FROM node:18-slim\nWORKDIR /app\nCOPY web/package.json ./\nRUN npm ci\n', {
        'package.json': '{"engines":{"node":">=16"}}',
        'web/package.json': WEB_PKG,
      }),
      expect: [at(R, 'warning', 'Dockerfile', 1, 6, { message: /engines\.node in web\/package\.json/ })],
    },
    {
      name: 'condition "the build\'s own build args": NODE=22 from crossdock.yaml buildArgs satisfies, the ARG default does not',
      repo: {
        files: {
          'crossdock.yaml': `${IMAGES}    buildArgs:\n      NODE: "22"\n  reg/old:\n    context: .\n    dockerfile: Dockerfile\n`,
          'package.json': ENGINES,
          Dockerfile: `ARG NODE=18\nFROM node:\${NODE}-slim\n`,
        },
      },
      expect: [at(R, 'warning', 'Dockerfile', 2, 6, { message: /Node 18 \(the node:18-slim image\)/ })],
    },
    {
      name: 'condition "the base image is known": an ARG nothing passes gives an unresolved-value note, no claim',
      repo: built(`ARG BASE\nFROM \${BASE}\n`, { 'package.json': ENGINES }),
      expect: [
        at(U, 'info', 'Dockerfile', 1, 5, {
          message: /ARG BASE has no default and this build does not pass it; not checked: the Node version/,
        }),
      ],
    },
    {
      name: 'a private image named node (ghcr.io/acme/node:18) is not the official node image: its Node is unknown, a note where the stage runs npm, no claim',
      repo: built('FROM ghcr.io/acme/node:18\nWORKDIR /app\nCOPY package.json .\nRUN npm ci\n', {
        'package.json': ENGINES,
      }),
      expect: [
        at(U, 'info', 'Dockerfile', 1, 6, {
          message:
            /which Node ghcr\.io\/acme\/node:18 has is not known; not checked: the Node version of this stage against engines\.node/,
        }),
      ],
    },
    {
      name: 'a floating tag (node:lts) is an assumption (22 when written): a warning naming it, never an error',
      repo: built('FROM node:lts-slim\n', { 'package.json': '{"engines":{"node":"<=20"}}' }),
      expect: [
        at(R, 'warning', 'Dockerfile', 1, 6, {
          message: /runs Node 22 \(the floating node:lts-slim tag \(Node 22 when written\)\)/,
        }),
      ],
    },
    {
      name: 'a major-only tag (node:22) is compared by its major: it satisfies >=22.3 and ^22 (any 22.x may), and fails >=23',
      repo: {
        files: {
          'crossdock.yaml': `${IMAGES}  reg/b:\n    context: b\n`,
          'package.json': '{"engines":{"node":">=22.3"}}',
          Dockerfile: 'FROM node:22\n',
          'b/package.json': '{"engines":{"node":">=23"}}',
          'b/Dockerfile': 'FROM node:22-alpine\n',
        },
      },
      expect: [
        at(R, 'warning', 'b/Dockerfile', 1, 6, { message: /runs Node 22 \(the node:22-alpine image\)/ }),
      ],
    },
    {
      name: '`COPY web/package.json ./` as the last instruction is followed: web/package.json is judged, not the root one',
      repo: built('FROM node:22-slim\nWORKDIR /app\nCOPY web/package.json ./\n', {
        'package.json': '{"engines":{"node":">=24"}}',
        'web/package.json': WEB_PKG,
      }),
      expect: [],
    },
    {
      name: '`COPY web/ ./` (a folder holding package.json) is followed: web/package.json is judged, not the root one',
      repo: built('FROM node:18-slim\nWORKDIR /app\nCOPY web/ ./\nRUN npm ci\n', {
        'package.json': '{"engines":{"node":">=16"}}',
        'web/package.json': WEB_PKG,
      }),
      expect: [
        at(R, 'warning', 'Dockerfile', 1, 6, {
          message: /engines\.node in web\/package\.json asks for ">=20"/,
        }),
      ],
    },
    {
      name: 'a private base image is not claimed to run any Node',
      repo: built('FROM registry.acme.io/web-base:1\n', { 'package.json': ENGINES }),
      expect: [],
    },
  ]),
);
