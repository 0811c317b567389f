import buildkitInsecureRegistry from '../../src/rules/buildkit-insecure-registry.js';
import { at, ruleTest } from '../helpers/rule-tester.js';

const TOML = 'buildkitd.toml';

/** A repository pushing to 10.0.0.5:5000 with the given buildkitd.toml. */
const repo = (toml: string, path = TOML) => ({
  files: {
    Dockerfile: 'FROM alpine:3.20\n',
    'build.sh': '#!/bin/sh\ndocker buildx build -t 10.0.0.5:5000/acme/api:1 --push .\n',
    [path]: toml,
  },
});

ruleTest(buildkitInsecureRegistry, [
  {
    name: 'insecure = true without a CA is info at the `insecure` key',
    repo: repo('[registry."10.0.0.5:5000"]\n  http = false\n  insecure = true\n'),
    expect: [
      at('buildkit-insecure-registry', 'info', TOML, 3, 3, {
        message:
          /^buildkitd\.toml sets insecure = true for `10\.0\.0\.5:5000` without a CA: pushes work, but with TLS verification switched off$/,
        reachable: true,
      }),
    ],
  },
  {
    name: 'one finding per entry, in every buildkitd*.toml',
    repo: {
      files: {
        ...repo(
          '[registry."10.0.0.5:5000"]\n  insecure = true\n[registry."harbor.example.com"]\n  insecure = true\n',
        ).files,
        'ci/buildkitd.ci.toml': '[registry."10.0.0.5:5000"]\n  insecure = true\n',
      },
    },
    expect: [
      at('buildkit-insecure-registry', 'info', TOML, 2, 3, { message: /for `10\.0\.0\.5:5000`/ }),
      at('buildkit-insecure-registry', 'info', TOML, 4, 3, { message: /for `harbor\.example\.com`/ }),
      at('buildkit-insecure-registry', 'info', 'ci/buildkitd.ci.toml', 2, 3),
    ],
  },
  // Condition: insecure is true.
  {
    name: 'insecure = false, or not set: nothing',
    repo: repo(
      '[registry."10.0.0.5:5000"]\n  insecure = false\n[registry."harbor.example.com"]\n  http = true\n',
    ),
    expect: [],
  },
  // Condition: no CA is given.
  {
    name: 'insecure = true with a CA: nothing',
    repo: repo(
      '[registry."10.0.0.5:5000"]\n  insecure = true\n  ca = ["/etc/buildkit/certs/10.0.0.5:5000/ca.crt"]\n',
    ),
    expect: [],
  },
  {
    name: 'an empty CA list is no CA',
    repo: repo('[registry."10.0.0.5:5000"]\n  insecure = true\n  ca = []\n'),
    expect: [at('buildkit-insecure-registry', 'info', TOML, 2, 3)],
  },
  // Whether anything pushes there does not matter: TLS verification is off for the host either way.
  {
    name: 'an entry for a host nothing pushes to is still reported (it is buildkit-registry-mismatch that judges use)',
    repo: repo('[registry."harbor.example.com"]\n  insecure = true\n'),
    expect: [at('buildkit-insecure-registry', 'info', TOML, 2, 3)],
  },
]);
