import { isScalar } from 'yaml';
import { type SchemaDef, workflowSchema } from '../../knowledge/workflow-schema.js';
import type { Site, Workflow } from '../../model/deploy.js';
import type { Y } from '../yaml/node.js';

/**
 * What GitHub checks before it runs a workflow file, over the parsed document with positions:
 *
 * 1. the structure, against GitHub's own schema of workflow files (knowledge/workflow-schema.ts), read the way
 *    GitHub's parser reads it: a key picks among the shapes a mapping may have (a step with `run:` is a run step,
 *    so `with:` or `uses:` beside it is unexpected), scalars must match a scalar type, required keys must be set;
 * 2. what GitHub checks after the schema: job ids, `needs` naming existing jobs without cycles, at least one job
 *    that needs none, and at most one of `branches`/`branches-ignore` (and `tags`, `paths`) per event.
 *
 * Every value holding a `${{ }}` expression is left alone: its value is known when the workflow runs. Strings
 * that spell a number or a boolean are taken where those are expected.
 */
export function validateWorkflow(doc: Y): Workflow['problems'] {
  const issues: Issue[] = [];
  walk(doc, workflowSchema().root, [], false, undefined, issues);
  const problems = issues.map((i) => describe(i, doc)).filter((p): p is Problem => p !== undefined);
  if (doc.isMap) {
    problems.push(...filterConflicts(doc));
    const jobs = doc.get('jobs');
    if (jobs?.isMap) problems.push(...jobChecks(jobs, doc));
  }
  // One finding per place and message (a root cause the schema sees twice, through two shapes, is one problem).
  const seen = new Set<string>();
  return problems
    .filter((p) => {
      const k = `${p.site.span.start}:${p.message}`;
      if (seen.has(k)) return false;
      seen.add(k);
      return true;
    })
    .sort((a, b) => a.site.span.start - b.site.span.start);
}

type Problem = Workflow['problems'][number];
type Seg = string | number;

type Issue =
  /** A value of a type the schema does not allow there. */
  | {
      kind: 'type';
      path: Seg[];
      site: Site;
      keySite?: Site;
      got: Got;
      text?: string;
      def: string;
      ctx: boolean;
    }
  /** A key no shape of this mapping has. */
  | { kind: 'key'; path: Seg[]; key: string; site: Site; map: Y; known: string[] }
  | { kind: 'duplicate'; path: Seg[]; key: string; site: Site }
  | { kind: 'missing'; path: Seg[]; key: string; site: Site; keySite?: Site }
  /** Keys that do not tell which shape a mapping is (a step with neither `run` nor `uses`). */
  | { kind: 'ambiguous'; path: Seg[]; site: Site; keySite?: Site; keys: string[] };

type Got = 'mapping' | 'list' | 'null' | 'boolean' | 'number' | 'string';

/** Step keys of features GitHub has not released (its parser accepts them only behind a feature flag). */
const GATED = new Set(['background', 'wait', 'wait-all', 'cancel', 'parallel']);

function def(name: string): SchemaDef | undefined {
  return workflowSchema().get(name);
}

/** The scalar definitions a definition stands for, through nested one-ofs. */
function scalarDefs(name: string, out: SchemaDef[] = [], depth = 0): SchemaDef[] {
  const d = def(name);
  if (!d || depth > 16) return out;
  if (d.kind === 'one-of') for (const n of d.of) scalarDefs(n, out, depth + 1);
  else if (d.kind !== 'mapping' && d.kind !== 'sequence') out.push(d);
  return out;
}

/** The definitions of one collection kind a definition stands for: itself, or the members of its one-of. */
function ofKind<K extends 'mapping' | 'sequence'>(name: string, kind: K): Extract<SchemaDef, { kind: K }>[] {
  const d = def(name);
  if (!d) return [];
  if (d.kind === kind) return [d as Extract<SchemaDef, { kind: K }>];
  if (d.kind !== 'one-of') return [];
  return d.of.map(def).filter((x): x is Extract<SchemaDef, { kind: K }> => x?.kind === kind);
}

