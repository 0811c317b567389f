import { policyFromConfig } from '../../registry/policy.js';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { loadBuildConfig } from '../../build/config.js';
import { cutAtFirst } from '../../model/text.js';
import { UsageError } from '../../errors.js';
import { type ConsumerVerdict, type Diagnosis, diagnose, planWrite } from '../../registry/diagnose.js';
import { copyImage } from '../../registry/copy.js';
import { inspect } from '../../registry/inspect.js';
import { resolveRef } from '../../registry/reference.js';
import { parseFingerprint } from '../../registry/tls.js';
import { VERIFY_RULES, type VerifyPolicy, verifyImage } from '../../registry/verify.js';
import { render } from '../../reporters/index.js';
import type { RunResult } from '../../reporters/types.js';
import { VERSION } from '../../version.js';
import { formatOpt, REPORT_FORMATS, useColor, writeReport } from '../output.js';
import { humanBytes, REGISTRY_OPTIONS, registryClient } from '../registry-options.js';
import type { Command } from '../types.js';
import { boolOpt, listOpt, stringOpt } from '../types.js';

const FORMATS = ['text', 'json'] as const;

function platformsOpt(args: Parameters<Command['run']>[0], name = 'platform'): string[] {
  const out = listOpt(args, name).flatMap((v) =>
    v
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
  );
  for (const p of out)
    if (!/^[a-z0-9]+\/[a-z0-9_]+(\/[a-z0-9]+)?$/.test(p))
      throw new UsageError(`--${name} ${p} is not a platform`, {
        hint: 'use os/arch[/variant], e.g. linux/arm64',
      });
  return out;
}

export const inspectCommand: Command = {
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
  async run(args, io) {
    if (args.positionals.length !== 1)
      throw new UsageError('inspect takes one image reference', {
        hint: 'crossdock inspect localhost:5000/team/app:1.0',
      });
    const ref = resolveRef(args.positionals[0] ?? '');
    const format = formatOpt(args, FORMATS, 'text');
    const client = await registryClient(args, io, [ref.registry]);
    try {
      const result = await inspect(client, ref, platformsOpt(args));
      if (boolOpt(args, 'raw')) {
        await writeReport(io, args, result.raw.toString('utf8'));
        return 0;
      }
      if (format === 'json') {
        const json = {
          version: 1,
          reference: result.reference,
          digest: result.digest,
          mediaType: result.mediaType,
          index: result.index,
          platforms: result.platforms.map((p) => ({
            platform: p.platform,
            digest: p.digest,
            mediaType: p.mediaType,
            attestation: p.attestation,
            size: p.size,
            layers: p.layers.length,
            created: p.created ?? null,
            user: p.user ?? null,
            entrypoint: p.entrypoint,
            cmd: p.cmd,
            exposedPorts: p.exposedPorts,
            healthcheck: p.healthcheck ?? null,
            labels: p.labels,
          })),
        };
        await writeReport(io, args, JSON.stringify(json, null, 2));
        return 0;
      }
      const lines = [
        `${result.reference}`,
        `  digest ${result.digest} (${result.index ? 'index' : 'single image'}, ${result.mediaType})`,
        '',
      ];
      for (const p of result.platforms) {
        if (p.attestation) {
          lines.push(`  ${p.platform}  ${p.digest.slice(0, 19)}  attestation (not a runnable image)`);
          continue;
        }
        lines.push(
          `  ${p.platform}  ${p.digest.slice(0, 19)}  ${humanBytes(p.size)}  ${p.layers.length} layers  created ${p.created ?? '?'}`,
        );
        lines.push(
          `    user: ${p.user ?? '(root)'}  entrypoint: ${JSON.stringify(p.entrypoint)}  cmd: ${JSON.stringify(p.cmd)}`,
        );
        if (p.exposedPorts.length) lines.push(`    ports: ${p.exposedPorts.join(', ')}`);
        if (p.healthcheck) lines.push(`    healthcheck: ${p.healthcheck.join(' ')}`);
        for (const key of [
          'org.opencontainers.image.revision',
          'org.opencontainers.image.source',
          'org.opencontainers.image.created',
        ])
          if (p.labels[key]) lines.push(`    ${key.split('.').pop()}: ${p.labels[key]}`);
      }
      await writeReport(io, args, lines.join('\n'));
      return 0;
    } finally {
      client.close();
    }
  },
};

