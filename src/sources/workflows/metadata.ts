import type { Site, WorkflowRefs, WorkflowStep } from '../../model/deploy.js';
import type { TagShape } from '../../model/project.js';
import { type Unknown, unknown, type Value } from '../../model/value.js';
import type { Y } from '../yaml/node.js';

/**
 * docker/metadata-action as a model: the image names of its `images` input and, for each `tags` rule, the tags it
 * can compute on the refs the workflow's triggers run it on: literal (a branch name, a `type=raw` value), by shape
 * (`sha-<7 hex>`, a version, `pr-<number>`) or unknown with why. What the action does is read from its source
 * (src/meta.ts, src/tag.ts, src/flavor.ts, src/image.ts of docker/metadata-action v5).
 */

/** A tag the action can compute: literal, by shape, or unknown. */
export type MetaTag = string | TagShape | Unknown;

export interface MetadataTags {
  /** Image names (lowercased, as the action does); unknown when an input cannot be evaluated. */
  images: Value<string[]>;
  /** Every tag it can compute for each image. */
  tags: MetaTag[];
}

/** Evaluates the `${{ }}` expressions of an input text (GitHub does so before the action runs). */
export type Evaluate = (text: string, site: Site, lowercaseRepository?: boolean) => Value<string[]>;

/** A piece of a computed tag: literal text, or a computed part. */
type Part = string | { re: string; text: string; name: string };

/** The tag characters the action keeps: it replaces every other run of characters by `-`. */
const TAG_CHAR = '[A-Za-z0-9._-]';
const VERSION = '\\d+\\.\\d+\\.\\d+';
const PRERELEASE = '-[0-9A-Za-z.-]+';

/** The action's sanitizeTag. */
function sanitize(text: string): string {
  return text.replace(/[^a-zA-Z0-9._-]+/g, '-');
}

/** One alternative of parts as a tag: a literal when no part is computed. */
function toTag(parts: Part[]): string | TagShape {
  if (parts.every((p) => typeof p === 'string')) return sanitize(parts.join(''));
  let re = '';
  let text = '';
  let written = '';
  for (const p of parts) {
    if (typeof p === 'string') {
      const s = sanitize(p);
      re += s.replace(/[.]/g, '\\.');
      text += s;
      written += s;
    } else {
      re += p.re;
      text += p.text;
      written += `\${{ ${p.name} }}`;
    }
  }
  return { text, written, pattern: new RegExp(`^(?:${re})$`) };
}

/** Alternatives of each slot crossed (capped). */
function cross(slots: Part[][][]): Part[][] {
  let out: Part[][] = [[]];
  for (const alternatives of slots) {
    out = out.flatMap((o) => alternatives.map((a) => [...o, ...a]));
    if (out.length > 64) out = out.slice(0, 64);
  }
  return out;
}