function scalarOf(y: Y | undefined): { got: Got; text: string } {
  if (!y || !isScalar(y.node)) return { got: 'null', text: '' };
  const v = y.node.value;
  if (v === null || v === undefined) return { got: 'null', text: '' };
  if (typeof v === 'boolean') return { got: 'boolean', text: String(v) };
  if (typeof v === 'number') return { got: 'number', text: y.str() ?? String(v) };
  return { got: 'string', text: String(v) };
}

function scalarMatches(d: SchemaDef, got: Got, text: string): boolean {
  switch (d.kind) {
    case 'null':
      return got === 'null';
    case 'boolean':
      return got === 'boolean' || (got === 'string' && /^(true|false)$/.test(text));
    case 'number':
      return got === 'number' || (got === 'string' && /^\s*-?\d+(\.\d+)?\s*$/.test(text));
    case 'string':
      // GitHub reads a null, boolean or number as its text when a string is expected.
      if (d.constant !== undefined)
        return d.ignoreCase ? d.constant.toUpperCase() === text.toUpperCase() : d.constant === text;
      return !d.nonEmpty || text !== '';
    default:
      return false;
  }
}

function walk(
  y: Y | undefined,
  name: string,
  path: Seg[],
  ctx: boolean,
  keySite: Site | undefined,
  out: Issue[],
) {
  const d = def(name);
  if (!d) return; // a definition the schema does not have: nothing to check against
  const allowed = ctx || d.context;
  const site = y?.site ?? keySite;
  if (!site) return;
  if (y?.isSeq) {
    const seq = ofKind(name, 'sequence')[0];
    if (!seq) {
      out.push({ kind: 'type', path, site, keySite, got: 'list', def: name, ctx: allowed });
      return;
    }
    y.items().forEach((item, i) => {
      walk(item, seq.item, [...path, i], allowed, item.site, out);
    });
    return;
  }
  if (y?.isMap) {
    const maps = ofKind(name, 'mapping');
    if (maps.length === 0) {
      out.push({ kind: 'type', path, site, keySite, got: 'mapping', def: name, ctx: allowed });
      return;
    }
    readMapping(y, maps, path, allowed, keySite, out);
    return;
  }
  const { got, text } = scalarOf(y);
  if (got === 'string' && text.includes('${{')) return;
  if (scalarDefs(name).some((s) => scalarMatches(s, got, text))) return;
  out.push({ kind: 'type', path, site, keySite, got, text, def: name, ctx: allowed });
}

function readMapping(
  y: Y,
  maps: Extract<SchemaDef, { kind: 'mapping' }>[],
  path: Seg[],
  ctx: boolean,
  keySite: Site | undefined,
  out: Issue[],
) {
  let shapes = [...maps];
  const known = [...new Set(maps.flatMap((m) => [...m.properties.keys()]))].filter((k) => !GATED.has(k));
  const first = maps[0]!;
  const wellKnown = maps.length > 1 || first.properties.size > 0 || !first.looseKey;
  const seen = new Set<string>();
  let expressionKey = false;
  for (const e of y.entries()) {
    if (e.key.includes('${{')) {
      expressionKey = true;
      continue;
    }
    const upper = e.key.toUpperCase();
    if (seen.has(upper)) {
      out.push({ kind: 'duplicate', path, key: e.key, site: e.keySite });
      continue;
    }
    seen.add(upper);
    if (wellKnown) {
      const having = shapes.filter((m) => m.properties.has(e.key));
      const prop = having[having.length - 1]?.properties.get(e.key);
      if (prop && !GATED.has(e.key)) {
        shapes = having;
        walk(e.value, prop.type, [...path, e.key], ctx, e.keySite, out);
        continue;
      }
      if (!prop && first.looseKey && first.looseValue) {
        walk(e.value, first.looseValue, [...path, e.key], ctx, e.keySite, out);
        continue;
      }
      out.push({ kind: 'key', path, key: e.key, site: e.keySite, map: y, known });
      continue;
    }
    if (first.looseValue) walk(e.value, first.looseValue, [...path, e.key], ctx, e.keySite, out);
  }
  if (!wellKnown) return;
  if (shapes.length > 1) {
    const count = new Map<string, number>();
    for (const m of shapes) for (const k of m.properties.keys()) count.set(k, (count.get(k) ?? 0) + 1);
    const keys = [...count].filter(([k, n]) => n === 1 && !GATED.has(k)).map(([k]) => k);
    out.push({ kind: 'ambiguous', path, site: y.site, keySite, keys: keys.sort() });
  } else if (shapes.length === 1 && !expressionKey) {
    for (const [k, p] of shapes[0]!.properties)
      if (p.required && !seen.has(k.toUpperCase()))
        out.push({ kind: 'missing', path, key: k, site: y.site, keySite });
  }
}

