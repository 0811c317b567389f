import { promises as fs } from 'node:fs';
import { delimiter, join } from 'node:path';
import { exec } from '../exec.js';
import { formatPlatform, parsePlatform } from '../model/platform.js';
import { firstVersion } from '../model/text.js';
import type { BuildDefaults, NodeSpec } from './config.js';

/** How a builder node builds: the backend crossdock drives on it. */
export type BackendName = 'dockerd-buildkit' | 'buildx' | 'buildah';

/** Whether a node can run a foreign architecture's binaries (QEMU registered with binfmt_misc). */
export type EmulationState = 'enabled' | 'missing' | 'unknown';

export interface DockerClient {
  path: string;
  version: string;
  /** The buildx plugin answers `docker buildx version`. */
  buildx: boolean;
  /** e.g. `v0.12.1` */
  buildxVersion?: string;
  /** `DOCKER_BUILDKIT=1 docker build` works: a client before 23.0 (BuildKit built in) or one with buildx. */
  buildkitBuild: boolean;
}

export interface NodeState {
  spec: NodeSpec;
  healthy: boolean;
  /** Why the node is unusable (healthy false), with the fix. */
  problem?: string;
  backend: BackendName;
  /** `dockerd 20.10.24, client /usr/bin/docker 20.10.24` and the like. */
  backendVersion?: string;
  /** Native platforms (declared or detected). */
  native: string[];
  nativeSource: 'declared' | 'detected' | 'unknown';
  /** The node runs on this machine (its emulation state can be read here). */
  local: boolean;
  /** Emulation per foreign architecture asked about (arm64 → enabled). */
  emulation: Record<string, EmulationState>;
  /** Platforms a buildx builder reports it can build (native and emulated). */
  builderPlatforms?: string[];
  /** Environment and leading argv for running this node's tool. */
  env: Record<string, string>;
  /** The environment crossdock runs in (the node's tool inherits the variables it needs from it). */
  inherit: Record<string, string | undefined>;
  argv: string[];
  client?: DockerClient;
}

/** QEMU's binfmt_misc entry names per OCI architecture. */
const QEMU_NAMES: Record<string, string> = {
  amd64: 'x86_64',
  arm64: 'aarch64',
  arm: 'arm',
  '386': 'i386',
  ppc64le: 'ppc64le',
  s390x: 's390x',
  riscv64: 'riscv64',
  mips64le: 'mips64el',
};

/** The binfmt_misc folder (tests point CROSSDOCK_BINFMT_DIR at a folder of their own). */
export function binfmtDir(env: Record<string, string | undefined>): string {
  return env.CROSSDOCK_BINFMT_DIR ?? '/proc/sys/fs/binfmt_misc';
}

/** Reads whether QEMU for an architecture is registered and enabled on this machine. */
export async function localEmulation(
  architecture: string,
  env: Record<string, string | undefined>,
): Promise<EmulationState> {
  const name = QEMU_NAMES[architecture];
  if (!name) return 'unknown';
  try {
    const text = await fs.readFile(join(binfmtDir(env), `qemu-${name}`), 'utf8');
    return text.split('\n')[0]?.trim() === 'enabled' ? 'enabled' : 'missing';
  } catch {
    return 'missing';
  }
}

export function emulationFix(architecture: string): string {
  const name = QEMU_NAMES[architecture] ?? architecture;
  return `register QEMU for ${architecture}: \`apt-get install qemu-user-static binfmt-support && update-binfmts --enable qemu-${name}\` (or \`docker run --privileged --rm tonistiigi/binfmt --install ${architecture}\`), or add a native ${architecture} builder node (--node NAME=ssh://user@host, or nodes: in crossdock.yaml)`;
}

let clientCache: Promise<{ chosen?: DockerClient; skipped: DockerClient[] }> | undefined;

/**
 * Finds a docker client that can run BuildKit builds. `CROSSDOCK_DOCKER` names one; otherwise every `docker` on
 * PATH and /usr/bin/docker are tried in order (a 23+ client without the buildx plugin cannot build with
 * BuildKit, so an older client further down PATH may be the one that works).
 */
