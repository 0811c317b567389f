import { promises as fs } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { layerCacheDir, pruneLayerCache } from '../../build/cache.js';
import { type CacheSettings, loadBuildConfig, parseSize } from '../../build/config.js';
import { makePlan, type Plan, type PlanResult } from '../../build/plan.js';
import { formatSeconds, progressFor } from '../../build/progress.js';
import {
  buildRedactor,
  type PlatformSmoke,
  publicRecord,
  type RunRecord,
  runBuild,
} from '../../build/run.js';
import { ConfigError, UsageError } from '../../errors.js';
import { formatOpt, writeReport } from '../output.js';
import type { RegistryClient } from '../../registry/client.js';
import { humanBytes, registryClient } from '../registry-options.js';
import type { Io, ParsedArgs } from '../types.js';
import { boolOpt, listOpt, stringOpt } from '../types.js';

const FORMATS = ['text', 'json'] as const;

async function planFrom(args: ParsedArgs, io: Io): Promise<PlanResult & { planMs: number }> {
  const t0 = performance.now();
  const root = resolve(io.cwd, args.positionals[0] ?? '.');
  const result = await makePlan({
    root,
    cwd: io.cwd,
    env: io.env,
    config: stringOpt(args, 'config'),
    file: stringOpt(args, 'file'),
    context: stringOpt(args, 'context'),
    tags: listOpt(args, 'tag'),
    platforms: listOpt(args, 'platform'),
    buildArgs: listOpt(args, 'build-arg'),
    secrets: listOpt(args, 'secret'),
    target: stringOpt(args, 'target'),
    nodes: listOpt(args, 'node'),
    push: boolOpt(args, 'push'),
  });
  return { ...result, planMs: Math.round(performance.now() - t0) };
}

export function planText(plan: Plan): string {
  const lines: string[] = [];
  const g = plan.git;
  lines.push(
    `Plan for ${plan.root}${g.sha ? ` (git ${g.sha.slice(0, 7)}${g.branch ? ` on ${g.branch}` : ''}${g.dirty ? ', uncommitted changes' : ''})` : ''}`,
  );
  lines.push('', 'Builder nodes:');
  for (const n of plan.nodes) {
    const where =
      n.kind === 'docker' ? n.endpoint || "(the docker CLI's current context)" : `${n.kind} ${n.endpoint}`;
    if (!n.healthy) {
      lines.push(`  ${n.name}  ${where}  UNUSABLE: ${n.problem ?? ''}`);
      continue;
    }
    const emu = Object.entries(n.emulation)
      .map(([a, s]) => `${a} ${s}`)
      .join(', ');
    lines.push(`  ${n.name}  ${where}  ${n.backend} (${n.backendVersion ?? '?'})`);
    lines.push(
      `    native: ${n.native.join(', ') || 'unknown'} (${n.nativeSource})${emu ? `; QEMU emulation: ${emu}` : ''}`,
    );
  }
  for (const img of plan.images) {
    lines.push('', `${img.name}  (${img.origin})`);
    lines.push(
      `  context ${img.context}, Dockerfile ${img.dockerfile}${img.target ? `, target ${img.target}` : ''}`,
    );
    const args = Object.entries(img.buildArgs);
    if (args.length) lines.push(`  build args: ${args.map(([k, v]) => `${k}=${v}`).join(' ')}`);
    lines.push(
      `  tags: ${img.tags.length ? img.tags.join(', ') : '(none)'}${plan.push ? '' : '  (not pushed: no --push)'}`,
    );
    lines.push(`  cache: ${img.cache}`);
    for (const p of img.platforms) {
      const how = p.mode === 'native' ? 'native  ' : `emulated (QEMU ${p.emulation ?? '?'})`;
      lines.push(`  ${p.platform.padEnd(12)} -> ${p.node}  ${how}  ${p.backend}`);
    }
  }
  if (plan.secrets.length)
    lines.push(
      '',
      'Secrets (RUN --mount=type=secret):',
      ...plan.secrets.map((x) => `  ${x.id}  from ${x.source === 'env' ? `$${x.from}` : x.from}`),
    );
  if (plan.notices.length) lines.push('', 'Notices:', ...plan.notices.map((n) => `  - ${n}`));
  if (plan.problems.length) lines.push('', 'Cannot build:', ...plan.problems.map((p) => `  - ${p}`));
  return `${lines.join('\n')}\n`;
}

