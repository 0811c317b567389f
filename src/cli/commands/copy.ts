import { UsageError } from '../../errors.js';
import { copyImage } from '../../registry/copy.js';
import { resolveRef } from '../../registry/reference.js';
import { formatOpt, writeReport } from '../output.js';
import { humanBytes, platformsOpt, registryClient } from '../registry-options.js';
import type { Io, ParsedArgs } from '../types.js';
import { stringOpt } from '../types.js';

const FORMATS = ['text', 'json'] as const;

export async function copyCommand(args: ParsedArgs, io: Io): Promise<number> {
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
}