export function findDockerClient(
  env: Record<string, string | undefined>,
): Promise<{ chosen?: DockerClient; skipped: DockerClient[] }> {
  if (env === process.env && clientCache) return clientCache;
  const run = async () => {
    const candidates: string[] = [];
    if (env.CROSSDOCK_DOCKER) candidates.push(env.CROSSDOCK_DOCKER);
    else {
      for (const dir of (env.PATH ?? '').split(delimiter)) if (dir) candidates.push(join(dir, 'docker'));
      candidates.push('/usr/bin/docker');
    }
    const skipped: DockerClient[] = [];
    const seen = new Set<string>();
    for (const path of candidates) {
      const real = await fs.realpath(path).catch(() => undefined);
      if (!real || seen.has(real)) continue;
      seen.add(real);
      const v = await exec([path, 'version', '--format', '{{.Client.Version}}'], {
        timeoutMs: 10_000,
        inherit: env,
        env: { DOCKER_HOST: 'unix:///nonexistent' },
      });
      const version = v.stdout.trim().split('\n')[0] ?? '';
      if (v.notFound || !/^\d+\.\d+/.test(version)) continue;
      const bx = await exec([path, 'buildx', 'version'], { timeoutMs: 10_000, inherit: env });
      const buildx = bx.code === 0;
      const major = Number(version.split('.')[0]);
      const buildxVersion = buildx ? firstVersion(bx.stdout) : undefined;
      const client: DockerClient = {
        path,
        version,
        buildx,
        buildxVersion,
        buildkitBuild: buildx || major < 23,
      };
      if (client.buildkitBuild) return { chosen: client, skipped };
      skipped.push(client);
    }
    return { skipped };
  };
  const p = run();
  if (env === process.env) clientCache = p;
  return p;
}

function dockerEnv(spec: NodeSpec): Record<string, string> {
  if (spec.kind !== 'docker' || spec.endpoint === '') return {};
  // An explicit endpoint: its own TLS settings only, never the ones DOCKER_TLS_VERIFY/DOCKER_CERT_PATH leave in
  // the environment for another engine (an empty DOCKER_TLS_VERIFY means off to the docker CLI).
  const env: Record<string, string> = {
    DOCKER_HOST: spec.endpoint,
    DOCKER_TLS_VERIFY: '',
    DOCKER_CERT_PATH: '',
  };
  if (spec.tlsCertPath) {
    env.DOCKER_TLS_VERIFY = '1';
    env.DOCKER_CERT_PATH = spec.tlsCertPath;
  }
  return env;
}

/** The endpoint as shown to people (the default node has none of its own). */
export function endpointText(spec: NodeSpec): string {
  if (spec.kind === 'docker') return spec.endpoint || "the docker CLI's current context";
  return `${spec.kind} ${spec.endpoint}`;
}

function nativeFromArch(os: string, arch: string): string | undefined {
  const p = parsePlatform(`${os || 'linux'}/${arch}`);
  return p ? formatPlatform(p) : undefined;
}

/** Probes one node: reachable, backend and version, native platforms, and (when local) emulation. */
export async function probeNode(
  spec: NodeSpec,
  env: Record<string, string | undefined>,
  foreignArchitectures: string[],
): Promise<NodeState> {
  const state: NodeState = {
    spec,
    healthy: false,
    backend: spec.kind === 'buildx' ? 'buildx' : spec.kind === 'buildah' ? 'buildah' : 'dockerd-buildkit',
    native: spec.platforms ?? [],
    nativeSource: spec.platforms ? 'declared' : 'unknown',
    local: false,
    emulation: {},
    env: {},
    inherit: env,
    argv: [],
  };
  if (spec.kind === 'buildah') await probeBuildah(state, env);
  else await probeDocker(state, env);
  if (state.healthy) {
    for (const arch of foreignArchitectures) {
      if (state.native.some((p) => p.split('/')[1] === arch)) continue;
      const listed = state.builderPlatforms?.some((p) => p.split('/')[1] === arch);
      state.emulation[arch] = listed ? 'enabled' : state.local ? await localEmulation(arch, env) : 'unknown';
    }
  }
  return state;
}

