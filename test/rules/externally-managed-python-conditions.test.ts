// biome-ignore-all lint/suspicious/noTemplateCurlyInString: fixtures hold Dockerfile `${PATH}` text literally.
/**
 * externally-managed-python, one condition at a time: which PATH entries hold only the distro's Python, which
 * settings (ENV, ARG, inline, copied) and shells escape the check, which programs are the distro's pip, how a
 * masked install is described, and where the stage's root and an in-repo base lead.
 */
import rule from '../../src/rules/externally-managed-python.js';
import { at, type Expected, type RuleCase, ruleTest } from '../helpers/rule-tester.js';

const R = 'externally-managed-python';
const U = 'unresolved-value';
const APT = 'RUN apt-get update && apt-get install -y --no-install-recommends python3 python3-pip';
const PIP = 'RUN pip install flask';

/** `FROM debian:bookworm`, the distro's pip (line 2), then `lines` (line 3 on). */
const repo = (...lines: string[]): RuleCase['repo'] => ({
  files: {
    Dockerfile: `${['FROM debian:bookworm', APT, ...lines].join('\n')}\n`,
    'crossdock.yaml': 'images:\n  reg/app:\n    context: .\n',
  },
});

const refused = (line: number, column = 5, cmd = 'pip install'): Expected =>
  at(R, 'error', 'Dockerfile', line, column, {
    message: new RegExp(
      `^\`${cmd.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}\` installs into the distro Python of debian:bookworm \\(Debian bookworm\\), which is marked externally managed \\(PEP 668\\): pip stops with`,
    ),
  });
const masked = (line: number, column: number, by: string): Expected =>
  at(R, 'error', 'Dockerfile', line, column, {
    message: new RegExp(
      `pip refuses every time \\("error: externally-managed-environment"\\), and \`${by.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}\` hides it, so the image never gets what it installs$`,
    ),
  });

const cases: RuleCase[] = [];
const add = (name: string, r: RuleCase['repo'], expect: Expected[]) =>
  cases.push({ name, repo: r, expect, only: [R, U] });

// PATH: system folders (each of them, `$PATH`, `${PATH}`, an empty entry) hold only the distro's pip.
add(
  'PATH: system folders only',
  repo('ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin:$PATH', PIP),
  [refused(4)],
);
add('PATH: `${PATH}` and an empty entry', repo('ENV PATH=:/usr/bin:${PATH}', PIP), [refused(4)]);
add(
  'PATH: the legacy `ENV PATH value` form puts a venv first',
  repo('ENV PATH /opt/venv/bin:$PATH', PIP),
  [],
);
add(
  'PATH: a venv first among other pairs of one ENV',
  repo('ENV LANG=C.UTF-8 PATH=/opt/venv/bin:$PATH', PIP),
  [],
);

// ENV and ARG settings.
add('ENV: an unrelated variable changes nothing', repo('ENV LANG=C.UTF-8', PIP), [refused(4)]);
add('ENV: `PIP_ROOT_USER_ACTION` is not `PIP_ROOT`', repo('ENV PIP_ROOT_USER_ACTION=ignore', PIP), [
  refused(4),
]);
add('ENV: `MY_PIP_PREFIX` is not `PIP_PREFIX`', repo('ENV MY_PIP_PREFIX=/opt', PIP), [refused(4)]);
add(
  'ARG: `PIP_BREAK_SYSTEM_PACKAGES` may be passed by the build',
  repo('ARG PIP_BREAK_SYSTEM_PACKAGES=1', PIP),
  [],
);
add('ARG: `PATH` may be passed by the build', repo('ARG PATH', PIP), []);
add('ARG: an unrelated argument', repo('ARG VERSION=1', PIP), [refused(4)]);
add('ARG: `MY_PATH` is not `PATH`', repo('ARG MY_PATH=/x', PIP), [refused(4)]);

// SHELL: a plain shell keeps RUN as it is; anything else may activate another Python.
for (const [shell, plain] of [
  ['["/bin/sh", "-c"]', true],
  ['["bash", "-c"]', true],
  ['["/bin/bash", "--noprofile", "-c"]', true],
  ['["/opt/tools/sh", "-c"]', false],
  ['["/bin/shell-wrapper", "-c"]', false],
  ['["/bin/bash", "/opt/wrap", "-c"]', false],
  ['["/bin/bash", "--login", "-c"]', false],
  ['["/bin/bash", "--interactive", "-c"]', false],
  ['["/bin/bash", "-lc"]', false],
] as const)
  add(
    `SHELL: ${shell} ${plain ? 'is' : 'is not'} a plain shell`,
    repo(`SHELL ${shell}`, PIP),
    plain ? [refused(4)] : [],
  );

// The program: the distro's pip by name or at /usr/bin, `python` only with python-is-python3.
add('program: `/usr/bin/pip3`', repo('RUN /usr/bin/pip3 install flask'), [
  refused(3, 5, '/usr/bin/pip3 install'),
]);
add('program: `python3.11 -m pip` is another Python', repo('RUN python3.11 -m pip install flask'), []);
add(
  "program: `python -m pip` without python-is-python3 is not the distro's",
  repo('RUN python -m pip install flask'),
  [],
);
add(
  'program: `python -m pip` with python-is-python3',
  {
    files: {
      Dockerfile: `FROM debian:bookworm\n${APT} python-is-python3\nRUN python -m pip install flask\n`,
      'crossdock.yaml': 'images:\n  reg/app:\n    context: .\n',
    },
  },
  [refused(3, 5, 'python -m pip install')],
);
add('program: `pip download` installs nothing', repo('RUN pip download -d /wheels flask'), []);
add(
  'program: `--dry-run --report` installs nothing',
  repo('RUN pip install --dry-run --report /tmp/r.json flask'),
  [],
);
add('program: `--dry-run` alone', repo('RUN pip install --dry-run flask'), [refused(3)]);
add('program: `--report` alone', repo('RUN pip install --report /tmp/r.json flask'), [refused(3)]);
add('program: `-t` is `--target`', repo('RUN pip install -t /deps flask'), []);

