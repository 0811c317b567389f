import { createHash } from 'node:crypto';
import { formatPlatform } from '../model/platform.js';
import { SourceFile } from '../model/source.js';
import type { RunResult } from '../reporters/types.js';
import { inventoryDigest } from './check-cache.js';
import type { Rule } from './rule.js';
import type { CheckOptions } from './run.js';
import { type LoadSession, openLoad } from './session.js';

/*
 * `check` with the cache. Kept apart from run.ts and load.ts, which it imports only when the cache cannot serve
 * the whole result: a warm run loads no parser, no loader and no rule.
 */

/**
 * The rules of a cached check: the rules themselves, or (the CLI) a key that names the rule set for this build and
 * a loader called only when the result has to be computed. With a key, `--rule` ids are validated when the rules
 * are loaded: a stored result was made by a run that validated the same ids.
 */
export type CheckRules = Rule[] | { key: string; load: () => Promise<Rule[]> };

/** A whole result as cached: the files the run read (path, text blob id, index blob id, size) and the result. */
interface CachedRun {
  reads: [string, string, string | undefined, number | undefined][];
  result: RunResult;
}

/**
 * `crossdock check` with the cache (`options.cache`, the CLI's default): a result is kept with every file the run
 * read, and served again, without loading or running a rule, while the inventory (which paths exist) and every one
 * of those files are unchanged (by their index blob id and size; a file git sees as changed is read again and
 * compared by content). Otherwise the project is loaded with per-file facts from the cache. The sources are the
 * files read, made from cached texts when a report asks for one. Offline only (`--online` asks registries), and
 * for this build's rules (the result is keyed by rule ids, not by their code).
 */
export async function checkCached(
  options: CheckOptions,
  ruleSet: CheckRules,
): Promise<{ result: RunResult; sources: Map<string, SourceFile> }> {
  const rules = Array.isArray(ruleSet) ? () => Promise.resolve(ruleSet) : ruleSet.load;
  if (!options.cache || options.online) {
    const { check } = await import('./run.js');
    const { result, model } = await check(options, await rules());
    return { result, sources: model.sources };
  }
  const started = performance.now();
  if (Array.isArray(ruleSet)) {
    const { validateRuleIds } = await import('./run.js');
    validateRuleIds(undefined, ruleSet, options.only);
  }
  const session = await openLoad(options);
  const { cache } = session;
  const key = createHash('sha256')
    .update(
      JSON.stringify([
        inventoryDigest(session.inventory),
        (options.platforms ?? []).map(formatPlatform),
        options.only ?? null,
        Array.isArray(ruleSet) ? ruleSet.map((r) => [r.meta.id, r.meta.severity]) : ruleSet.key,
      ]),
    )
    .digest('hex');
  const reused = cache ? await reuse(session, key, cache.run<CachedRun>(key)) : undefined;
  if (reused && cache) {
    cache.keepAll();
    await cache.save();
    reused.result.summary.durationMs = Math.round(performance.now() - started);
    return reused;
  }
  const [{ loadProject }, { resultOf, validateRuleIds }, loaded] = await Promise.all([
    import('./load.js'),
    import('./run.js'),
    rules(),
  ]);
  validateRuleIds(undefined, loaded, options.only);
  const model = await loadProject({ ...options, session });
  const result = await resultOf(model, loaded, options, started);
  const reads = [...session.reads].map(
    ([path, r]) => [path, r.id ?? '', r.blob, r.size] as CachedRun['reads'][number],
  );
  // A file that could not be read cannot be compared without reading it: such a run is not kept whole.
  if (cache && reads.every(([, id]) => id !== '')) cache.putRun(key, { reads, result });
  await cache?.save();
  return { result, sources: model.sources };
}

/** The cached result when every file it read is unchanged, with its sources; undefined otherwise. */
async function reuse(
  session: LoadSession,
  key: string,
  cached: CachedRun | undefined,
): Promise<{ result: RunResult; sources: Map<string, SourceFile> } | undefined> {
  if (!cached || !session.cache) return undefined;
  const { inventory, repo, cache } = session;
  // Unchanged by git's account (same index blob, same size): nothing is read.
  const others: [string, string][] = [];
  const sized = await Promise.all(
    cached.reads.map(async ([path, id, blob, size]) => {
      if (blob && size !== undefined && inventory.blobs?.get(path) === blob && repo.size)
        return (await repo.size(path)) === size;
      others.push([path, id]);
      return true;
    }),
  );
  if (!sized.every(Boolean)) return undefined;
  // Changed by git's account, or never in the index: read and compared by content, outside the run's own reader
  // (a file this result read but a new load would not must not become one of the run's files). A file that is
  // now in the index unchanged (committed since) gets its new blob id, so the next run need not read it.
  const reads = cached.reads.map((r) => [...r] as CachedRun['reads'][number]);
  let refreshed = false;
  const texts = new Map<string, string>();
  for (const [path, id] of others) {
    const r = await repo.read(path);
    if (!r.ok || session.idOf(r.text) !== id) return undefined;
    texts.set(path, r.text);
    const blob = inventory.blobs?.get(path);
    const size = blob && repo.size ? await repo.size(path) : undefined;
    const entry = reads.find((x) => x[0] === path);
    if (!blob || size === undefined || !entry) continue;
    cache.putText(path, blob, { text: r.text, note: r.note, size, id });
    entry[2] = blob;
    entry[3] = size;
    refreshed = true;
  }
  if (refreshed) cache.putRun(key, { reads, result: cached.result });
  const blobs = new Map(reads.map(([path, , blob]) => [path, blob] as const));
  const sources = new LazySources((path) => {
    const read = texts.get(path) ?? session.sources.get(path)?.text;
    if (read !== undefined) return new SourceFile(path, read);
    const blob = blobs.get(path);
    const t = blob === undefined ? undefined : cache.text(path, blob);
    return t ? new SourceFile(path, t.text) : undefined;
  });
  return { result: cached.result, sources };
}

/** The run's files, each made when a report first asks for it (from the cached text). */
class LazySources extends Map<string, SourceFile> {
  constructor(private readonly make: (path: string) => SourceFile | undefined) {
    super();
  }

  override get(path: string): SourceFile | undefined {
    let f = super.get(path);
    if (!f) {
      f = this.make(path);
      if (f) super.set(path, f);
    }
    return f;
  }
}
