/**
 * `crossdock deps`: for each Python requirement an image installs, whether the package index has something
 * installable for each target platform, and whether pip will compile it. Inputs come from the repository
 * (src/deps/inputs.ts), verdicts from the index (src/deps/decide.ts).
 */

export type DepStatus = 'pure' | 'wheel' | 'sdist' | 'missing';

/** The interpreter and platform facts pip's wheel selection depends on; unknown stays undefined. */
export interface TargetEnv {
  /** `linux/amd64`, `linux/arm64`, `linux/arm/v7`. */
  platform: string;
  /** CPython `X.Y`; undefined when not known. */
  python: string | undefined;
  /** glibc `2.36` (Debian 12) or musl `1.2`; undefined when not known. */
  libc: { kind: 'glibc' | 'musl'; version: string } | undefined;
}

/** One requirement to decide, as written in its file. */
export interface DepQuery {
  /** PEP 503 normalised name. */
  name: string;
  /** Specifier as written (`==1.2.3`, `>=2,<3`), undefined for none. */
  specifier: string | undefined;
  /** PEP 508 marker as written, evaluated per target. */
  marker: string | undefined;
  /** The requirement as written (`numpy==1.26.4`). */
  requirement: string;
  source: { file: string; line: number };
  /** Extras the install selects, for markers that test `extra` (none: `extra == "x"` is false). */
  extras?: string[];
}

export interface IndexOptions {
  /** PEP 503/691 simple API root, e.g. `http://127.0.0.1:8080/simple`. */
  indexUrl: string;
  extraIndexUrls: string[];
  /** Use only the on-disk cache. */
  offline: boolean;
  /** `--only-binary :all:` or PIP_ONLY_BINARY in effect: sdist counts as missing. */
  onlyBinary: boolean;
  /** Cache folder; default `$XDG_CACHE_HOME/crossdock/index`. */
  cacheDir?: string;
  /** false: no on-disk cache at all (every page from the network). */
  cache?: boolean;
  /** Environment for the cache folder (XDG_CACHE_HOME, CROSSDOCK_CACHE_DIR) and .netrc (NETRC, HOME); default process.env. */
  env?: Record<string, string | undefined>;
  /** Index pages fetched at once (default 16). */
  concurrency?: number;
  /** Called as index pages arrive (`done` of `total` project pages), for a progress line on a TTY. */
  onProgress?: (done: number, total: number) => void;
  /** Timeouts and retries of each request (defaults: 15 s idle, 60 s total, 3 retries from 200 ms). */
  http?: Partial<{ timeoutMs: number; deadlineMs: number; retries: number; backoffMs: number }>;
  /** PEM certificates trusted for HTTPS indexes besides the system's (`--ca-file`, PIP_CERT). */
  ca?: string[];
}

export interface PlatformVerdict {
  /** `unknown` when a fact it depends on (Python version, libc, the index) is not known; `reason` says which. */
  status: DepStatus | 'unknown' | 'not-required';
  /** The version checked (pinned, or the newest that satisfies the specifier for that Python). */
  version: string | undefined;
  /** The chosen file (wheel or sdist). */
  file?: string;
  /** Where the chosen file is (no credentials). */
  url?: string;
  /** The wheel's tags that matched. */
  tags?: string[];
  /** For `sdist`: C/Rust sources or a compiling build backend; null when not known ("probably"). */
  needsCompiler: boolean | null;
  /** For `sdist`: what `needsCompiler` was read from (a build backend, compiled sources) or why it is null. */
  compilerReason?: string;
  reason?: string;
}

/** One image (Dockerfile stage that installs Python requirements) and its targets. */
export interface DepsImage {
  /** `Dockerfile` or `Dockerfile (stage build)`. */
  name: string;
  dockerfile: string;
  targets: TargetEnv[];
  /** Platforms that are built under emulation (from the build graph), for `--fail-on` and warnings. */
  emulated: string[];
  queries: DepQuery[];
  /** Index settings found in the repository (requirements `--index-url` lines, pip.conf, uv.toml, ENV PIP_INDEX_URL). */
  index: { indexUrl?: string; extraIndexUrls: string[]; onlyBinary: boolean };
  /** Why some facts are unknown. */
  notes: string[];
}

export interface DepsPackageResult {
  name: string;
  version: string | undefined;
  requirement: string;
  source: { file: string; line: number };
  images: string[];
  platforms: Record<string, PlatformVerdict>;
}

export interface DepsReport {
  version: 1;
  images: { name: string; dockerfile: string; targets: TargetEnv[]; emulated: string[]; notes: string[] }[];
  packages: DepsPackageResult[];
  notes: string[];
}

/**
 * The verdict engine's seam (implemented by `decideAll` in src/deps/decide.ts): one record per query, in the
 * order given, keyed by target platform. Queries whose marker is false for a target get `not-required` there.
 */
export type Decide = (
  queries: DepQuery[],
  targets: TargetEnv[],
  options: IndexOptions,
) => Promise<Record<string, PlatformVerdict>[]>;