/** `{{ name }}` spans of a handlebars template. */
function mustaches(text: string): { start: number; end: number; inner: string }[] {
  const out: { start: number; end: number; inner: string }[] = [];
  for (let i = text.indexOf('{{'); i >= 0; i = text.indexOf('{{', i)) {
    const close = text.indexOf('}}', i + 2);
    if (close < 0) break;
    // `{{{x}}}` (unescaped) names the same thing.
    const end = text[close + 2] === '}' && text[i + 2] === '{' ? close + 3 : close + 2;
    out.push({
      start: i,
      end,
      inner: text
        .slice(i + 2, close)
        .replace(/^\{/, '')
        .trim(),
    });
    i = end;
  }
  return out;
}

/** Branch names as the action writes them (`feature/x` → `feature-x`). */
function branchParts(refs: WorkflowRefs, orEmpty: boolean): Part[][] | Unknown {
  const b = refs.branches;
  if (b === undefined) return [[]];
  if (!Array.isArray(b)) return b;
  return [...b.map((n) => [n]), ...(orEmpty ? [[]] : [])];
}

/** Tag names matching the push filters' globs (`v*` → `v` and any tag characters). */
function tagNameParts(refs: WorkflowRefs): Part[][] | Unknown | undefined {
  const t = refs.tags;
  if (t === undefined || !Array.isArray(t)) return t;
  const out: Part[][] = [];
  for (const glob of t) {
    if (!/^[A-Za-z0-9._*-]+$/.test(glob) || !glob.includes('*')) {
      if (/^[A-Za-z0-9._-]+$/.test(glob)) out.push([glob]);
      else return unknown('expression', `the tag filter \`${glob}\` is a pattern crossdock does not read`);
      continue;
    }
    out.push(
      glob
        .split(/(\*+)/)
        .filter(Boolean)
        .map((s) => (s.startsWith('*') ? { re: `${TAG_CHAR}*`, text: '*', name: 'tag' } : s)),
    );
  }
  return out;
}

interface Context {
  refs: WorkflowRefs;
  /** Length of a short sha (DOCKER_METADATA_SHORT_SHA_LENGTH, else 7); undefined when not known. */
  shortSha: number | undefined;
}

function shaPart(length: number | undefined): Part {
  return length === undefined
    ? { re: '[0-9a-f]+', text: '<hex>', name: 'sha' }
    : { re: `[0-9a-f]{${length}}`, text: `<${length} hex>`, name: 'sha' };
}

/**
 * A template the action renders with its global expressions (`type=raw` values, prefixes, suffixes): `{{branch}}`,
 * `{{tag}}`, `{{sha}}` and literal text are read; any other (`{{date …}}`, `{{base_ref}}`) is unknown.
 */
function renderGlobal(text: string, c: Context, site: Site): Part[][] | Unknown {
  const slots: Part[][][] = [];
  let from = 0;
  for (const m of mustaches(text)) {
    slots.push([[text.slice(from, m.start)]]);
    from = m.end;
    if (m.inner === 'branch') {
      // Empty when the ref is not a branch.
      const b = branchParts(c.refs, c.refs.tags !== undefined || c.refs.pullRequest);
      if (!Array.isArray(b)) return { ...b, site };
      slots.push(b);
    } else if (m.inner === 'tag') {
      const t = tagNameParts(c.refs);
      if (t !== undefined && !Array.isArray(t)) return { ...t, site };
      slots.push([...(t ?? []), []]);
    } else if (m.inner === 'sha') slots.push([[shaPart(c.shortSha)]]);
    else
      return unknown(
        'expression',
        `\`{{${m.inner}}}\` in docker/metadata-action's \`${text}\` is computed when the workflow runs`,
        site,
      );
  }
  slots.push([[text.slice(from)]]);
  return cross(slots);
}

/** A semver `pattern` rendered over a version: `{{version}}`, `{{major}}`, `{{minor}}`, `{{patch}}`. */
function renderVersion(pattern: string, version: Part, site: Site): Part[] | Unknown {
  const parts: Part[] = [];
  let from = 0;
  for (const m of mustaches(pattern)) {
    parts.push(pattern.slice(from, m.start));
    from = m.end;
    if (m.inner === 'version') parts.push(version);
    else if (m.inner === 'major' || m.inner === 'minor' || m.inner === 'patch')
      parts.push({ re: '\\d+', text: `<${m.inner}>`, name: m.inner });
    else
      return unknown(
        'expression',
        `\`{{${m.inner}}}\` in the version pattern \`${pattern}\` is the git tag as written`,
        site,
      );
  }
  parts.push(pattern.slice(from));
  return parts;
}

/** Splits `type=raw,value=a,enable=…` into fields (quotes and `${{ }}` keep commas). */
function fields(line: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quote = false;
  let depth = 0;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i] ?? '';
    if (line.startsWith('${{', i)) depth++;
    else if (depth > 0 && line.startsWith('}}', i)) depth--;
    if (ch === '"') quote = !quote;
    else if (ch === ',' && !quote && depth === 0) {
      out.push(cur.trim());
      cur = '';
    } else cur += ch;
  }
  out.push(cur.trim());
  return out.filter((f) => f !== '');
}

/** The lines of a list input: newline-separated, `#` comments and blank lines dropped. */
function lines(text: string | undefined): string[] {
  return (text ?? '')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'));
}

/** The attributes of a tags rule, each `${{ }}` evaluated; a field without `=` is `value`. */
function attributes(line: string, evaluate: Evaluate, site: Site): Map<string, Value<string>> {
  const attrs = new Map<string, Value<string>>();
  for (const f of fields(line)) {
    const eq = f.search(/=/);
    const key = eq < 0 ? 'value' : f.slice(0, eq).trim().toLowerCase();
    const raw = eq < 0 ? f : f.slice(eq + 1).trim();
    const v = evaluate(raw, site);
    attrs.set(
      key,
      !v.known
        ? v
        : v.value.length === 1
          ? { known: true, value: v.value[0] ?? '', origin: v.origin }
          : unknown('branch', `\`${raw}\` is one of ${v.value.length} values`, site),
    );
  }
  return attrs;
}

/** A flavor entry's value as written, or the action's default. */
interface Flavor {
  latest: string;
  prefix: Value<string>;
  suffix: Value<string>;
  prefixLatest: boolean;
  suffixLatest: boolean;
}

