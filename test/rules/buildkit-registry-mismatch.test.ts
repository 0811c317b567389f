// biome-ignore-all lint/suspicious/noTemplateCurlyInString: fixtures hold shell `${VAR}` text literally.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import buildkitInsecureRegistry from '../../src/rules/buildkit-insecure-registry.js';
import buildkitRegistryMismatch from '../../src/rules/buildkit-registry-mismatch.js';
import { checkRepo } from '../helpers/check.js';
import { assertFindings, at, ruleTest } from '../helpers/rule-tester.js';

const TOML = 'buildkitd.toml';

const buildScript = [
  '#!/usr/bin/env bash',
  'set -euo pipefail',
  'REGISTRY="${REGISTRY:-10.0.0.5:5000}"',
  'docker buildx create --use --config buildkitd.toml',
  'docker buildx build --platform linux/amd64,linux/arm64 -t "$REGISTRY/acme/api:latest" --push .',
  '',
].join('\n');

/** CI running `run` without setting REGISTRY: the defaults of the script and the Makefile are the registries. */
const ci = (run: string) =>
  `on: push\njobs:\n  b:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n      - run: ${run}\n`;

const base = {
  Dockerfile: 'FROM python:3.12-slim\n',
  'scripts/build.sh': buildScript,
  '.github/workflows/build.yml': ci('./scripts/build.sh'),
};

const mixed = [
  '# buildkitd config for the CI builder',
  '[registry."10.0.0.5:5000"]',
  '  http = true',
  '  insecure = true',
  '',
  '[registry."registry.example.com:443"]',
  '  http = true',
  '',
  '[registry."harbor.example.com"]',
  '  http = true',
  '  ca = ["/etc/buildkit/certs/harbor.example.com/ca.crt"]',
  '',
  '[registry."docker.io"]',
  '  mirrors = ["mirror.gcr.io"]',
  '',
].join('\n');

const workflow = [
  'on: push',
  'jobs:',
  '  image:',
  '    runs-on: ubuntu-latest',
  '    steps:',
  '      - uses: docker/setup-buildx-action@v3',
  '        with:',
  '          buildkitd-config: buildkitd.toml',
  '      - uses: docker/build-push-action@v6',
  '        with:',
  '          push: true',
  '          tags: ghcr.io/acme/api:latest',
  '',
].join('\n');
const ghcrToml = '[registry."ghcr.io"]\n  insecure = true\n  ca = ["/etc/certs/ghcr.pem"]\n';
const makefile = [
  'REGISTRY ?= ghcr.io/acme',
  'VERSION ?= 1.0.0',
  '',
  'release:',
  '\tdocker buildx build --platform linux/amd64,linux/arm64 -t $(REGISTRY)/api:$(VERSION) --push .',
  '',
].join('\n');

/** A script pushing to `host`, and a buildkitd.toml. */
const pushTo = (host: string, toml: string) => ({
  files: {
    Dockerfile: 'FROM alpine:3.20\n',
    'build.sh': `#!/bin/sh\ndocker buildx build -t ${host}/acme/api:1 --push .\n`,
    [TOML]: toml,
  },
});

