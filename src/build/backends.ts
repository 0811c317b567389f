import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { exec, type ExecResult } from '../exec.js';
import type { StepLog } from './log.js';
import { isSecretName } from './redact.js';
import type { NodeState } from './nodes.js';

/**
 * The build engines crossdock drives, all through the one exec seam (src/exec.ts). Each backend builds one
 * platform of one image per call and hands the result to the publisher as an image on disk (docker save
 * archive or OCI layout), or, for buildx with --push, as a manifest it pushed by digest itself.
 */
export interface BuildJob {
  platform: string;
  node: NodeState;
  context: string;
  dockerfile: string;
  target?: string;
  /** Values as given; the ones whose names look secret reach the engine through its environment, not argv. */
  buildArgs: Record<string, string>;
  /** Secrets for RUN --mount=type=secret: a file, or a value passed through the engine's environment. */
  secrets: ({ id: string; src: string } | { id: string; value: string })[];
  labels: Record<string, string>;
  /** The engine-local name the platform's image gets (`crossdock.local/app:linux-arm64`). */
  localTag: string;
  /** buildx with push: the repository to push by digest to. */
  pushRepository?: string;
  cacheRegistry?: string;
  /** A scratch folder of this attempt. */
  workDir: string;
  log: StepLog;
  signal?: AbortSignal;
}

export type Artifact =
  | { kind: 'docker-archive'; tar: string }
  | { kind: 'oci-layout'; dir: string }
  | { kind: 'pushed'; digest: string; size: number; mediaType: string };

export interface BuildResult {
  ok: boolean;
  /** Engine image id (docker, buildah) or the pushed digest (buildx). */
  imageId?: string;
  exec: ExecResult;
}

export interface Backend {
  build(job: BuildJob): Promise<BuildResult>;
  export(job: BuildJob, imageId: string): Promise<Artifact>;
}

/**
 * The arguments every backend shares. No secret value is ever in argv (visible in `ps`, debug logs, errors): a
 * secret-looking build arg is passed as `--build-arg NAME` with NAME in the engine's environment, and a secret
 * value as `--secret id=ID,env=CROSSDOCK_SECRET_<n>`; docker, buildx and buildah all read both from there.
 */
export function commonArgs(
  job: Pick<BuildJob, 'platform' | 'dockerfile' | 'buildArgs' | 'secrets' | 'labels' | 'target'>,
): string[] {
  const args = ['--platform', job.platform, '-f', job.dockerfile];
  for (const [k, v] of Object.entries(job.buildArgs))
    args.push('--build-arg', isSecretName(k) ? k : `${k}=${v}`);
  for (const [i, s] of job.secrets.entries())
    args.push('--secret', 'src' in s ? `id=${s.id},src=${s.src}` : `id=${s.id},env=CROSSDOCK_SECRET_${i}`);
  for (const [k, v] of Object.entries(job.labels)) args.push('--label', `${k}=${v}`);
  if (job.target) args.push('--target', job.target);
  return args;
}

/** The variables commonArgs refers to: secret-looking build args and secret values. */
export function secretEnv(job: Pick<BuildJob, 'buildArgs' | 'secrets'>): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(job.buildArgs)) if (isSecretName(k)) env[k] = v;
  for (const [i, s] of job.secrets.entries()) if ('value' in s) env[`CROSSDOCK_SECRET_${i}`] = s.value;
  return env;
}

function feed(job: BuildJob) {
  return {
    inherit: job.node.inherit,
    group: true,
    onStdout: (c: string) => job.log.write(c),
    onStderr: (c: string) => job.log.write(c),
    signal: job.signal,
  };
}

async function readId(file: string): Promise<string | undefined> {
  try {
    return (await fs.readFile(file, 'utf8')).trim() || undefined;
  } catch {
    return undefined;
  }
}

async function checked(argv: string[], job: BuildJob, what: string): Promise<void> {
  const r = await exec(argv, {
    env: job.node.env,
    inherit: job.node.inherit,
    group: true,
    signal: job.signal,
    timeoutMs: 3_600_000,
  });
  if (r.code !== 0)
    throw new Error(
      `${what} failed (exit ${r.code ?? r.signal}): ${r.stderr.trim().split('\n').slice(-3).join(' ')}`,
    );
}

