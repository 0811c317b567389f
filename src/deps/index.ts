import { type CacheEntry, freshness, type IndexCache } from './cache.js';
import { type Credentials, get, type HttpOptions, IndexError, redactUrl } from './http.js';

/**
 * The package index client: a project's page from the simple repository API, asked for as PEP 691 JSON and read
 * as PEP 503 HTML when that is what the index answers (a static tree behind a plain file server does), through
 * the on-disk cache. Pages of several indexes (`--index-url` plus `--extra-index-url`s) are merged as pip merges
 * them: every file of every index is a candidate, none preferred for the index it came from.
 */

export interface IndexFile {
  filename: string;
  /** Absolute URL (no credentials). */
  url: string;
  requiresPython: string | undefined;
  /** false, or the reason given (empty string when none). */
  yanked: false | string;
  /** PEP 658/714 metadata available at `<url>.metadata`. */
  coreMetadata: boolean;
  size: number | undefined;
  sha256: string | undefined;
}

export interface ProjectPage {
  /** Index root this page came from (redacted for display). */
  index: string;
  files: IndexFile[];
  /** `network`, `cache` (fresh), `revalidated` (304). */
  from: 'network' | 'cache' | 'revalidated';
}

export const PAGE_MAX_BYTES = 20 * 1024 * 1024;

const ACCEPT =
  'application/vnd.pypi.simple.v1+json, application/vnd.pypi.simple.v1+html;q=0.2, text/html;q=0.01';

/** PEP 503 name normalisation. */
export function normaliseName(name: string): string {
  return name.toLowerCase().replace(/[-_.]+/g, '-');
}

export interface Index {
  /** Root URL without credentials, ending in `/`. */
  url: URL;
  credentials: Credentials | undefined;
}

export interface ClientContext {
  cache: IndexCache | undefined;
  offline: boolean;
  http: HttpOptions;
  now: () => number;
}

/** The project's page on one index; `undefined` when the index does not have the project (404/410). */
export async function projectPage(
  index: Index,
  name: string,
  ctx: ClientContext,
): Promise<ProjectPage | undefined> {
  const url = new URL(`${normaliseName(name)}/`, index.url);
  const key = url.href;
  const read = await ctx.cache?.read(key);
  // An entry whose files are not what crossdock writes is a miss.
  const cached = read?.files && !read.files.every(isIndexFile) ? undefined : read;
  const where = redactUrl(url);
  if (ctx.offline) {
    if (!cached)
      throw new IndexError(`${where} is not in the index cache and --offline is in effect`, {
        hint: 'run once without --offline to fill the cache',
      });
    return pageFrom(cached, index, 'cache');
  }
  if (cached && ctx.now() - cached.storedAt < cached.freshForMs) return pageFrom(cached, index, 'cache');
  const headers: Record<string, string> = { Accept: ACCEPT };
  if (cached?.etag) headers['If-None-Match'] = cached.etag;
  if (cached?.lastModified) headers['If-Modified-Since'] = cached.lastModified;
  const answer = await get(url, headers, index.credentials, PAGE_MAX_BYTES, ctx.http);
  const now = ctx.now();
  if (answer.status === 304 && cached) {
    const fresh = freshness(answer.headers, now) ?? 0;
    const entry: CacheEntry = { ...cached, storedAt: now, freshForMs: fresh };
    await ctx.cache?.write(entry);
    return pageFrom(entry, index, 'revalidated');
  }
  if (answer.status === 404 || answer.status === 410) return undefined;
  if (answer.status === 401 || answer.status === 403)
    throw new IndexError(`${where}: HTTP ${answer.status}, the index wants credentials`, {
      hint: 'put them in the index URL (https://user:token@host/simple) or in ~/.netrc; crossdock never prints them',
      status: answer.status,
    });
  if (answer.status !== 200)
    throw new IndexError(`${where}: unexpected HTTP ${answer.status}`, {
      hint: 'check --index-url: it should be the simple API root, e.g. https://pypi.org/simple',
      status: answer.status,
    });
  const entry: CacheEntry = {
    url: key,
    contentType: String(answer.headers['content-type'] ?? ''),
    base: answer.url.href,
    body: answer.body.toString('utf8'),
    etag: typeof answer.headers.etag === 'string' ? answer.headers.etag : undefined,
    lastModified:
      typeof answer.headers['last-modified'] === 'string' ? answer.headers['last-modified'] : undefined,
    storedAt: now,
    freshForMs: 0,
  };
  // Parse before storing: a broken page never reaches the cache. What is stored is the files as read.
  const page = pageFrom(entry, index, 'network');
  const fresh = freshness(answer.headers, now);
  if (fresh !== undefined && ctx.cache)
    await ctx.cache.write({ ...entry, body: '', files: page.files, freshForMs: fresh });
  return page;
}

