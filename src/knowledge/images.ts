/**
 * What well-known base images contain. Facts are from the images' official tag documentation and the distros'
 * package archives (python3 versions: Debian 11 bullseye 3.9, 12 bookworm 3.11, 13 trixie 3.13; Ubuntu 20.04
 * 3.8, 22.04 3.10, 24.04 3.12; Alpine 3.16-3.17 3.10, 3.18-3.19 3.11, 3.20-3.22 3.12; NVIDIA L4T r32 (Ubuntu
 * 18.04) 3.6, r35 (20.04) 3.8, r36 (22.04) 3.10). Anything not listed is unknown, never guessed.
 */

export interface ImageName {
  /** Last path component of the repository: `python`, `node`, `l4t-base`. */
  name: string;
  /** Repository path without registry: `library/python`, `nvidia/l4t-base`. */
  path: string;
  tag: string;
  /**
   * A Docker Official Image (`python`, `docker.io/library/python`, or a known mirror of the library such as
   * `public.ecr.aws/docker/library/python`). A private `ghcr.io/acme/python` is not, whatever its name.
   */
  official: boolean;
}

/** Splits `registry:5000/ns/name:tag@sha256:..` into name, path and tag (default `latest`). */
export function imageName(image: string): ImageName {
  let ref = image.trim();
  const at = ref.indexOf('@');
  if (at >= 0) ref = ref.slice(0, at);
  const slash = ref.lastIndexOf('/');
  const colon = ref.lastIndexOf(':');
  const tag = colon > slash ? ref.slice(colon + 1) : at >= 0 ? '' : 'latest';
  let repo = colon > slash ? ref.slice(0, colon) : ref;
  const first = repo.split('/')[0] ?? '';
  let registry = 'docker.io';
  if (repo.includes('/') && (first.includes('.') || first.includes(':') || first === 'localhost')) {
    registry = first.toLowerCase();
    repo = repo.slice(first.length + 1);
  }
  if (!repo.includes('/') && registry === 'docker.io') repo = `library/${repo}`;
  const path = repo.toLowerCase();
  const official =
    ((registry === 'docker.io' || registry === 'index.docker.io' || registry === 'mirror.gcr.io') &&
      path.startsWith('library/') &&
      path.split('/').length === 2) ||
    (registry === 'public.ecr.aws' && path.startsWith('docker/library/') && path.split('/').length === 3);
  return {
    name: repo.slice(repo.lastIndexOf('/') + 1).toLowerCase(),
    path,
    tag: tag.toLowerCase(),
    official,
  };
}

/** Newest Python the floating official tags (`python:3`, `python:latest`) point at when this table was written. */
export const PYTHON_LATEST = '3.13';
export const NODE_LTS = '22';
export const NODE_LATEST = '24';

const DEBIAN_PY: Record<string, string> = {
  bullseye: '3.9',
  '11': '3.9',
  bookworm: '3.11',
  '12': '3.11',
  trixie: '3.13',
  '13': '3.13',
};
const UBUNTU_PY: Record<string, string> = {
  '20.04': '3.8',
  focal: '3.8',
  '22.04': '3.10',
  jammy: '3.10',
  '24.04': '3.12',
  noble: '3.12',
};
const ALPINE_PY: Record<string, string> = {
  '3.16': '3.10',
  '3.17': '3.10',
  '3.18': '3.11',
  '3.19': '3.11',
  '3.20': '3.12',
  '3.21': '3.12',
  '3.22': '3.12',
};