// Where pip comes from: only the distro's pip package.
add(
  'pip: python3 without python3-pip installs no pip',
  {
    files: {
      Dockerfile:
        'FROM debian:bookworm\nRUN apt-get update && apt-get install -y python3\nRUN pip install flask\n',
      'crossdock.yaml': 'images:\n  reg/app:\n    context: .\n',
    },
  },
  [],
);

// In the RUN: an activated environment, PATH set for the command.
add(
  'RUN: `. venv/bin/activate` takes the install',
  repo('RUN . /opt/venv/bin/activate && pip install flask'),
  [],
);
add(
  'RUN: `source venv/bin/activate` too',
  repo('RUN source /opt/venv/bin/activate && pip install flask'),
  [],
);
add('RUN: sourcing another file does not', repo('RUN . /etc/os-release && pip install flask'), [
  refused(3, 26),
]);
add(
  'RUN: a script in a folder named activate is not the activate script',
  repo('RUN . /opt/activate/env.sh && pip install flask'),
  [refused(3, 31)],
);
add('RUN: `PATH=… pip install`', repo('RUN PATH=/opt/venv/bin:$PATH pip install flask'), []);
add('RUN: `export PATH=…` before it', repo('RUN export PATH=/opt/venv/bin:$PATH && pip install flask'), []);
add('RUN: another assignment', repo('RUN FOO=1 pip install flask'), [refused(3)]);
add('RUN: another export', repo('RUN export FOO=1 && pip install flask'), [refused(3, 21)]);

// COPY and ADD: a pip.conf, another Python.
add('COPY: a pip.conf into a folder', repo('COPY pip.conf /etc/', PIP), []);
add('ADD: a pip.conf', repo('ADD pip.conf /etc/pip.conf', PIP), []);
add(
  'COPY: /usr/local from another image',
  repo('COPY --from=python:3.12-slim /usr/local /usr/local', PIP),
  [],
);
add(
  'COPY: /usr/local/bin/uv from another image',
  repo('COPY --from=ghcr.io/astral-sh/uv:0.4 /usr/local/bin/uv /bin/uv', PIP),
  [],
);
add(
  'COPY: /usr/local/share from another image holds no Python',
  repo('COPY --from=docs /usr/local/share/doc /usr/local/share/doc', PIP),
  [refused(4)],
);
add(
  'COPY: a context file named python-… is not another Python',
  repo('COPY python-requirements.txt .', PIP),
  [refused(4)],
);
add('COPY: `--chown` is not `--from`', repo('COPY --chown=1000 python/ /app/python/', PIP), [refused(4)]);
add('LABEL: text naming conda is not a RUN', repo('LABEL description="built without conda"', PIP), [
  refused(4),
]);

// How a hidden failure is described.
add('masked: `; true`', repo('RUN pip install flask; true'), [masked(3, 5, '; true')]);
add('masked: a pipe without pipefail', repo('RUN pip install flask | tee /tmp/log'), [
  masked(3, 5, '| tee /tmp/log'),
]);
add(
  'masked: a pipe with pipefail fails the build',
  repo('SHELL ["/bin/bash", "-o", "pipefail", "-c"]', 'RUN pip install flask | tee /tmp/log'),
  [refused(4)],
);
add(
  'masked: a long fallback is cut at 60 characters',
  repo('RUN pip install flask || echo "the packages could not be installed, continuing without them"'),
  [masked(3, 5, '|| echo the packages could not be installed, continuing with')],
);

// Where the finding points: the stage chain's root, later installs as sites.
add(
  "chain: the FROM related is the chain's root",
  {
    files: {
      Dockerfile: `FROM debian:bookworm AS base\n${APT}\nFROM base\nRUN pip install flask\nRUN pip install gunicorn\n`,
      'crossdock.yaml': 'images:\n  reg/app:\n    context: .\n',
    },
  },
  [
    at(R, 'error', 'Dockerfile', 4, 5, {
      related: [
        'Dockerfile:1 debian:bookworm is Debian bookworm',
        "Dockerfile:2 pip comes from the distro's package here",
      ],
      sites: ['Dockerfile:5', 'crossdock.yaml:1'],
    }),
  ],
);
add(
  'in-repo base: its own install is its finding, not the image built on it',
  {
    files: {
      'base/Dockerfile': `FROM debian:bookworm\n${APT}\nRUN pip install flask\n`,
      'app/Dockerfile': 'FROM reg/base:1\nCMD ["python3"]\n',
      'crossdock.yaml':
        'images:\n  reg/base:\n    context: base\n    tags: ["1"]\n  reg/app:\n    context: app\n',
    },
  },
  [at(R, 'error', 'base/Dockerfile', 3, 5)],
);
add(
  'unknown distro: the note names the base',
  {
    files: {
      Dockerfile: `FROM registry.example.com/base:1\n${APT}\nRUN pip install flask\n`,
      'crossdock.yaml': 'images:\n  reg/app:\n    context: .\n',
    },
  },
  [
    at(U, 'info', 'Dockerfile', 1, 6, {
      message:
        /^whether the distro Python of registry\.example\.com\/base:1 is marked externally managed is not known; not checked: whether `pip install` may install into this stage's distro Python \(PEP 668\) \(externally-managed-python\)$/,
    }),
  ],
);

ruleTest(rule, cases);