/** dockerd's BuildKit through `DOCKER_BUILDKIT=1 docker build`: one platform per call, then `docker save`. */
export const dockerdBuildkit: Backend = {
  async build(job) {
    const iid = join(job.workDir, 'iid');
    // A 23+ client runs `docker build` through buildx on the selected builder: ask for the image to be loaded
    // into the engine (a docker-container builder keeps it otherwise) and for no provenance attestation.
    const client = job.node.client;
    const viaBuildx = !!client?.buildx && Number(client.version.split('.')[0]) >= 23;
    // `buildxVersion` is `v?N.N.N` (nodes.ts), so its first two numbers are at its start.
    const bx = /^v?(\d+)\.(\d+)/.exec(client?.buildxVersion ?? '');
    const provenance =
      viaBuildx && bx && (Number(bx[1]) > 0 || Number(bx[2]) >= 10) ? ['--provenance=false'] : [];
    const argv = [
      ...job.node.argv,
      'build',
      ...(viaBuildx ? ['--load', ...provenance] : []),
      '--progress=plain',
      ...commonArgs(job),
      '-t',
      job.localTag,
      '--iidfile',
      iid,
      job.context,
    ];
    const r = await exec(argv, {
      env: { ...job.node.env, ...secretEnv(job), DOCKER_BUILDKIT: '1' },
      timeoutMs: 6 * 3_600_000,
      ...feed(job),
    });
    job.log.end();
    return { ok: r.code === 0, imageId: r.code === 0 ? await readId(iid) : undefined, exec: r };
  },
  async export(job, imageId) {
    // Read in place by the publisher (src/build/archive.ts): never unpacked, every member name confined.
    const tar = join(job.workDir, 'image.tar');
    await checked([...job.node.argv, 'save', '-o', tar, imageId], job, 'docker save');
    return { kind: 'docker-archive', tar };
  },
};

/** `docker buildx build`: pushes by digest itself when publishing (no tag is written), registry cache. */
export const buildx: Backend = {
  async build(job) {
    const meta = join(job.workDir, 'metadata.json');
    const builder = job.node.spec.endpoint;
    const client = job.node.client?.path ?? 'docker';
    const argv = [
      client,
      'buildx',
      'build',
      '--builder',
      builder,
      '--progress=plain',
      ...commonArgs(job),
      '--metadata-file',
      meta,
    ];
    const version = /buildx v?(\d+)\.(\d+)/.exec(job.node.backendVersion ?? '');
    // buildx 0.10+ adds provenance attestations by default; crossdock assembles the index itself.
    if (version && (Number(version[1]) > 0 || Number(version[2]) >= 10)) argv.push('--provenance=false');
    if (job.pushRepository)
      argv.push(
        '--output',
        `type=image,name=${job.pushRepository},push-by-digest=true,name-canonical=true,push=true`,
      );
    else argv.push('--output', `type=image,name=${job.localTag}`);
    if (job.cacheRegistry) {
      const arch = job.platform.replace(/\//g, '-');
      argv.push('--cache-from', `type=registry,ref=${job.cacheRegistry}:${arch}`);
      if (job.pushRepository)
        argv.push('--cache-to', `type=registry,ref=${job.cacheRegistry}:${arch},mode=max`);
    }
    argv.push(job.context);
    const r = await exec(argv, {
      env: { ...job.node.env, ...secretEnv(job) },
      timeoutMs: 6 * 3_600_000,
      ...feed(job),
    });
    job.log.end();
    if (r.code !== 0) return { ok: false, exec: r };
    let digest: string | undefined;
    try {
      const m = JSON.parse(await fs.readFile(meta, 'utf8')) as Record<string, unknown>;
      digest = typeof m['containerimage.digest'] === 'string' ? m['containerimage.digest'] : undefined;
    } catch {
      digest = undefined;
    }
    return { ok: true, imageId: digest, exec: r };
  },
  async export(job, imageId) {
    if (!job.pushRepository)
      throw new Error(
        'buildx keeps unpushed images in its builder; nothing to export (use --push to publish)',
      );
    const meta = JSON.parse(await fs.readFile(join(job.workDir, 'metadata.json'), 'utf8')) as Record<
      string,
      unknown
    >;
    const desc = meta['containerimage.descriptor'] as { size?: number; mediaType?: string } | undefined;
    return {
      kind: 'pushed',
      digest: imageId,
      size: desc?.size ?? 0,
      mediaType: desc?.mediaType ?? 'application/vnd.oci.image.manifest.v1+json',
    };
  },
};

/** `buildah build --platform`, then `buildah push` into an OCI layout the publisher pushes. */
export const buildah: Backend = {
  async build(job) {
    const iid = join(job.workDir, 'iid');
    const argv = [
      'buildah',
      'build',
      '--layers',
      ...commonArgs(job),
      '-t',
      job.localTag,
      '--iidfile',
      iid,
      job.context,
    ];
    const r = await exec(argv, { env: secretEnv(job), timeoutMs: 6 * 3_600_000, ...feed(job) });
    job.log.end();
    return { ok: r.code === 0, imageId: r.code === 0 ? await readId(iid) : undefined, exec: r };
  },
  async export(job, imageId) {
    const dir = join(job.workDir, 'oci');
    await checked(['buildah', 'push', imageId, `oci:${dir}`], job, 'buildah push');
    return { kind: 'oci-layout', dir };
  },
};

export function backendFor(node: NodeState): Backend {
  return node.backend === 'buildx' ? buildx : node.backend === 'buildah' ? buildah : dockerdBuildkit;
}