/** `jobs.build.steps[2]` */
function pathText(path: Seg[]): string {
  let s = '';
  for (const p of path) s += typeof p === 'number' ? `[${p}]` : s ? `.${p}` : p;
  return s;
}

/** What a definition accepts, in words: `a number`, `a list or a mapping`, `one of "read", "write"`. */
function expected(name: string, ctx: boolean): string {
  const words: string[] = [];
  const constants: string[] = [];
  const visit = (n: string, depth: number) => {
    const d = def(n);
    if (!d || depth > 16) return;
    if (d.kind === 'one-of') for (const m of d.of) visit(m, depth + 1);
    else if (d.kind === 'string' && d.constant !== undefined) constants.push(`"${d.constant}"`);
    else {
      const w =
        d.kind === 'mapping'
          ? 'a mapping'
          : d.kind === 'sequence'
            ? 'a list'
            : d.kind === 'string'
              ? d.nonEmpty
                ? 'a non-empty string'
                : 'a string'
              : d.kind === 'number'
                ? 'a number'
                : d.kind === 'boolean'
                  ? 'true or false'
                  : 'empty';
      if (!words.includes(w)) words.push(w);
    }
  };
  visit(name, 0);
  if (constants.length)
    words.unshift(
      constants.length > 8
        ? `one of ${constants.slice(0, 8).join(', ')}, …`
        : constants.length === 1
          ? constants[0]!
          : `one of ${constants.join(', ')}`,
    );
  // biome-ignore lint/suspicious/noTemplateCurlyInString: the text names GitHub's expression syntax.
  if (ctx) words.push('a ${{ }} expression');
  return words.length > 1
    ? `${words.slice(0, -1).join(', ')} or ${words[words.length - 1]}`
    : (words[0] ?? '');
}

function gotText(i: Extract<Issue, { kind: 'type' }>): string {
  if (i.got === 'mapping') return 'a mapping';
  if (i.got === 'list') return 'a list';
  if (i.got === 'null' || i.text === '') return 'empty';
  return `'${i.text}'`;
}

const isJob = (p: Seg[]) => p.length === 2 && p[0] === 'jobs';
const isStep = (p: Seg[]) =>
  p.length === 4 && p[0] === 'jobs' && p[2] === 'steps' && typeof p[3] === 'number';
const FILTER = /^(branches|tags|paths)(-ignore)?$/;