function isIndexFile(v: unknown): v is IndexFile {
  const r = asRecord(v);
  return (
    r !== undefined &&
    typeof r.filename === 'string' &&
    typeof r.url === 'string' &&
    (r.requiresPython === undefined || typeof r.requiresPython === 'string') &&
    (r.yanked === false || typeof r.yanked === 'string') &&
    typeof r.coreMetadata === 'boolean' &&
    (r.size === undefined || typeof r.size === 'number') &&
    (r.sha256 === undefined || typeof r.sha256 === 'string')
  );
}

function pageFrom(entry: CacheEntry, index: Index, from: ProjectPage['from']): ProjectPage {
  if (entry.files?.every(isIndexFile)) return { index: redactUrl(index.url), files: entry.files, from };
  const type = entry.contentType.split(';')[0]?.trim().toLowerCase() ?? '';
  const base = new URL(entry.base ?? entry.url);
  const files =
    type.endsWith('+json') || type === 'application/json'
      ? parseJson(entry.body, base)
      : parseHtml(entry.body, base);
  return { index: redactUrl(index.url), files, from };
}

function asRecord(v: unknown): Record<string, unknown> | undefined {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
    ? (v as Record<string, unknown>)
    : undefined;
}

/** PEP 691 JSON project page. */
export function parseJson(body: string, base: URL): IndexFile[] {
  const where = redactUrl(base);
  let doc: unknown;
  try {
    doc = JSON.parse(body);
  } catch (e) {
    throw new IndexError(
      `${where}: the index answered with JSON that does not parse (${(e as Error).message}); the page is truncated or corrupt`,
      { hint: 'try again; if it persists, the index or a proxy in front of it is broken', cause: e },
    );
  }
  const root = asRecord(doc);
  const files = root?.files;
  if (!root || !Array.isArray(files))
    throw new IndexError(`${where}: the JSON answer is not a PEP 691 project page (no "files" list)`, {
      hint: 'check --index-url: it should be the simple API root, e.g. https://pypi.org/simple',
    });
  const out: IndexFile[] = [];
  for (const f of files) {
    const r = asRecord(f);
    if (!r || typeof r.filename !== 'string' || typeof r.url !== 'string') continue;
    let url: URL;
    try {
      url = new URL(r.url, base);
    } catch {
      continue;
    }
    const hashes = asRecord(r.hashes);
    const meta = r['core-metadata'] ?? r['dist-info-metadata'];
    out.push({
      filename: r.filename,
      url: stripFragment(url),
      requiresPython: typeof r['requires-python'] === 'string' ? r['requires-python'] : undefined,
      yanked: r.yanked === true ? '' : typeof r.yanked === 'string' ? r.yanked : false,
      coreMetadata: meta === true || asRecord(meta) !== undefined,
      size: typeof r.size === 'number' ? r.size : undefined,
      sha256: typeof hashes?.sha256 === 'string' ? hashes.sha256 : undefined,
    });
  }
  return out;
}

