import { compare, filter, satisfies, valid, validRange } from '@renovatebot/pep440';
import { type IndexFile, normaliseName } from './index.js';
import { parseWheelName, type TagEnv, tagPriorities } from './tags.js';
import type { DepStatus } from './types.js';

/**
 * pip's choice of a file for one requirement on one target (its PackageFinder): every file of the project is a
 * candidate when its Requires-Python admits the target's Python, it is a wheel whose tags the target supports or
 * an sdist (not under --only-binary), and its version satisfies the specifier (pre-releases only when the
 * specifier names one or nothing else matches). The best is the greatest by (not yanked, version, tag preference,
 * build tag): a newer version beats a better-tagged older one, any compatible wheel beats the sdist of its own
 * version, and a yanked file is taken only when nothing else is left (pip warns then).
 */

const SDIST_SUFFIXES = [
  '.tar.gz',
  '.zip',
  '.tar.bz2',
  '.tbz',
  '.tar.xz',
  '.txz',
  '.tlz',
  '.tar.lz',
  '.tar.lzma',
  '.tgz',
  '.tar',
];

export interface Candidate {
  file: IndexFile;
  version: string;
  kind: 'wheel' | 'sdist';
  /** For wheels: the file's tags the target supports, most preferred first. */
  tags: string[];
  /** Lower is better; sdists rank after every wheel. */
  priority: number;
  build: [number, string] | undefined;
}

export interface Selection {
  status: DepStatus | 'unknown';
  version: string | undefined;
  candidate?: Candidate;
  reason?: string;
}

/** `{name}-{version}.tar.gz` etc.: the version, when the name part normalises to the project's name. */
function sdistVersion(filename: string, project: string): string | undefined {
  const suffix = SDIST_SUFFIXES.find((s) => filename.toLowerCase().endsWith(s));
  if (!suffix) return undefined;
  const stem = filename.slice(0, -suffix.length);
  for (let i = stem.indexOf('-'); i >= 0; i = stem.indexOf('-', i + 1))
    if (normaliseName(stem.slice(0, i)) === project) return stem.slice(i + 1);
  return undefined;
}

/** Requires-Python for the target's `X.Y`, checked at X.Y.0 and X.Y.999: both, neither, or `unknown` (patch-level). */
function pythonAdmits(requiresPython: string | undefined, python: [number, number]): boolean | 'unknown' {
  if (!requiresPython) return true;
  const spec = requiresPython.trim();
  // pip ignores a Requires-Python it cannot read.
  if (!validRange(spec)) return true;
  const lo = satisfies(`${python[0]}.${python[1]}.0`, spec, { prereleases: true });
  const hi = satisfies(`${python[0]}.${python[1]}.999`, spec, { prereleases: true });
  return lo === hi ? lo : 'unknown';
}

function cmpBuild(a: Candidate['build'], b: Candidate['build']): number {
  if (!a && !b) return 0;
  if (!a) return -1;
  if (!b) return 1;
  return a[0] - b[0] || (a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0);
}

/** >0 when a is better than b. */
function better(a: Candidate, b: Candidate): number {
  const ya = a.file.yanked === false ? 1 : 0;
  const yb = b.file.yanked === false ? 1 : 0;
  return ya - yb || compare(a.version, b.version) || b.priority - a.priority || cmpBuild(a.build, b.build);
}

interface Parsed {
  project: string;
  wheel: ReturnType<typeof parseWheelName>;
  /** The file's version when it is valid and the file is the project's (wheel or sdist), else undefined. */
  version: string | undefined;
}

/** File names parsed once per file (a page is judged for every target). */
const parsedFiles = new WeakMap<IndexFile, Parsed>();

function parsed(file: IndexFile, project: string): Parsed {
  const hit = parsedFiles.get(file);
  if (hit?.project === project) return hit;
  const wheel = parseWheelName(file.filename);
  let version: string | undefined;
  if (wheel)
    version = normaliseName(wheel.name) === project && valid(wheel.version) ? wheel.version : undefined;
  else {
    const v = sdistVersion(file.filename, project);
    version = v && valid(v) ? v : undefined;
  }
  const p = { project, wheel, version };
  parsedFiles.set(file, p);
  return p;
}

export interface SelectInput {
  project: string;
  specifier: string | undefined;
  files: IndexFile[];
  env: TagEnv;
  onlyBinary: boolean;
}