function describe(i: Issue, doc: Y): Problem | undefined {
  const at = pathText(i.path);
  const p = i.path;
  switch (i.kind) {
    case 'type': {
      if (p.length === 0)
        return { message: 'a workflow must be a mapping with "on" and "jobs"', site: i.site };
      if (p.length === 1 && p[0] === 'jobs') return { message: 'no "jobs:" mapping', site: i.site };
      if (isJob(p)) return { message: `job "${p[1]}" must be a mapping`, site: i.keySite ?? i.site };
      if (p.length === 3 && p[0] === 'jobs' && p[2] === 'steps')
        return { message: `"steps" of job "${p[1]}" must be a list`, site: i.site };
      if (isStep(p)) return { message: 'a step must be a mapping with "uses" or "run"', site: i.site };
      if (
        p[0] === 'on' &&
        (p.length === 1 || (p.length === 2 && typeof p[1] === 'number')) &&
        i.got === 'string'
      )
        return { message: `unknown event "${i.text}" in "on"`, site: i.site };
      if (p[0] === 'on' && p.length === 3 && FILTER.test(String(p[2])) && i.got === 'mapping')
        return { message: `"${at}" must be a list of patterns, not a mapping`, site: i.site };
      return { message: `"${at}" must be ${expected(i.def, i.ctx)}, not ${gotText(i)}`, site: i.site };
    }
    case 'key': {
      if (p.length === 0) {
        const hint = i.key === 'steps' ? ' (steps belong inside a job: jobs.<id>.steps)' : '';
        return { message: `unknown top-level key "${i.key}"${hint}`, site: i.site };
      }
      if (p.length === 1 && p[0] === 'on')
        return { message: `unknown event "${i.key}" in "on"`, site: i.site };
      if (isJob(p)) {
        const both = i.known.includes(i.key);
        const hint = both
          ? ' (a job either runs steps on a runner, with "runs-on", or calls a reusable workflow, with "uses")'
          : '';
        return { message: `unknown key "${i.key}" in job "${p[1]}"${hint || meant(i)}`, site: i.site };
      }
      if (isStep(p)) return stepKey(i);
      return { message: `unknown key "${i.key}" in "${at}"${meant(i)}`, site: i.site };
    }
    case 'duplicate':
      return { message: `"${i.key}" is set twice in "${at || 'the workflow'}"`, site: i.site };
    case 'missing': {
      if (p.length === 0 && i.key === 'on')
        return { message: 'no "on:" triggers: GitHub never runs this workflow', site: doc.site };
      if (p.length === 0 && i.key === 'jobs') return { message: 'no "jobs:" mapping', site: doc.site };
      if (isJob(p) && i.key === 'runs-on') return neitherRunsOnNorUses(p, i.keySite ?? i.site);
      if (isStep(p))
        return { message: 'a step has neither "run" nor "uses": it must have one', site: i.site };
      return { message: `"${at}" is missing the required key "${i.key}"`, site: i.keySite ?? i.site };
    }
    case 'ambiguous': {
      if (isJob(p)) return neitherRunsOnNorUses(p, i.keySite ?? i.site);
      if (isStep(p))
        return { message: 'a step has neither "run" nor "uses": it must have one', site: i.site };
      return {
        message: `"${at}" is incomplete: it needs one of ${i.keys.map((k) => `"${k}"`).join(', ')}`,
        site: i.keySite ?? i.site,
      };
    }
  }
}

function neitherRunsOnNorUses(p: Seg[], site: Site): Problem {
  return {
    message: `job "${p[1]}" has neither "runs-on" nor "uses" (Required property is missing: runs-on)`,
    site,
  };
}

/** ` (did you mean "with"?)` when a known key is one or two edits away from the unknown one. */
function meant(i: Extract<Issue, { kind: 'key' }>): string {
  let best: { key: string; d: number } | undefined;
  for (const k of i.known) {
    const d = distance(i.key.toLowerCase(), k);
    if (d > 0 && d <= Math.min(2, k.length - 2) && (!best || d < best.d)) best = { key: k, d };
  }
  return best ? ` (did you mean "${best.key}"?)` : '';
}

/** Edit distance (insertions, deletions, substitutions, transpositions of neighbours). */
function distance(a: string, b: string): number {
  if (Math.abs(a.length - b.length) > 2) return 3;
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [
    i,
    ...Array<number>(b.length).fill(0),
  ]);
  for (let j = 1; j <= b.length; j++) d[0]![j] = j;
  for (let i = 1; i <= a.length; i++)
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        v = Math.min(v, d[i - 2]![j - 2]! + 1);
      d[i]![j] = v;
    }
  return d[a.length]![b.length]!;
}

const RUN_ONLY = new Set(['run', 'shell', 'working-directory']);
const USES_ONLY = new Set(['uses', 'with']);

function stepKey(i: Extract<Issue, { kind: 'key' }>): Problem {
  const step = i.map;
  const hasRun = step.get('run') !== undefined;
  const hasUses = step.get('uses') !== undefined;
  if ((i.key === 'run' || i.key === 'uses') && hasRun && hasUses)
    return { message: 'a step has both "run" and "uses": it must have exactly one', site: step.site };
  if (USES_ONLY.has(i.key) && hasRun)
    return {
      message: `"${i.key}" is only allowed beside "uses": a "run" step takes no inputs`,
      site: i.site,
    };
  if (RUN_ONLY.has(i.key) && hasUses)
    return {
      message: `"${i.key}" only applies to a "run" step, not to a step that "uses" an action`,
      site: i.site,
    };
  // An action input written at the step's level, e.g. dedented out of `with:`.
  const hint =
    meant(i) ||
    (hasUses && (i.map.get(i.key)?.isMap || i.map.get(i.key)?.isSeq) === false
      ? ' (an input of the action? inputs go under "with:")'
      : '');
  return { message: `unknown step key "${i.key}"${hint}`, site: i.site };
}

