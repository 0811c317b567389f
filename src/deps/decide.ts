import { ConfigError, CrossdockError } from '../errors.js';
import { IndexCache, indexCacheDir } from './cache.js';
import { credentialsFor, DEFAULT_HTTP, redactUrl } from './http.js';
import { type ClientContext, type Index, type IndexFile, normaliseName, projectPage } from './index.js';
import { evaluateMarker } from './markers.js';
import { select } from './select.js';
import { needsCompiler, type SdistContext } from './sdist.js';
import { tagEnvOf } from './tags.js';
import type { Decide, DepQuery, IndexOptions, PlatformVerdict } from './types.js';

/**
 * The verdict engine behind `crossdock deps`: for each requirement and target, what pip running inside that
 * target's image would install from the index: a pure wheel, a binary wheel, an sdist it compiles, or nothing.
 * Facts it cannot know (the image's Python or libc, an index that does not answer) make the verdict `unknown`
 * with the reason; nothing is guessed.
 */

type PageResult = { files: IndexFile[]; found: string[]; notFound: string[] } | { error: string };

function message(e: unknown): string {
  if (e instanceof CrossdockError) return e.hint ? `${e.message} (${e.hint})` : e.message;
  return String(e);
}

async function indexesOf(options: IndexOptions, env: Record<string, string | undefined>): Promise<Index[]> {
  const seen = new Set<string>();
  const out: Index[] = [];
  for (const raw of [options.indexUrl, ...options.extraIndexUrls]) {
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      throw new ConfigError(`the index URL \`${redactUrl(raw)}\` is not a URL`, {
        hint: 'give the simple API root, e.g. --index-url https://pypi.org/simple',
      });
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:')
      throw new ConfigError(`the index URL ${redactUrl(url)} is not http(s)`, {
        hint: 'crossdock reads package indexes over HTTP(S) only; give the simple API root, e.g. https://pypi.org/simple',
      });
    if (!url.pathname.endsWith('/')) url.pathname += '/';
    url.hash = '';
    const withCreds = await credentialsFor(url, env);
    if (seen.has(withCreds.url.href)) continue;
    seen.add(withCreds.url.href);
    out.push(withCreds);
  }
  return out;
}

/** Runs `fn` over `items`, at most `limit` at a time; never rejects (fn handles its own errors). */
async function pool<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await fn(items[next++] as T);
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
}

async function fetchPages(
  names: string[],
  indexes: Index[],
  ctx: ClientContext,
  concurrency: number,
  onProgress?: (done: number, total: number) => void,
): Promise<Map<string, PageResult>> {
  const results = new Map<string, PageResult>();
  const jobs = names.flatMap((name) => indexes.map((index) => ({ name, index })));
  const partial = new Map<
    string,
    { files: IndexFile[]; found: string[]; notFound: string[]; errors: string[] }
  >();
  for (const n of names) partial.set(n, { files: [], found: [], notFound: [], errors: [] });
  let done = 0;
  await pool(jobs, concurrency, async ({ name, index }) => {
    const acc = partial.get(name);
    if (!acc) return;
    try {
      const page = await projectPage(index, name, ctx);
      if (page) {
        acc.files.push(...page.files);
        acc.found.push(page.index);
      } else acc.notFound.push(redactUrl(index.url));
    } catch (e) {
      acc.errors.push(message(e));
    }
    onProgress?.(++done, jobs.length);
  });
  for (const [name, acc] of partial)
    results.set(name, acc.errors.length ? { error: acc.errors.join('; ') } : acc);
  return results;
}

function notRequired(): PlatformVerdict {
  return { status: 'not-required', version: undefined, needsCompiler: null };
}

function unknown(reason: string, version?: string): PlatformVerdict {
  return { status: 'unknown', version, needsCompiler: null, reason };
}

export const decideAll: Decide = async (queries, targets, options) => {
  const env = options.env ?? process.env;
  const indexes = await indexesOf(options, env);
  const cacheDir = options.cacheDir ?? indexCacheDir(env);
  const ctx: ClientContext = {
    cache: options.cache === false ? undefined : new IndexCache(cacheDir),
    offline: options.offline,
    http: {
      ...DEFAULT_HTTP,
      ...options.http,
      ...(options.ca?.length ? { ca: options.ca } : {}),
      proxyEnv: env,
    },
    now: Date.now,
  };
  // Which (query, target) pairs need the index at all.
  type Plan = { marker: ReturnType<typeof evaluateMarker>; env: ReturnType<typeof tagEnvOf> };
  const plans: Plan[][] = queries.map((q) =>
    targets.map((t) => ({ marker: evaluateMarker(q.marker, t, q.extras), env: tagEnvOf(t) })),
  );
  const needed = new Set<string>();
  queries.forEach((q, i) => {
    for (const p of plans[i] ?? [])
      if (p.marker.value !== false && !('unknown' in p.env)) needed.add(normaliseName(q.name));
  });
  const pages = await fetchPages([...needed], indexes, ctx, options.concurrency ?? 16, options.onProgress);
  const sdistCtx: SdistContext = { ...ctx, indexes, memo: new Map(), offline: options.offline };
  const out: Record<string, PlatformVerdict>[] = [];
  const sdists: PlatformVerdict[] = [];
  for (const [i, q] of queries.entries()) {
    const row: Record<string, PlatformVerdict> = {};
    for (const [j, target] of targets.entries()) {
      const plan = plans[i]?.[j];
      if (!plan) continue;
      const verdict = decideOne(q, plan, pages.get(normaliseName(q.name)), options.onlyBinary);
      row[target.platform] = verdict;
      if (verdict.status === 'sdist' && verdict.url) sdists.push(verdict);
    }
    out.push(row);
  }
  // Each sdist is inspected once (memo), at most `concurrency` downloads at a time.
  await pool(sdists, options.concurrency ?? 16, async (verdict) => {
    const v = await needsCompiler(verdict.url ?? '', verdict.file ?? '', sdistCtx);
    verdict.needsCompiler = v.value;
    verdict.compilerReason = v.why;
  });
  return out;
};

function decideOne(
  q: DepQuery,
  plan: { marker: ReturnType<typeof evaluateMarker>; env: ReturnType<typeof tagEnvOf> },
  page: PageResult | undefined,
  onlyBinary: boolean,
): PlatformVerdict {
  if (plan.marker.value === false) return notRequired();
  if (plan.marker.value === 'unknown')
    return unknown(plan.marker.reason ?? `marker \`${q.marker}\` cannot be decided`);
  if ('unknown' in plan.env) return unknown(plan.env.unknown);
  if (!page) return unknown('the index was not asked (internal)');
  if ('error' in page) return unknown(`the index could not be read: ${page.error}`);
  if (!page.found.length)
    return {
      status: 'missing',
      version: undefined,
      needsCompiler: null,
      reason: `${q.name} is not on the index (${page.notFound.join(', ')} answered 404)`,
    };
  const s = select({ project: q.name, specifier: q.specifier, files: page.files, env: plan.env, onlyBinary });
  if (s.status === 'unknown') return unknown(s.reason ?? 'unknown', s.version);
  const v: PlatformVerdict = { status: s.status, version: s.version, needsCompiler: null };
  if (s.candidate) {
    v.file = s.candidate.file.filename;
    v.url = redactUrl(s.candidate.file.url);
    if (s.candidate.kind === 'wheel') v.tags = s.candidate.tags;
  }
  if (s.status === 'pure' || s.status === 'wheel') v.needsCompiler = false;
  if (s.reason) v.reason = s.reason;
  return v;
}