function readFlavor(text: string | undefined, evaluate: Evaluate, site: Site): Flavor | Unknown {
  const none = { known: true as const, value: '', origin: { kind: 'default' as const } };
  const flavor: Flavor = {
    latest: 'auto',
    prefix: none,
    suffix: none,
    prefixLatest: false,
    suffixLatest: false,
  };
  for (const line of lines(text)) {
    let last = '';
    for (const [key, v] of attributes(line, evaluate, site)) {
      if (key === 'latest') {
        if (!v.known) return v;
        flavor.latest = v.value;
      } else if (key === 'prefix' || key === 'suffix') {
        flavor[key] = v;
        last = key;
      } else if (key === 'onlatest') {
        if (!v.known) return v;
        if (last === 'prefix') flavor.prefixLatest = v.value === 'true';
        if (last === 'suffix') flavor.suffixLatest = v.value === 'true';
      }
    }
  }
  return flavor;
}

/** The default rules when `tags` is empty. */
const DEFAULT_RULES = ['type=schedule', 'type=ref,event=branch', 'type=ref,event=tag', 'type=ref,event=pr'];

/** Rules whose `latest=auto` adds `latest`. */
const LATEST_AUTO = new Set(['semver', 'pep440', 'match', 'ref-tag']);

/**
 * What one rule computes (alternatives of parts, before prefix and suffix), or why it is not known; undefined when
 * it never runs on the workflow's refs (or is disabled).
 */
function ruleValues(
  type: string,
  attrs: Map<string, Value<string>>,
  c: Context,
  site: Site,
): Part[][] | Unknown | undefined {
  const attr = (k: string) => attrs.get(k);
  const text = (k: string): string | Unknown | undefined => {
    const v = attr(k);
    return v === undefined ? undefined : v.known ? v.value : v;
  };
  const refs = c.refs;
  const onTag = refs.tags !== undefined;
  switch (type) {
    case 'schedule': {
      if (!refs.schedule) return undefined;
      const p = text('pattern') ?? 'nightly';
      return typeof p === 'string' ? renderGlobal(p, c, site) : p;
    }
    case 'semver':
    case 'pep440': {
      const value = text('value');
      if (!onTag && (value === undefined || value === '')) return undefined;
      const p = text('pattern');
      if (p === undefined || typeof p !== 'string') return p;
      // A prerelease gets its whole version whatever the pattern.
      const version: Part =
        type === 'semver'
          ? { re: `${VERSION}(?:${PRERELEASE})?`, text: '<version>', name: 'version' }
          : { re: `\\d${TAG_CHAR}*`, text: '<version>', name: 'version' };
      const rendered = renderVersion(p, version, site);
      if (!Array.isArray(rendered)) return rendered;
      return [rendered, [version]];
    }
    case 'match': {
      const value = text('value');
      if (!onTag && (value === undefined || value === '')) return undefined;
      return unknown(
        'expression',
        'a `type=match` rule tags a part of the git tag matched when it runs',
        site,
      );
    }
    case 'ref': {
      const event = text('event');
      if (event === 'branch') {
        if (refs.branches === undefined) return undefined;
        const b = branchParts(refs, false);
        return Array.isArray(b) ? b : { ...b, site };
      }
      if (event === 'tag') {
        const t = tagNameParts(refs);
        return t === undefined || Array.isArray(t) ? t : { ...t, site };
      }
      if (event === 'pr')
        return refs.pullRequest ? [[{ re: '\\d+', text: '<number>', name: 'pr' }]] : undefined;
      return typeof event === 'object'
        ? event
        : unknown('expression', `\`event=${event}\` is not read`, site);
    }
    case 'edge':
      return refs.branches !== undefined ? [['edge']] : undefined;
    case 'raw': {
      const v = text('value');
      if (v === undefined || typeof v !== 'string') return v;
      return renderGlobal(v, c, site);
    }
    case 'sha': {
      const format = text('format') ?? 'short';
      if (typeof format !== 'string') return format;
      return [[shaPart(format === 'long' ? 40 : c.shortSha)]];
    }
    default:
      return unknown('expression', `docker/metadata-action tag type \`${type}\` is not read`, site);
  }
}