/** `branches` and `branches-ignore` (or tags, paths) on one event: GitHub accepts only one of each pair. */
function filterConflicts(doc: Y): Problem[] {
  const on = doc.get('on');
  const out: Problem[] = [];
  if (!on?.isMap) return out;
  for (const event of on.entries()) {
    if (!event.value?.isMap) continue;
    const keys = new Map(event.value.entries().map((e) => [e.key, e.keySite] as const));
    for (const f of ['branches', 'tags', 'paths']) {
      const ignore = keys.get(`${f}-ignore`);
      const plain = keys.get(f);
      if (!ignore || !plain) continue;
      const later = ignore.span.start > plain.span.start ? ignore : plain;
      out.push({
        message: `"on.${event.key}" sets both "${f}" and "${f}-ignore": GitHub allows only one of them per event`,
        site: later,
      });
    }
  }
  return out;
}

const JOB_ID = /^[A-Za-z_][A-Za-z0-9_-]*$/;

/** Job ids, and `needs`: each names a job of this workflow, without cycles, and one job at least needs none. */
function jobChecks(jobs: Y, doc: Y): Problem[] {
  const out: Problem[] = [];
  const entries = jobs.entries().filter((j) => !j.key.includes('${{'));
  const ids = new Set(entries.map((j) => j.key));
  for (const j of entries) {
    if (!JOB_ID.test(j.key) || j.key.length >= 100)
      out.push({
        message: `job id "${j.key}" is invalid: an id starts with a letter or "_", holds only letters, digits, "_" and "-", and is under 100 characters`,
        site: j.keySite,
      });
    else if (j.key.startsWith('__'))
      out.push({
        message: `job id "${j.key}" is invalid: ids starting with "__" are reserved`,
        site: j.keySite,
      });
  }
  if (entries.length === 0) {
    out.push({ message: '"jobs" is empty: a workflow needs at least one job', site: (jobs ?? doc).site });
    return out;
  }
  /** Each job's needs as written (literal job names with their sites); undefined when one is an expression. */
  const needs = new Map<string, { name: string; site: Site }[]>();
  for (const j of entries) {
    const n = j.value?.isMap ? j.value.get('needs') : undefined;
    const items = n === undefined ? [] : n.isSeq ? n.items() : [n];
    const list = items.map((i) => ({ name: i.str(), site: i.site }));
    if (list.some((x) => x.name === undefined || x.name.includes('${{'))) return out;
    needs.set(
      j.key,
      list.map((x) => ({ name: x.name ?? '', site: x.site })),
    );
  }
  // GitHub's order: run what needs nothing, release what waited only on it; what never becomes ready waits on a
  // job that does not exist or on a cycle (also when every job needs another: GitHub says then that none is free).
  const ready = [...needs].filter(([, n]) => n.length === 0).map(([id]) => id);
  const waiting = new Map([...needs].filter(([, n]) => n.length > 0).map(([id, n]) => [id, [...n]] as const));
  while (ready.length > 0) {
    const done = ready.shift()!;
    for (const [id, n] of waiting) {
      const left = n.filter((x) => x.name !== done);
      waiting.set(id, left);
      if (left.length === 0) {
        waiting.delete(id);
        ready.push(id);
      }
    }
  }
  // A need naming no job is its own mistake; the jobs left waiting on one another are one cycle, reported once.
  const cycle: { id: string; need: { name: string; site: Site } }[] = [];
  for (const [id, n] of waiting)
    for (const need of n) {
      if (ids.has(need.name)) cycle.push({ id, need });
      else
        out.push({
          message: `job "${id}" needs "${need.name}", which is not a job of this workflow`,
          site: need.site,
        });
    }
  const first = cycle.sort((a, b) => a.need.site.span.start - b.need.site.span.start)[0];
  if (first) {
    const stuck = [...new Set(cycle.map((c) => `"${c.id}"`))].join(', ');
    out.push({
      message: `job "${first.id}" needs "${first.need.name}", which creates a cycle in the dependency graph: jobs ${stuck} never run`,
      site: first.need.site,
    });
  }
  return out;
}
