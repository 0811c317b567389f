import type { Site } from './deploy.js';
import type { DfInstruction, DfStage, Dockerfile } from './dockerfile.js';
import type { Platform } from './platform.js';
import type { Build, ImageView, StageView } from './project.js';
import { joinPath, within } from './repo.js';
import type { SourceFile } from './source.js';
import { bracedAt, closingBrace, nameEnd, replaceMatches, scanDollars, trimTrailingSlashes } from './text.js';
import { known, type Unknown, unknown, type Value } from './value.js';

/**
 * Evaluating a Dockerfile for one build: ARG and ENV values (build arguments applied, defaults, predefined platform
 * args), base images, the stages a target builds, WORKDIR, and which context file an in-image path came from.
 * Pure functions of the model; an unresolved variable makes a value unknown, never a guess.
 */

/** Build arguments BuildKit defines in the global scope without an ARG. */
export const PLATFORM_ARGS: ReadonlySet<string> = new Set([
  'TARGETPLATFORM',
  'TARGETOS',
  'TARGETARCH',
  'TARGETVARIANT',
  'BUILDPLATFORM',
  'BUILDOS',
  'BUILDARCH',
  'BUILDVARIANT',
]);

/** `ARG A=1 B` → declarations. */
export function argDeclarations(ins: DfInstruction): { name: string; defaultValue: string | undefined }[] {
  return ins.words.map((w) => {
    const eq = w.value.indexOf('=');
    return eq < 0
      ? { name: w.value, defaultValue: undefined }
      : { name: w.value.slice(0, eq), defaultValue: w.value.slice(eq + 1) };
  });
}

/** `ENV A=1 B=2` or legacy `ENV A 1` → pairs. */
export function envDeclarations(ins: DfInstruction): { name: string; value: string }[] {
  const words = ins.words;
  if (words.length >= 2 && !(words[0]?.value ?? '').includes('=')) {
    const rest = ins.args.slice(ins.shellStart).trim();
    const name = words[0]?.value ?? '';
    return [{ name, value: rest.slice(rest.indexOf(name) + name.length).trim() }];
  }
  return words
    .filter((w) => w.value.includes('='))
    .map((w) => ({
      name: w.value.slice(0, w.value.indexOf('=')),
      value: w.value.slice(w.value.indexOf('=') + 1),
    }));
}

/**
 * Variables in scope: a known value, unknown, or `unset` (declared without a value: expands to empty).
 * `declaredAt`: where each ARG that nothing passes is declared, the site of the unknowns it causes (one note per
 * ARG, whatever uses it).
 */
export type Vars = Map<string, Value<string> | 'unset'> & { declaredAt?: Map<string, Site> };

/**
 * The substitutions in a text, in order: `$X`, `${X}`, `${X<op>word}` (op `:-`, `:+`, `-`, `+`) with their name,
 * operator and word; any other `${…}` (up to the first `}`) without a name. What
 * `/\$(?:\{(NAME)(?:(:?[-+])([^}]*))?\}|(NAME))|\$\{[^}]*\}/g` found, scanned by hand (see model/text.ts).
 */
export function substitutions(
  text: string,
): { start: number; end: number; name?: string; op?: string; word?: string }[] {
  const close = closingBrace(text);
  return scanDollars(text, (i): { end: number; name?: string; op?: string; word?: string } | undefined => {
    if (text[i + 1] !== '{') {
      const n = nameEnd(text, i + 1);
      return n > i + 1 ? { end: n, name: text.slice(i + 1, n) } : undefined;
    }
    const braced = bracedAt(text, i, [':-', ':+', '-', '+'], close);
    if (braced) return braced;
    const c = close(i + 2);
    return c < 0 ? undefined : { end: c + 1 };
  });
}

/**
 * Docker's substitution (`$X`, `${X}`, `${X:-d}`, `${X-d}`, `${X:+a}`, `${X+a}`) over known values. A variable that
 * is unknown makes the result unknown; one not in scope at all is `undeclared` (the caller decides what that
 * means: empty in FROM, the base image's ENV elsewhere).
 */
