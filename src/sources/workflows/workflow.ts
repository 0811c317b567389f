import { joinPath } from '../../engine/build-graph.js';
import type { Located, Site, Workflow, WorkflowJob, WorkflowStep } from '../../model/deploy.js';
import { imageMention, loginMention } from '../../model/image-ref.js';
import { parsePlatform, type Platform } from '../../model/platform.js';
import type { Build, ProjectModel } from '../../model/project.js';
import { locate, type SourceFile } from '../../model/source.js';
import { parseShell } from '../shell/parse.js';
import { type BuildCommand, scriptFacts } from '../scripts/commands.js';
import { scalarOffsets, type Y } from '../yaml/node.js';

const TOP_KEYS = new Set(['name', 'run-name', 'on', 'permissions', 'env', 'defaults', 'concurrency', 'jobs']);
const JOB_KEYS = new Set([
  'name',
  'permissions',
  'needs',
  'if',
  'runs-on',
  'environment',
  'concurrency',
  'outputs',
  'env',
  'defaults',
  'steps',
  'timeout-minutes',
  'strategy',
  'continue-on-error',
  'container',
  'services',
  'uses',
  'with',
  'secrets',
]);
const STEP_KEYS = new Set([
  'id',
  'if',
  'name',
  'uses',
  'run',
  'shell',
  'with',
  'env',
  'continue-on-error',
  'timeout-minutes',
  'working-directory',
]);
const FILTER_KEYS = ['branches', 'branches-ignore', 'tags', 'tags-ignore', 'paths', 'paths-ignore'];
const MAX_COMBINATIONS = 32;

/** Replaces `${{ env.X }}`, `${{ matrix.X }}` and `${{ vars.X }}`-free expressions it can resolve. */
export function resolveExpressions(
  text: string,
  env: Record<string, string>,
  matrix: Record<string, string>,
): string {
  return text.replace(
    /\$\{\{\s*(env|matrix)\.([A-Za-z0-9_-]+)\s*\}\}/g,
    (whole, scope: string, key: string) => {
      const v = scope === 'env' ? env[key] : matrix[key];
      return v ?? whole;
    },
  );
}

function splitList(text: string): string[] {
  return text
    .split(/[\n,]/)
    .map((s) => s.trim())
    .filter(Boolean);
}

/** Matrix combinations (scalar lists crossed, `include` entries added), capped. */
function combinations(job: Y): {
  combos: Record<string, string>[];
  values: Record<string, Located<string>[]>;
} {
  const matrix = job.at('strategy', 'matrix');
  const values: Record<string, Located<string>[]> = {};
  let combos: Record<string, string>[] = [{}];
  if (!matrix?.isMap) return { combos, values };
  for (const e of matrix.entries()) {
    if (e.key === 'include' || e.key === 'exclude' || !e.value?.isSeq) continue;
    const list = e.value
      .items()
      .map((i) => ({ value: i.str(), site: i.site }))
      .filter((i): i is Located<string> => i.value !== undefined);
    values[e.key] = list;
    const next: Record<string, string>[] = [];
    for (const c of combos)
      for (const v of list) if (next.length < MAX_COMBINATIONS) next.push({ ...c, [e.key]: v.value });
    combos = next.length ? next : combos;
  }
  for (const inc of matrix.get('include')?.items() ?? []) {
    const m = inc.stringMap();
    for (const [k, v] of Object.entries(m)) {
      const item = inc.get(k);
      if (!item) continue;
      const list = values[k] ?? [];
      list.push({ value: v, site: item.site });
      values[k] = list;
    }
    const matching = combos.filter((c) =>
      Object.entries(m).every(([k, v]) => !(k in values && k in c) || c[k] === v),
    );
    if (matching.length && Object.keys(m).some((k) => !(k in (combos[0] ?? {}))))
      for (const c of matching) Object.assign(c, m);
    else if (combos.length < MAX_COMBINATIONS) combos.push(m);
  }
  return { combos, values };
}

function rawLabels(job: Y): string[] {
  const y = job.get('runs-on');
  if (!y) return [];
  if (y.isSeq) return y.items().map((i) => i.str() ?? '');
  return [y.str() ?? ''];
}

