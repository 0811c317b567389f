import { createWriteStream, promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { CrossdockError } from '../errors.js';
import { releaseScratch, trackScratch } from '../stop.js';
import type { RegistryClient } from '../registry/client.js';
import { resolveRef } from '../registry/reference.js';
import { type VerifyPolicy, verifyImage } from '../registry/verify.js';
import { VERSION } from '../version.js';
import { backendFor, type BuildJob } from './backends.js';
import type { SecretSpec } from './config.js';
import { classifyFailure, StepLog } from './log.js';
import { emulationFix, type NodeState } from './nodes.js';
import type { GitInfo, Plan, PlannedImage, PlannedPlatform } from './plan.js';
import type { ProgressSink } from './progress.js';
import { isSecretName, Redactor } from './redact.js';
import { type PublishedPlatform, publishPlatform, pushIndex } from './publish.js';

/** The run record (`--metadata-file`, `--format json`). Shape: docs/build-json.md. */
export interface RunRecord {
  version: 1;
  tool: string;
  status: 'succeeded' | 'failed' | 'cancelled';
  startedAt: string;
  finishedAt: string;
  durationMs: number;
  push: boolean;
  git: GitInfo;
  phases: {
    planMs: number;
    buildMs: number;
    publishMs: number;
    indexMs: number;
    verifyMs: number;
    overheadMs: number;
  };
  images: ImageRecord[];
}

export interface ImageRecord {
  name: string;
  repository: string | null;
  status: 'succeeded' | 'built' | 'failed' | 'cancelled' | 'verify-failed';
  /** Tags written (empty when any platform failed: nothing is tagged then). */
  tags: string[];
  indexDigest: string | null;
  platforms: PlatformRecord[];
  verify: { ok: boolean; findings: { id: string; severity: string; message: string }[] } | null;
  /** Why the index could not be pushed or verified (platform errors are on the platforms). */
  error: string | null;
}

export interface PlatformRecord {
  platform: string;
  node: string;
  mode: 'native' | 'emulated';
  backend: string;
  backendVersion: string | null;
  status: 'succeeded' | 'failed' | 'cancelled';
  attempts: number;
  retries: { attempt: number; reason: string; step: string | null }[];
  durationMs: number;
  buildMs: number;
  publishMs: number;
  steps: { name: string; durationMs: number | null; cached: boolean }[];
  localImage: string;
  imageId: string | null;
  digest: string | null;
  size: number | null;
  uploadedBytes: number | null;
  error: { message: string; step: string | null; log: string[]; transient: boolean } | null;
  /** The engine's whole output for this platform, every attempt (with --log-dir). */
  logFile: string | null;
  /** `--smoke`: the platform run against the repository's contracts for this image (absent without --smoke). */
  smoke?: SmokeSection | null;
}

/** One platform's smoke under `build --smoke` (docs/build-json.md). */
export interface SmokeSection {
  /** `passed`, `failed` (a check failed or the image could not be run), `skipped` (no contract: see `note`). */
  status: 'passed' | 'failed' | 'skipped';
  /** Why nothing was run, or what is not known about the contracts. */
  note: string | null;
  durationMs: number;
  /** One per contract (deployment container) of this image. */
  runs: {
    contract: string;
    runner: string;
    error: string | null;
    checks: { id: string; status: string; summary: string; evidence: string[]; durationMs: number }[];
  }[];
}

/**
 * Runs a pushed platform (`host/repo@digest`) against the repository's contracts for the image (`build --smoke`).
 * Given by the CLI so that the smoke code is loaded only with --smoke.
 */
export type PlatformSmoke = (
  image: PlannedImage,
  platform: string,
  ref: string,
  signal: AbortSignal | undefined,
) => Promise<SmokeSection>;

export interface RunOptions {
  plan: Plan;
  nodes: NodeState[];
  env: Record<string, string | undefined>;
  client?: RegistryClient;
  signal?: AbortSignal;
  progress: ProgressSink;
  retries: number;
  parallel: boolean;
  cacheRegistry?: string;
  /** The verify policy for an image (crossdock.yaml images: entry); platforms, ELF and labels are added. */
  policyFor: (image: PlannedImage) => VerifyPolicy;
  planMs: number;
  /** Base delay before a retry (doubles per attempt); tests shorten it. */
  backoffMs?: number;
  /** Folder for the per-platform engine logs. */
  logDir?: string;
  /** An image's build args with their real values (the plan shows secret-looking ones redacted). */
  buildArgsFor: (image: PlannedImage) => Record<string, string>;
  /** Secrets for RUN --mount=type=secret (env values are read from `env`). */
  secrets: SecretSpec[];
  /** Removes secret values from engine output before it is shown, logged or recorded. */
  redactor: Redactor;
  /** `--smoke`: run after each platform is pushed by digest; a failure fails the platform (nothing is tagged). */
  smoke?: PlatformSmoke;
}

/** The secrets a build job gets: files by path, environment values read now. */
function jobSecrets(o: RunOptions): BuildJob['secrets'] {
  return o.secrets.map((s) => {
    if ('src' in s) return { id: s.id, src: s.src };
    const value = o.env[s.env];
    if (value === undefined)
      throw new CrossdockError(`secret ${s.id}: the environment variable ${s.env} is not set`, {
        hint: 'export it before the build',
      });
    return { id: s.id, value };
  });
}

/** The redactor for a build: secret-looking build args, secret env values, and small secret files' contents. */
export async function buildRedactor(
  buildArgs: Record<string, string>[],
  secrets: SecretSpec[],
  env: Record<string, string | undefined>,
): Promise<Redactor> {
  const values: string[] = [];
  for (const args of buildArgs)
    for (const [k, v] of Object.entries(args)) if (isSecretName(k)) values.push(v);
  for (const s of secrets) {
    if ('env' in s) {
      const v = env[s.env];
      if (v !== undefined) values.push(v);
    } else {
      const text = await fs.readFile(s.src, 'utf8').catch(() => '');
      if (text.length <= 4096) values.push(text, ...text.split('\n'));
    }
  }
  return new Redactor(values);
}

function slug(name: string): string {
  const path =
    name.includes('/') && /[.:]|^localhost$/.test(name.split('/')[0] ?? '')
      ? name.split('/').slice(1).join('/')
      : name;
  return (
    path
      .toLowerCase()
      .replace(/[^a-z0-9/._-]+/g, '-')
      .replace(/^[^a-z0-9]+/, '') || 'image'
  );
}

/** The engine-local name of one platform's image (overwritten by the next build of it, so names do not pile up). */
export function localImageName(image: PlannedImage, platform: string): string {
  return `crossdock.local/${slug(image.name)}:${platform.replace(/\//g, '-')}`;
}

export async function runBuild(o: RunOptions): Promise<RunRecord> {
  const started = Date.now();
  const phases = { planMs: o.planMs, buildMs: 0, publishMs: 0, indexMs: 0, verifyMs: 0, overheadMs: 0 };
  const images: ImageRecord[] = [];
  const createdAt = new Date().toISOString();
  for (const image of o.plan.images) {
    if (o.signal?.aborted) break;
    images.push(await runImage(o, image, createdAt, phases));
  }
  phases.overheadMs = phases.planMs + phases.indexMs + phases.verifyMs;
  const cancelled = o.signal?.aborted || images.some((i) => i.status === 'cancelled');
  const failed = images.some((i) => i.status === 'failed' || i.status === 'verify-failed');
  return {
    version: 1,
    tool: `crossdock ${VERSION}`,
    status: cancelled ? 'cancelled' : failed ? 'failed' : 'succeeded',
    startedAt: new Date(started - o.planMs).toISOString(),
    finishedAt: new Date().toISOString(),
    durationMs: Date.now() - started + o.planMs,
    push: o.plan.push,
    git: o.plan.git,
    phases,
    images,
  };
}

async function runImage(
  o: RunOptions,
  image: PlannedImage,
  createdAt: string,
  phases: RunRecord['phases'],
): Promise<ImageRecord> {
  const labels: Record<string, string> = { ...image.labels, 'org.opencontainers.image.created': createdAt };
  const repo = image.repository && o.plan.push ? resolveRef(image.repository) : undefined;
  const t0 = Date.now();
  const one = (pp: PlannedPlatform) =>
    runPlatform(o, image, pp, labels, repo).catch((e: unknown): Internal => {
      // Anything unexpected (a temp folder that cannot be made, say) fails this platform, not the whole run.
      const message = e instanceof Error ? e.message : String(e);
      o.progress.update(platformKey(image, pp), 'failed', message);
      return { ...emptyRecord(o, image, pp), error: { message, step: null, log: [], transient: false } };
    });
  let records: Internal[];
  if (o.parallel) records = await Promise.all(image.platforms.map(one));
  else {
    records = [];
    for (const pp of image.platforms) records.push(await one(pp));
  }
  phases.buildMs += Date.now() - t0;
  phases.publishMs += records.reduce((a, r) => Math.max(a, r.publishMs), 0);
  const record: ImageRecord = {
    name: image.name,
    repository: image.repository ?? null,
    status: 'succeeded',
    tags: [],
    indexDigest: null,
    platforms: records,
    verify: null,
    error: null,
  };
  if (o.signal?.aborted || records.some((r) => r.status === 'cancelled')) {
    record.status = 'cancelled';
    return record;
  }
  if (records.some((r) => r.status === 'failed')) {
    record.status = 'failed';
    const kept = records.filter((r) => r.digest);
    if (kept.length)
      o.progress.event(
        `${image.name}: not tagged, a platform failed; built platforms kept by digest: ${kept.map((r) => `${r.platform} ${image.repository}@${r.digest}`).join(', ')}`,
      );
    return record;
  }
  if (!repo || !o.client) {
    record.status = 'built';
    return record;
  }
  // Every platform is in the registry by digest: write the index under the tags, then verify what was written.
  const t1 = Date.now();
  const descriptors = records.map((r) => r.descriptor!);
  const annotations: Record<string, string> = {};
  for (const key of [
    'org.opencontainers.image.revision',
    'org.opencontainers.image.source',
    'org.opencontainers.image.created',
  ])
    if (labels[key]) annotations[key] = labels[key]!;
  const tags = image.tags.map((t) => t.slice(t.lastIndexOf(':') + 1));
  if (o.signal?.aborted) {
    record.status = 'cancelled';
    return record;
  }
  o.progress.event(`${image.name}: pushing the index (${records.length} platforms) under ${tags.join(', ')}`);
  try {
    record.indexDigest = await pushIndex(o.client, repo, descriptors, tags, annotations, o.signal, (tag) => {
      record.tags.push(`${image.repository}:${tag}`);
    });
  } catch (e) {
    record.status = o.signal?.aborted ? 'cancelled' : 'failed';
    record.error = `pushing the index failed: ${e instanceof Error ? e.message : String(e)}${record.tags.length ? ` (already tagged: ${record.tags.join(', ')})` : ''}`;
    o.progress.event(`${image.name}: ${record.error}`);
    return record;
  }
  phases.indexMs += Date.now() - t1;
  const t2 = Date.now();
  const configured = o.policyFor(image);
  const policy: VerifyPolicy = {
    ...configured,
    platforms: image.platforms.map((p) => p.platform),
    elf: true,
    labels: [...new Set([...(configured.labels ?? []), ...Object.keys(labels)])],
    ...(o.plan.git.sha ? { revision: o.plan.git.sha } : {}),
  };
  const ref = resolveRef(`${image.repository}@${record.indexDigest}`);
  let findings: Awaited<ReturnType<typeof verifyImage>>['findings'];
  try {
    ({ findings } = await verifyImage(o.client, ref, policy));
  } catch (e) {
    record.status = 'verify-failed';
    record.error = `verify could not read what was pushed: ${e instanceof Error ? e.message : String(e)}`;
    o.progress.event(`${image.name}: ${record.error}`);
    return record;
  }
  phases.verifyMs += Date.now() - t2;
  const errors = findings.filter((f) => f.severity === 'error');
  record.verify = {
    ok: errors.length === 0,
    findings: findings.map((f) => ({ id: f.ruleId, severity: f.severity, message: f.message })),
  };
  o.progress.event(
    `${image.name}: verify ${errors.length === 0 ? 'passed' : `found ${errors.length} problem(s)`} (${findings.length} finding(s))`,
  );
  if (errors.length) record.status = 'verify-failed';
  return record;
}

type Internal = PlatformRecord & { descriptor?: PublishedPlatform['descriptor'] };

function platformKey(image: PlannedImage, pp: PlannedPlatform): string {
  return `${image.name} ${pp.platform} @${pp.node}${pp.mode === 'emulated' ? ' (emulated)' : ''}`;
}

function emptyRecord(o: RunOptions, image: PlannedImage, pp: PlannedPlatform): Internal {
  return {
    platform: pp.platform,
    node: pp.node,
    mode: pp.mode,
    backend: pp.backend,
    backendVersion: pp.backendVersion ?? null,
    status: 'failed',
    attempts: 0,
    retries: [],
    durationMs: 0,
    buildMs: 0,
    publishMs: 0,
    steps: [],
    localImage: localImageName(image, pp.platform),
    imageId: null,
    digest: null,
    size: null,
    uploadedBytes: null,
    error: null,
    ...(o.smoke ? { smoke: null } : {}),
    logFile: o.logDir
      ? join(
          o.logDir,
          `${image.name.replace(/[^A-Za-z0-9._-]+/g, '_')}-${pp.platform.replace(/\//g, '-')}.log`,
        )
      : null,
  };
}

async function runPlatform(
  o: RunOptions,
  image: PlannedImage,
  pp: PlannedPlatform,
  labels: Record<string, string>,
  repo: { registry: string; repository: string } | undefined,
): Promise<Internal> {
  const node = o.nodes.find((n) => n.spec.name === pp.node);
  if (!node) throw new CrossdockError(`internal: node ${pp.node} of the plan was not probed`);
  const key = platformKey(image, pp);
  const record = emptyRecord(o, image, pp);
  let logStream = record.logFile ? createWriteStream(record.logFile, { flags: 'w' }) : undefined;
  logStream?.on('error', (e) => {
    o.progress.event(`${key}: cannot write the log ${record.logFile}: ${e.message}; logging to it stopped`);
    logStream = undefined;
    record.logFile = null;
  });
  const backend = backendFor(node);
  const start = Date.now();
  const root = o.plan.root;
  const abs = (p: string) => (p.startsWith('/') ? p : join(root, p));
  o.progress.update(key, 'starting', '');
  for (;;) {
    if (o.signal?.aborted) {
      record.status = 'cancelled';
      o.progress.update(key, 'cancelled', '');
      break;
    }
    record.attempts++;
    const workDir = await fs.mkdtemp(join(tmpdir(), 'crossdock-build-'));
    trackScratch(workDir);
    try {
      logStream?.write(
        `=== attempt ${record.attempts} on node ${pp.node} (${pp.mode}), ${new Date().toISOString()}\n`,
      );
      const log = new StepLog(
        (step) => o.progress.update(key, 'building', step.name),
        (chunk) => logStream?.write(chunk),
        (line) => o.redactor.apply(line),
      );
      const job: BuildJob = {
        platform: pp.platform,
        node,
        context: abs(image.context),
        dockerfile: abs(image.dockerfile),
        target: image.target,
        buildArgs: o.buildArgsFor(image),
        secrets: jobSecrets(o),
        labels,
        localTag: record.localImage,
        pushRepository: repo && node.backend === 'buildx' ? `${repo.registry}/${repo.repository}` : undefined,
        cacheRegistry: o.cacheRegistry,
        workDir,
        log,
        signal: o.signal,
      };
      const b0 = Date.now();
      const built = await backend.build(job);
      record.buildMs = Date.now() - b0;
      record.steps = log.steps.map((s) => ({
        name: s.name,
        durationMs: s.durationMs ?? null,
        cached: s.cached,
      }));
      if (o.signal?.aborted) {
        record.status = 'cancelled';
        o.progress.update(key, 'cancelled', '');
        break;
      }
      if (!built.ok) {
        const f = log.failure();
        const stderrTail = o.redactor.apply(built.exec.stderr).trim().split('\n').slice(-3);
        const kind = classifyFailure([...f.lines, ...f.summary, ...(f.lines.length ? [] : stderrTail)]);
        if (kind.transient && record.attempts <= o.retries) {
          record.retries.push({
            attempt: record.attempts,
            reason: kind.reason ?? 'transient',
            step: f.step ?? null,
          });
          const delay = (o.backoffMs ?? 2000) * 2 ** (record.attempts - 1);
          o.progress.event(
            `${key}: ${kind.reason} in ${f.step ?? 'the build'}; retrying (attempt ${record.attempts + 1} of ${o.retries + 1}) in ${(delay / 1000).toFixed(1)}s`,
          );
          await sleep(delay, undefined, { signal: o.signal }).catch(() => undefined);
          if (o.signal?.aborted) {
            record.status = 'cancelled';
            break;
          }
          continue;
        }
        const notFound = built.exec.notFound ? `${built.exec.argv[0]} could not be started` : undefined;
        const noQemu = /exec format error/.test([...f.lines, ...f.summary].join('\n'))
          ? ` (exec format error: node ${pp.node} cannot run ${pp.platform} binaries; ${emulationFix(pp.platform.split('/')[1] ?? '')})`
          : '';
        record.error = {
          message:
            notFound ??
            `${f.step ? `step ${f.step.length > 100 ? `${f.step.slice(0, 97)}...` : f.step} failed` : `the build failed (exit ${built.exec.code ?? built.exec.signal})`}${kind.transient ? ` (${kind.reason}; ${o.retries} retries used up)` : ''}${noQemu}`,
          step: f.step ?? null,
          log: [...f.lines, ...f.summary].slice(-20),
          transient: kind.transient,
        };
        o.progress.update(key, 'failed', record.error.message);
        break;
      }
      record.imageId = built.imageId ?? null;
      if (repo && o.client && !built.imageId) {
        record.error = {
          message: `the ${node.backend} build succeeded but reported no image id, so there is nothing to publish`,
          step: null,
          log: o.redactor.apply(built.exec.stderr).trim().split('\n').slice(-5),
          transient: false,
        };
        o.progress.update(key, 'failed', record.error.message);
        break;
      }
      if (repo && o.client && built.imageId) {
        o.progress.update(key, 'pushing', `${repo.registry}/${repo.repository}`);
        const p0 = Date.now();
        try {
          const artifact = await backend.export(job, built.imageId);
          const published = await publishPlatform(o.client, repo, artifact, pp.platform, o.env, (m) =>
            o.progress.event(`${key}: ${m}`),
          );
          record.digest = published.descriptor.digest;
          record.size = published.size;
          record.uploadedBytes = published.uploadedBytes;
          record.descriptor = published.descriptor;
        } catch (e) {
          if (o.signal?.aborted) {
            record.status = 'cancelled';
            break;
          }
          const message = e instanceof Error ? e.message : String(e);
          record.error = { message: `publishing failed: ${message}`, step: null, log: [], transient: false };
          o.progress.update(key, 'failed', record.error.message);
          break;
        } finally {
          record.publishMs = Date.now() - p0;
        }
        if (o.smoke && record.digest) {
          o.progress.update(
            key,
            'smoke',
            `${repo.registry}/${repo.repository}@${record.digest.slice(0, 19)}`,
          );
          record.smoke = await o.smoke(
            image,
            pp.platform,
            `${repo.registry}/${repo.repository}@${record.digest}`,
            o.signal,
          );
          if (o.signal?.aborted) {
            record.status = 'cancelled';
            break;
          }
          if (record.smoke.status === 'failed') {
            // A failed platform: runImage then tags nothing, as for a failed build; the platform stays by digest.
            const failing = record.smoke.runs.flatMap((r) => [
              ...(r.error ? [{ line: `${r.contract}: ${r.error}`, evidence: [] as string[] }] : []),
              ...r.checks
                .filter((c) => c.status === 'fail')
                .map((c) => ({ line: `${r.contract}: ${c.id}: ${c.summary}`, evidence: c.evidence })),
            ]);
            const [first, ...more] = failing;
            record.error = {
              message: `smoke failed: ${first?.line ?? 'the image could not be run'}${more.length ? ` (+${more.length} more)` : ''}`,
              step: null,
              // The first failure's evidence, then the other failures with theirs (all in the smoke section).
              log: [...(first?.evidence ?? []), ...more.flatMap((f) => [f.line, ...f.evidence])].slice(0, 20),
              transient: false,
            };
            o.progress.update(key, 'failed', record.error.message);
            break;
          }
        }
      }
      record.status = 'succeeded';
      o.progress.update(
        key,
        'done',
        `${record.digest ? record.digest.slice(0, 19) : (record.imageId ?? '').slice(0, 19)}${record.retries.length ? ` after ${record.retries.length} retr${record.retries.length === 1 ? 'y' : 'ies'}` : ''}`,
      );
      break;
    } finally {
      await fs.rm(workDir, { recursive: true, force: true });
      releaseScratch(workDir);
    }
  }
  record.durationMs = Date.now() - start;
  const stream = logStream;
  if (stream) await new Promise((r) => stream.end(r));
  return record;
}

/** Strips internal fields before the record is written. */
export function publicRecord(r: RunRecord): RunRecord {
  return {
    ...r,
    images: r.images.map((i) => ({
      ...i,
      platforms: i.platforms.map(({ descriptor: _d, ...rest }: Internal) => rest),
    })),
  };
}
