import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { UsageError } from '../../errors.js';
import { cutAtFirst } from '../../model/text.js';
import { type ConsumerVerdict, type Diagnosis, diagnose, planWrite } from '../../registry/diagnose.js';
import { parseFingerprint } from '../../registry/tls.js';
import { formatOpt, writeReport } from '../output.js';
import type { Io, ParsedArgs } from '../types.js';
import { boolOpt, stringOpt } from '../types.js';

const FORMATS = ['text', 'json'] as const;

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

export async function trustCommand(args: ParsedArgs, io: Io): Promise<number> {
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
}