export const verifyCommand: Command = {
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
    { name: 'max-size', type: 'string', valueName: 'MB', description: 'compressed size budget per platform' },
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
  async run(args, io) {
    if (args.positionals.length === 0)
      throw new UsageError('verify needs at least one image reference', {
        hint: 'crossdock verify localhost:5000/team/app:1.0 --platforms linux/amd64,linux/arm64',
      });
    const format = formatOpt(args, REPORT_FORMATS, 'text');
    const started = performance.now();
    // Every option and the policy file are checked before the first request.
    const failOn = stringOpt(args, 'fail-on') ?? 'error';
    const rank = { error: 3, warning: 2, info: 1, never: 99 }[failOn];
    if (rank === undefined)
      throw new UsageError(`--fail-on ${failOn} is not supported`, {
        hint: 'use error, warning, info or never',
      });
    const policyPath = stringOpt(args, 'policy');
    const config = policyPath
      ? (await loadBuildConfig(dirname(resolve(io.cwd, policyPath)), resolve(io.cwd, policyPath))).config
      : undefined;
    const maxSize = stringOpt(args, 'max-size');
    if (maxSize !== undefined && !/^\d+(\.\d+)?$/.test(maxSize))
      throw new UsageError(`--max-size ${maxSize} is not a number of MB`);
    const maxUnpacked = stringOpt(args, 'max-unpacked');
    if (maxUnpacked !== undefined && !/^[1-9]\d{0,6}$/.test(maxUnpacked))
      throw new UsageError(`--max-unpacked ${maxUnpacked} is not a whole number of MB`, {
        hint: 'e.g. --max-unpacked 4096 for layers that unpack to up to 4 GB',
      });
    const limits = maxUnpacked ? { maxUnpackedBytes: Number(maxUnpacked) * 1024 * 1024 } : {};
    const client = await registryClient(
      args,
      io,
      args.positionals.map((p) => resolveRef(p).registry),
    );
    const findings: RunResult['findings'] = [];
    try {
      for (const text of args.positionals) {
        const ref = resolveRef(text);
        const fromConfig = config ? policyFromConfig(config.raw, text, ref.repository) : {};
        const policy: VerifyPolicy = { elf: true, ...fromConfig };
        const plats = platformsOpt(args, 'platforms');
        if (plats.length) policy.platforms = plats;
        if (boolOpt(args, 'non-root')) policy.nonRoot = 'numeric';
        if (boolOpt(args, 'init')) policy.init = true;
        if (boolOpt(args, 'healthcheck')) policy.healthcheck = true;
        if (listOpt(args, 'label').length) policy.labels = listOpt(args, 'label');
        const rev = stringOpt(args, 'revision');
        if (rev) policy.revision = rev;
        const tp = stringOpt(args, 'tag-pattern');
        if (tp) policy.tagPattern = tp;
        if (maxSize) policy.maxSizeMb = Number(maxSize);
        if (boolOpt(args, 'no-attestations')) policy.forbidAttestations = true;
        if (boolOpt(args, 'no-elf')) policy.elf = false;
        const r = await verifyImage(client, ref, policy, limits);
        findings.push(...r.findings);
      }
    } finally {
      client.close();
    }
    const summary = {
      error: 0,
      warning: 0,
      info: 0,
      files: args.positionals.length,
      durationMs: Math.round(performance.now() - started),
    };
    for (const f of findings) summary[f.severity]++;
    const result: RunResult = {
      tool: { name: 'crossdock', version: VERSION },
      command: 'verify',
      root: '',
      targets: undefined,
      findings,
      rules: VERIFY_RULES,
      notes: [],
      summary,
    };
    await writeReport(io, args, render(format, result, { color: useColor(io, args) }));
    const worst = Math.max(0, ...findings.map((f) => ({ error: 3, warning: 2, info: 1 })[f.severity]));
    return worst >= rank ? 1 : 0;
  },
};