function stripFragment(url: URL): string {
  const u = new URL(url.href);
  u.hash = '';
  u.username = '';
  u.password = '';
  return u.href;
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

export function decodeEntities(text: string): string {
  let out = '';
  let i = 0;
  while (i < text.length) {
    const amp = text.indexOf('&', i);
    if (amp < 0) break;
    const semi = text.indexOf(';', amp);
    out += text.slice(i, amp);
    const name = semi > amp && semi - amp <= 10 ? text.slice(amp + 1, semi) : '';
    let ch: string | undefined;
    if (name.startsWith('#x') || name.startsWith('#X'))
      ch = String.fromCodePoint(Number.parseInt(name.slice(2), 16) || 0xfffd);
    else if (name.startsWith('#')) ch = String.fromCodePoint(Number.parseInt(name.slice(1), 10) || 0xfffd);
    else ch = ENTITIES[name.toLowerCase()];
    if (ch === undefined) {
      out += '&';
      i = amp + 1;
    } else {
      out += ch;
      i = semi + 1;
    }
  }
  return out + text.slice(i);
}

/** Reads a tag's attributes from `html[start]` (just after the tag name) to its `>`; returns them and the end. */
function readAttributes(html: string, start: number): { attrs: Map<string, string>; end: number } {
  const attrs = new Map<string, string>();
  let i = start;
  const n = html.length;
  const space = (c: string | undefined) => c === ' ' || c === '\n' || c === '\t' || c === '\r' || c === '\f';
  while (i < n) {
    while (i < n && (space(html[i]) || html[i] === '/')) i++;
    if (i >= n || html[i] === '>') break;
    const nameStart = i;
    while (i < n && !space(html[i]) && html[i] !== '=' && html[i] !== '>' && html[i] !== '/') i++;
    const name = html.slice(nameStart, i).toLowerCase();
    while (i < n && space(html[i])) i++;
    let value = '';
    if (html[i] === '=') {
      i++;
      while (i < n && space(html[i])) i++;
      const q = html[i];
      if (q === '"' || q === "'") {
        const close = html.indexOf(q, i + 1);
        const stop = close < 0 ? n : close;
        value = html.slice(i + 1, stop);
        i = stop + 1;
      } else {
        const vs = i;
        while (i < n && !space(html[i]) && html[i] !== '>') i++;
        value = html.slice(vs, i);
      }
    }
    if (name && !attrs.has(name)) attrs.set(name, decodeEntities(value));
  }
  return { attrs, end: i };
}

/** PEP 503 HTML project page: every `<a href>`, with data-requires-python, data-yanked and metadata attributes. */
export function parseHtml(body: string, pageUrl: URL): IndexFile[] {
  const lower = body.toLowerCase();
  let base = pageUrl;
  const baseAt = lower.indexOf('<base');
  if (baseAt >= 0) {
    const href = readAttributes(body, baseAt + 5).attrs.get('href');
    if (href)
      try {
        base = new URL(href, pageUrl);
      } catch {
        /* ignored, as browsers and pip do */
      }
  }
  const out: IndexFile[] = [];
  let anchors = 0;
  for (let at = lower.indexOf('<a', 0); at >= 0; at = lower.indexOf('<a', at + 2)) {
    const next = lower[at + 2];
    if (next !== ' ' && next !== '\n' && next !== '\t' && next !== '\r') continue;
    const { attrs } = readAttributes(body, at + 2);
    const href = attrs.get('href');
    if (!href) continue;
    anchors++;
    let url: URL;
    try {
      url = new URL(href, base);
    } catch {
      continue;
    }
    const filename = decodeURIComponent(url.pathname.slice(url.pathname.lastIndexOf('/') + 1));
    const hash = url.hash.startsWith('#sha256=') ? url.hash.slice(8) : undefined;
    const yanked = attrs.get('data-yanked');
    const meta = attrs.get('data-core-metadata') ?? attrs.get('data-dist-info-metadata');
    out.push({
      filename,
      url: stripFragment(url),
      requiresPython: attrs.get('data-requires-python') || undefined,
      yanked: yanked === undefined ? false : yanked,
      coreMetadata: meta !== undefined && meta !== 'false',
      size: undefined,
      sha256: hash,
    });
  }
  if (anchors === 0 && !lower.includes('pypi:repository-version')) {
    const title = /<title>([^<]{0,120})/i.exec(body)?.[1]?.trim();
    throw new IndexError(
      `${redactUrl(pageUrl)}: the index answered with an HTML page that lists no files${title ? ` ("${title}")` : ''}, not a PEP 503 project page`,
      {
        hint: 'a login or error page? check --index-url and the credentials (URL userinfo or ~/.netrc)',
      },
    );
  }
  return out;
}
