import { createRule } from '../../src/engine/rule.js';
import rule from '../../src/rules/invalid-suppression.js';
import runExportNoEffect from '../../src/rules/run-export-no-effect.js';
import { at, ruleTest } from '../helpers/rule-tester.js';

/** A rule that reports every RUN keyword (error): something for suppressions to act on. */
const everyRun = createRule<'run'>({
  meta: {
    id: 'every-run',
    severity: 'error',
    category: 'meta',
    summary: 'reports every RUN line',
    messages: { run: 'RUN' },
    hint: 'none',
  },
  check(ctx) {
    for (const df of ctx.model.dockerfiles) {
      const file = ctx.model.sources.get(df.path);
      for (const ins of df.instructions)
        if (file && ins.keyword === 'RUN') ctx.report({ messageId: 'run', file, span: ins.keywordSpan });
    }
  },
});

/** Makes the root Dockerfile reached, so every-run findings are errors. */
const BUILT = 'images:\n  reg/app:\n    context: .\n';

const rules = [everyRun];
const only = ['invalid-suppression', 'every-run', 'unused-suppression'];

ruleTest(rule, [
  {
    name: 'a directive without a reason is reported and suppresses nothing',
    repo: {
      files: {
        Dockerfile: 'FROM alpine:3.20\n# crossdock-ignore every-run\nRUN b\n',
        'crossdock.yaml': BUILT,
      },
    },
    rules,
    only,
    expect: [
      at('every-run', 'error', 'Dockerfile', 3, 1),
      at('invalid-suppression', 'warning', 'Dockerfile', 2, 1, { message: /gives no reason/ }),
    ],
  },
  {
    name: 'a directive without a rule id is reported at the comment, wherever it starts on the line',
    repo: {
      files: {
        Dockerfile: 'FROM alpine:3.20\nRUN a\n  #   crossdock-ignore   : no id\nRUN c\n',
        'crossdock.yaml': BUILT,
      },
    },
    rules,
    only,
    expect: [
      at('every-run', 'error', 'Dockerfile', 2, 1),
      at('every-run', 'error', 'Dockerfile', 4, 1),
      at('invalid-suppression', 'warning', 'Dockerfile', 3, 3, { message: /names no rule id/ }),
    ],
  },
  {
    name: 'condition: an id and a reason make the directive valid; it suppresses the finding on the next line',
    repo: {
      files: {
        Dockerfile: 'FROM alpine:3.20\n# crossdock-ignore every-run: measured, fine\nRUN a\nRUN b\n',
        'crossdock.yaml': BUILT,
      },
    },
    rules,
    only,
    expect: [at('every-run', 'error', 'Dockerfile', 4, 1)],
  },
  {
    name: 'condition: blank lines between a valid directive and its finding are allowed',
    repo: {
      files: {
        Dockerfile: 'FROM alpine:3.20\n# crossdock-ignore every-run: measured, fine\n\n\nRUN a\n',
        'crossdock.yaml': BUILT,
      },
    },
    rules,
    only,
    expect: [],
  },
  {
    name: 'a valid directive for another rule (one that ran) is not invalid: it is unused, and the finding stays',
    repo: {
      files: {
        Dockerfile: 'FROM alpine:3.20\n# crossdock-ignore run-export-no-effect: why\nRUN a\n',
        'crossdock.yaml': BUILT,
      },
    },
    rules: [everyRun, runExportNoEffect],
    only,
    expect: [
      at('every-run', 'error', 'Dockerfile', 3, 1),
      at('unused-suppression', 'info', 'Dockerfile', 2, 1),
    ],
  },
  {
    name: 'invalid directives are reported in files nothing builds too (every-run is capped at warning there)',
    repo: {
      files: {
        Dockerfile:
          'FROM alpine:3.20\n# crossdock-ignore every-run: measured, fine\nRUN a\n# crossdock-ignore every-run\nRUN b\n#   crossdock-ignore   : no id\nRUN c\n',
      },
    },
    rules,
    only,
    expect: [
      at('every-run', 'warning', 'Dockerfile', 5, 1, { reachable: false }),
      at('every-run', 'warning', 'Dockerfile', 7, 1, { reachable: false }),
      at('invalid-suppression', 'warning', 'Dockerfile', 4, 1, { reachable: true }),
      at('invalid-suppression', 'warning', 'Dockerfile', 6, 1, { reachable: true }),
    ],
  },
  {
    name: 'directives in YAML and shell files are read too',
    repo: {
      files: {
        'build.sh': '#!/bin/sh\n# crossdock-ignore every-run\ndocker build .\n',
        '.github/workflows/ci.yml':
          'on: push\njobs:\n  b:\n    runs-on: ubuntu-latest\n    # crossdock-ignore : nothing\n    steps:\n      - run: echo\n',
      },
    },
    rules,
    only,
    expect: [
      at('invalid-suppression', 'warning', '.github/workflows/ci.yml', 5, 5, { message: /names no rule id/ }),
      at('invalid-suppression', 'warning', 'build.sh', 2, 1, { message: /gives no reason/ }),
    ],
  },
]);

