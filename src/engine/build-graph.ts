import type { Dockerfile } from '../model/dockerfile.js';
import { parseBuildTag, parseImageRef, repositoryKey } from '../model/image-ref.js';
import { type Build, type Inventory, pathStatus, type Targets } from '../model/project.js';
import type { SourceFile } from '../model/source.js';
import { locate } from '../model/source.js';
import { dirname } from './classify.js';

/** Joins repository-relative paths, normalising `.` and `..`; returns undefined when it escapes the root. */
export function joinPath(base: string, rel: string): string | undefined {
  const parts = base === '.' || base === '' ? [] : base.split('/');
  for (const seg of rel.split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') {
      if (parts.length === 0) return undefined;
      parts.pop();
    } else parts.push(seg);
  }
  return parts.length ? parts.join('/') : '.';
}

/** Local COPY/ADD sources of a Dockerfile (not --from, not URLs, not heredocs), as written. */
export function localCopySources(df: Dockerfile): { value: string; start: number; end: number }[] {
  const out: { value: string; start: number; end: number }[] = [];
  for (const ins of df.instructions) {
    if (ins.keyword !== 'COPY' && ins.keyword !== 'ADD') continue;
    if (ins.flags.some((f) => f.name === 'from')) continue;
    const words = ins.words;
    if (words.length < 2) continue;
    for (const w of words.slice(0, -1)) {
      if (/^[a-z][a-z0-9+.-]*:\/\//i.test(w.value) || w.value.startsWith('<<') || w.value.startsWith('git@'))
        continue;
      out.push({ value: w.value, start: w.span.start, end: w.span.end });
    }
  }
  return out;
}

/** The fixed leading part of a glob (`src/*.py` → `src`), or the path itself. */
export function globPrefix(path: string): { prefix: string; glob: boolean } {
  const i = path.search(/[*?[]/);
  if (i < 0) return { prefix: path, glob: false };
  const cut = path.lastIndexOf('/', i);
  return { prefix: cut < 0 ? '.' : path.slice(0, cut), glob: true };
}

function resolvedCount(df: Dockerfile, context: string, inventory: Inventory): number {
  let n = 0;
  for (const src of localCopySources(df)) {
    if (src.value.includes('$')) continue;
    const p = joinPath(context, globPrefix(src.value.replace(/^\/+/, '')).prefix);
    if (p !== undefined && pathStatus(inventory, p) !== 'absent') n++;
  }
  return n;
}

/**
 * Builds defined by Dockerfiles alone: one per Dockerfile. The context is the Dockerfile's folder or the
 * repository root, whichever resolves more COPY sources (the folder on a tie); `contextSource` says which.
 */
export function dockerfileBuilds(
  dockerfiles: Dockerfile[],
  sources: Map<string, SourceFile>,
  inventory: Inventory,
  targets: Targets,
): Build[] {
  const builds: Build[] = [];
  for (const df of dockerfiles) {
    const source = sources.get(df.path);
    if (!source) continue;
    const dir = dirname(df.path);
    let context = dir;
    let contextSource: Build['contextSource'] = 'dockerfile-dir';
    if (dir !== '.' && resolvedCount(df, '.', inventory) > resolvedCount(df, dir, inventory)) {
      context = '.';
      contextSource = 'repo-root';
    }
    const first = df.stages[0]?.from.span ?? { start: 0, end: 0 };
    builds.push({
      id: `dockerfile:${df.path}`,
      dockerfile: df.path,
      context,
      contextSource,
      platforms: [...targets.platforms],
      platformsSource: targets.source,
      tags: [],
      buildArgs: {},
      target: undefined,
      push: false,
      origin: 'dockerfile',
      definedAt: locate(source, first),
    });
  }
  return builds;
}

/**
 * The build producing an image reference: the one whose tags include it exactly, else the only Dockerfile built
 * under that repository (tags with variables count: `app:${TAG}` produces `app:1.0`).
 */
export function buildProducing(builds: Build[], image: string): Build | undefined {
  const exact = builds.find((b) => b.tags.includes(image));
  if (exact) return exact;
  const parsed = parseImageRef(image);
  if (!parsed.ok) return undefined;
  const key = repositoryKey(parsed.ref);
  const same = builds.filter((b) =>
    b.tags.some((t) => {
      const p = parseBuildTag(t);
      return !!p && repositoryKey(p) === key;
    }),
  );
  return new Set(same.map((b) => b.dockerfile)).size === 1 ? same[0] : undefined;
}
