import { machineOf } from './markers.js';
import type { TargetEnv } from './types.js';

/**
 * Wheel compatibility (PEP 425 tags, PEP 600 manylinux_2_N, PEP 656 musllinux_1_N) for CPython X.Y on a Linux
 * image, in pip's order of preference (the order of `packaging.tags.sys_tags()` run inside the container): the
 * model is a Docker build, pip running inside the target image, so `linux_<arch>` (accepted for the running
 * system) is the last platform. The list is checked against pip's own vendored `packaging` in the tests.
 */

export interface TagEnv {
  /** `[3, 11]` */
  python: [number, number];
  libc: { kind: 'glibc' | 'musl'; major: number; minor: number };
  /** `x86_64`, `aarch64`, `armv7l` */
  arch: string;
}

const LEGACY_MANYLINUX: Record<string, string> = {
  '2.17': 'manylinux2014',
  '2.12': 'manylinux2010',
  '2.5': 'manylinux1',
};

/** The tag environment of a target, or why it cannot be known. */
export function tagEnvOf(target: TargetEnv): TagEnv | { unknown: string } {
  const arch = machineOf(target.platform);
  if (!arch) return { unknown: `platform ${target.platform} is not a Linux platform crossdock knows` };
  if (!target.python) return { unknown: 'the Python version is not known' };
  const py = /^(\d+)\.(\d+)$/.exec(target.python);
  if (!py) return { unknown: `the Python version \`${target.python}\` is not X.Y` };
  if (!target.libc) return { unknown: 'the C library (glibc or musl, and its version) is not known' };
  const lv = /^(\d+)\.(\d+)/.exec(target.libc.version);
  if (!lv) return { unknown: `the ${target.libc.kind} version \`${target.libc.version}\` is not X.Y` };
  return {
    python: [Number(py[1]), Number(py[2])],
    libc: { kind: target.libc.kind, major: Number(lv[1]), minor: Number(lv[2]) },
    arch,
  };
}

/** Platform tags, most preferred first (packaging's `_linux_platforms`). */
export function platformTags(env: TagEnv): string[] {
  const out: string[] = [];
  const { arch, libc } = env;
  if (libc.kind === 'glibc') {
    // glibc 2.17 is the oldest supported anywhere; x86 goes back to 2.5 (manylinux1).
    const oldest = arch === 'x86_64' || arch === 'i686' ? 5 : 17;
    if (libc.major === 2)
      for (let minor = libc.minor; minor >= oldest; minor--) {
        out.push(`manylinux_2_${minor}_${arch}`);
        const legacy = LEGACY_MANYLINUX[`2.${minor}`];
        if (legacy) out.push(`${legacy}_${arch}`);
      }
  } else {
    for (let minor = libc.minor; minor >= 0; minor--) out.push(`musllinux_${libc.major}_${minor}_${arch}`);
  }
  out.push(`linux_${arch}`);
  return out;
}

/** Every supported `interpreter-abi-platform` tag, most preferred first (`cpython_tags` + `compatible_tags`). */
export function supportedTags(env: TagEnv): string[] {
  const [major, minor] = env.python;
  const platforms = platformTags(env);
  const interp = `cp${major}${minor}`;
  const out: string[] = [];
  for (const p of platforms) out.push(`${interp}-${interp}-${p}`);
  const abi3 = major === 3 && minor >= 2;
  if (abi3) for (const p of platforms) out.push(`${interp}-abi3-${p}`);
  for (const p of platforms) out.push(`${interp}-none-${p}`);
  if (abi3)
    for (let m = minor - 1; m >= 2; m--) for (const p of platforms) out.push(`cp${major}${m}-abi3-${p}`);
  const pyRange = [`py${major}${minor}`, `py${major}`];
  for (let m = minor - 1; m >= 0; m--) pyRange.push(`py${major}${m}`);
  for (const v of pyRange) for (const p of platforms) out.push(`${v}-none-${p}`);
  out.push(`${interp}-none-any`);
  for (const v of pyRange) out.push(`${v}-none-any`);
  return out;
}

export interface WheelName {
  name: string;
  version: string;
  /** `[number, rest]` of the build tag, or undefined. */
  build: [number, string] | undefined;
  /** Every tag the file carries (expanded from compressed tag sets). */
  tags: string[];
}

/** Parses `{name}-{version}(-{build})?-{python}-{abi}-{platform}.whl`; undefined for a malformed name. */
export function parseWheelName(filename: string): WheelName | undefined {
  if (!filename.endsWith('.whl')) return undefined;
  const parts = filename.slice(0, -4).split('-');
  if (parts.length !== 5 && parts.length !== 6) return undefined;
  const [name, version] = parts as [string, string];
  let build: WheelName['build'];
  if (parts.length === 6) {
    const tag = parts[2] as string;
    let digits = 0;
    while (digits < tag.length && tag[digits] !== undefined && '0123456789'.includes(tag[digits] as string))
      digits++;
    if (digits === 0) return undefined;
    build = [Number(tag.slice(0, digits)), tag.slice(digits)];
  }
  const [py, abi, plat] = parts.slice(-3) as [string, string, string];
  const tags: string[] = [];
  for (const x of py.split('.'))
    for (const y of abi.split('.')) for (const z of plat.split('.')) tags.push(`${x}-${y}-${z}`);
  return { name, version, build, tags };
}

const priorities = new Map<string, Map<string, number>>();

/** A map from tag to its preference (lower is better), for ranking wheels as pip does (computed once per env). */
export function tagPriorities(env: TagEnv): Map<string, number> {
  const key = `${env.python.join('.')}|${env.libc.kind}|${env.libc.major}.${env.libc.minor}|${env.arch}`;
  let m = priorities.get(key);
  if (!m) {
    const map = new Map<string, number>();
    supportedTags(env).forEach((t, i) => {
      if (!map.has(t)) map.set(t, i);
    });
    priorities.set(key, map);
    m = map;
  }
  return m;
}
