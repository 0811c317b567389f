import { statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parseNodeEndpoint } from '../../build/config.js';
import { plainProgress, type ProgressSink, ttyProgress } from '../../build/progress.js';
import { ConfigError, UsageError } from '../../errors.js';
import { resolveRef } from '../../registry/reference.js';
import {
  applyFlags,
  checkFlags,
  contractFromFlags,
  parseDurationFlag,
  type SmokeFlags,
} from '../../smoke/flags.js';
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

export function contractFlags(args: ParsedArgs): SmokeFlags {
  return {
    port: list(args, 'port'),
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
 * The contracts to check: from the deployment files given with --manifest (derived by src/smoke/contract.ts, then
 * the flags applied over them), else from the image config and the flags. The contract module (and the YAML and
 * Kubernetes/compose readers it needs) is loaded only for --manifest.
 */
export async function contractsFor(args: ParsedArgs, image: SmokeImage, io: Io): Promise<SmokeContract[]> {
  const manifests = listOpt(args, 'manifest');
  const flags = contractFlags(args);
  if (!manifests.length) return [contractFromFlags(flags, image)];
  const { contractsFromManifests } = await import('../../smoke/contract.js');
  const files = await Promise.all(
    manifests.map(async (m) => {
      try {
        return { path: m, text: await readFile(resolve(io.cwd, m), 'utf8') };
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code ?? String(e);
        throw new UsageError(`--manifest ${m}: cannot read it (${code})`, {
          hint: 'give the path of a Kubernetes manifest (Deployment, Job, List, …) or a compose file',
        });
      }
    }),
  );
  const derived = contractsFromManifests(files, { image: image.reference });
  for (const note of derived.notes) io.stderr.write(`note: ${note}\n`);
  if (!derived.contracts.length)
    throw new ConfigError(
      `--manifest ${manifests.join(', ')}: no workload or service there runs ${image.reference}`,
      {
        hint: 'name the file that deploys this image, or give the contract with flags (--port, --http, --expect-exit)',
      },
    );
  return derived.contracts.map((c) => applyFlags(c, flags));
}

/** `--startup-window`, `--timeout`, `--stop-timeout`, … as runner options (checked before anything runs). */
export function smokeOptions(args: ParsedArgs, io: Io): SmokeOptions {
  const ms = (name: string) => {
    const v = stringOpt(args, name);
    return v === undefined ? undefined : Math.round(parseDurationFlag(v, `--${name}`) * 1000);
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

function isFolder(path: string): string | undefined {
  try {
    return statSync(path).isDirectory() ? path : undefined;
  } catch {
    return undefined;
  }
}

/**
 * `crossdock smoke [dir]`: every container of the repository's deployments (Kubernetes workloads, compose
 * services) whose image is built there, with its derived contract and the flags over it. The image is the
 * reference the deployments run; a repository whose deployments run several images is refused with the list, since
 * one run reports on one image.
 */
async function repositoryContracts(
  root: string,
  args: ParsedArgs,
  io: Io,
): Promise<{ image: string; contracts: SmokeContract[] }> {
  const { loadProject } = await import('../../engine/load.js');
  const { contractsFromRepository } = await import('../../smoke/contract.js');
  const model = await loadProject({ root, cwd: io.cwd });
  // crossdock.yaml's smoke.pythonImports; --python-import adds to them (applyFlags).
  const derived = contractsFromRepository(model);
  for (const note of derived.notes) io.stderr.write(`note: ${note}\n`);
  const images = [
    ...new Set(derived.contracts.map((c) => c.image).filter((i): i is string => i !== undefined)),
  ];
  if (!images.length)
    throw new ConfigError(`${root}: no deployment there runs an image the repository builds`, {
      hint: 'smoke an image directly: crossdock smoke <ref> --manifest deploy.yaml (or --port/--http flags)',
    });
  if (images.length > 1)
    throw new ConfigError(`${root}: the deployments run ${images.length} images (${images.join(', ')})`, {
      hint: 'smoke one at a time: crossdock smoke <ref> --manifest <the file that deploys it>',
    });
  const image = images[0] as string;
  const flags = contractFlags(args);
  return {
    image,
    // A container whose image is not named (a compose service with only `build:`) cannot be pulled: not this image.
    contracts: derived.contracts.filter((c) => c.image === image).map((c) => applyFlags(c, flags)),
  };
}

export async function smokeCommand(args: ParsedArgs, io: Io): Promise<number> {
  const [positional, ...extra] = args.positionals;
  if (extra.length)
    throw new UsageError('smoke takes one image reference, or one repository folder', {
      hint: 'crossdock smoke registry.example.com/team/app:1.0 --port 8080 --http /health, or crossdock smoke .',
    });
  const format = formatOpt(args, FORMATS, 'text');
  const started = performance.now();
  const options = smokeOptions(args, io);
  // Every flag is checked before the registry or the manifests are read.
  checkFlags(contractFlags(args));
  // A folder (or nothing: the current one) is a repository: its deployments give the image and the contract.
  const folder = positional === undefined ? io.cwd : isFolder(resolve(io.cwd, positional));
  const fromRepository = folder ? await repositoryContracts(folder, args, io) : undefined;
  const text = fromRepository?.image ?? (positional as string);
  const ref = resolveRef(text);
  const client = await registryClient(args, io, [ref.registry]);
  let image: SmokeImage;
  try {
    image = await resolveSmokeImage(client, ref);
  } finally {
    client.close();
  }
  const contracts = fromRepository?.contracts ?? (await contractsFor(args, image, io));
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