ruleTest(buildkitRegistryMismatch, [
  {
    name: 'http and unused registry entries are warnings at the key or table that causes them; insecure without a CA is now buildkit-insecure-registry (info)',
    rules: [buildkitRegistryMismatch, buildkitInsecureRegistry],
    repo: { files: { ...base, [TOML]: mixed } },
    expect: [
      at('buildkit-registry-mismatch', 'warning', TOML, 6, 1, {
        message:
          /^buildkitd\.toml configures `registry\.example\.com:443`, which no build pushes to or pulls from \(they push to `10\.0\.0\.5:5000`\): this entry never applies, and pushes to `10\.0\.0\.5:5000` that need it fail with x509 or http errors$/,
        reachable: true,
      }),
      at('buildkit-registry-mismatch', 'warning', TOML, 7, 3, {
        message:
          /^buildkitd\.toml sets http = true for `registry\.example\.com:443`, which is reached over TLS \(port 443\): buildkit speaks plain HTTP to a TLS port and the push fails$/,
      }),
      at('buildkit-registry-mismatch', 'warning', TOML, 9, 1, {
        message:
          /configures `harbor\.example\.com`, which no build pushes to or pulls from \(they push to `10\.0\.0\.5:5000`\)/,
      }),
      at('buildkit-registry-mismatch', 'warning', TOML, 10, 3, {
        message: /for `harbor\.example\.com`, which is reached over TLS \(a CA is configured for it\)/,
      }),
      at('buildkit-insecure-registry', 'info', TOML, 4, 3, {
        message:
          /^buildkitd\.toml sets insecure = true for `10\.0\.0\.5:5000` without a CA: pushes work, but with TLS verification switched off$/,
      }),
    ],
  },
  // The pushed host comes from every build.
  {
    name: 'a workflow pushing to the configured host: nothing',
    repo: {
      files: { Dockerfile: 'FROM alpine\n', '.github/workflows/image.yml': workflow, [TOML]: ghcrToml },
    },
    expect: [],
  },
  {
    name: 'a bake file pushing elsewhere makes the entry unused: at the table',
    repo: {
      files: {
        Dockerfile: 'FROM alpine\n',
        'docker-bake.hcl':
          'target "api" {\n  tags = ["registry.example.com/acme/api:1"]\n  output = ["type=registry"]\n}\n',
        [TOML]: ghcrToml,
      },
    },
    expect: [
      at('buildkit-registry-mismatch', 'warning', TOML, 1, 1, {
        message:
          /configures `ghcr\.io`, which no build pushes to or pulls from \(they push to `registry\.example\.com`\)/,
      }),
    ],
  },
  {
    name: 'a Makefile pushing to the configured host (make variables resolved): nothing',
    repo: { files: { Dockerfile: 'FROM alpine\n', Makefile: makefile, [TOML]: ghcrToml } },
    expect: [],
  },
  {
    name: 'a Makefile pushing elsewhere makes the entry unused',
    repo: {
      files: {
        Dockerfile: 'FROM alpine\n',
        Makefile: makefile.replace('ghcr.io/acme', '10.0.0.5:5000/acme'),
        [TOML]: ghcrToml,
        '.github/workflows/build.yml': ci('make release'),
      },
    },
    expect: [
      at('buildkit-registry-mismatch', 'warning', TOML, 1, 1, {
        message: /no build pushes to or pulls from \(they push to `10\.0\.0\.5:5000`\)/,
      }),
    ],
  },
  // Condition: the entry's host is pushed to.
  {
    name: 'a matching entry with a CA, and a docker.io mirror entry: nothing',
    repo: {
      files: {
        ...base,
        [TOML]: [
          '[registry."10.0.0.5:5000"]',
          '  ca = ["/etc/buildkit/certs/10.0.0.5:5000/ca.crt"]',
          '  insecure = true',
          '',
          '[registry."docker.io"]',
          '  mirrors = ["mirror.gcr.io"]',
          '',
        ].join('\n'),
      },
    },
    expect: [],
  },
  // Condition: something pushes at all.
  {
    name: 'nothing pushes (build only): an entry for another registry is not judged "unused"',
    repo: {
      files: {
        Dockerfile: 'FROM alpine\n',
        'scripts/build.sh': '#!/bin/sh\ndocker build -t acme/api:dev .\n',
        'ci/buildkitd.toml': '[registry."harbor.example.com"]\n  http = false\n',
      },
    },
    expect: [],
  },
  {
    name: 'the only push goes to a registry from the environment: unknown, no "unused" claim',
    repo: {
      files: {
        Dockerfile: 'FROM alpine\n',
        'build.sh': '#!/bin/sh\ndocker buildx build -t "$REGISTRY/acme/api:1" --push .\n',
        [TOML]: '[registry."harbor.example.com"]\n  ca = ["/etc/certs/harbor.crt"]\n',
      },
    },
    only: ['buildkit-registry-mismatch', 'unresolved-value'],
    expect: [
      at('unresolved-value', 'info', 'build.sh', 2, 24, {
        message:
          /^the registry of `\$REGISTRY\/acme\/api:1` comes from a variable crossdock cannot resolve; not checked: whether the buildkitd\.toml entry for `harbor\.example\.com` applies to a build \(buildkit-registry-mismatch\)$/,
      }),
    ],
  },
  {
    name: 'a push to a registry from the environment may go to the configured host: no "unused" claim',
    repo: {
      files: {
        Dockerfile: 'FROM alpine\n',
        'build.sh':
          '#!/bin/sh\ndocker buildx build -t "$REGISTRY/acme/api:1" --push .\ndocker buildx build -t ghcr.io/acme/w:1 --push .\n',
        [TOML]: '[registry."harbor.example.com"]\n  ca = ["/etc/certs/harbor.crt"]\n',
      },
    },
    only: ['buildkit-registry-mismatch', 'unresolved-value'],
    expect: [at('unresolved-value', 'info', 'build.sh', 2, 24)],
  },
  {
    name: 'a variable in the tag only leaves the pushed host known: an entry for another host is unused',
    repo: {
      files: {
        Dockerfile: 'FROM alpine\n',
        'build.sh': '#!/bin/sh\ndocker buildx build -t "ghcr.io/acme/api:$TAG" --push .\n',
        [TOML]: '[registry."harbor.example.com"]\n  ca = ["/etc/certs/harbor.crt"]\n',
      },
    },
    only: ['buildkit-registry-mismatch', 'unresolved-value'],
    expect: [at('buildkit-registry-mismatch', 'warning', TOML, 1, 1, { message: /they push to `ghcr\.io`/ })],
  },
  // Condition (unused): pulls count too.
  {
    name: 'an entry for the registry a base image is pulled from applies to the pull: not unused',
    repo: {
      files: {
        Dockerfile: 'FROM 10.0.0.5:5000/library/python:3.12\n',
        'build.sh': '#!/bin/sh\ndocker buildx build -t ghcr.io/acme/api:1 --push .\n',
        [TOML]: '[registry."10.0.0.5:5000"]\n  http = true\n',
      },
    },
    expect: [],
  },
  {
    name: 'an entry for the registry a COPY --from image is pulled from applies to the pull: not unused',
    repo: {
      files: {
        Dockerfile: 'FROM alpine:3.20\nCOPY --from=10.0.0.5:5000/tools/jq:1 /jq /usr/bin/jq\n',
        'build.sh': '#!/bin/sh\ndocker buildx build -t ghcr.io/acme/api:1 --push .\n',
        [TOML]: '[registry."10.0.0.5:5000"]\n  http = true\n',
      },
    },
    expect: [],
  },
  {
    name: 'a base image from a build argument nothing passes may come from the configured host: a note, no claim',
    repo: {
      files: {
        Dockerfile: 'ARG BASE\nFROM $BASE\n',
        'build.sh': '#!/bin/sh\ndocker buildx build -t ghcr.io/acme/api:1 --push .\n',
        [TOML]: '[registry."10.0.0.5:5000"]\n  http = true\n',
      },
    },
    only: ['buildkit-registry-mismatch', 'unresolved-value'],
    expect: [
      at('unresolved-value', 'info', 'Dockerfile', 1, 5, {
        message: /ARG BASE has no default and this build does not pass it/,
      }),
    ],
  },
  {
    name: 'an entry for a docker.io mirror applies to pulls: not unused',
    repo: pushTo(
      'ghcr.io',
      '[registry."docker.io"]\n  mirrors = ["mirror.gcr.io"]\n[registry."mirror.gcr.io"]\n  insecure = false\n',
    ),
    expect: [],
  },
  // Condition (http): the registry is reached over TLS.
  {
    name: 'plain HTTP to a registry without CA on a non-443 port: nothing',
    repo: pushTo('10.0.0.5:5000', '[registry."10.0.0.5:5000"]\n  http = true\n'),
    expect: [],
  },
  {
    name: 'plain HTTP to port 443 is reported even when nothing pushes',
    repo: { files: { Dockerfile: 'FROM alpine\n', [TOML]: '[registry."r.example:443"]\n  http = true\n' } },
    expect: [at('buildkit-registry-mismatch', 'warning', TOML, 2, 3, { message: /\(port 443\)/ })],
  },
  {
    name: 'http = false with a CA: nothing',
    repo: pushTo(
      'harbor.example.com',
      '[registry."harbor.example.com"]\n  http = false\n  ca = ["/c.crt"]\n',
    ),
    expect: [],
  },
  {
    name: 'http = true with a CA on the pushed host: reported at `http`',
    repo: pushTo('harbor.example.com', '[registry."harbor.example.com"]\n  http = true\n  ca = ["/c.crt"]\n'),
    expect: [
      at('buildkit-registry-mismatch', 'warning', TOML, 2, 3, { message: /\(a CA is configured for it\)/ }),
    ],
  },
  {
    name: 'condition "pulled through a mount": RUN --mount from= (first or later key) is a pull; a login is no push; every pushed host is named; an invalid reference pulls from nowhere',
    repo: {
      files: {
        Dockerfile:
          'FROM ghcr.io/acme/base:1\nRUN --mount=from=10.0.0.5:5000/tools/jq:1,target=/t true\nRUN --mount=type=bind,from=10.0.0.6:5000/x:1,target=/t true\nCOPY --from=Foo:Bar /x /x\n',
        'build.sh':
          '#!/bin/sh\ndocker login harbor.example.com\ndocker buildx build -t ghcr.io/acme/api:1 --push .\ndocker buildx build -t quay.io/acme/api:1 --push .\n',
        [TOML]:
          '[registry."10.0.0.5:5000"]\n  insecure = true\n[registry."10.0.0.6:5000"]\n  insecure = true\n[registry."harbor.example.com"]\n  insecure = true\n',
      },
    },
    expect: [
      at('buildkit-registry-mismatch', 'warning', TOML, 5, 1, {
        message:
          /^buildkitd\.toml configures `harbor\.example\.com`, which no build pushes to or pulls from \(they push to `ghcr\.io`, `quay\.io`\): this entry never applies, and pushes to `ghcr\.io`, `quay\.io` that need it fail with x509 or http errors$/,
      }),
    ],
  },
  {
    name: 'condition "docker.io always applies": a docker.io entry is not unused when no build pulls from Docker Hub',
    repo: {
      files: {
        Dockerfile: 'FROM ghcr.io/acme/base:1\n',
        'build.sh': '#!/bin/sh\ndocker buildx build -t ghcr.io/acme/api:1 --push .\n',
        [TOML]: '[registry."docker.io"]\n  insecure = true\n',
      },
    },
    expect: [],
  },
  {
    name: 'condition "the stage is built": an entry for the registry only a stage outside the target pulls from is unused',
    repo: {
      files: {
        Dockerfile:
          'FROM ghcr.io/acme/base:1 AS app\nFROM 10.0.0.7:5000/tools:1 AS tools\nCOPY --from=10.0.0.8:5000/x:1 /x /x\n',
        'build.sh': '#!/bin/sh\ndocker buildx build --target app -t ghcr.io/acme/api:1 --push .\n',
        [TOML]:
          '[registry."10.0.0.7:5000"]\n  insecure = true\n[registry."10.0.0.8:5000"]\n  insecure = true\n',
      },
    },
    expect: [
      at('buildkit-registry-mismatch', 'warning', TOML, 1, 1, { message: /configures `10\.0\.0\.7:5000`/ }),
      at('buildkit-registry-mismatch', 'warning', TOML, 3, 1, { message: /configures `10\.0\.0\.8:5000`/ }),
    ],
  },
  {
    name: 'condition "a copied image is known": COPY --from an ARG nothing passes may pull from the configured host: a note, no claim',
    repo: {
      files: {
        Dockerfile: 'FROM ghcr.io/acme/base:1\nARG TOOLS\nCOPY --from=$TOOLS /x /x\n',
        'build.sh': '#!/bin/sh\ndocker buildx build -t ghcr.io/acme/api:1 --push .\n',
        [TOML]: '[registry."10.0.0.5:5000"]\n  insecure = true\n',
      },
    },
    only: ['buildkit-registry-mismatch', 'unresolved-value'],
    expect: [
      at('unresolved-value', 'info', 'Dockerfile', 2, 5, {
        message:
          /^ARG TOOLS has no default and this build does not pass it; not checked: whether the buildkitd\.toml entry for `10\.0\.0\.5:5000` applies to a build \(buildkit-registry-mismatch\)$/,
      }),
    ],
  },
  {
    name: 'condition "a mirror of a used entry": mirrors are followed four deep, and a mirror cycle is unused',
    repo: pushTo(
      'ghcr.io',
      [
        '[registry."docker.io"]\n  mirrors = ["m1.example"]',
        '[registry."m1.example"]\n  mirrors = ["m2.example"]',
        '[registry."m2.example"]\n  mirrors = ["m3.example"]',
        '[registry."m3.example"]\n  mirrors = ["m4.example"]',
        '[registry."m4.example"]\n  mirrors = ["m5.example"]',
        '[registry."m5.example"]\n  insecure = true',
        '[registry."a.example"]\n  mirrors = ["b.example"]',
        '[registry."b.example"]\n  mirrors = ["a.example"]',
        '',
      ].join('\n'),
    ),
    expect: [
      at('buildkit-registry-mismatch', 'warning', TOML, 11, 1, { message: /configures `m5\.example`/ }),
      at('buildkit-registry-mismatch', 'warning', TOML, 13, 1, { message: /configures `a\.example`/ }),
      at('buildkit-registry-mismatch', 'warning', TOML, 15, 1, { message: /configures `b\.example`/ }),
    ],
  },
  {
    name: 'condition "reached over TLS": port 4430 is not 443, and an empty CA list is no CA',
    repo: {
      files: {
        Dockerfile: 'FROM alpine\n',
        [TOML]:
          '[registry."r.example:4430"]\n  http = true\n[registry."q.example"]\n  http = true\n  ca = []\n',
      },
    },
    expect: [],
  },
]);

test('buildkit-registry-mismatch: the hint names crossdock trust', async () => {
  const findings = await checkRepo({ files: { ...base, [TOML]: mixed } }, [buildkitRegistryMismatch]);
  assertFindings(findings, [
    at('buildkit-registry-mismatch', 'warning', TOML, 6, 1),
    at('buildkit-registry-mismatch', 'warning', TOML, 7, 3),
    at('buildkit-registry-mismatch', 'warning', TOML, 9, 1),
    at('buildkit-registry-mismatch', 'warning', TOML, 10, 3),
  ]);
  assert.match(findings[0]?.hint ?? '', /crossdock trust <host>/);
});