async function probeDocker(state: NodeState, env: Record<string, string | undefined>): Promise<void> {
  const spec = state.spec;
  const { chosen, skipped } = await findDockerClient(env);
  if (!chosen) {
    state.problem =
      skipped.length > 0
        ? `no docker client here can build with BuildKit (${skipped.map((c) => `${c.path} ${c.version}: no buildx plugin`).join('; ')})`
        : 'no docker client is installed';
    state.problem +=
      '; install the buildx plugin (docker-buildx-plugin), or point CROSSDOCK_DOCKER at a client that has BuildKit built in (Debian docker.io 20.10: /usr/bin/docker)';
    return;
  }
  state.client = chosen;
  state.env = dockerEnv(spec);
  state.argv = [chosen.path, ...(spec.kind === 'context' ? ['--context', spec.endpoint] : [])];
  if (spec.kind === 'buildx' && !chosen.buildx) {
    state.problem = `node ${spec.name} is a buildx builder, but ${chosen.path} ${chosen.version} has no buildx plugin; install docker-buildx-plugin`;
    return;
  }
  if (spec.kind === 'buildx') {
    await probeBuildx(state, chosen, env);
    return;
  }
  const v = await exec([...state.argv, 'version', '--format', '{{json .Server}}'], {
    env: state.env,
    inherit: env,
    timeoutMs: 20_000,
  });
  let server: { Version?: string; Os?: string; Arch?: string } | undefined;
  try {
    server = JSON.parse(v.stdout.trim()) as typeof server;
  } catch {
    server = undefined;
  }
  if (v.code !== 0 || !server?.Version) {
    const why = (v.stderr.trim().split('\n').pop() ?? '').slice(0, 300);
    state.problem = `the Docker engine of node ${spec.name} (${endpointText(spec)}) does not answer${why ? `: ${why}` : ''}; start it, or fix the endpoint`;
    return;
  }
  const detected = nativeFromArch(server.Os ?? 'linux', server.Arch ?? '');
  if (!spec.platforms && detected) {
    state.native = [detected];
    state.nativeSource = 'detected';
  }
  state.backendVersion = `dockerd ${server.Version}, client ${chosen.path} ${chosen.version}`;
  state.local = await isLocalEngine(state, env);
  state.healthy = true;
}

/**
 * A buildx builder: `docker buildx inspect` says whether it runs and what it builds (every node's `Platforms:`
 * line; native ones first). Its engine may be remote (docker-container, kubernetes, remote drivers), so no local
 * engine is asked for.
 */
async function probeBuildx(
  state: NodeState,
  client: DockerClient,
  env: Record<string, string | undefined>,
): Promise<void> {
  const spec = state.spec;
  const bx = await exec([client.path, 'buildx', 'inspect', spec.endpoint], {
    timeoutMs: 30_000,
    inherit: env,
  });
  if (bx.code !== 0) {
    state.problem = `buildx builder ${spec.endpoint} of node ${spec.name}: ${bx.stderr.trim().split('\n').pop() ?? 'not found'}; create it with \`docker buildx create --name ${spec.endpoint}\``;
    return;
  }
  const platforms: string[] = [];
  for (const m of bx.stdout.matchAll(/^Platforms:\s*(.*)$/gm))
    for (const item of (m[1] ?? '').split(',')) {
      const p = parsePlatform(item.replace(/\*/g, '').trim());
      if (p && !platforms.includes(formatPlatform(p))) platforms.push(formatPlatform(p));
    }
  state.builderPlatforms = platforms;
  if (platforms.length === 0 && !spec.platforms)
    state.problem = `buildx builder ${spec.endpoint} of node ${spec.name} is not running, so its platforms are unknown; start it with \`docker buildx inspect --bootstrap ${spec.endpoint}\` or declare platforms: for the node`;
  if (!spec.platforms && platforms[0]) {
    state.native = [platforms[0]];
    state.nativeSource = 'detected';
  }
  const driver = /^Driver:\s*(\S+)/m.exec(bx.stdout)?.[1] ?? '?';
  state.backendVersion = `buildx ${client.buildxVersion ?? '?'} (${driver} driver), client ${client.path} ${client.version}`;
  state.local =
    driver === 'docker' || driver === 'docker-container' ? await isLocalEngine(state, env) : false;
  state.healthy = state.problem === undefined;
}