export function pythonOfImage(
  image: string,
): { version: string; how: string; floating?: boolean } | undefined {
  const { name, path, tag, official } = imageName(image);
  // Only images whose contents are documented: the official images, the NVIDIA L4T bases.
  if (!official && !name.startsWith('l4t-')) return undefined;
  if (name === 'python' || name === 'pypy') {
    if (name === 'pypy') return undefined;
    const m = /^(\d+)\.(\d+)/.exec(tag);
    if (m) return { version: `${m[1]}.${m[2]}`, how: `the ${name}:${tag} image` };
    if (tag === 'latest' || /^3(-|$)/.test(tag) || /^(slim|alpine|bookworm|trixie)/.test(tag)) {
      return {
        version: PYTHON_LATEST,
        how: `the floating ${name}:${tag} tag (Python ${PYTHON_LATEST} when written)`,
        floating: true,
      };
    }
    return undefined;
  }
  const release = tag.split('-')[0] ?? '';
  if (name === 'debian' && path === 'library/debian') {
    const v = DEBIAN_PY[release];
    return v ? { version: v, how: `python3 from Debian ${release}` } : undefined;
  }
  if (name === 'ubuntu') {
    const v = UBUNTU_PY[release];
    return v ? { version: v, how: `python3 from Ubuntu ${release}` } : undefined;
  }
  if (name === 'alpine') {
    const v = ALPINE_PY[/^\d+\.\d+/.exec(release)?.[0] ?? ''];
    return v ? { version: v, how: `python3 from Alpine ${release}` } : undefined;
  }
  if (name.startsWith('l4t-')) {
    const m = /^r(\d+)/.exec(tag);
    const v = m ? { '32': '3.6', '35': '3.8', '36': '3.10' }[m[1] ?? ''] : undefined;
    return v ? { version: v, how: `python3 of NVIDIA L4T ${tag}` } : undefined;
  }
  return undefined;
}

/** Python installed by a RUN: deadsnakes/apt `python3.11`, `uv python install 3.12`, `pyenv install 3.10.13`. */
export function pythonInstalledByRun(run: string): string | undefined {
  // One package manager call lives in one command segment; searching segment by segment keeps every pattern
  // free of an unbounded "anything but & | ;" run between two words, which backtracked on long RUN lines.
  const segments = run.split(/[&|;]/);
  const rest = (segment: string, call: RegExp) => {
    const m = call.exec(segment);
    return m ? segment.slice(m.index + m[0].length) : undefined;
  };
  for (const s of segments) {
    const args = rest(s, /\b(?:apt-get|apt)\s+install\b/);
    const v = args === undefined ? undefined : /\bpython(3\.\d+)\b/.exec(args)?.[1];
    if (v) return v;
  }
  const m =
    /\buv\s+python\s+install\s+(?:cpython-)?(3\.\d+)/.exec(run) ??
    /\bpyenv\s+install\s+(?:-\S+\s+)*(3\.\d+)/.exec(run);
  if (m) return m[1];
  for (const s of segments) {
    const args = rest(s, /\bapk\s+add\b/);
    // The last pin of the call wins, as before.
    const pins = args === undefined ? [] : [...args.matchAll(/\bpython3[=~]+(3\.\d+)/g)];
    const v = pins.at(-1)?.[1];
    if (v) return v;
  }
  return undefined;
}

export function nodeOfImage(image: string): { version: string; how: string; floating?: boolean } | undefined {
  const { name, tag, official } = imageName(image);
  if (name !== 'node' || !official) return undefined;
  const m = /^(\d+)(?:\.(\d+))?(?:\.(\d+))?/.exec(tag);
  if (m)
    return {
      version: [m[1], m[2], m[3]].filter((x) => x !== undefined).join('.'),
      how: `the node:${tag} image`,
    };
  if (/^lts/.test(tag))
    return {
      version: NODE_LTS,
      how: `the floating node:${tag} tag (Node ${NODE_LTS} when written)`,
      floating: true,
    };
  if (tag === 'latest' || tag === 'current' || /^(slim|alpine|bookworm)/.test(tag)) {
    return {
      version: NODE_LATEST,
      how: `the floating node:${tag} tag (Node ${NODE_LATEST} when written)`,
      floating: true,
    };
  }
  return undefined;
}

export type Tool =
  | 'curl'
  | 'wget'
  | 'nc'
  | 'bash'
  | 'sh'
  | 'tini'
  | 'dumb-init'
  | 'gosu'
  | 'su-exec'
  | 'catatonit'
  | 'python3'
  | 'node';