ruleTest(everyRun, [
  {
    name: 'a rule turned off in crossdock.yaml reports nothing',
    repo: { files: { Dockerfile: 'FROM alpine\nRUN a\n', 'crossdock.yaml': 'rules:\n  every-run: off\n' } },
    rules,
    expect: [],
  },
  {
    name: 'a severity lowered in crossdock.yaml applies',
    repo: { files: { Dockerfile: 'FROM alpine\nRUN a\n', 'crossdock.yaml': 'rules:\n  every-run: info\n' } },
    rules,
    expect: [at('every-run', 'info', 'Dockerfile', 2, 1)],
  },
  {
    name: 'a severity raised in crossdock.yaml is still capped in a file nothing builds (the reach cap applies after it)',
    repo: { files: { Dockerfile: 'FROM alpine\nRUN a\n', 'crossdock.yaml': 'rules:\n  every-run: error\n' } },
    rules,
    expect: [at('every-run', 'warning', 'Dockerfile', 2, 1, { reachable: false })],
  },
  {
    name: 'a severity raised in crossdock.yaml applies in full where the file is built',
    repo: {
      files: {
        Dockerfile: 'FROM alpine\nRUN a\n',
        'crossdock.yaml': `${BUILT}rules:\n  every-run: error\n`,
      },
    },
    rules: [
      createRule<'run'>({
        ...everyRun,
        meta: { ...everyRun.meta, severity: 'warning' },
      }),
    ],
    expect: [at('every-run', 'error', 'Dockerfile', 2, 1, { reachable: true })],
  },
]);

ruleTest(rule, [
  {
    name: 'a severity set in crossdock.yaml applies to invalid-suppression findings too',
    repo: {
      files: {
        Dockerfile: 'FROM alpine:3.20\n# crossdock-ignore every-run\nRUN b\n',
        'crossdock.yaml': `${BUILT}rules:\n  invalid-suppression: error\n`,
      },
    },
    rules,
    only,
    expect: [
      at('every-run', 'error', 'Dockerfile', 3, 1),
      at('invalid-suppression', 'error', 'Dockerfile', 2, 1, { message: /gives no reason/ }),
    ],
  },
  {
    name: '`off` in crossdock.yaml reports nothing (the directive still suppresses nothing)',
    repo: {
      files: {
        Dockerfile: 'FROM alpine:3.20\n# crossdock-ignore every-run\nRUN b\n',
        'crossdock.yaml': `${BUILT}rules:\n  invalid-suppression: off\n`,
      },
    },
    rules,
    only,
    expect: [at('every-run', 'error', 'Dockerfile', 3, 1)],
  },
  {
    name: 'a directive naming an id that is no rule is invalid and suppresses nothing, even with a known id beside it',
    repo: {
      files: {
        Dockerfile:
          'FROM alpine:3.20\n# crossdock-ignore every-runn: typo\nRUN b\n# crossdock-ignore every-run, missing-fil: typo\nRUN c\n# crossdock-ignore missing-file: a real rule that did not fire\nRUN d\n',
        'crossdock.yaml': BUILT,
      },
    },
    rules,
    only: ['invalid-suppression', 'every-run'],
    expect: [
      at('every-run', 'error', 'Dockerfile', 3, 1),
      at('every-run', 'error', 'Dockerfile', 5, 1),
      at('every-run', 'error', 'Dockerfile', 7, 1),
      at('invalid-suppression', 'warning', 'Dockerfile', 2, 1, {
        message: /^crossdock-ignore names "every-runn", which is not a rule id: it suppresses nothing$/,
      }),
      at('invalid-suppression', 'warning', 'Dockerfile', 4, 1, { message: /names "missing-fil"/ }),
    ],
  },
]);