export function summaryText(r: RunRecord): string {
  const ph = r.phases;
  const lines = [
    `crossdock build: ${r.status} in ${formatSeconds(r.durationMs)} (plan ${formatSeconds(ph.planMs)}, builds ${formatSeconds(ph.buildMs)}, index ${formatSeconds(ph.indexMs)}, verify ${formatSeconds(ph.verifyMs)}; crossdock overhead ${formatSeconds(ph.overheadMs)})`,
  ];
  for (const img of r.images) {
    lines.push('');
    const state =
      img.status === 'succeeded'
        ? `pushed ${img.indexDigest}`
        : img.status === 'built'
          ? 'built (not pushed)'
          : img.status === 'verify-failed'
            ? `pushed ${img.indexDigest}, VERIFY FAILED`
            : img.status === 'cancelled'
              ? `CANCELLED, ${img.tags.length ? 'partly tagged' : 'nothing tagged'}`
              : `FAILED, ${img.tags.length ? 'partly tagged' : 'nothing tagged'}`;
    lines.push(`${img.name}: ${state}`);
    if (img.tags.length)
      lines.push(`  tags: ${img.tags.map((t) => t.slice(t.lastIndexOf(':') + 1)).join(', ')}`);
    for (const p of img.platforms) {
      const cached = p.steps.filter((s) => s.cached).length;
      const bits = [
        p.platform.padEnd(12),
        p.node,
        p.mode.padEnd(8),
        p.status,
        formatSeconds(p.durationMs),
        `${p.steps.length} steps${cached ? ` (${cached} cached)` : ''}`,
        ...(p.retries.length ? [`${p.retries.length} retr${p.retries.length === 1 ? 'y' : 'ies'}`] : []),
        ...(p.digest
          ? [p.digest.slice(0, 19), humanBytes(p.size ?? 0)]
          : p.imageId
            ? [`image ${p.imageId.slice(0, 19)} as ${p.localImage}`]
            : []),
      ];
      lines.push(`  ${bits.join('  ')}`);
      if (p.smoke)
        lines.push(
          `    smoke ${p.smoke.status}${p.smoke.runs.length ? ` (${p.smoke.runs.map((r) => r.contract).join(', ')})` : ''}${p.smoke.note ? `: ${p.smoke.note}` : ''}`,
        );
      if (p.error) {
        lines.push(`    error: ${p.error.message}`);
        for (const l of p.error.log.slice(-10)) lines.push(`    | ${l}`);
      }
    }
    if (img.error) lines.push(`  error: ${img.error}`);
    if (img.verify)
      for (const f of img.verify.findings) lines.push(`  verify ${f.severity}: ${f.message} [${f.id}]`);
  }
  return `${lines.join('\n')}\n`;
}

export async function planCommand(args: ParsedArgs, io: Io): Promise<number> {
  const format = formatOpt(args, FORMATS, 'text');
  const { plan } = await planFrom(args, io);
  await writeReport(io, args, format === 'json' ? JSON.stringify(plan, null, 2) : planText(plan));
  return plan.problems.length ? 1 : 0;
}

/**
 * `--smoke` (with --push): checks the smoke flags before anything runs and returns what makes the per-platform
 * hook once the registry client exists. The smoke code (and the project loader) is loaded only then.
 */
async function smokeSetup(
  args: ParsedArgs,
  io: Io,
): Promise<((client: RegistryClient) => Promise<PlatformSmoke>) | undefined> {
  const given = ['startup-window', 'stop-timeout'].filter((f) => stringOpt(args, f) !== undefined);
  if (!boolOpt(args, 'smoke')) {
    if (given.length)
      throw new UsageError(`--${given[0]} is a smoke option: it needs --smoke`, {
        hint: 'crossdock build --push --smoke --startup-window 5s',
      });
    return undefined;
  }
  if (!boolOpt(args, 'push'))
    throw new UsageError('--smoke needs --push: smoke runs each platform from the registry, by digest', {
      hint: 'crossdock build --push --smoke (or build, push, then run crossdock smoke <ref>)',
    });
  const { parseDurationFlag } = await import('../../smoke/flags.js');
  const ms = (name: string) => {
    const v = stringOpt(args, name);
    return v === undefined ? undefined : Math.round(parseDurationFlag(v, `--${name}`) * 1000);
  };
  const startupWindowMs = ms('startup-window');
  const stop = ms('stop-timeout');
  const root = resolve(io.cwd, args.positionals[0] ?? '.');
  const config = stringOpt(args, 'config');
  return async (client) => {
    const { buildSmoke } = await import('../../smoke/build.js');
    return buildSmoke({
      root,
      cwd: io.cwd,
      configPath: config,
      env: io.env,
      client,
      options: {
        startupWindowMs,
        stopTimeoutS: stop === undefined ? undefined : Math.round(stop / 1000),
        logDir: undefined,
      },
    });
  };
}