export const copyCommand: Command = {
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
    { name: 'concurrency', type: 'string', valueName: 'N', description: 'blobs in parallel (default 4)' },
    ...REGISTRY_OPTIONS,
  ],
  async run(args, io) {
    if (args.positionals.length !== 2)
      throw new UsageError('copy takes a source and a destination reference', {
        hint: 'crossdock copy reg-a:5000/app:1 reg-b:5000/app:1',
      });
    const from = resolveRef(args.positionals[0] ?? '');
    const to = resolveRef(args.positionals[1] ?? '');
    const format = formatOpt(args, FORMATS, 'text');
    const conc = stringOpt(args, 'concurrency');
    if (conc !== undefined && !/^[1-9]\d?$/.test(conc))
      throw new UsageError(`--concurrency ${conc} must be 1..99`);
    // --username is for the destination (where pushing needs it); the source uses Docker's credentials.
    const client = await registryClient(args, io, [to.registry]);
    const tty = io.stderr.isTTY === true;
    let done = 0;
    let total = 0;
    const inflight = new Map<string, number>();
    const started = performance.now();
    const draw = () => {
      const moving = [...inflight.values()].reduce((a, b) => a + b, 0);
      io.stderr.write(`\r  ${humanBytes(done + moving)} copied, ${total} blobs done   `);
    };
    try {
      const result = await copyImage(client, client, from, to, {
        platforms: platformsOpt(args),
        concurrency: conc ? Number(conc) : undefined,
        progress: {
          blob(digest, size, outcome) {
            inflight.delete(digest);
            total++;
            if (outcome === 'uploaded') done += size;
            if (tty) draw();
            else io.stderr.write(`${outcome} ${digest.slice(0, 19)} ${humanBytes(size)}\n`);
          },
          bytes(digest, n) {
            inflight.set(digest, n);
            if (tty) draw();
          },
        },
      });
      if (tty) io.stderr.write('\n');
      const secs = (performance.now() - started) / 1000;
      if (format === 'json')
        await writeReport(
          io,
          args,
          JSON.stringify({ version: 1, ...result, seconds: Math.round(secs * 100) / 100 }, null, 2),
        );
      else
        await writeReport(
          io,
          args,
          [
            `copied ${result.source} → ${result.destination}`,
            `  digest ${result.digest}${result.digestChanged ? ' (a new index for the platforms chosen)' : ''}`,
            `  platforms: ${result.platforms.join(', ')}`,
            `  blobs: ${result.blobs.uploaded} uploaded (${humanBytes(result.bytes.moved)}), ${result.blobs.skipped} already there, ${result.blobs.mounted} mounted (${humanBytes(result.bytes.skipped)} not moved) in ${secs.toFixed(1)} s`,
          ].join('\n'),
        );
      return 0;
    } finally {
      client.close();
    }
  },
};

function diagnosisText(d: Diagnosis, caFile: string | undefined, indent = ''): string[] {
  const lines = [
    `${indent}${d.host}: ${d.tls ? (d.problems.length ? 'problems found' : 'trusted') : 'no TLS'}`,
  ];
  for (const [i, c] of d.chain.entries())
    lines.push(
      `${indent}  cert ${i}: ${c.subject}  (issuer ${c.issuer}${c.selfSigned ? ', self-signed' : ''}${c.ca ? ', CA' : ''}, valid ${c.validFrom.slice(0, 10)}..${c.validTo.slice(0, 10)})`,
    );
  for (const p of d.problems) lines.push(`${indent}  ✗ ${p.message}`);
  if (d.ca)
    lines.push(
      `${indent}  CA to trust: ${d.ca.subject}  ${d.ca.fingerprint}  (${d.ca.source === 'server' ? "sent by the server, unverified: compare it with the registry admin's copy" : `from --ca-file ${caFile}`})`,
    );
  const consumer = (c: ConsumerVerdict) => [
    `${indent}    ${c.accepts ? '✓' : '✗'} ${c.consumer.padEnd(13)} ${c.why}`,
    ...(c.fix ? [`${indent}      fix: ${c.fix}`] : []),
  ];
  if (d.verifiedBy === 'ca-file') {
    const lacking = d.consumers.filter((c) => !c.accepts);
    lines.push(`${indent}  ✓ the chain verifies against --ca-file ${caFile}`);
    if (lacking.length)
      lines.push(`${indent}  consumers that still lack this CA:`, ...lacking.flatMap(consumer));
    else lines.push(`${indent}  every consumer already accepts it`);
  } else if (d.consumers.length) lines.push(`${indent}  who accepts it:`, ...d.consumers.flatMap(consumer));
  if (d.realm)
    lines.push(
      `${indent}  token service ${d.realm.url}:`,
      ...diagnosisText(d.realm.diagnosis, undefined, `${indent}    `),
    );
  return lines;
}

