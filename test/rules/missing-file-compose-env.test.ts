// biome-ignore-all lint/suspicious/noTemplateCurlyInString: fixtures hold compose `${VAR}` text literally.
import rule from '../../src/rules/missing-file.js';
import { at, ruleTest } from '../helpers/rule-tester.js';

/** Compose interpolation: docker compose reads the `.env` next to the compose file; anything else set is unknown. */
const DOCKERFILE = 'FROM python:3.12-slim\nCOPY dist/app.whl /tmp/\n';
const R = rule.meta.id;

ruleTest(rule, [
  {
    name: 'the committed .env next to compose.yaml sets APP_DIR: the context is the folder it names, not the default',
    repo: {
      files: {
        'app/Dockerfile': DOCKERFILE,
        Dockerfile: 'FROM python:3.12-slim\n',
        '.env': '# local settings\nAPP_DIR="app"  \n',
        'compose.yaml': 'services:\n  api:\n    build:\n      context: ${APP_DIR:-.}\n',
      },
    },
    expect: [at(R, 'error', 'app/Dockerfile', 2, 6, { reachable: true })],
  },
  {
    name: 'unknown: `${SUFFIX:+…}` with SUFFIX in no .env is set by whoever runs compose, not empty: no claim on `app`',
    repo: {
      files: {
        'app/Dockerfile': DOCKERFILE,
        'compose.yaml': 'services:\n  api:\n    build:\n      context: app${SUFFIX:+-v2}\n',
      },
    },
    only: [R],
    expect: [at(R, 'warning', 'app/Dockerfile', 2, 6, { reachable: false })],
  },
  {
    name: 'unknown: a .env value that refers to another variable (`APP_DIR=${BASE}/app`) is not read further: no claim on a folder named after the text',
    repo: {
      files: {
        'app/Dockerfile': DOCKERFILE,
        Dockerfile: 'FROM python:3.12-slim\n',
        '.env': 'BASE=.\nAPP_DIR=${BASE}/app\n',
        'compose.yaml': 'services:\n  api:\n    build:\n      context: ${APP_DIR:-.}\n',
      },
    },
    only: [R],
    expect: [at(R, 'warning', 'app/Dockerfile', 2, 6, { reachable: false })],
  },
]);