export function select(input: SelectInput): Selection {
  const { env } = input;
  const project = normaliseName(input.project);
  const priorities = tagPriorities(env);
  const sdistRank = priorities.size;
  const spec = input.specifier?.trim() ?? '';
  if (spec && !validRange(spec))
    return {
      status: 'unknown',
      version: undefined,
      reason: `the specifier \`${spec}\` is not a valid PEP 440 specifier`,
    };
  const all: Candidate[] = [];
  const doubtful: Candidate[] = [];
  for (const file of input.files) {
    let c: Candidate | undefined;
    const { wheel, version: fileVersion } = parsed(file, project);
    if (wheel) {
      if (!fileVersion) continue;
      const tags = wheel.tags
        .filter((t) => priorities.has(t))
        .sort((x, y) => (priorities.get(x) ?? 0) - (priorities.get(y) ?? 0));
      if (!tags.length) continue;
      c = {
        file,
        version: wheel.version,
        kind: 'wheel',
        tags,
        priority: priorities.get(tags[0] as string) ?? 0,
        build: wheel.build,
      };
    } else {
      const version = fileVersion;
      if (!version) continue;
      if (input.onlyBinary) continue;
      c = { file, version, kind: 'sdist', tags: [], priority: sdistRank, build: undefined };
    }
    const admits = pythonAdmits(file.requiresPython, env.python);
    if (admits === true) all.push(c);
    else if (admits === 'unknown') doubtful.push(c);
  }
  const pool = [...all, ...doubtful];
  const allowed = new Set(filter([...new Set(pool.map((c) => c.version))], spec));
  const matching = pool.filter((c) => allowed.has(c.version));
  let best: Candidate | undefined;
  for (const c of matching) if (!best || better(c, best) > 0) best = c;
  const py = `${env.python[0]}.${env.python[1]}`;
  if (best && doubtful.includes(best))
    return {
      status: 'unknown',
      version: best.version,
      reason: `${best.file.filename} requires Python ${best.file.requiresPython}, which depends on the patch version of Python ${py}`,
    };
  if (!best) return missing(input, project, spec, py);
  const notes: string[] = [];
  if (best.file.yanked !== false)
    notes.push(
      `${best.version} is yanked${best.file.yanked ? ` (${best.file.yanked})` : ''}; pip installs it with a warning`,
    );
  if (best.kind === 'sdist')
    return {
      status: 'sdist',
      version: best.version,
      candidate: best,
      reason: [`no wheel for CPython ${py} on ${platformWords(env)}`, ...notes].join('; '),
    };
  const first = best.tags[0] ?? '';
  const status: DepStatus = first.endsWith('-any') ? 'pure' : 'wheel';
  return {
    status,
    version: best.version,
    candidate: best,
    ...(notes.length ? { reason: notes.join('; ') } : {}),
  };
}

/**
 * Nothing installable: the version checked (the newest the specifier allows, on any platform, not yanked when
 * another is) and what its files are, so the reader sees why (wheels for other platforms only, no sdist, an
 * sdist refused by only-binary, a Python the version does not support).
 */
function missing(input: SelectInput, project: string, spec: string, py: string): Selection {
  const own = input.files
    .map((file) => ({ file, version: parsed(file, project).version }))
    .filter((f): f is { file: IndexFile; version: string } => f.version !== undefined);
  if (!own.length)
    return { status: 'missing', version: undefined, reason: 'the index lists no installable file for it' };
  const allowed = new Set(filter([...new Set(own.map((f) => f.version))], spec));
  const matching = own.filter((f) => allowed.has(f.version));
  const pick = (fs: typeof own) =>
    fs.reduce<string | undefined>(
      (a, f) => (a === undefined || compare(f.version, a) > 0 ? f.version : a),
      undefined,
    );
  const version = pick(matching.filter((f) => f.file.yanked === false)) ?? pick(matching);
  if (version === undefined)
    return {
      status: 'missing',
      version: undefined,
      reason: `no version on the index satisfies \`${spec}\``,
    };
  const files = matching.filter((f) => f.version === version).map((f) => f.file);
  const why: string[] = [];
  const wheels = files.filter((f) => f.filename.endsWith('.whl'));
  const sdists = files.filter((f) => !f.filename.endsWith('.whl'));
  const pythonRefused = files.filter((f) => pythonAdmits(f.requiresPython, input.env.python) === false);
  if (pythonRefused.length === files.length)
    why.push(`it requires Python ${files[0]?.requiresPython ?? ''}, not ${py}`);
  else {
    if (wheels.length) {
      const plats = [...new Set(wheels.flatMap((w) => parseWheelName(w.filename)?.tags ?? []))];
      why.push(
        `no wheel for CPython ${py} on ${platformWords(input.env)} (wheels: ${plats.slice(0, 6).join(', ')}${plats.length > 6 ? ', …' : ''})`,
      );
    } else why.push('no wheel');
    if (!sdists.length) why.push('no sdist');
    else if (input.onlyBinary) why.push('its sdist is not allowed (only-binary is in effect)');
  }
  return { status: 'missing', version, reason: `nothing installable for ${version}: ${why.join('; ')}` };
}

function platformWords(env: TagEnv): string {
  return `${env.libc.kind} ${env.libc.major}.${env.libc.minor} ${env.arch}`;
}
