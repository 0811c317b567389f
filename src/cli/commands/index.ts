import type { Command, OptionSpec } from '../types.js';

/**
 * Every verb, in the order --help lists them, with what --help and argument parsing need (name, summary, usage,
 * options). A command's code, and everything it imports (YAML/TOML/HCL parsers and rules for check, the registry
 * client for inspect/copy, the build engine for build), is loaded by `run` with `import()` when the command
 * runs: `crossdock --version` and `crossdock <command> --help` load none of it, `inspect` never loads the rules or
 * the parsers and `check` never loads registry or build code (test/cli/bundle.test.ts checks this on the bundle).
 */

/** Flags every registry command takes (inspect, verify, copy, trust). */
const REGISTRY_OPTIONS: OptionSpec[] = [
  {
    name: 'ca-file',
    type: 'string',
    multiple: true,
    valueName: 'PEM',
    description: 'also trust this CA bundle',
  },
  {
    name: 'cert-dir',
    type: 'string',
    multiple: true,
    valueName: 'DIR',
    description: 'certs.d-style directory (<dir>/<host:port>/ca.crt, client.cert/.key)',
  },
  {
    name: 'username',
    type: 'string',
    short: 'u',
    valueName: 'USER',
    description: 'registry user (with --password-stdin)',
  },
  { name: 'password-stdin', type: 'boolean', description: 'read the password or token from stdin' },
  {
    name: 'auth-host',
    type: 'string',
    multiple: true,
    valueName: 'HOST',
    description:
      "token service on another host that may receive the --username credentials (the registry's Bearer realm)",
  },
  {
    name: 'plain-http',
    type: 'string',
    multiple: true,
    valueName: 'HOST',
    description: 'speak plain HTTP to this host (never a silent fallback)',
  },
  {
    name: 'insecure',
    type: 'string',
    multiple: true,
    valueName: 'HOST',
    description: 'do not verify TLS for this host (prints a warning)',
  },
  { name: 'format', type: 'string', valueName: 'FORMAT', description: 'text (default) or json' },
  { name: 'output', type: 'string', short: 'o', valueName: 'FILE', description: 'write the result to FILE' },
];

const BUILD_OPTIONS: OptionSpec[] = [
  {
    name: 'file',
    short: 'f',
    type: 'string',
    valueName: 'DOCKERFILE',
    description: 'build this Dockerfile (default: <context>/Dockerfile)',
  },
  {
    name: 'context',
    type: 'string',
    valueName: 'DIR',
    description: 'build context (default: the folder given, or .)',
  },
  {
    name: 'tag',
    short: 't',
    type: 'string',
    multiple: true,
    valueName: 'REF',
    description: 'push the index under REF (repository[:tag])',
  },
  {
    name: 'platform',
    type: 'string',
    multiple: true,
    valueName: 'LIST',
    description: 'platforms, e.g. linux/amd64,linux/arm64',
  },
  {
    name: 'push',
    type: 'boolean',
    description: 'publish: each platform by digest, then the index under the tags, then verify',
  },
  {
    name: 'build-arg',
    type: 'string',
    multiple: true,
    valueName: 'K=V',
    description:
      'build argument (values of *TOKEN*, *PASSWORD*, *SECRET*, *KEY* names are redacted; prefer --secret)',
  },
  {
    name: 'secret',
    type: 'string',
    multiple: true,
    valueName: 'id=ID,env=VAR|src=FILE',
    description:
      'secret for RUN --mount=type=secret,id=ID, from an environment variable or a file; never stored',
  },
  { name: 'target', type: 'string', valueName: 'STAGE', description: 'Dockerfile stage to build' },
  {
    name: 'node',
    type: 'string',
    multiple: true,
    valueName: 'NAME=ENDPOINT',
    description: 'builder node: unix://, tcp://, ssh://, context://NAME, buildx://NAME, buildah://local',
  },
  {
    name: 'config',
    type: 'string',
    valueName: 'FILE',
    description: 'crossdock.yaml to use (default: found in the folder)',
  },
];