/** The tags a docker/metadata-action step computes on the workflow's refs. */
export function metadataTags(
  step: WorkflowStep,
  refs: WorkflowRefs | undefined,
  env: Record<string, string>,
  evaluate: Evaluate,
): MetadataTags {
  const input = (k: string) => step.with.get(k);
  const site = step.uses?.site ?? step.site;
  const imagesIn = input('images');
  const images = readImages(imagesIn?.value, evaluate, imagesIn?.valueSite ?? site);
  const tagsIn = input('tags');
  const tagSite = tagsIn?.valueSite ?? site;
  const whole = (why: Unknown): MetadataTags => ({ images, tags: [why] });
  if (!refs) return whole(unknown('expression', 'the workflow triggers are not read', site));
  const ctxIn = input('context')?.value;
  if (ctxIn !== undefined && ctxIn !== 'workflow')
    return whole(unknown('expression', `\`context: ${ctxIn}\` reads the ref from the checkout`, site));
  const sep = input('sep-tags')?.value;
  if (sep !== undefined && sep !== '' && sep !== '\n' && sep !== ',')
    return whole(unknown('expression', 'the tags are joined with `sep-tags`', site));
  const lengthIn = env.DOCKER_METADATA_SHORT_SHA_LENGTH;
  const shortSha =
    lengthIn === undefined ? 7 : /^\d+$/.test(lengthIn) ? Math.min(Number(lengthIn), 40) : undefined;
  const c: Context = { refs, shortSha };
  const flavor = readFlavor(input('flavor')?.value, evaluate, input('flavor')?.valueSite ?? site);
  if (!('latest' in flavor)) return whole(flavor);
  const rules = lines(tagsIn?.value);
  const tags: MetaTag[] = [];
  let latest = false;
  for (const line of rules.length ? rules : DEFAULT_RULES) {
    const attrs = attributes(line, evaluate, tagSite);
    const enable = attrs.get('enable');
    // Only a literal `false` disables a rule: `{{is_default_branch}}` or an expression may be true.
    if (enable?.known && enable.value === 'false') continue;
    const typeV = attrs.get('type');
    if (typeV && !typeV.known) {
      tags.push(typeV);
      continue;
    }
    const type = typeV?.value ?? 'raw';
    const values = ruleValues(type, attrs, c, tagSite);
    if (values === undefined) continue;
    const event = attrs.get('event');
    const kind = type === 'ref' && event?.known ? `ref-${event.value}` : type;
    if (flavor.latest === 'true' || (flavor.latest === 'auto' && LATEST_AUTO.has(kind))) latest = true;
    if (!Array.isArray(values)) {
      tags.push(values);
      continue;
    }
    // Prefix and suffix: the rule's own (sha: `sha-`, pr: `pr-` by default), else the flavor's.
    const fix = (k: 'prefix' | 'suffix'): Part[][] | Unknown => {
      const own =
        attrs.get(k) ??
        (k === 'prefix' && type === 'sha'
          ? { known: true as const, value: 'sha-', origin: { kind: 'default' as const } }
          : k === 'prefix' && kind === 'ref-pr'
            ? { known: true as const, value: 'pr-', origin: { kind: 'default' as const } }
            : flavor[k]);
      return own.known ? renderGlobal(own.value, c, tagSite) : own;
    };
    const prefix = fix('prefix');
    const suffix = fix('suffix');
    if (!Array.isArray(prefix) || !Array.isArray(suffix)) {
      tags.push(Array.isArray(prefix) ? (suffix as Unknown) : prefix);
      continue;
    }
    for (const parts of cross([prefix, values, suffix])) tags.push(toTag(parts));
  }
  if (latest) {
    const p = flavor.prefixLatest ? flavor.prefix : undefined;
    const s = flavor.suffixLatest ? flavor.suffix : undefined;
    if (p && !p.known) tags.push(p);
    else if (s && !s.known) tags.push(s);
    else tags.push(sanitize(`${p?.known ? p.value : ''}latest${s?.known ? s.value : ''}`));
  }
  const seen = new Set<string>();
  return {
    images,
    tags: tags.filter((t) => {
      const k = typeof t === 'string' ? `=${t}` : 'known' in t ? `?${t.reason}` : `~${t.pattern.source}`;
      if (seen.has(k)) return false;
      seen.add(k);
      return true;
    }),
  };
}

/** The `images` input: one name per line (`name=…,enable=…`), or one line of comma-separated names. */
function readImages(text: string | undefined, evaluate: Evaluate, site: Site): Value<string[]> {
  const list = lines(text);
  if (list.length === 0)
    return unknown('expression', 'docker/metadata-action has no `images`: its tags name no image', site);
  const entries: string[][] =
    list.length === 1 && fields(list[0] ?? '').every((f) => !/^[a-z]+=/i.test(f))
      ? fields(list[0] ?? '').map((f) => [f])
      : list.map((l) => fields(l));
  const out: string[] = [];
  for (const fs of entries) {
    let name: string | undefined;
    let enabled = true;
    for (const f of fs) {
      const m = /^(name|enable)=(.*)$/i.exec(f);
      if (m?.[1]?.toLowerCase() === 'enable') enabled = m[2]?.trim() !== 'false';
      else name = (m ? m[2] : f)?.trim();
    }
    if (!enabled || !name) continue;
    const v = evaluate(name, site, true);
    if (!v.known) return v;
    out.push(...v.value.map((n) => n.toLowerCase()));
  }
  return { known: true, value: out, origin: { kind: 'literal', site } };
}