export function substitute(
  text: string,
  vars: Vars,
  undeclared: (name: string) => Value<string> | 'unset',
): Value<string> {
  let why: Unknown | undefined;
  const out = replaceMatches(text, substitutions(text), ({ name, op, word }, whole) => {
    if (name === undefined) {
      why ??= unknown('expression', `\`${whole}\` uses a substitution crossdock does not evaluate`);
      return whole;
    }
    const v = vars.has(name) ? (vars.get(name) as Value<string> | 'unset') : undeclared(name);
    if (v !== 'unset' && !v.known) {
      why ??= v;
      return whole;
    }
    // `$X` of an ARG declared without a default that the build does not pass: Docker substitutes an empty
    // string and the instruction breaks; no other claim can rest on it.
    if (v === 'unset' && op === undefined && vars.has(name)) {
      why ??= unknown(
        'arg-no-default',
        `ARG ${name} has no default and this build does not pass it`,
        vars.declaredAt?.get(name),
        'pass the build argument, or give the ARG a default',
      );
      return whole;
    }
    const value = v === 'unset' ? undefined : v.value;
    const set = value !== undefined;
    const nonEmpty = set && value !== '';
    if (op === ':-') return nonEmpty ? value : (word ?? '');
    if (op === '-') return set ? value : (word ?? '');
    if (op === ':+') return nonEmpty ? (word ?? '') : '';
    if (op === '+') return set ? (word ?? '') : '';
    return value ?? '';
  });
  if (why) return why;
  return known(out, { kind: text.includes('$') ? 'variable' : 'literal' });
}

/** A predefined platform ARG's value: known when the build builds exactly one known platform. */
function platformArg(name: string, build: Build): Value<string> {
  const list = build.platforms.known ? build.platforms.value : undefined;
  const p: Platform | undefined = list?.length === 1 ? list[0] : undefined;
  if (p && name.startsWith('TARGET')) {
    const v =
      name === 'TARGETPLATFORM'
        ? `${p.os}/${p.architecture}${p.variant ? `/${p.variant}` : ''}`
        : name === 'TARGETOS'
          ? p.os
          : name === 'TARGETARCH'
            ? p.architecture
            : (p.variant ?? '');
    return known(v, { kind: 'convention', detail: `${name} of the only platform built` });
  }
  return unknown('branch', `\`${name}\` differs per platform built`);
}

/** What the build passes for an ARG: explicitly, or possibly through arguments crossdock cannot read. */
function buildArg(build: Build, name: string): Value<string> | undefined {
  return build.buildArgs[name] ?? (PLATFORM_ARGS.has(name) ? undefined : build.otherArgs);
}

/** A Dockerfile no build site builds: its ARGs without defaults are unknown, not empty. */
function noSite(build: Build): boolean {
  return build.origin === 'dockerfile';
}

/** An ARG without a default in a Dockerfile no build site builds: whoever builds it may pass anything. */
function notPassed(name: string, site: Site | undefined): Value<string> {
  return unknown(
    'arg-no-default',
    `ARG ${name} has no default and no build site in the repository passes it`,
    site,
    `give the ARG a default, or declare the image under \`images:\` in crossdock.yaml with its buildArgs`,
  );
}

/** The global scope (ARGs before the first FROM), for FROM lines. `file`: the Dockerfile, for declaration sites. */
export function globalVars(df: Dockerfile, build: Build, file?: SourceFile): Vars {
  const vars: Vars = Object.assign(new Map(), { declaredAt: new Map<string, Site>() });
  for (const name of PLATFORM_ARGS) vars.set(name, platformArg(name, build));
  for (const a of df.globalArgs) {
    const site = file ? { file, span: a.span } : undefined;
    if (site) vars.declaredAt?.set(a.name, site);
    const passed = buildArg(build, a.name);
    if (passed) vars.set(a.name, passed);
    else if (a.defaultValue !== undefined)
      vars.set(
        a.name,
        substitute(a.defaultValue, vars, () => 'unset'),
      );
    else vars.set(a.name, noSite(build) ? notPassed(a.name, site) : 'unset');
  }
  return vars;
}

/**
 * Per-view caches: stageVars, workdirAt and copyMappings walk the whole chain of a stage, and rules ask for them at
 * every instruction; each is computed once per (view, stage), for every instruction at once.
 */
interface StageCache {
  /** Variables in scope before each instruction of the chain, and after the last. */
  vars?: { at: Map<DfInstruction, Vars>; end: Vars };
  workdir?: { at: Map<DfInstruction, Value<string>>; end: Value<string> };
  /** Local copies of the chain in order, with each instruction's position to cut them before it. */
  copies?: { all: CopyMapping[]; order: Map<DfInstruction, number> };
}
const stageCaches = new WeakMap<ImageView, Map<DfStage, StageCache>>();