export async function buildCommand(args: ParsedArgs, io: Io): Promise<number> {
  const format = formatOpt(args, FORMATS, 'text');
  const smokeFor = await smokeSetup(args, io);
  const { plan, nodes, defaults, policies, planMs, buildArgs, secrets } = await planFrom(args, io);
  if (plan.problems.length) {
    if (format === 'json') io.stdout.write(`${JSON.stringify(plan, null, 2)}\n`);
    else io.stderr.write(planText(plan));
    throw new ConfigError(`the build cannot start: ${plan.problems.length} problem(s), listed above`, {
      hint: 'fix them, then run `crossdock plan` to check',
    });
  }
  const progress = progressFor(io.stderr, boolOpt(args, 'quiet'));
  for (const n of plan.notices) progress.event(`notice: ${n}`);
  const registries = [
    ...new Set(plan.images.map((i) => i.repository?.split('/')[0]).filter((h): h is string => !!h)),
  ];
  const logDirOpt = stringOpt(args, 'log-dir');
  const logDir = logDirOpt ? resolve(io.cwd, logDirOpt) : undefined;
  if (logDir)
    await fs.mkdir(logDir, { recursive: true }).catch((e: NodeJS.ErrnoException) => {
      throw new ConfigError(`cannot create --log-dir ${logDirOpt}: ${e.code ?? e.message}`, {
        hint: 'choose a writable folder',
      });
    });
  const client = plan.push ? await registryClient(args, io, registries) : undefined;
  let record: RunRecord;
  try {
    const smoke = client && smokeFor ? await smokeFor(client) : undefined;
    record = await runBuild({
      plan,
      nodes,
      env: io.env,
      client,
      signal: io.signal,
      progress,
      retries: defaults.retries,
      parallel: defaults.parallel,
      cacheRegistry: defaults.cacheRegistry,
      policyFor: (image) => policies.get(image.name) ?? {},
      planMs,
      logDir,
      backoffMs: io.env.CROSSDOCK_BACKOFF_MS ? Number(io.env.CROSSDOCK_BACKOFF_MS) : undefined,
      buildArgsFor: (image) => buildArgs[plan.images.indexOf(image)] ?? {},
      secrets,
      redactor: await buildRedactor(buildArgs, secrets, io.env),
      smoke,
    });
  } finally {
    progress.close();
    client?.close();
  }
  if (plan.push) await pruneAfterBuild(io, defaults.cache, boolOpt(args, 'quiet'));
  const out = publicRecord(record);
  await writeReport(io, args, format === 'json' ? JSON.stringify(out, null, 2) : summaryText(out));
  const meta = stringOpt(args, 'metadata-file');
  if (meta) {
    const path = resolve(io.cwd, meta);
    try {
      await fs.mkdir(dirname(path), { recursive: true });
      await fs.writeFile(path, `${JSON.stringify(out, null, 2)}\n`);
    } catch (e) {
      throw new ConfigError(
        `cannot write --metadata-file ${meta}: ${(e as NodeJS.ErrnoException).code ?? e}`,
        {
          hint: 'the build itself finished (summary above); choose a writable path',
        },
      );
    }
  }
  return record.status === 'succeeded' ? 0 : record.status === 'cancelled' ? 130 : 1;
}

/** After a publishing build: the layer cache is brought back within build.cache (a failure only warns). */
async function pruneAfterBuild(io: Io, limits: CacheSettings, quiet: boolean): Promise<void> {
  try {
    const r = await pruneLayerCache(layerCacheDir(io.env), limits);
    if (r.removed && !quiet)
      io.stderr.write(
        `layer cache: removed ${r.removed} layer(s), ${humanBytes(r.removedBytes)}, to stay within ${humanBytes(limits.maxBytes)} and ${limits.maxAgeDays} days (${r.dir})\n`,
      );
  } catch (e) {
    io.stderr.write(
      `warning: the layer cache could not be pruned: ${e instanceof Error ? e.message : String(e)}\n`,
    );
  }
}

export async function cacheCommand(args: ParsedArgs, io: Io): Promise<number> {
  const [sub, ...extra] = args.positionals;
  if (sub !== 'prune' || extra.length)
    throw new UsageError(
      sub === undefined
        ? 'cache needs a subcommand'
        : `cache ${[sub, ...extra].join(' ')}: unknown subcommand`,
      {
        hint: 'crossdock cache prune [--max-bytes SIZE] [--max-age DAYS] [--all]; see `crossdock cache --help`',
      },
    );
  const format = formatOpt(args, FORMATS, 'text');
  const configOpt = stringOpt(args, 'config');
  const { defaults } = await loadBuildConfig(io.cwd, configOpt ? resolve(io.cwd, configOpt) : undefined);
  const limits: CacheSettings = { ...defaults.cache };
  const maxBytes = stringOpt(args, 'max-bytes');
  if (maxBytes !== undefined) {
    const n = parseSize(maxBytes);
    if (n === undefined)
      throw new UsageError(`--max-bytes ${maxBytes} is not a size`, {
        hint: 'e.g. --max-bytes 2GiB, 500MB or 1048576',
      });
    limits.maxBytes = n;
  }
  const maxAge = stringOpt(args, 'max-age');
  if (maxAge !== undefined) {
    if (!/^\d+$/.test(maxAge))
      throw new UsageError(`--max-age ${maxAge} is not a whole number of days`, {
        hint: 'e.g. --max-age 7',
      });
    limits.maxAgeDays = Number(maxAge);
  }
  if (boolOpt(args, 'all')) limits.maxBytes = 0;
  const r = await pruneLayerCache(layerCacheDir(io.env), limits);
  const text =
    format === 'json'
      ? JSON.stringify({ ...r, maxBytes: limits.maxBytes, maxAgeDays: limits.maxAgeDays }, null, 2)
      : `${r.dir}: removed ${r.removed} layer(s), ${humanBytes(r.removedBytes)}; kept ${r.kept}, ${humanBytes(r.keptBytes)} (limits ${humanBytes(limits.maxBytes)}, ${limits.maxAgeDays} days)\n`;
  await writeReport(io, args, text);
  return 0;
}