/** A unix socket of this machine: the engine shares this kernel's binfmt_misc registrations. */
async function isLocalEngine(state: NodeState, env: Record<string, string | undefined>): Promise<boolean> {
  let host = state.spec.kind === 'docker' ? state.spec.endpoint : undefined;
  if (state.spec.kind === 'context' || host === '') {
    const r = await exec(
      [
        ...state.argv.slice(0, 1),
        'context',
        'inspect',
        ...(state.spec.endpoint ? [state.spec.endpoint] : []),
        '--format',
        '{{.Endpoints.docker.Host}}',
      ],
      { timeoutMs: 10_000, inherit: env },
    );
    host = r.stdout.trim();
  }
  if (state.spec.kind === 'buildx') host = env.DOCKER_HOST ?? 'unix:///var/run/docker.sock';
  return !!host?.startsWith('unix://');
}

async function probeBuildah(state: NodeState, env: Record<string, string | undefined>): Promise<void> {
  const spec = state.spec;
  if (spec.endpoint !== 'local') {
    state.problem = `node ${spec.name}: buildah runs on this machine only (buildah://local); for a remote host use its Docker or Podman socket over ssh://`;
    return;
  }
  const v = await exec(['buildah', 'version', '--json'], { timeoutMs: 20_000, inherit: env });
  if (v.notFound) {
    state.problem = `node ${spec.name}: buildah is not installed; install it (apt-get install buildah)`;
    return;
  }
  let info: { version?: string; buildPlatform?: string } = {};
  try {
    info = JSON.parse(v.stdout) as typeof info;
  } catch {
    /* older buildah: text output below */
  }
  if (v.code !== 0 || !info.version) {
    state.problem = `node ${spec.name}: \`buildah version\` failed: ${v.stderr.trim().split('\n').pop() ?? ''}`;
    return;
  }
  state.backendVersion = `buildah ${info.version}`;
  if (!spec.platforms) {
    const p = parsePlatform(info.buildPlatform ?? `linux/${process.arch === 'x64' ? 'amd64' : process.arch}`);
    if (p) {
      state.native = [formatPlatform(p)];
      state.nativeSource = 'detected';
    }
  }
  state.local = true;
  state.argv = ['buildah'];
  state.healthy = true;
}

/** A platform's builder: a native node, else one with QEMU (unless forbidden), else the problem with its fix. */
export type Route =
  | { node: NodeState; mode: 'native' }
  | { node: NodeState; mode: 'emulated'; emulation: EmulationState }
  | { problem: string };

/**
 * Routes one platform (pure): the least loaded healthy node that builds it natively (ties in node order), else
 * the least loaded healthy node with QEMU for its architecture (`enabled` before `unknown`), else a problem.
 */
export function routePlatform(
  platform: string,
  states: NodeState[],
  load: ReadonlyMap<string, number>,
  emulation: BuildDefaults['emulation'],
): Route {
  const arch = platform.split('/')[1] ?? '';
  const healthy = states.filter((s) => s.healthy);
  const byLoad = (a: NodeState, b: NodeState) => (load.get(a.spec.name) ?? 0) - (load.get(b.spec.name) ?? 0);
  const native = healthy.filter((s) => s.native.includes(platform)).sort(byLoad)[0];
  if (native) return { node: native, mode: 'native' };
  const rank = (s: NodeState) =>
    s.emulation[arch] === 'enabled' ? 0 : s.emulation[arch] === 'unknown' ? 1 : 2;
  const chosen = healthy.filter((s) => rank(s) < 2).sort((a, b) => rank(a) - rank(b) || byLoad(a, b))[0];
  if (!chosen) {
    const seen = healthy.map((s) => `${s.spec.name} (native ${s.native.join(', ') || 'unknown'})`).join('; ');
    return {
      problem: `no builder node can build ${platform}: ${seen ? `nodes: ${seen}, none with QEMU for ${arch}` : 'no node is usable'}; ${emulationFix(arch)}`,
    };
  }
  if (emulation === 'forbid')
    return {
      problem: `${platform} would be emulated on node ${chosen.spec.name}, and build.emulation is forbid; add a native ${arch} node (--node NAME=ssh://user@host)`,
    };
  return { node: chosen, mode: 'emulated', emulation: chosen.emulation[arch] ?? 'unknown' };
}
