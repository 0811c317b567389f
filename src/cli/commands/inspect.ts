import { UsageError } from '../../errors.js';
import { inspect } from '../../registry/inspect.js';
import { resolveRef } from '../../registry/reference.js';
import { formatOpt, writeReport } from '../output.js';
import { humanBytes, platformsOpt, registryClient } from '../registry-options.js';
import type { Io, ParsedArgs } from '../types.js';
import { boolOpt } from '../types.js';

const FORMATS = ['text', 'json'] as const;

export async function inspectCommand(args: ParsedArgs, io: Io): Promise<number> {
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
}