function stageCache(view: ImageView, stage: DfStage): StageCache {
  let byStage = stageCaches.get(view);
  if (!byStage) {
    byStage = new Map();
    stageCaches.set(view, byStage);
  }
  let c = byStage.get(stage);
  if (!c) {
    c = {};
    byStage.set(stage, c);
  }
  return c;
}

function copyVars(vars: Vars): Vars {
  return Object.assign(new Map(vars), { declaredAt: new Map(vars.declaredAt) });
}

/**
 * Variables in scope at an instruction of a stage (ARGs redeclared in the chain, ENV), for this build. The result is
 * shared (cached per view): do not modify it.
 */
export function stageVars(view: ImageView, stage: DfStage, upTo?: DfInstruction): Vars {
  const cache = stageCache(view, stage);
  cache.vars ??= computeStageVars(view, stage);
  return (upTo && cache.vars.at.get(upTo)) || cache.vars.end;
}

function computeStageVars(view: ImageView, stage: DfStage): { at: Map<DfInstruction, Vars>; end: Vars } {
  const df = view.dockerfile;
  const globals = globalVars(df, view.build, view.file);
  const vars: Vars = Object.assign(new Map(), { declaredAt: new Map<string, Site>() });
  const sv = view.stages[stage.index];
  const fromBase = baseEnv(view, stage);
  const at = new Map<DfInstruction, Vars>();
  let snapshot = copyVars(vars);
  for (const s of sv?.chain ?? [stage]) {
    for (const ins of s.instructions) {
      at.set(ins, snapshot);
      if (ins.keyword === 'ARG') {
        for (const [k, a] of argDeclarations(ins).entries()) {
          const span = ins.words[k]?.span;
          const global = a.defaultValue === undefined ? globals.declaredAt?.get(a.name) : undefined;
          const site = global ?? (span ? { file: view.file, span } : undefined);
          if (site) vars.declaredAt?.set(a.name, site);
          const passed = buildArg(view.build, a.name);
          if (PLATFORM_ARGS.has(a.name)) vars.set(a.name, platformArg(a.name, view.build));
          else if (passed) vars.set(a.name, passed);
          else if (a.defaultValue !== undefined) vars.set(a.name, substitute(a.defaultValue, vars, fromBase));
          else
            vars.set(a.name, globals.get(a.name) ?? (noSite(view.build) ? notPassed(a.name, site) : 'unset'));
        }
      } else if (ins.keyword === 'ENV') {
        for (const e of envDeclarations(ins)) vars.set(e.name, substitute(e.value, vars, fromBase));
      }
      if (ins.keyword === 'ARG' || ins.keyword === 'ENV') snapshot = copyVars(vars);
    }
  }
  return { at, end: snapshot };
}

/**
 * A variable that no ARG or ENV before it in the stage (or its chain) declares: the base image's ENV may set it,
 * so its value is unknown (image contents), not empty; only `scratch` is known to set none.
 */
function baseEnv(view: ImageView, stage: DfStage): (name: string) => Value<string> | 'unset' {
  const base = view.stages[stage.index]?.base;
  if (base?.known && base.value.trim() === 'scratch') return () => 'unset';
  return (name) =>
    unknown('image-contents', `\`$${name}\` is not declared in the Dockerfile: the base image may set it`);
}

/**
 * Substitutes variables in an instruction argument (COPY source, WORKDIR, EXPOSE, USER) for this build. A variable
 * not declared in the Dockerfile may come from the base image's ENV (see baseEnv).
 */
export function resolveWord(
  view: ImageView,
  stage: DfStage,
  ins: DfInstruction,
  text: string,
): Value<string> {
  if (!text.includes('$')) return known(text, { kind: 'literal' });
  return substitute(text, stageVars(view, stage, ins), baseEnv(view, stage));
}

/** The stage a `FROM <name>` / `COPY --from=<name>` names: by name (before `before`) or index. */
export function stageNamed(df: Dockerfile, name: string, before: number): DfStage | undefined {
  if (/^\d+$/.test(name)) return df.stages[Number(name)];
  const lower = name.toLowerCase();
  return df.stages.find((s) => s.index < before && s.name === lower);
}