/** A word for a suggested shell command line: quoted when it holds anything but plain path characters. */
function shellWord(s: string): string {
  return /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

/** JSON with absent values as null, as docs/registry-json.md promises. */
function toJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => (v === undefined ? null : v), 2);
}

export const trustCommand: Command = {
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
      description: "the registry's CA (from its admin): checked against the chain, and what --write installs",
    },
    {
      name: 'accept-fingerprint',
      type: 'string',
      valueName: 'FP',
      description: 'with --write: the SHA256:… fingerprint you checked of the CA certificate the server sent',
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
  async run(args, io) {
    if (args.positionals.length !== 1)
      throw new UsageError('trust takes one host[:port]', { hint: 'crossdock trust registry.lan:5000' });
    const host = cutAtFirst((args.positionals[0] ?? '').replace(/^https?:\/\//, ''), '/');
    const format = formatOpt(args, FORMATS, 'text');
    const caFile = stringOpt(args, 'ca-file');
    const dir = stringOpt(args, 'write');
    const system = boolOpt(args, 'system');
    const acceptText = stringOpt(args, 'accept-fingerprint');
    if (!dir && (system || acceptText !== undefined))
      throw new UsageError('--system and --accept-fingerprint only apply with --write', {
        hint: `crossdock trust ${host} --write DIR ...`,
      });
    const acceptFingerprint = acceptText === undefined ? undefined : parseFingerprint(acceptText);
    if (acceptText !== undefined && !acceptFingerprint)
      throw new UsageError(`--accept-fingerprint ${acceptText} is not a SHA-256 fingerprint`, {
        hint: 'give it as crossdock trust prints it: SHA256: and 32 hex bytes (colons optional)',
      });
    const d = await diagnose(host, {
      caFile: caFile ? resolve(io.cwd, caFile) : undefined,
      paths: {
        dockerCertsD: io.env.CROSSDOCK_DOCKER_CERTS_D,
        containersCertsD: io.env.CROSSDOCK_CONTAINERS_CERTS_D,
      },
    });
    const written: string[] = [];
    let refusal: unknown;
    let systemSkipped = false;
    if (dir) {
      let files: Record<string, string> = {};
      try {
        files = planWrite(d, {
          system,
          acceptFingerprint,
          rerun: ['crossdock trust', host, '--write', shellWord(dir), ...(system ? ['--system'] : [])].join(
            ' ',
          ),
        });
      } catch (e) {
        refusal = e;
      }
      const targets = Object.entries(files).map(([path, content]) => ({
        target: join(resolve(io.cwd, dir), path),
        content,
      }));
      // Whole files (buildkitd.toml, registries.yaml, a CA) never replace different ones: all or nothing.
      const clashes = targets.filter(
        (t) => existsSync(t.target) && readFileSync(t.target, 'utf8') !== t.content,
      );
      if (clashes.length && !refusal)
        refusal = new UsageError(
          `not writing: ${clashes.map((t) => t.target).join(', ')} already ${clashes.length === 1 ? 'exists' : 'exist'} with other content`,
          {
            hint: `these are whole files, not patches: write to an empty directory (crossdock trust ${host} --write NEW-DIR ...) and merge them into the existing ones by hand`,
          },
        );
      systemSkipped = !system && !refusal && d.consumers.some((c) => c.consumer === 'system' && !c.accepts);
      if (!refusal)
        for (const { target, content } of targets) {
          mkdirSync(dirname(target), { recursive: true });
          writeFileSync(target, content);
          written.push(target);
        }
    }
    if (format === 'json') await writeReport(io, args, toJson({ ...d, written }));
    else {
      const lines = diagnosisText(d, caFile);
      if (dir && !refusal) {
        lines.push('');
        if (written.length)
          lines.push(
            `wrote ${written.length} files under ${dir}; install each at the path it has below ${dir}`,
          );
        else if (!systemSkipped) lines.push('nothing to write: every consumer accepts this registry');
        if (systemSkipped)
          lines.push(
            'not written: the system CA store (it makes every TLS client trust this CA for every site); add --system to write it',
          );
      }
      await writeReport(io, args, lines.join('\n'));
    }
    if (refusal) throw refusal;
    return d.problems.length ? 1 : 0;
  },
};