function runsOn(
  job: Y,
  combos: Record<string, string>[],
  env: Record<string, string>,
): WorkflowJob['runsOn'] {
  const y = job.get('runs-on');
  if (!y) return [];
  let labels: string[];
  if (y.isSeq) labels = y.items().map((i) => i.str() ?? '');
  else if (y.isMap)
    labels = (y.get('labels')?.isSeq ? (y.get('labels')?.items() ?? []) : [y.get('labels')]).map(
      (i) => i?.str() ?? '',
    );
  else labels = [y.str() ?? ''];
  const out: WorkflowJob['runsOn'] = [];
  const seen = new Set<string>();
  for (const combo of combos) {
    const resolved = labels.flatMap((l) => {
      const r = resolveExpressions(l, env, combo);
      return r.startsWith('[') ? splitList(r.slice(1, -1)).map((s) => s.replace(/^["']|["']$/g, '')) : [r];
    });
    const key = resolved.join('\0');
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ labels: resolved, site: y.site });
  }
  return out;
}

function withInputs(step: Y): WorkflowStep['with'] {
  const out: WorkflowStep['with'] = new Map();
  for (const e of step.get('with')?.entries() ?? []) {
    const v = e.value;
    out.set(e.key, { value: v?.str() ?? '', keySite: e.keySite, valueSite: v?.site ?? e.keySite });
  }
  return out;
}

function readStep(step: Y, problems: Workflow['problems']): WorkflowStep {
  for (const e of step.entries()) {
    if (!STEP_KEYS.has(e.key)) problems.push({ message: `unknown step key "${e.key}"`, site: e.keySite });
  }
  const usesY = step.get('uses');
  const uses = usesY?.str();
  const at = uses?.lastIndexOf('@') ?? -1;
  const runY = step.get('run');
  const runText = runY?.str();
  let run: WorkflowStep['run'];
  if (runY && runText !== undefined) {
    const script = parseShell(runText, 0, scalarOffsets(runY, runText));
    run = { text: runText, site: runY.site, script, copies: [], runs: [] };
  }
  return {
    site: step.site,
    name: step.get('name')?.str(),
    uses:
      uses && usesY
        ? {
            action: at > 0 ? uses.slice(0, at) : uses,
            ref: at > 0 ? uses.slice(at + 1) : '',
            site: usesY.site,
          }
        : undefined,
    with: withInputs(step),
    run,
  };
}

function envOf(y: Y | undefined): Record<string, string> {
  return y?.isMap ? y.stringMap() : {};
}

/** The workflow's triggers, checking the shape of branch/path filters. */
function triggers(doc: Y, problems: Workflow['problems']): string[] {
  const on = doc.get('on');
  if (!on) {
    problems.push({ message: 'no "on:" triggers: GitHub never runs this workflow', site: doc.site });
    return [];
  }
  if (on.isSeq) return on.items().map((i) => i.str() ?? '');
  if (!on.isMap) return [on.str() ?? ''];
  for (const e of on.entries()) {
    for (const key of FILTER_KEYS) {
      const f = e.value?.get(key);
      if (f && !f.isSeq && f.str() === undefined)
        problems.push({
          message: `"on.${e.key}.${key}" must be a list of patterns, not a mapping`,
          site: f.site,
        });
    }
  }
  return on.entries().map((e) => e.key);
}

export function emptyWorkflow(file: SourceFile): Workflow {
  return { file, on: [], jobs: [], env: {}, problems: [] };
}

/** Reads a GitHub Actions workflow: jobs, steps, matrix label sets, and the builds its steps run. */
export function readWorkflow(doc: Y, model: ProjectModel): Workflow {
  const wf = emptyWorkflow(doc.file);
  if (!doc.isMap) {
    wf.problems.push({ message: 'a workflow must be a mapping with "on" and "jobs"', site: doc.site });
    return wf;
  }
  for (const e of doc.entries()) {
    if (!TOP_KEYS.has(e.key)) {
      const hint = e.key === 'steps' ? ' (steps belong inside a job: jobs.<id>.steps)' : '';
      wf.problems.push({ message: `unknown top-level key "${e.key}"${hint}`, site: e.keySite });
    }
  }
  wf.on = triggers(doc, wf.problems);
  wf.env = envOf(doc.get('env'));
  const jobs = doc.get('jobs');
  if (!jobs?.isMap) {
    wf.problems.push({ message: 'no "jobs:" mapping', site: (jobs ?? doc).site });
    return wf;
  }
  for (const j of jobs.entries()) {
    const y = j.value;
    if (!y?.isMap) {
      wf.problems.push({ message: `job "${j.key}" must be a mapping`, site: j.keySite });
      continue;
    }
    for (const e of y.entries()) {
      if (!JOB_KEYS.has(e.key))
        wf.problems.push({ message: `unknown key "${e.key}" in job "${j.key}"`, site: e.keySite });
    }
    const env = { ...wf.env, ...envOf(y.get('env')) };
    const { combos, values } = combinations(y);
    const timeout = y.get('timeout-minutes');
    const tv = timeout?.num() ?? timeout?.str();
    const job: WorkflowJob = {
      id: j.key,
      site: j.keySite,
      runsOn: runsOn(y, combos, env),
      runsOnRaw: rawLabels(y),
      timeoutMinutes: timeout && tv !== undefined ? { value: tv, site: timeout.site } : undefined,
      steps: [],
      matrix: values,
      env,
    };
    const steps = y.get('steps');
    if (steps && !steps.isSeq)
      wf.problems.push({ message: `"steps" of job "${j.key}" must be a list`, site: steps.site });
    let qemu = false;
    for (const s of steps?.items() ?? []) {
      if (!s.isMap) {
        wf.problems.push({ message: 'a step must be a mapping with "uses" or "run"', site: s.site });
        continue;
      }
      const step = readStep(s, wf.problems);
      job.steps.push(step);
      const action = step.uses?.action;
      if (action === 'docker/setup-qemu-action') qemu = true;
      if (step.run) {
        const stepEnv = { ...env, ...envOf(s.get('env')) };
        if (/\bbinfmt\b|qemu-user-static|tonistiigi\/binfmt/.test(step.run.text)) qemu = true;
        for (const combo of combos.slice(0, 1)) {
          const seed = new Map(
            Object.entries(stepEnv).map(([k, v]) => [k, resolveExpressions(v, stepEnv, combo)]),
          );
          const facts = scriptFacts(doc.file, step.run.script, seed);
          step.run.copies.push(...facts.copies);
          step.run.runs.push(...facts.runs);
          const wd =
            s.get('working-directory')?.str() ?? y.at('defaults', 'run', 'working-directory')?.str() ?? '.';
          for (const b of facts.builds)
            model.builds.push(commandBuild(b, model, wd, 'workflow', { workflow: wf, job }, qemu));
          for (const p of facts.pushes) model.registries.push(...imageMention(p, 'push'));
          for (const l of facts.logins) model.registries.push(...loginMention(l));
        }
      }
      if (action === 'docker/login-action') {
        const reg = step.with.get('registry');
        if (reg?.value)
          model.registries.push(
            ...loginMention({ value: resolveExpressions(reg.value, env, {}), site: reg.valueSite }),
          );
      }
      if (action === 'docker/build-push-action') {
        for (const combo of combos) {
          const b = buildPushBuild(step, model, env, combo, { workflow: wf, job }, qemu);
          if (!model.builds.some((x) => x.id === b.id)) model.builds.push(b);
        }
      }
    }
    wf.jobs.push(job);
  }
  return wf;
}

function platformsOf(text: string): Platform[] {
  return splitList(text)
    .map((p) => parsePlatform(p))
    .filter((p): p is Platform => !!p);
}

/** A Build from a shell build command (script, Makefile recipe, workflow `run:`). Paths are relative to `cwd`. */
export function commandBuild(
  b: BuildCommand,
  model: ProjectModel,
  cwd: string,
  origin: Build['origin'],
  job: Build['job'],
  qemu: boolean,
): Build {
  const file = b.site.file;
  const context = joinPath(cwd, b.context?.value ?? '.') ?? '.';
  const dockerfile = b.dockerfile
    ? (joinPath(cwd, b.dockerfile.value) ?? b.dockerfile.value)
    : (joinPath(context, 'Dockerfile') ?? 'Dockerfile');
  const platforms = b.platforms ? platformsOf(b.platforms.value) : [];
  const pos = file.position(b.site.span.start);
  return {
    id: `${origin}:${file.path}:${pos.line}`,
    dockerfile,
    context,
    contextSource: 'definition',
    platforms: platforms.length ? platforms : [...model.targets.platforms],
    platformsSource: platforms.length
      ? `${file.path}:${file.position((b.platforms ?? b).site.span.start).line}`
      : model.targets.source,
    tags: b.tags.map((t) => t.value),
    buildArgs: b.buildArgs,
    target: b.target,
    push: b.push,
    origin,
    definedAt: locate(file, b.site.span),
    sites: {
      definition: b.site,
      dockerfile: b.dockerfile?.site,
      context: b.context?.site,
      platforms: b.platforms?.site,
      tags: b.tags.map((t) => t.site),
    },
    job,
    qemu,
  };
}

/** Where each tag is written: the raw (unresolved) list items line up one to one with the resolved tags. */
function tagSites(step: WorkflowStep, resolved: string[], fallback: Site): Site[] {
  const raw = step.with.get('tags');
  if (!raw) return resolved.map(() => fallback);
  const file = raw.valueSite.file;
  const items = splitList(raw.value);
  const sites: Site[] = [];
  let from = raw.valueSite.span.start;
  for (const item of items) {
    const i = file.text.indexOf(item, from);
    if (i < 0 || i >= raw.valueSite.span.end) {
      sites.push(fallback);
      continue;
    }
    sites.push({ file, span: { start: i, end: i + item.length } });
    from = i + item.length;
  }
  return items.length === resolved.length ? sites : resolved.map(() => fallback);
}

/** The label set of one matrix combination (the job's first when the combination is not found). */
function runsOnFor(job: WorkflowJob, combo: Record<string, string>): WorkflowJob['runsOn'] {
  const y = job.runsOn;
  const key = /\$\{\{\s*matrix\.([\w-]+)\s*\}\}/;
  const raw = job.runsOnRaw;
  if (!raw.some((l) => key.test(l))) return y;
  const labels = raw.map((l) => resolveExpressions(l, job.env, combo));
  const hit = y.find((s) => s.labels.join('\0') === labels.join('\0'));
  return hit ? [hit] : y;
}

function buildPushBuild(
  step: WorkflowStep,
  model: ProjectModel,
  env: Record<string, string>,
  combo: Record<string, string>,
  job: Build['job'],
  qemu: boolean,
): Build {
  const file = step.site.file;
  const get = (k: string) => {
    const w = step.with.get(k);
    return w
      ? { value: resolveExpressions(w.value, env, combo), site: { file, span: w.valueSite.span } as Site }
      : undefined;
  };
  const ctx = get('context');
  const contextText = ctx?.value ?? '.';
  const context = contextText.includes('${{') ? contextText : (joinPath('.', contextText) ?? '.');
  const df = get('file');
  const dockerfile = df
    ? (joinPath('.', df.value) ?? df.value)
    : (joinPath(context, 'Dockerfile') ?? 'Dockerfile');
  let pl = get('platforms');
  // `platforms: ${{ matrix.platform }}`: point at the matrix value of this combination.
  const matrixKey = /^\$\{\{\s*matrix\.([\w-]+)\s*\}\}$/.exec(
    step.with.get('platforms')?.value.trim() ?? '',
  )?.[1];
  const matrixValue =
    matrixKey && job ? job.job.matrix[matrixKey]?.find((v) => v.value === combo[matrixKey]) : undefined;
  if (pl && matrixValue) pl = { value: pl.value, site: matrixValue.site };
  const platforms = pl ? platformsOf(pl.value) : [];
  const tags = get('tags');
  const tagList = tags ? splitList(tags.value) : [];
  const push = get('push');
  const args: Record<string, string> = {};
  for (const line of splitList(get('build-args')?.value ?? '')) {
    const eq = line.indexOf('=');
    if (eq > 0) args[line.slice(0, eq)] = line.slice(eq + 1);
  }
  const pos = file.position(step.site.span.start);
  const comboKey = Object.values(combo).join(',');
  return {
    id: `workflow:${file.path}:${pos.line}${comboKey ? `[${comboKey}]` : ''}`,
    dockerfile,
    context,
    contextSource: 'definition',
    platforms: platforms.length ? platforms : [...model.targets.platforms],
    platformsSource: pl ? `${file.path}:${file.position(pl.site.span.start).line}` : model.targets.source,
    tags: tagList,
    buildArgs: args,
    target: get('target')?.value,
    push: push !== undefined && push.value !== 'false',
    origin: 'workflow',
    definedAt: locate(file, step.site.span),
    sites: {
      definition: step.uses?.site ?? step.site,
      context: ctx?.site,
      dockerfile: df?.site,
      platforms: pl?.site,
      tags: tagSites(step, tagList, tags?.site ?? step.site),
    },
    job,
    runsOn: job ? runsOnFor(job.job, combo) : undefined,
    qemu,
  };
}
