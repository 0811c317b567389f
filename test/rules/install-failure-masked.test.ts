import rule from '../../src/rules/install-failure-masked.js';
import { at, ruleTest } from '../helpers/rule-tester.js';

const BUILT = 'images:\n  reg/app:\n    context: .\n';
/** A reached Dockerfile (crossdock.yaml builds it) with these lines after its FROM. */
const built = (...lines: string[]) => ({
  files: { Dockerfile: `${['FROM python:3.12-slim', ...lines].join('\n')}\n`, 'crossdock.yaml': BUILT },
});

ruleTest(rule, [
  {
    name: 'swallowed install failures are reported at the masking construct (`|| true`, `; true`), pipes at the install; `set -o pipefail`, non-installs and checked output are fine. Same packages with other options after `||` are a retry now, not a fallback: if the retry fails too, the build fails',
    repo: built(
      'RUN pip install -r requirements.txt || true',
      'RUN apt-get install -y libpq-dev || :',
      'RUN pip install --only-binary=:all: numpy || pip install numpy',
      'RUN npm ci; true',
      'RUN pip install x | tee /tmp/log',
      'RUN set -o pipefail && pip install x | tee /tmp/log',
      'RUN pip install a || echo "install failed"',
      'RUN apk add curl && echo ok',
      'RUN test -f x || true',
    ),
    expect: [
      at('install-failure-masked', 'warning', 'Dockerfile', 2, 40, {
        message: /^`\|\| true` swallows a failure of `pip install -r`/,
      }),
      at('install-failure-masked', 'warning', 'Dockerfile', 3, 37, { message: /^`\|\| :` swallows/ }),
      at('install-failure-masked', 'warning', 'Dockerfile', 5, 13, {
        message: /^`npm ci` is followed by `; true`/,
      }),
      at('install-failure-masked', 'warning', 'Dockerfile', 6, 5, { message: /piped into `tee`/ }),
      at('install-failure-masked', 'warning', 'Dockerfile', 8, 22, {
        message: /^`\|\| echo install failed` swallows/,
      }),
    ],
  },
  {
    name: 'one `|| true` masks every install of its and-or list: one finding at the construct, the other installs as sites',
    repo: built('RUN apt-get update \\', ' && apt-get install -y a \\', ' && pip install b \\', ' || true'),
    expect: [
      at('install-failure-masked', 'warning', 'Dockerfile', 5, 5, {
        message: /`apt-get install -y`, `pip install b`/,
        sites: ['Dockerfile:3', 'Dockerfile:4'],
      }),
    ],
  },
  {
    name: 'two masking constructs in one RUN are two findings',
    repo: built(
      'RUN apt-get install -y a || true && pip install b || true',
      'RUN pip install a && echo ok || true',
    ),
    expect: [
      at('install-failure-masked', 'warning', 'Dockerfile', 2, 29),
      at('install-failure-masked', 'warning', 'Dockerfile', 2, 54),
      at('install-failure-masked', 'warning', 'Dockerfile', 3, 33),
    ],
  },
  {
    name: 'a pipe is reported at the install, even when the reader is on the next line',
    repo: built('RUN pip install b \\', '  | tee /tmp/log'),
    expect: [at('install-failure-masked', 'warning', 'Dockerfile', 2, 5, { sites: [] })],
  },
  {
    name: 'condition: pipefail from a SHELL instruction in effect protects the pipe too',
    repo: built('SHELL ["/bin/bash", "-o", "pipefail", "-c"]', 'RUN pip install x | tee /tmp/log'),
    expect: [],
  },
  {
    name: 'a different install after `||` is a fallback: a warning at the first install, the other installs as sites',
    repo: built(
      'RUN pip install psycopg2-binary || pip install psycopg2',
      'RUN apt-get install -y a \\',
      ' && pip install b \\',
      ' || pip install c',
    ),
    expect: [
      at('install-failure-masked', 'warning', 'Dockerfile', 2, 5, {
        message:
          /^`pip install psycopg2-binary` falls back to `pip install psycopg2` on failure: when the first install breaks \(e\.g\. no prebuilt wheel or binary for arm64\) the image silently gets something else$/,
        sites: [],
      }),
      at('install-failure-masked', 'warning', 'Dockerfile', 3, 5, { sites: ['Dockerfile:4'] }),
    ],
  },
  {
    name: 'condition: `X || (pip install -U pip && X)` installs the same thing again: a retry, no finding',
    repo: built('RUN pip install x || (pip install -U pip && pip install x)'),
    expect: [],
  },
  {
    name: '`|| echo "optional …"` declares the install optional: info',
    repo: built('RUN pip install extra || echo "optional extra not available"'),
    expect: [
      at('install-failure-masked', 'info', 'Dockerfile', 2, 26, { message: /the author marks it optional/ }),
    ],
  },
  {
    name: 'condition: a handler that fails on purpose does not mask (`|| exit 1`, `|| (echo … && exit 1)`); `|| exit 0` does',
    repo: built(
      'RUN pip install a || exit 1',
      'RUN pip install a || (echo failed && exit 1)',
      'RUN pip install a || exit 0',
    ),
    expect: [at('install-failure-masked', 'warning', 'Dockerfile', 4, 22, { message: /`\|\| exit 0`/ })],
  },
  {
    name: '`;` then a harmless last command makes the RUN exit 0: `; echo done` masks too',
    repo: built('RUN pip install a; echo done'),
    expect: [
      at('install-failure-masked', 'warning', 'Dockerfile', 2, 20, { message: /followed by `; echo done`/ }),
    ],
  },
  {
    name: 'a heredoc RUN is checked too, at the construct',
    repo: built('RUN <<EOF', 'set -e', 'pip install x || true', 'EOF'),
    expect: [at('install-failure-masked', 'warning', 'Dockerfile', 4, 18)],
  },
  {
    name: 'condition: in a heredoc with `set -e`, a later `true` line does not mask the install',
    repo: built('RUN <<EOF', 'set -e', 'pip install x', 'true', 'EOF'),
    expect: [],
  },
  {
    name: 'condition: a Dockerfile nothing builds gets the same finding, capped at warning',
    repo: { files: { Dockerfile: 'FROM python:3.12-slim\nRUN pip install -r requirements.txt || true\n' } },
    expect: [at('install-failure-masked', 'warning', 'Dockerfile', 2, 40, { reachable: false })],
  },
  {
    name: 'condition: a stage the build does not produce is capped at warning; the built stage is an error',
    repo: {
      files: {
        Dockerfile:
          'FROM python:3.12-slim AS unused\nRUN pip install a || true\nFROM python:3.12-slim\nRUN pip install b || true\n',
        'crossdock.yaml': BUILT,
      },
    },
    expect: [
      at('install-failure-masked', 'warning', 'Dockerfile', 4, 22, { reachable: true }),
      at('install-failure-masked', 'warning', 'Dockerfile', 2, 22, { reachable: false }),
    ],
  },
  {
    name: 'condition: `set -e` stops the RUN at a failed install, so a later `; true` masks nothing; `set +e` turns it off again',
    repo: built('RUN set -e; pip install x; true', 'RUN set -eux; set +e; pip install y; true'),
    expect: [
      at('install-failure-masked', 'warning', 'Dockerfile', 3, 38, { message: /followed by `; true`/ }),
    ],
  },
  {
    name: 'condition: a `{ …; }` group after `||` that ends in `exit 1` fails the build: not masked; one that does not is',
    repo: built('RUN pip install a || { echo failed; exit 1; }', 'RUN pip install b || { echo failed; }'),
    expect: [at('install-failure-masked', 'warning', 'Dockerfile', 3, 24)],
  },
  {
    name: 'each way of masking says what it swallows, in full',
    repo: built(
      'RUN pip install -r requirements.txt || true',
      'RUN npm ci; true',
      'RUN pip install x | tee /tmp/log',
      'RUN pip install extra || echo optional',
    ),
    expect: [
      at('install-failure-masked', 'warning', 'Dockerfile', 2, 40, {
        message:
          /^`\|\| true` swallows a failure of `pip install -r`: the build succeeds and the image lacks what failed to install$/,
      }),
      at('install-failure-masked', 'warning', 'Dockerfile', 3, 13, {
        message: /^`npm ci` is followed by `; true`, so the RUN exits 0 even when the install failed$/,
      }),
      at('install-failure-masked', 'warning', 'Dockerfile', 4, 5, {
        message:
          /^`pip install x` is piped into `tee`; without `set -o pipefail` the RUN takes the exit status of `tee`$/,
      }),
      at('install-failure-masked', 'info', 'Dockerfile', 5, 26, {
        message:
          /^`pip install extra` may fail without failing the build \(`\|\| echo optional`\): the author marks it optional, so the image can ship without it$/,
      }),
    ],
  },
  {
    name: 'a long command is quoted by its first three words, cut at 60 characters',
    repo: built(`RUN pip install ${'a'.repeat(80)} b || true`),
    expect: [
      at('install-failure-masked', 'warning', 'Dockerfile', 2, 103, {
        message: new RegExp(`^\`\\|\\| true\` swallows a failure of \`pip install ${'a'.repeat(48)}\`:`),
      }),
    ],
  },
  {
    name: 'condition "a pipe": pipefail protects pipes only, an `|| true` under pipefail still masks',
    repo: built('SHELL ["/bin/bash", "-o", "pipefail", "-c"]', 'RUN pip install x || true'),
    expect: [at('install-failure-masked', 'warning', 'Dockerfile', 3, 22)],
  },
  {
    name: 'a later `|| true` in the same and-or list swallows the failure whatever runs between: `a || c || true`, `a && b || c || :`',
    repo: built(
      'RUN pip install a || python -c "import a" || true',
      'RUN pip install -r r.txt && rm -rf /root/.cache || rm -rf /tmp/cache || :',
      'RUN apt-get install -y x || ./report.sh | tee /tmp/log || echo "install failed"',
    ),
    expect: [
      at('install-failure-masked', 'warning', 'Dockerfile', 2, 46, {
        message: /^`\|\| true` swallows a failure of `pip install a`/,
      }),
      at('install-failure-masked', 'warning', 'Dockerfile', 3, 73, {
        message: /^`\|\| :` swallows a failure of `pip install -r`/,
      }),
      at('install-failure-masked', 'warning', 'Dockerfile', 4, 59, {
        message: /^`\|\| echo install failed` swallows/,
      }),
    ],
  },
  {
    name: 'the `|| true` of a long `&&` chain over several lines masks the install at its start',
    repo: built(
      'RUN pip install -r r.txt \\',
      ' && rm -rf /tmp/x \\',
      ' && find / -name "*.pyc" -delete \\',
      ' || true',
    ),
    expect: [at('install-failure-masked', 'warning', 'Dockerfile', 5, 5, { sites: ['Dockerfile:2'] })],
  },
  {
    name: 'condition "only no-ops": a handler chain that ends in an unknown command or fails on purpose masks nothing',
    repo: built(
      'RUN pip install a || python -c "import a"',
      'RUN pip install a || python -c "import a" || exit 1',
      'RUN pip install a || ./report.sh || { echo failed; exit 1; }',
      'RUN pip install a || ./report.sh || false',
      'RUN pip install a || exit 1 || true',
      'RUN pip install a || ./report.sh || exit 1 || :',
    ),
    expect: [],
  },
  {
    name: 'condition "same list": a `|| true` after `;`, a newline or `&` belongs to another and-or list',
    repo: built(
      'RUN pip install a || python -c "import a"; rm -rf /tmp/x || true',
      'RUN pip install a || python -c "import a" & rm -rf /tmp/x || true',
      'RUN <<EOF',
      'pip install a || python -c "import a"',
      'rm -rf /tmp/x || true',
      'EOF',
    ),
    expect: [],
  },
  {
    name: 'condition "a later `||`": a no-op after `&&` runs only when the install succeeded',
    repo: built('RUN pip install a || ./report.sh && echo done'),
    expect: [],
  },
  {
    name: 'condition "the list\'s end is known": after a `{ …; }` group the parser keeps the `;` before `}`, so what follows the group is not read as `; true`',
    repo: built('RUN pip install a && { rm -rf /tmp/x; } || true'),
    expect: [],
  },
  {
    name: '`; true` ending the RUN masks the list before it, whatever its handler ran',
    repo: built('RUN pip install a || python -c "import a"; true'),
    expect: [
      at('install-failure-masked', 'warning', 'Dockerfile', 2, 44, { message: /followed by `; true`/ }),
    ],
  },
]);