const CACHE_OPTIONS: OptionSpec[] = [
  {
    name: 'max-bytes',
    type: 'string',
    valueName: 'SIZE',
    description: 'keep at most SIZE (e.g. 2GiB, 500MB; default build.cache.maxBytes, else 5GiB)',
  },
  {
    name: 'max-age',
    type: 'string',
    valueName: 'DAYS',
    description: 'remove layers unused for DAYS days (default build.cache.maxAgeDays, else 30)',
  },
  { name: 'all', type: 'boolean', description: 'remove every cached layer' },
  {
    name: 'config',
    type: 'string',
    valueName: 'FILE',
    description: 'crossdock.yaml to read build.cache from (default: found in the current folder)',
  },
  { name: 'format', type: 'string', valueName: 'FORMAT', description: 'text (default) or json' },
];

export const COMMANDS: Command[] = [
  {
    name: 'check',
    summary:
      'Find what will break a multi-platform build or deployment, before building (offline by default).',
    usage: 'crossdock check [dir] [options]',
    options: [
      {
        name: 'format',
        type: 'string',
        valueName: 'FORMAT',
        description: 'text (default), json, sarif or markdown',
      },
      { name: 'verbose', type: 'boolean', short: 'v', description: 'text: a code frame for every finding' },
      {
        name: 'output',
        type: 'string',
        short: 'o',
        valueName: 'FILE',
        description: 'write the report to FILE',
      },
      {
        name: 'fail-on',
        type: 'string',
        valueName: 'LEVEL',
        description: 'exit 1 at or above: error (default), warning, info, never',
      },
      {
        name: 'config',
        type: 'string',
        short: 'c',
        valueName: 'FILE',
        description: 'config file (default: crossdock.yaml in dir)',
      },
      {
        name: 'platform',
        type: 'string',
        multiple: true,
        valueName: 'LIST',
        description: 'target platforms, overriding config and inference',
      },
      { name: 'rule', type: 'string', multiple: true, valueName: 'ID', description: 'run only these rules' },
      { name: 'online', type: 'boolean', description: 'also run rules that consult registries' },
      {
        name: 'ca-file',
        type: 'string',
        multiple: true,
        valueName: 'PEM',
        description: 'with --online: also trust this CA (registries and the package index)',
      },
      {
        name: 'plain-http',
        type: 'string',
        multiple: true,
        valueName: 'HOST',
        description: 'with --online: plain HTTP for this host',
      },
      {
        name: 'index-url',
        type: 'string',
        valueName: 'URL',
        description:
          'with --online: the Python package index (simple API root) to read wheels from (default: PIP_INDEX_URL, else what the repository names)',
      },
      {
        name: 'no-cache',
        type: 'boolean',
        description: 'read and parse every file (no ~/.cache/crossdock/check; also CROSSDOCK_NO_CACHE=1)',
      },
      { name: 'no-color', type: 'boolean', description: 'no ANSI colours' },
    ],
    run: async (args, io) => (await import('./check.js')).checkCommand(args, io),
  },
  {
    name: 'deps',
    summary:
      'For each Python requirement an image installs: a wheel, pure Python, an sdist pip compiles, or nothing, on each target platform (asks the package index).',
    usage:
      'crossdock deps [dir | requirements.txt] [--platform P]... [--index-url URL] [--python X.Y] [--format text|json|markdown]',
    options: [
      {
        name: 'platform',
        type: 'string',
        multiple: true,
        valueName: 'LIST',
        description: 'target platforms, replacing those the builds name (e.g. linux/amd64,linux/arm64)',
      },
      {
        name: 'index-url',
        type: 'string',
        valueName: 'URL',
        description:
          'package index (simple API root, e.g. https://pypi.org/simple); replaces PIP_INDEX_URL and the indexes the repository names',
      },
      {
        name: 'extra-index-url',
        type: 'string',
        multiple: true,
        valueName: 'URL',
        description: 'another index to read as well',
      },
      {
        name: 'ca-file',
        type: 'string',
        multiple: true,
        valueName: 'PEM',
        description: "also trust this CA for an HTTPS index (PIP_CERT, pip's own setting, is read too)",
      },
      { name: 'python', type: 'string', valueName: 'X.Y', description: 'CPython version of every target' },
      {
        name: 'libc',
        type: 'string',
        valueName: 'LIBC',
        description:
          'C library of every target: glibc-2.36 (Debian 12), glibc-2.41 (Debian 13), musl-1.2 (Alpine)…',
      },
      { name: 'offline', type: 'boolean', description: 'use only the on-disk cache of index pages' },
      {
        name: 'format',
        type: 'string',
        valueName: 'FORMAT',
        description: 'text (default), json or markdown',
      },
      {
        name: 'output',
        type: 'string',
        short: 'o',
        valueName: 'FILE',
        description: 'write the report to FILE',
      },
      {
        name: 'fail-on',
        type: 'string',
        valueName: 'WHAT',
        description:
          'exit 1 on: missing, emulated-sdist (default: missing, or compiling under emulation), sdist, never',
      },
      { name: 'no-color', type: 'boolean', description: 'no ANSI colours' },
    ],
    run: async (args, io) => (await import('./deps.js')).depsCommand(args, io),
  },
  {
    name: 'graph',
    summary: 'Print the build graph: every build and every deployment with the build its image resolves to.',
    usage: 'crossdock graph [dir] [--format text|json|dot]',
    options: [
      { name: 'format', type: 'string', valueName: 'FORMAT', description: 'text (default), json or dot' },
      {
        name: 'output',
        type: 'string',
        short: 'o',
        valueName: 'FILE',
        description: 'write the graph to FILE',
      },
      {
        name: 'config',
        type: 'string',
        short: 'c',
        valueName: 'FILE',
        description: 'config file (default: crossdock.yaml in dir)',
      },
    ],
    run: async (args, io) => (await import('./graph.js')).graphCommand(args, io),
  },
  {
    name: 'init',
    summary:
      'Write a starter crossdock.yaml inferred from the build graph (platforms, images), with the schema line for editors.',
    usage: 'crossdock init [dir] [--force]',
    options: [{ name: 'force', type: 'boolean', description: 'replace an existing crossdock.yaml' }],
    run: async (args, io) => (await import('./init.js')).initCommand(args, io),
  },
  {
    name: 'ci',
    summary:
      'Write the CI pipeline for the build graph: per image, one native job per platform pushing by digest, then one index.',
    usage:
      'crossdock ci github [dir] [--output FILE] [--image NAME]… [--runner linux/arm64=LABEL]… [--policy native|amd64-first] [--registry ghcr.io]',
    options: [
      {
        name: 'output',
        type: 'string',
        short: 'o',
        valueName: 'FILE',
        description: 'write the workflow to FILE (e.g. .github/workflows/images.yml)',
      },
      {
        name: 'image',
        type: 'string',
        multiple: true,
        valueName: 'NAME',
        description: 'only this image (its repository or short name)',
      },
      {
        name: 'runner',
        type: 'string',
        multiple: true,
        valueName: 'PLATFORM=LABEL[,LABEL]',
        description: 'runner labels for a platform (default ubuntu-24.04, ubuntu-24.04-arm)',
      },
      {
        name: 'policy',
        type: 'string',
        valueName: 'POLICY',
        description: 'native (default: every platform on every push) or amd64-first (others on releases)',
      },
      {
        name: 'registry',
        type: 'string',
        valueName: 'REGISTRY',
        description: 'push every image under this registry or prefix (ghcr.io, ghcr.io/OWNER, host/team)',
      },
      {
        name: 'branch',
        type: 'string',
        valueName: 'BRANCH',
        description: 'the branch whose pushes publish (default main)',
      },
    ],
    run: async (args, io) => (await import('./ci.js')).ciCommand(args, io),
  },
  {
    name: 'plan',
    summary:
      'Show what `crossdock build` would do: each image × platform → builder node, native or emulated, backend, cache, tags.',
    usage:
      'crossdock plan [dir] [--file F] [--tag REF] [--platform LIST] [--node NAME=ENDPOINT] [--format json]',
    options: [
      ...BUILD_OPTIONS,
      { name: 'format', type: 'string', valueName: 'FORMAT', description: 'text (default) or json' },
      {
        name: 'output',
        type: 'string',
        short: 'o',
        valueName: 'FILE',
        description: 'write the plan to FILE',
      },
    ],
    run: async (args, io) => (await import('./build.js')).planCommand(args, io),
  },
  {
    name: 'build',
    summary:
      'Build every platform on native nodes or QEMU through BuildKit/buildx/buildah, publish one index, verify it.',
    usage:
      'crossdock build [dir] [--file F] [--tag REF]... [--platform LIST] [--push [--smoke]] [--node NAME=ENDPOINT]... [--metadata-file run.json]',
    options: [
      ...BUILD_OPTIONS,
      {
        name: 'metadata-file',
        type: 'string',
        valueName: 'FILE',
        description: 'write the run record (JSON) to FILE',
      },
      {
        name: 'log-dir',
        type: 'string',
        valueName: 'DIR',
        description: "write each platform's whole engine output to DIR",
      },
      {
        name: 'smoke',
        type: 'boolean',
        description:
          "with --push: run each pushed platform against the repository's deployments (crossdock smoke) before tagging; a failure tags nothing",
      },
      {
        name: 'startup-window',
        type: 'string',
        valueName: 'DURATION',
        description:
          'with --smoke: how long a server must stay up before the checks (default: from the probes)',
      },
      {
        name: 'stop-timeout',
        type: 'string',
        valueName: 'DURATION',
        description: 'with --smoke: cap on the stop grace period',
      },
      { name: 'quiet', short: 'q', type: 'boolean', description: 'no progress output' },
      ...REGISTRY_OPTIONS,
    ],
    run: async (args, io) => (await import('./build.js')).buildCommand(args, io),
  },
  {
    name: 'cache',
    summary:
      "Manage crossdock's cache of compressed layers: `cache prune` removes old layers beyond the limits.",
    usage: 'crossdock cache prune [--max-bytes SIZE] [--max-age DAYS] [--all] [--format json]',
    options: CACHE_OPTIONS,
    run: async (args, io) => (await import('./build.js')).cacheCommand(args, io),
  },
  {
    name: 'inspect',
    summary:
      'Show what a registry holds for an image, per platform: digest, size, user, entrypoint, ports, labels.',
    usage: 'crossdock inspect <ref> [--platform os/arch] [--raw] [--format text|json]',
    options: [
      {
        name: 'platform',
        type: 'string',
        multiple: true,
        valueName: 'PLATFORM',
        description: 'only this platform',
      },
      { name: 'raw', type: 'boolean', description: 'print the raw manifest as the registry sent it' },
      ...REGISTRY_OPTIONS,
    ],
    run: async (args, io) => (await import('./inspect.js')).inspectCommand(args, io),
  },
  {
    name: 'verify',
    summary:
      'Check what a registry holds against a policy: platforms, real binary architecture, non-root, init, labels, size.',
    usage:
      'crossdock verify <ref>... [--policy crossdock.yaml] [--platforms a,b] [--non-root] [--revision SHA] …',
    options: [
      {
        name: 'policy',
        type: 'string',
        valueName: 'FILE',
        description: 'crossdock.yaml with an images: section',
      },
      {
        name: 'platforms',
        type: 'string',
        multiple: true,
        valueName: 'LIST',
        description: 'required platforms',
      },
      { name: 'non-root', type: 'boolean', description: 'the user must be numeric and not root' },
      { name: 'init', type: 'boolean', description: 'PID 1 must be an init (tini, dumb-init…)' },
      { name: 'healthcheck', type: 'boolean', description: 'a HEALTHCHECK must be present' },
      { name: 'label', type: 'string', multiple: true, valueName: 'KEY', description: 'required label' },
      {
        name: 'revision',
        type: 'string',
        valueName: 'SHA',
        description: 'org.opencontainers.image.revision must equal this',
      },
      { name: 'tag-pattern', type: 'string', valueName: 'REGEX', description: 'the tag must match' },
      {
        name: 'max-size',
        type: 'string',
        valueName: 'MB',
        description: 'compressed size budget per platform',
      },
      { name: 'no-attestations', type: 'boolean', description: 'forbid unknown/unknown index entries' },
      {
        name: 'no-elf',
        type: 'boolean',
        description: 'do not read layers to check the entrypoint binary architecture',
      },
      {
        name: 'max-unpacked',
        type: 'string',
        valueName: 'MB',
        description: 'refuse a layer that unpacks to more (default: 20 × its compressed size + 512 MB)',
      },
      {
        name: 'fail-on',
        type: 'string',
        valueName: 'LEVEL',
        description: 'error (default), warning, info, never',
      },
      ...REGISTRY_OPTIONS.filter((o) => o.name !== 'format'),
      {
        name: 'format',
        type: 'string',
        valueName: 'FORMAT',
        description: 'text (default), json, sarif or markdown',
      },
    ],
    run: async (args, io) => (await import('./verify.js')).verifyCommand(args, io),
  },
  {
    name: 'smoke',
    summary:
      'Run every platform of an image (native or QEMU) against the contract its deployment expects: starts, listens, probes, user, stops, arch.',
    usage:
      'crossdock smoke <image-ref | dir> [--manifest FILE]… [--port N]… [--http PATH[:PORT]]… [--expect-exit N] [--platform LIST] [--format text|json|markdown]',
    options: [
      {
        name: 'manifest',
        type: 'string',
        multiple: true,
        valueName: 'FILE',
        description: 'Kubernetes or compose file the contract is derived from',
      },
      {
        name: 'platform',
        type: 'string',
        multiple: true,
        valueName: 'LIST',
        description: 'only these platforms (default: every platform of the image)',
      },
      {
        name: 'port',
        type: 'string',
        multiple: true,
        valueName: 'N',
        description: "a port the deployment routes to (replaces the image's EXPOSE)",
      },
      {
        name: 'http',
        type: 'string',
        multiple: true,
        valueName: 'PATH[:PORT]',
        description: 'an HTTP probe that must answer 200–399',
      },
      {
        name: 'expect-exit',
        type: 'string',
        valueName: 'N',
        description: 'a batch workload (Job) that must exit with N',
      },
      {
        name: 'env',
        type: 'string',
        multiple: true,
        valueName: 'K=V',
        description: 'an environment variable for the container',
      },
      { name: 'run-as-user', type: 'string', valueName: 'UID', description: 'securityContext.runAsUser' },
      { name: 'run-as-non-root', type: 'boolean', description: 'securityContext.runAsNonRoot: true' },
      {
        name: 'grace-period',
        type: 'string',
        valueName: 'S',
        description: 'terminationGracePeriodSeconds (default 30)',
      },
      {
        name: 'python-import',
        type: 'string',
        multiple: true,
        valueName: 'PKG[,PKG]',
        description: 'Python modules that must import on every platform',
      },
      {
        name: 'startup-window',
        type: 'string',
        valueName: 'DURATION',
        description:
          'how long a server must stay up before the checks (default: from the probes, at least 10s)',
      },
      {
        name: 'timeout',
        type: 'string',
        valueName: 'DURATION',
        description: 'per check and probe; how long a batch workload may run (default 60s)',
      },
      {
        name: 'stop-timeout',
        type: 'string',
        valueName: 'DURATION',
        description: 'cap on the stop grace period',
      },
      {
        name: 'init',
        type: 'boolean',
        description: "run with the engine's init as PID 1 (docker run --init)",
      },
      {
        name: 'parallel',
        type: 'string',
        valueName: 'N',
        description: 'platforms run at the same time (default 2)',
      },
      {
        name: 'network',
        type: 'string',
        valueName: 'NAME',
        description: 'attach to this network instead of an isolated one (no route outside)',
      },
      {
        name: 'node',
        type: 'string',
        multiple: true,
        valueName: 'NAME=ENDPOINT',
        description: 'Docker engine to run on (unix://, tcp://, ssh://, context://NAME)',
      },
      {
        name: 'log-dir',
        type: 'string',
        valueName: 'DIR',
        description: "keep each platform's container log in DIR",
      },
      {
        name: 'run-id',
        type: 'string',
        valueName: 'ID',
        description: 'the crossdock.smoke label value of the containers and networks (default: random)',
      },
      { name: 'quiet', short: 'q', type: 'boolean', description: 'no progress output' },
      ...REGISTRY_OPTIONS.filter((o) => o.name !== 'format'),
      {
        name: 'format',
        type: 'string',
        valueName: 'FORMAT',
        description: 'text (default), json or markdown',
      },
    ],
    run: async (args, io) => (await import('./smoke.js')).smokeCommand(args, io),
  },
  {
    name: 'copy',
    summary: 'Copy an image with all its platforms (or some) between registries; digests preserved.',
    usage: 'crossdock copy <src-ref> <dst-ref> [--platform os/arch]… [--concurrency N]',
    options: [
      {
        name: 'platform',
        type: 'string',
        multiple: true,
        valueName: 'PLATFORM',
        description: 'copy only these platforms (a new index)',
      },
      {
        name: 'concurrency',
        type: 'string',
        valueName: 'N',
        description: 'blobs in parallel (default 6; 16 for existence checks and mounts)',
      },
      ...REGISTRY_OPTIONS,
    ],
    run: async (args, io) => (await import('./copy.js')).copyCommand(args, io),
  },
  {
    name: 'trust',
    summary:
      'Diagnose a registry certificate (x509 errors) and say, per tool, whether it is accepted and how to fix it.',
    usage:
      'crossdock trust <host[:port]> [--ca-file PEM] [--write DIR [--accept-fingerprint SHA256:…] [--system]] [--format text|json]',
    options: [
      {
        name: 'write',
        type: 'string',
        valueName: 'DIR',
        description:
          'write the fix files under DIR (mirroring their install paths); a CA the server sent needs --accept-fingerprint',
      },
      {
        name: 'ca-file',
        type: 'string',
        valueName: 'PEM',
        description:
          "the registry's CA (from its admin): checked against the chain, and what --write installs",
      },
      {
        name: 'accept-fingerprint',
        type: 'string',
        valueName: 'FP',
        description:
          'with --write: the SHA256:… fingerprint you checked of the CA certificate the server sent',
      },
      {
        name: 'system',
        type: 'boolean',
        description:
          'with --write: also write the system CA store file (trusted by every TLS client, for every site)',
      },
      { name: 'format', type: 'string', valueName: 'FORMAT', description: 'text (default) or json' },
      {
        name: 'output',
        type: 'string',
        short: 'o',
        valueName: 'FILE',
        description: 'write the diagnosis to FILE',
      },
    ],
    run: async (args, io) => (await import('./trust.js')).trustCommand(args, io),
  },
  {
    name: 'rules',
    summary: 'List every rule: id, default severity, category and summary.',
    usage: 'crossdock rules [--json]',
    options: [{ name: 'json', type: 'boolean', description: 'print JSON (version 1) instead of a table' }],
    run: async (args, io) => (await import('./rules.js')).rulesCommand(args, io),
  },
  {
    name: 'explain',
    summary: "Print a rule's documentation: why it matters, incorrect and correct examples, how to fix.",
    usage: 'crossdock explain <rule-id>',
    options: [],
    run: async (args, io) => (await import('./explain.js')).explainCommand(args, io),
  },
];