/** A stage and the local stages it is built FROM, base first. */
export function chainOf(df: Dockerfile, stage: DfStage): DfStage[] {
  const chain: DfStage[] = [];
  let s: DfStage | undefined = stage;
  const seen = new Set<number>();
  while (s && !seen.has(s.index)) {
    seen.add(s.index);
    chain.unshift(s);
    s = s.baseStage !== undefined ? df.stages[s.baseStage] : undefined;
  }
  return chain;
}

/** Builds the per-stage view of a Dockerfile for one build. */
export function stageViews(
  df: Dockerfile,
  build: Build,
  file?: SourceFile,
): { stages: StageView[]; target: DfStage | undefined } {
  const globals = globalVars(df, build, file);
  // A target that is not known builds stages nobody can name: none is taken as built.
  const t = build.target;
  const target = t
    ? t.known
      ? df.stages.find((s) => s.name === t.value.toLowerCase())
      : undefined
    : df.stages[df.stages.length - 1];
  const stages: StageView[] = df.stages.map((stage) => {
    const chain = chainOf(df, stage);
    const root = chain[0] ?? stage;
    let base: Value<string>;
    const named = build.namedContexts[root.imageRaw];
    if (named !== undefined)
      base = known(named, { kind: 'config', detail: `named context ${root.imageRaw}` });
    else {
      base = substitute(root.imageRaw, globals, () => 'unset');
      // An ARG nothing passes is its own root cause, noted at its declaration whatever uses it: kept as is.
      const atArg = !base.known && base.kind === 'arg-no-default' && base.site !== undefined;
      if (
        !atArg &&
        ((base.known && base.value.trim() === '') || (!base.known && base.kind === 'arg-no-default'))
      )
        base = unknown(
          'arg-no-default',
          `\`FROM ${root.imageRaw}\` is empty for this build: nothing passes the ARG`,
          undefined,
          'pass the build argument, or give the ARG a default',
        );
    }
    const flag = chain.map((s) => s.platformFlag?.value ?? '').find((v) => v !== '');
    return { stage, chain, base, buildPlatform: /\$\{?BUILDPLATFORM\b/.test(flag ?? ''), built: false };
  });
  // What the target builds: its chain, and the stages it copies or mounts from (recursively).
  const todo = target ? [target] : [];
  while (todo.length) {
    const s = todo.pop() as DfStage;
    const sv = stages[s.index];
    if (!sv || sv.built) continue;
    sv.built = true;
    for (const c of sv.chain) {
      if (!stages[c.index]?.built) todo.push(c);
      for (const ins of c.instructions) {
        const refs: string[] = [];
        const from = ins.flags.find((f) => f.name === 'from')?.value;
        if (from && (ins.keyword === 'COPY' || ins.keyword === 'ADD')) refs.push(from);
        for (const f of ins.flags)
          if (f.name === 'mount') {
            const m = /(?:^|,)from=([^,]+)/.exec(f.value ?? '');
            if (m?.[1]) refs.push(m[1]);
          }
        for (const r of refs) {
          const dep = stageNamed(df, r, c.index);
          if (dep && !stages[dep.index]?.built) todo.push(dep);
        }
      }
    }
  }
  return { stages, target };
}

/** Images with a known empty WORKDIR (their config sets none): official language and distro images (not golang: /go). */
const ROOT_WORKDIR =
  /^(docker\.io\/)?(library\/)?(python|node|debian|ubuntu|alpine|busybox|pypy|rust|buildpack-deps)(:|@|$)|^scratch$/;

/** The WORKDIR in effect at an instruction: WORKDIRs in the chain; before any, the base image's (`/` for known official images). */
export function workdirAt(view: ImageView, stage: DfStage, upTo?: DfInstruction): Value<string> {
  const cache = stageCache(view, stage);
  cache.workdir ??= computeWorkdirs(view, stage);
  return (upTo && cache.workdir.at.get(upTo)) || cache.workdir.end;
}

function computeWorkdirs(
  view: ImageView,
  stage: DfStage,
): { at: Map<DfInstruction, Value<string>>; end: Value<string> } {
  const sv = view.stages[stage.index];
  const at = new Map<DfInstruction, Value<string>>();
  let wd: Value<string> | undefined;
  for (const s of sv?.chain ?? [stage]) {
    for (const ins of s.instructions) {
      at.set(ins, wd ?? baseWorkdir(view, sv?.base));
      if (ins.keyword !== 'WORKDIR') continue;
      const raw = ins.words[0]?.value ?? '';
      const v = resolveWord(view, s, ins, raw);
      if (!v.known) {
        wd = v;
        continue;
      }
      if (v.value.startsWith('/')) wd = known(normalize('/', v.value), { kind: 'literal' });
      else {
        const prev = wd ?? baseWorkdir(view, sv?.base);
        wd = prev.known ? known(normalize(prev.value, v.value), { kind: 'literal' }) : prev;
      }
    }
  }
  return { at, end: wd ?? baseWorkdir(view, sv?.base) };
}

function baseWorkdir(_view: ImageView, base: Value<string> | undefined): Value<string> {
  if (base?.known && ROOT_WORKDIR.test(base.value))
    return known('/', { kind: 'convention', detail: 'the base image sets no WORKDIR' });
  return unknown(
    'image-contents',
    base?.known ? `the WORKDIR of ${base.value} is not known` : 'the base image is not known',
  );
}

/**
 * The in-image paths a RUN's commands create (`mkdir -p $D/app`, `pip install --prefix`, `go build -o`): ARG and ENV
 * values substituted (they are the RUN's environment), relative paths resolved against the WORKDIR. A path with a
 * variable the Dockerfile does not set, or relative to an unknown WORKDIR, is unknown.
 */
export function runCreates(view: ImageView, stage: DfStage, ins: DfInstruction): Value<string>[] {
  const wd = workdirAt(view, stage, ins);
  const site = { file: view.file, span: ins.span };
  return (ins.analysis?.facts.commands ?? []).flatMap((c) =>
    c.creates.map((written) => {
      const v = resolveWord(view, stage, ins, written);
      if (!v.known) return { ...v, site: v.site ?? site };
      if (v.value.startsWith('/')) return known(normalize('/', v.value), v.origin);
      return wd.known ? known(normalize(wd.value, v.value), v.origin) : { ...wd, site: wd.site ?? site };
    }),
  );
}

/** Resolves an in-image path against a folder; normalises `.`, `..` and trailing slashes. */
export function normalize(workdir: string, p: string): string {
  const abs = p.startsWith('/') ? p : `${workdir.replace(/\/$/, '')}/${p}`;
  const out: string[] = [];
  for (const seg of abs.split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') out.pop();
    else out.push(seg);
  }
  return `/${out.join('/')}`;
}

/** A source that names a file rather than a folder: it has an extension or is a dotfile. */
export function isFileLike(path: string): boolean {
  const base = trimTrailingSlashes(path).split('/').pop() ?? '';
  return /^\.[^./]+$/.test(base) || /[^.]\.[A-Za-z0-9]+$/.test(base);
}

/** One local COPY/ADD (or bind mount) as a mapping from in-image paths to context paths. */
export interface CopyMapping {
  ins: DfInstruction;
  stage: DfStage;
  /** Context-relative source as resolved (no glob), or undefined when unknown. */
  source: string;
  /** In-image destination (absolute). */
  dest: string;
  /** The source is a folder: the destination holds its contents. */
  tree: boolean;
}

/** Local COPY/ADD instructions of a stage's chain up to (not including) `upTo`, as mappings. */
export function copyMappings(view: ImageView, stage: DfStage, upTo?: DfInstruction): CopyMapping[] {
  const cache = stageCache(view, stage);
  cache.copies ??= computeCopyMappings(view, stage);
  const { all, order } = cache.copies;
  const cut = upTo ? order.get(upTo) : undefined;
  return cut === undefined ? all.slice() : all.filter((m) => (order.get(m.ins) ?? 0) < cut);
}

function computeCopyMappings(
  view: ImageView,
  stage: DfStage,
): { all: CopyMapping[]; order: Map<DfInstruction, number> } {
  const out: CopyMapping[] = [];
  const order = new Map<DfInstruction, number>();
  const sv = view.stages[stage.index];
  for (const s of sv?.chain ?? [stage]) {
    for (const ins of s.instructions) {
      order.set(ins, order.size);
      if (ins.keyword !== 'COPY' && ins.keyword !== 'ADD') continue;
      if (ins.flags.some((f) => f.name === 'from')) continue;
      const words = ins.words.filter((w) => !w.value.startsWith('<<'));
      const destWord = ins.words[ins.words.length - 1];
      if (!destWord || ins.words.length < 2) continue;
      const wd = workdirAt(view, s, ins);
      const d = resolveWord(view, s, ins, destWord.value);
      if (!d.known || (!d.value.startsWith('/') && !wd.known)) continue;
      const dest = normalize(wd.known ? wd.value : '/', d.value);
      const sources = words.slice(0, -1);
      const destIsDir = d.value.endsWith('/') || sources.length > 1 || d.value === '.';
      for (const w of sources) {
        if (/^[a-z][a-z0-9+.-]*:\/\//i.test(w.value) || w.value.startsWith('git@')) continue;
        const src = resolveWord(view, s, ins, w.value);
        if (!src.known || /[*?[]/.test(src.value)) continue;
        const clean = trimTrailingSlashes(src.value.replace(/^\/+/, '')) || '.';
        const tree = clean === '.' || w.value.endsWith('/') || !isFileLike(clean);
        out.push({
          ins,
          stage: s,
          source: clean,
          dest: !tree && destIsDir ? `${dest === '/' ? '' : dest}/${clean.split('/').pop()}` : dest,
          tree,
        });
      }
    }
  }
  return { all: out, order };
}

/**
 * The repository file an in-image path came from, as of an instruction: the last local COPY/ADD before it that
 * covers the path, read through the build's context. Unknown when nothing copied it (it comes from the base image
 * or a RUN) or the context is not known.
 */
export function imageFileSource(
  view: ImageView,
  stage: DfStage,
  upTo: DfInstruction,
  inImage: string,
): Value<string> {
  const ctx = view.build.context;
  let hit: CopyMapping | undefined;
  for (const m of copyMappings(view, stage, upTo)) {
    if (m.dest === inImage || (m.tree && inImage.startsWith(`${m.dest === '/' ? '' : m.dest}/`))) hit = m;
  }
  // A bind mount of the context for this RUN (`--mount=type=bind,source=x,target=/y`).
  for (const f of upTo.flags) {
    if (f.name !== 'mount' || !/type=bind/.test(f.value ?? '') || /from=/.test(f.value ?? '')) continue;
    const source = /(?:^|,)(?:source|src)=([^,]+)/.exec(f.value ?? '')?.[1] ?? '.';
    const target = /(?:^|,)(?:target|dst|destination)=([^,]+)/.exec(f.value ?? '')?.[1];
    if (!target) continue;
    const t = normalize('/', target);
    if (inImage === t || inImage.startsWith(`${t}/`))
      hit = {
        ins: upTo,
        stage,
        source: source.replace(/^\/+/, '') || '.',
        dest: t,
        tree: !isFileLike(source),
      };
  }
  // A RUN after that copy (or this RUN, earlier in its text) that writes the path makes it not the context's file.
  const from = hit && hit.stage === stage ? hit.ins.span.start : -1;
  for (const ins of stage.instructions) {
    if (ins.keyword !== 'RUN' || ins.span.start <= from || ins.span.start > upTo.span.start) continue;
    // The path itself: a folder a RUN creates or writes into (`pip install --prefix=/install`) keeps the files
    // copied there.
    if (runCreates(view, stage, ins).some((v) => v.known && v.value === inImage))
      return unknown(
        'effects',
        `\`${inImage}\` is written by a RUN of the image, not copied from the context`,
        {
          file: view.file,
          span: ins.span,
        },
      );
  }
  if (!hit)
    return unknown('effects', `\`${inImage}\` is not copied from the build context before this point`);
  const rel = hit.dest === inImage ? '' : inImage.slice(hit.dest === '/' ? 1 : hit.dest.length + 1);
  const inContext = rel ? (hit.source === '.' ? rel : `${hit.source}/${rel}`) : hit.source;
  if (!ctx.known) return { ...ctx };
  const p = joinPath(ctx.value, inContext);
  if (p === undefined || !within(ctx.value, p))
    return unknown('outside-repository', `\`${inContext}\` leaves the build context`);
  return known(p, { kind: 'literal', detail: `copied to ${inImage}` });
}

/** The file an image view belongs to (for reports). */
export function viewFile(view: ImageView): SourceFile {
  return view.file;
}