/** Does the image ship `tool`? undefined when crossdock does not know the image. */
export function imageShips(image: string, tool: Tool): boolean | undefined {
  const { name, path, tag, official } = imageName(image);
  if (image.trim() === 'scratch') return false;
  if (path.startsWith('distroless/') && /^gcr\.io\//.test(image.trim()))
    return tool === 'python3'
      ? tag.includes('python') || path.includes('python')
      : tool === 'node'
        ? path.includes('nodejs')
        : false;
  // Beyond distroless, only the official images' contents are documented.
  if (!official) return undefined;
  const alpine = tag.includes('alpine') || name === 'alpine';
  const slim = tag.includes('slim');
  if (name === 'busybox') return ['wget', 'nc', 'sh'].includes(tool);
  if (alpine) {
    if (tool === 'wget' || tool === 'nc' || tool === 'sh') return true;
    if (tool === 'python3') return name === 'python';
    if (tool === 'node') return name === 'node';
    return false;
  }
  if (name === 'python' || name === 'node') {
    if (tool === 'sh' || tool === 'bash') return true;
    if (tool === 'python3') return name === 'python' || !slim;
    if (tool === 'node') return name === 'node';
    if (tool === 'curl' || tool === 'wget') return !slim;
    return false;
  }
  if (name === 'debian' || name === 'ubuntu') {
    if (tool === 'sh' || tool === 'bash') return true;
    return false;
  }
  return undefined;
}

/**
 * Images whose file system outside the system folders (see isSystemPath) is known: the trees listed here, whose
 * contents are not known, and nothing else. `scratch` is empty; the official distro and language images below
 * hold only system folders, plus their users' homes and node's yarn under /opt. Images that put files elsewhere
 * (golang /go, eclipse-temurin /opt/java, pypy /opt/pypy) and every image not listed are not known: never
 * treat them as empty.
 */
const KNOWN_FILES: Record<string, string[]> = {
  debian: [],
  ubuntu: ['/home/ubuntu'],
  alpine: [],
  busybox: [],
  'buildpack-deps': [],
  python: [],
  rust: [],
  node: ['/opt', '/home/node'],
};

export interface KnownFiles {
  /** Nothing at all, not even system folders (`scratch`). */
  empty: boolean;
  /** Folders outside the system ones the image holds, with contents not known. */
  trees: string[];
}

/** What the image holds outside the system folders; undefined when that is not known (any unlisted image). */
export function knownFiles(image: string): KnownFiles | undefined {
  const { name, path, official } = imageName(image);
  if (image.trim() === 'scratch') return { empty: true, trees: [] };
  if (path.startsWith('distroless/') && /^gcr\.io\//.test(image.trim()))
    return { empty: false, trees: ['/home/nonroot'] };
  const trees = official ? KNOWN_FILES[name] : undefined;
  return trees ? { empty: false, trees } : undefined;
}

/**
 * Files in system folders that official images are known not to ship. The Docker library's entrypoint script
 * (`/usr/local/bin/docker-entrypoint.sh`) comes with the node, postgres, redis… images; the language and distro
 * images below have none (python's /usr/local/bin holds only Python's own programs).
 */
const ABSENT_SYSTEM_FILES: Record<string, string[]> = {
  python: ['/usr/local/bin/docker-entrypoint.sh'],
  debian: ['/usr/local/bin/docker-entrypoint.sh'],
  ubuntu: ['/usr/local/bin/docker-entrypoint.sh'],
  alpine: ['/usr/local/bin/docker-entrypoint.sh'],
  busybox: ['/usr/local/bin/docker-entrypoint.sh'],
  rust: ['/usr/local/bin/docker-entrypoint.sh'],
  'buildpack-deps': ['/usr/local/bin/docker-entrypoint.sh'],
};

/** Is `path` known to be absent from the image? undefined when the image may hold it. */
export function imageLacks(image: string, path: string): true | undefined {
  const files = knownFiles(image);
  if (!files) return undefined;
  if (files.empty) return true;
  const { name, official } = imageName(image);
  if (official && ABSENT_SYSTEM_FILES[name]?.includes(path)) return true;
  if (isSystemPath(path)) return undefined;
  return files.trees.some((t) => path === t || path.startsWith(`${t}/`)) ? undefined : true;
}

/** Standard system paths every Linux image has (not created by a Dockerfile). */
export function isSystemPath(path: string): boolean {
  return (
    /^\/(bin|sbin|usr|lib|lib64|etc|var|tmp|opt|root|home|proc|sys|dev|run|srv|mnt)(\/|$)/.test(path) &&
    !/^\/(opt|srv|home|root)\/./.test(path)
  );
}

/**
 * Official images that ship no Python of their own: a `python3` in them comes from the distro's packages. The
 * `python`, `pypy` and `hylang` images put their own Python first on PATH (`/usr/local/bin`, `/opt/pypy`), which
 * is not externally managed.
 */
const DISTRO_PYTHON_IMAGES = new Set([
  'debian',
  'ubuntu',
  'alpine',
  'buildpack-deps',
  'node',
  'golang',
  'rust',
  'ruby',
  'php',
  'openjdk',
  'eclipse-temurin',
]);
const DEBIAN_MANAGED = new Set(['bookworm', 'trixie', 'forky', 'sid', 'testing', 'unstable']);
const DEBIAN_UNMANAGED = new Set(['stretch', 'buster', 'bullseye', 'oldoldstable']);
const UBUNTU_MANAGED = new Set(['lunar', 'mantic', 'noble', 'oracular', 'plucky', 'questing']);
const UBUNTU_UNMANAGED = new Set(['bionic', 'focal', 'jammy', 'kinetic']);

/**
 * Whether the distro Python (`apt-get install python3-pip`, `apk add py3-pip`) of an image is marked externally
 * managed (PEP 668: pip refuses to install outside a virtual environment): Debian 12 bookworm and later, Ubuntu
 * 23.04 and later, Alpine 3.19 and later, in the distro images and in the official language images whose tag
 * names the release (`node:22-bookworm`, `golang:1.23-alpine3.20`). `false` for releases before those and for the
 * official `python` images; undefined when not known (other images, floating tags of other images, Fedora, whose
 * PEP 668 change was proposed for Fedora 38 but is not a documented fact here).
 */
export function distroPythonManaged(image: string): { managed: boolean; distro: string } | undefined {
  const { name, tag, official } = imageName(image);
  if (!official) return undefined;
  if (name === 'python' || name === 'pypy' || name === 'hylang')
    return { managed: false, distro: `${name}:${tag}` };
  if (!DISTRO_PYTHON_IMAGES.has(name)) return undefined;
  const distroImage = name === 'debian' || name === 'ubuntu' || name === 'alpine';
  const parts = tag.split('-');
  // The distro images' tag starts with the release; the language images name it in a later part.
  const candidates = distroImage ? parts.slice(0, 1) : parts;
  for (const p of candidates) {
    const alpine = /^alpine(\d+)\.(\d+)$/.exec(p) ?? (name === 'alpine' ? /^(\d+)\.(\d+)/.exec(p) : null);
    if (alpine) {
      const minor = Number(alpine[1]) * 100 + Number(alpine[2]);
      return { managed: minor >= 319, distro: `Alpine ${alpine[1]}.${alpine[2]}` };
    }
    if (name === 'alpine' && (p === 'edge' || p === 'latest'))
      return { managed: true, distro: `alpine:${tag}` };
    if (name === 'ubuntu' || (!distroImage && (UBUNTU_MANAGED.has(p) || UBUNTU_UNMANAGED.has(p)))) {
      const num = /^(\d\d)\.(\d\d)$/.exec(p);
      if (num) return { managed: Number(num[1]) >= 23, distro: `Ubuntu ${p}` };
      if (UBUNTU_MANAGED.has(p)) return { managed: true, distro: `Ubuntu ${p}` };
      if (UBUNTU_UNMANAGED.has(p)) return { managed: false, distro: `Ubuntu ${p}` };
      // `latest` is 24.04 and `rolling`/`devel` newer since 2024: every one of them is 23.04 or later.
      if (name === 'ubuntu' && (p === 'latest' || p === 'rolling' || p === 'devel'))
        return { managed: true, distro: `ubuntu:${tag}` };
      continue;
    }
    if (name === 'debian' || DEBIAN_MANAGED.has(p) || DEBIAN_UNMANAGED.has(p)) {
      const num = name === 'debian' ? /^(\d+)(\.\d+)?$/.exec(p) : null;
      if (num) return { managed: Number(num[1]) >= 12, distro: `Debian ${num[1]}` };
      if (DEBIAN_MANAGED.has(p)) return { managed: true, distro: `Debian ${p}` };
      if (DEBIAN_UNMANAGED.has(p)) return { managed: false, distro: `Debian ${p}` };
      // `latest`/`stable` have been bookworm or trixie since June 2023.
      if (name === 'debian' && (p === 'latest' || p === 'stable'))
        return { managed: true, distro: `debian:${tag}` };
    }
  }
  return undefined;
}

/** Which Python `python3` runs in an image: the distro's, the image's own (`python:*`), or undefined when not known. */
export function python3Of(image: string): 'distro' | 'own' | undefined {
  const { name, official } = imageName(image);
  if (!official) return undefined;
  if (name === 'python') return 'own';
  return DISTRO_PYTHON_IMAGES.has(name) ? 'distro' : undefined;
}

/**
 * Docker Official Images documented to hold no Docker CLI: the distro and language images (their Dockerfiles
 * install no docker package). The `docker` image ships it (`docker:cli`, `docker:dind`).
 */
const NO_DOCKER_CLI = new Set([
  'python',
  'node',
  'ubuntu',
  'debian',
  'alpine',
  'busybox',
  'golang',
  'rust',
  'ruby',
  'php',
  'eclipse-temurin',
  'openjdk',
  'amazonlinux',
  'fedora',
  'rockylinux',
  'almalinux',
  'centos',
  'buildpack-deps',
  'gcc',
  'maven',
  'gradle',
]);

/** Does the image ship the Docker CLI? undefined when crossdock does not know the image. */
export function imageShipsDocker(image: string): boolean | undefined {
  const { name, official } = imageName(image);
  if (!official) return undefined;
  if (name === 'docker') return true;
  return NO_DOCKER_CLI.has(name) ? false : undefined;
}

/** Official images whose config sets no ENTRYPOINT: the image's own ENTRYPOINT/CMD is all that runs. */
export const NO_ENTRYPOINT_BASE =
  /^(docker\.io\/)?(library\/)?(python|debian|ubuntu|alpine|golang|rust|busybox|pypy|buildpack-deps)(:|@|$)|^scratch$/;

/** The C library of an image, for wheel selection: glibc `2.36`, musl `1.2`. */
export interface ImageLibc {
  kind: 'glibc' | 'musl';
  version: string;
  how: string;
  /** A tag whose release moves (`python:3.11-slim`): what it meant when this table was written. */
  floating?: boolean;
}

/** glibc of each Debian release (its `libc6` package): 10 buster 2.28, 11 bullseye 2.31, 12 bookworm 2.36, 13 trixie 2.41. */
const DEBIAN_GLIBC: Record<string, { release: string; glibc: string }> = {
  buster: { release: '10 buster', glibc: '2.28' },
  '10': { release: '10 buster', glibc: '2.28' },
  bullseye: { release: '11 bullseye', glibc: '2.31' },
  '11': { release: '11 bullseye', glibc: '2.31' },
  bookworm: { release: '12 bookworm', glibc: '2.36' },
  '12': { release: '12 bookworm', glibc: '2.36' },
  trixie: { release: '13 trixie', glibc: '2.41' },
  '13': { release: '13 trixie', glibc: '2.41' },
};

/** glibc of each Ubuntu release (its `libc6` package). */
const UBUNTU_GLIBC: Record<string, { release: string; glibc: string }> = {
  '18.04': { release: '18.04 bionic', glibc: '2.27' },
  bionic: { release: '18.04 bionic', glibc: '2.27' },
  '20.04': { release: '20.04 focal', glibc: '2.31' },
  focal: { release: '20.04 focal', glibc: '2.31' },
  '22.04': { release: '22.04 jammy', glibc: '2.35' },
  jammy: { release: '22.04 jammy', glibc: '2.35' },
  '24.04': { release: '24.04 noble', glibc: '2.39' },
  noble: { release: '24.04 noble', glibc: '2.39' },
  '24.10': { release: '24.10 oracular', glibc: '2.40' },
  oracular: { release: '24.10 oracular', glibc: '2.40' },
  '25.04': { release: '25.04 plucky', glibc: '2.41' },
  plucky: { release: '25.04 plucky', glibc: '2.41' },
};

/** The Debian release the official `python` tags without one (`python:3.11`, `-slim`) point at when written. */
export const PYTHON_DEFAULT_DEBIAN = 'trixie';

/**
 * The C library of an image: the official distro images (`debian:12`, `ubuntu:22.04`, `alpine:3.20`), official
 * images whose tag names the release (`python:3.11-slim-bookworm`, `node:22-bookworm`, `python:3.12-alpine3.20`),
 * and the `python` tags without a release (Debian trixie since August 2025: floating). Alpine 3.13 and later ship
 * musl 1.2, earlier ones 1.1. Undefined for anything else: never guessed.
 */
export function libcOfImage(image: string): ImageLibc | undefined {
  const { name, tag, official } = imageName(image);
  if (!official) return undefined;
  const parts = tag.split('-');
  const alpine = (major: string, minor: string, how: string): ImageLibc => ({
    kind: 'musl',
    version: Number(major) > 3 || (Number(major) === 3 && Number(minor) >= 13) ? '1.2' : '1.1',
    how,
  });
  if (name === 'debian') {
    const d = DEBIAN_GLIBC[/^\d+/.exec(parts[0] ?? '')?.[0] ?? parts[0] ?? ''];
    return d
      ? { kind: 'glibc', version: d.glibc, how: `glibc ${d.glibc} of Debian ${d.release}` }
      : undefined;
  }
  if (name === 'ubuntu') {
    const u = UBUNTU_GLIBC[parts[0] ?? ''];
    return u
      ? { kind: 'glibc', version: u.glibc, how: `glibc ${u.glibc} of Ubuntu ${u.release}` }
      : undefined;
  }
  if (name === 'alpine') {
    const m = /^(\d+)\.(\d+)/.exec(parts[0] ?? '');
    if (m) return alpine(m[1] ?? '', m[2] ?? '', `musl of Alpine ${m[0]}`);
    return tag === 'latest' || tag === 'edge'
      ? { kind: 'musl', version: '1.2', how: `musl 1.2 of alpine:${tag}` }
      : undefined;
  }
  for (const p of parts) {
    const a = /^alpine(?:(\d+)\.(\d+))?$/.exec(p);
    if (a) {
      // `python:3.12-alpine`: the newest Alpine, 3.13 or later for every tag still published.
      if (a[1] === undefined)
        return { kind: 'musl', version: '1.2', how: `musl 1.2 of ${name}:${tag} (Alpine)` };
      return alpine(a[1], a[2] ?? '', `musl of Alpine ${a[1]}.${a[2]} (${name}:${tag})`);
    }
    const d = DEBIAN_GLIBC[p];
    if (d && !/^\d/.test(p))
      return {
        kind: 'glibc',
        version: d.glibc,
        how: `glibc ${d.glibc} of Debian ${d.release} (${name}:${tag})`,
      };
    const u = UBUNTU_GLIBC[p];
    if (u && !/^\d/.test(p))
      return {
        kind: 'glibc',
        version: u.glibc,
        how: `glibc ${u.glibc} of Ubuntu ${u.release} (${name}:${tag})`,
      };
  }
  if (name === 'python' && pythonOfImage(image)) {
    const d = DEBIAN_GLIBC[PYTHON_DEFAULT_DEBIAN] as { release: string; glibc: string };
    return {
      kind: 'glibc',
      version: d.glibc,
      how: `the python:${tag} tag names no Debian release: Debian ${d.release} (glibc ${d.glibc}) when written`,
      floating: true,
    };
  }
  return undefined;
}