/** Events whose runs get the default branch as their ref. */
const DEFAULT_BRANCH_EVENTS = new Set([
  'schedule',
  'workflow_run',
  'repository_dispatch',
  'issues',
  'issue_comment',
  'label',
  'milestone',
  'discussion',
  'discussion_comment',
  'gollum',
  'page_build',
  'public',
  'watch',
  'fork',
  'delete',
  'check_run',
  'check_suite',
  'status',
  'branch_protection_rule',
  'project',
  'project_card',
  'project_column',
]);

/**
 * The refs a workflow runs on, from `on:`. `push` with `branches` lists literal names (globs, `branches-ignore`:
 * any name); a trigger choosing its ref (workflow_dispatch, create, workflow_call) may run on any branch or tag;
 * scheduled and most other events run on the default branch, whose name is not known here.
 */
export function workflowRefs(on: Y | undefined): WorkflowRefs {
  const refs: WorkflowRefs = { branches: undefined, tags: undefined, pullRequest: false, schedule: false };
  if (!on) return refs;
  const site = on.site;
  const anyBranch = (why: string) => unknown('branch', why, site);
  const addBranches = (b: string[] | Unknown) => {
    if (!Array.isArray(b)) refs.branches = Array.isArray(refs.branches) || !refs.branches ? b : refs.branches;
    else if (refs.branches === undefined || Array.isArray(refs.branches))
      refs.branches = [...new Set([...(refs.branches ?? []), ...b])];
  };
  const addTags = (t: string[] | Unknown) => {
    if (!Array.isArray(t)) refs.tags = Array.isArray(refs.tags) || !refs.tags ? t : refs.tags;
    else if (refs.tags === undefined || Array.isArray(refs.tags))
      refs.tags = [...new Set([...(refs.tags ?? []), ...t])];
  };
  const events: [string, Y | undefined][] = on.isMap
    ? on.entries().map((e) => [e.key, e.value])
    : on.isSeq
      ? on.items().map((i) => [i.str() ?? '', undefined])
      : [[on.str() ?? '', undefined]];
  for (const [event, filters] of events) {
    const list = (k: string): string[] | undefined => {
      const y = filters?.isMap ? filters.get(k) : undefined;
      if (!y) return undefined;
      return y.isSeq ? y.items().map((i) => i.str() ?? '*') : [y.str() ?? '*'];
    };
    if (event === 'push') {
      const branches = list('branches');
      const tags = list('tags');
      const ignoreB = list('branches-ignore');
      const ignoreT = list('tags-ignore');
      const anyFilterB = branches !== undefined || ignoreB !== undefined;
      const anyFilterT = tags !== undefined || ignoreT !== undefined;
      if (anyFilterB || !anyFilterT) {
        if (branches && !ignoreB && branches.every((b) => !/[*?+[\]!]/.test(b))) addBranches(branches);
        else
          addBranches(
            anyBranch(
              branches
                ? `on.push.branches has patterns (${branches.join(', ')}): any matching branch runs it`
                : 'on.push runs on every branch (no branches filter)',
            ),
          );
      }
      if (anyFilterT || !anyFilterB) {
        if (tags && !ignoreT) addTags(tags);
        else addTags(unknown('branch', 'on.push runs on any tag', site));
      }
    } else if (event.startsWith('pull_request')) refs.pullRequest = true;
    else if (event === 'release') addTags(unknown('branch', 'a release runs it on its tag, any name', site));
    else if (event === 'merge_group') addBranches(anyBranch('a merge queue runs it on a temporary branch'));
    else if (DEFAULT_BRANCH_EVENTS.has(event)) {
      if (event === 'schedule') refs.schedule = true;
      addBranches(anyBranch(`${event} runs it on the default branch, whose name is not known`));
    } else {
      // workflow_dispatch, create, workflow_call, deployment…: the ref is chosen when it runs.
      addBranches(anyBranch(`${event} runs it on any branch or tag`));
      addTags(unknown('branch', `${event} runs it on any branch or tag`, site));
    }
  }
  return refs;
}
