import { resolve } from 'node:path';
import { parseNodeEndpoint } from '../../build/config.js';
import { plainProgress, type ProgressSink, ttyProgress } from '../../build/progress.js';
import { UsageError } from '../../errors.js';
import { resolveRef } from '../../registry/reference.js';
import { type ContractFlags, contractFromFlags, parseDuration } from '../../smoke/cli-flags.js';
import { exitCode, renderReport, reportOutcome, type SmokeReport } from '../../smoke/report.js';
import { resolveSmokeImage, type SmokeImage, type SmokeOptions, smoke } from '../../smoke/run.js';
import type { SmokeContract } from '../../smoke/types.js';
import { VERSION } from '../../version.js';
import { formatOpt, writeReport } from '../output.js';
import { platformsOpt, registryClient } from '../registry-options.js';
import type { Io, ParsedArgs } from '../types.js';
import { boolOpt, listOpt, stringOpt } from '../types.js';

const FORMATS = ['text', 'json', 'markdown'] as const;

function list(args: ParsedArgs, name: string): string[] {
  return listOpt(args, name).flatMap((v) =>
    v
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
  );
}

function count(args: ParsedArgs, name: string, fallback: number): number {
  const v = stringOpt(args, name);
  if (v === undefined) return fallback;
  if (!/^[1-9]\d{0,2}$/.test(v))
    throw new UsageError(`--${name} ${v} is not a positive whole number`, { hint: `e.g. --${name} 2` });
  return Number(v);
}

export function contractFlags(args: ParsedArgs): ContractFlags {
  return {
    ports: list(args, 'port'),
    http: listOpt(args, 'http'),
    expectExit: stringOpt(args, 'expect-exit'),
    env: listOpt(args, 'env'),
    pythonImports: list(args, 'python-import'),
    runAsUser: stringOpt(args, 'run-as-user'),
    runAsNonRoot: boolOpt(args, 'run-as-non-root'),
    gracePeriod: stringOpt(args, 'grace-period'),
  };
}

/**
 * The contracts to check: from the deployment files given with --manifest (derived by the contract module), else
 * from the image config and the flags. The one seam the contract derivation plugs into.
 */
export async function contractsFor(args: ParsedArgs, image: SmokeImage, _io: Io): Promise<SmokeContract[]> {
  const manifests = listOpt(args, 'manifest');
  if (manifests.length)
    throw new UsageError(
      '--manifest: deriving the contract from deployment files is not part of this build yet',
      {
        hint: 'give the contract with flags: --port, --http PATH[:PORT], --expect-exit, --env, --run-as-non-root',
      },
    );
  return [contractFromFlags(contractFlags(args), image)];
}

/** `--startup-window`, `--timeout`, `--stop-timeout`, … as runner options (checked before anything runs). */
export function smokeOptions(args: ParsedArgs, io: Io): SmokeOptions {
  const ms = (name: string) => {
    const v = stringOpt(args, name);
    return v === undefined ? undefined : parseDuration(v, name);
  };
  const stop = ms('stop-timeout');
  const logDir = stringOpt(args, 'log-dir');
  const runId = stringOpt(args, 'run-id');
  if (runId !== undefined && !/^[a-z0-9][a-z0-9_.-]{0,40}$/.test(runId))
    throw new UsageError(`--run-id ${runId}: use lower-case letters, digits, ".", "_" or "-"`);
  return {
    platforms: platformsOpt(args, 'platform'),
    startupWindowMs: ms('startup-window'),
    timeoutMs: ms('timeout'),
    stopTimeoutS: stop === undefined ? undefined : Math.round(stop / 1000),
    parallel: count(args, 'parallel', 2),
    logDir: logDir ? resolve(io.cwd, logDir) : undefined,
    network: stringOpt(args, 'network'),
    init: boolOpt(args, 'init'),
    nodes: listOpt(args, 'node').map((n) => {
      const eq = n.indexOf('=');
      if (eq <= 0)
        throw new UsageError(`--node ${n} is not NAME=ENDPOINT`, {
          hint: 'e.g. --node pi=ssh://pi@10.0.0.5',
        });
      return parseNodeEndpoint(n.slice(0, eq), n.slice(eq + 1), '--node');
    }),
    runId,
  };
}

function progressSink(args: ParsedArgs, io: Io): ProgressSink | undefined {
  if (boolOpt(args, 'quiet')) return undefined;
  return io.stderr.isTTY ? ttyProgress(io.stderr) : plainProgress(io.stderr);
}

export async function smokeCommand(args: ParsedArgs, io: Io): Promise<number> {
  const [text, ...extra] = args.positionals;
  if (!text || extra.length)
    throw new UsageError('smoke needs one image reference', {
      hint: 'crossdock smoke registry.example.com/team/app:1.0 --port 8080 --http /health',
    });
  const format = formatOpt(args, FORMATS, 'text');
  const started = performance.now();
  const ref = resolveRef(text);
  const options = smokeOptions(args, io);
  contractFlags(args);
  const client = await registryClient(args, io, [ref.registry]);
  let image: SmokeImage;
  try {
    image = await resolveSmokeImage(client, ref);
  } finally {
    client.close();
  }
  const contracts = await contractsFor(args, image, io);
  const sink = progressSink(args, io);
  const report: SmokeReport = {
    tool: { name: 'crossdock', version: VERSION },
    image: { reference: image.reference, digest: image.digest },
    runs: [],
    durationMs: 0,
  };
  try {
    for (const contract of contracts) {
      if (io.signal?.aborted) break;
      const platforms = await smoke(
        image,
        contract,
        { ...options, onProgress: (p, phase) => sink?.update(p, phase, contract.name) },
        { env: io.env, signal: io.signal },
      );
      report.runs.push({ contract, platforms });
    }
  } finally {
    sink?.close();
  }
  report.durationMs = Math.round(performance.now() - started);
  await writeReport(io, args, renderReport(report, format));
  if (io.signal?.aborted) return 130;
  return exitCode(reportOutcome(report));
}
