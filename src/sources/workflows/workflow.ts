import { runnerArchitecture } from '../../knowledge/runners.js';
import type {
  ComposeRun,
  Located,
  RegistryMention,
  Site,
  Workflow,
  WorkflowJob,
  WorkflowStep,
} from '../../model/deploy.js';
import { imageMention, loginMention } from '../../model/image-ref.js';
import type { Build } from '../../model/project.js';
import { type Inventory, joinPath } from '../../model/repo.js';
import { expressionSpans } from '../../model/text.js';
import { locate, type SourceFile } from '../../model/source.js';
import { known, unknown, type Value } from '../../model/value.js';
import { addBuild, commandBuild, nativePlatform, platformList, runnersNative } from '../builds.js';
import { knownBakeFiles, type ScanResult, scanShell } from '../scripts/scan.js';
import { type MetadataTags, metadataTags, workflowRefs } from './metadata.js';
import { analyzeShell } from '../shell/analyze.js';
import { parseShell } from '../shell/parse.js';
import { scalarOffsets, type Y } from '../yaml/node.js';
import { validateWorkflow } from './validate.js';

const MAX_COMBINATIONS = 32;

/** Actions that write nothing into the workspace a later build could copy. */
const NO_FILE_ACTIONS =
  /^(actions\/(checkout|setup-[\w-]+|cache|upload-artifact|github-script|labeler|stale)|docker\/(login-action|setup-qemu-action|setup-buildx-action|metadata-action)|aws-actions\/configure-aws-credentials|azure\/login|google-github-actions\/auth|sigstore\/cosign-installer|crazy-max\/ghaction-[\w-]+|int128\/[\w-]+|softprops\/[\w-]+)$/;

/** A script a workflow step runs, with how it runs it: the link phase scans the script per invocation. */
export interface Invocation {
  /** Repository path of the script (or Makefile). */
  path: string;
  args: (string | undefined)[] | undefined;
  cwd: string;
  env: Map<string, Value<string>>;
  job: { workflow: Workflow; job: WorkflowJob };
  runsOn: WorkflowJob['runsOn'];
  qemu: boolean;
  before: Build['before'];
  site: Site;
  make: boolean;
  /** `make … NAME=value`: variables on make's command line. */
  makeVars?: Map<string, Value<string>>;
  /** `env` is all the step sets (false after an action that may write GITHUB_ENV). */
  envKnown: boolean;
}

/**
 * Actions known not to write GITHUB_ENV: after any other `uses:` step, a later step's environment may hold
 * variables crossdock does not see, so a `${X:-default}` there is not known to be its default.
 */
const ENV_SILENT_ACTIONS = new Set([
  'actions/checkout',
  'actions/cache',
  'actions/upload-artifact',
  'actions/download-artifact',
  'docker/setup-qemu-action',
  'docker/login-action',
]);

/** A compose file a workflow job runs (in a step, or through a script): the builds it runs belong to that job. */
export interface ComposeInvocation {
  run: ComposeRun;
  job: { workflow: Workflow; job: WorkflowJob };
  runsOn: WorkflowJob['runsOn'];
  qemu: boolean;
  before: Build['before'];
}

/** A `docker buildx bake` a workflow runs (bake-action or a run step). */
export interface BakeInvocation {
  files: string[];
  targets: string[];
  cwd: string;
  push: boolean;
  /** `--set *.platform=…` / bake-action `set:` overrides of platforms. */
  platforms: Value<string> | undefined;
  /** Where that override is written. */
  platformsSite?: Site;
  job: { workflow: Workflow; job: WorkflowJob };
  runsOn: WorkflowJob['runsOn'];
  qemu: boolean;
  before: Build['before'];
  site: Site;
}

export interface WorkflowFacts {
  workflow: Workflow;
  builds: Build[];
  invocations: Invocation[];
  bakes: BakeInvocation[];
  mentions: RegistryMention[];
  composes: ComposeInvocation[];
}

type Scope = {
  env: Record<string, string>;
  matrix: Record<string, string>;
  steps: Map<string, WorkflowStep>;
  /** `owner/name` of the origin remote on GitHub: what `github.repository` is. */
  github?: string;
  /** What the docker/metadata-action steps before this point compute, by step id. */
  metadata?: Map<string, MetadataTags>;
};

/** Evaluates the `${{ }}` expressions crossdock can resolve statically: env, matrix and step outputs. */
export function evaluate(expr: string, scope: Scope, site: Site, depth = 0): Value<string[]> {
  const e = expr.trim();
  if (depth > 8) return unknown('expression', `\`${e}\` refers to itself`, site);
  let m = /^(env|matrix)\.([A-Za-z0-9_-]+)$/.exec(e);
  if (m) {
    const v = m[1] === 'env' ? scope.env[m[2] ?? ''] : scope.matrix[m[2] ?? ''];
    if (v !== undefined && !v.includes('${{'))
      return known([v], { kind: m[1] === 'env' ? 'variable' : 'matrix', site, detail: `${m[1]}.${m[2]}` });
    if (v !== undefined) return evaluateText(v, scope, site, depth + 1);
    return unknown('expression', `\`${e}\` is not set in this workflow`, site);
  }
  m = /^github\.(repository|repository_owner)$/.exec(e);
  if (m) {
    const repo = scope.github;
    const v = m[1] === 'repository' ? repo : repo?.split('/')[0];
    if (v === undefined)
      return unknown(
        'environment',
        `\`\${{ ${e} }}\` is the GitHub repository the workflow runs in, and the origin remote is not a GitHub URL`,
        site,
        'set the `origin` remote to the repository on GitHub',
      );
    // A capital makes every image reference built from it invalid (invalid-image-reference says so).
    if (v !== v.toLowerCase())
      return unknown(
        'expression',
        `\`\${{ ${e} }}\` is ${v} here, with capitals: no image reference can be made of it as is`,
        site,
        // biome-ignore lint/suspicious/noTemplateCurlyInString: shell text, said to the user.
        'lowercase it (docker/metadata-action does, or `${GITHUB_REPOSITORY,,}` in a run step)',
      );
    return known([v], { kind: 'variable', site, detail: `${e}, from the origin remote` });
  }
  m = /^steps\.([A-Za-z0-9_-]+)\.outputs\.([A-Za-z0-9_-]+)$/.exec(e);
  if (m) {
    const step = scope.steps.get(m[1] ?? '');
    const out = step?.run?.outputs.get(m[2] ?? '');
    if (out && !out.unknown && out.values.length)
      return known(out.values, {
        kind: 'step-output',
        site: step?.run?.site,
        detail: `steps.${m[1]}.outputs.${m[2]}`,
      });
    return unknown(
      'expression',
      step?.run
        ? `step "${m[1]}" computes output \`${m[2]}\` when it runs`
        : `\`${e}\` comes from a step whose outputs crossdock cannot read`,
      site,
      'write the value with a literal `echo "name=value" >> "$GITHUB_OUTPUT"`, or set it in crossdock.yaml',
    );
  }
  const lit = /^'([^']*)'$/.exec(e);
  if (lit) return known([lit[1] ?? ''], { kind: 'literal', site });
  return unknown(
    'expression',
    `\`\${{ ${e} }}\` is evaluated by GitHub Actions when the workflow runs`,
    site,
  );
}

/** Substitutes every `${{ }}` in a text; unknown when one cannot be resolved, several values when a step output has several. */
export function evaluateText(text: string, scope: Scope, site: Site, depth = 0): Value<string[]> {
  let values = [''];
  let origin: Extract<Value<string[]>, { known: true }>['origin'] = { kind: 'literal', site };
  let from = 0;
  for (const e of expressionSpans(text)) {
    const literal = text.slice(from, e.start);
    values = values.map((v) => v + literal);
    from = e.end;
    const v = evaluate(e.inner, scope, site, depth);
    if (!v.known) return v;
    origin = v.origin;
    values = values.flatMap((prefix) => v.value.map((x) => prefix + x));
    if (values.length > 64) return unknown('branch', 'too many possible values', site);
  }
  const rest = text.slice(from);
  return known(
    values.map((v) => v + rest),
    origin,
  );
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
  for (const exc of matrix.get('exclude')?.items() ?? []) {
    const m = exc.stringMap();
    combos = combos.filter((c) => !Object.entries(m).every(([k, v]) => c[k] === v));
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
  return { combos: combos.length ? combos : [{}], values };
}

function labelsOf(job: Y): string[] {
  const y = job.get('runs-on');
  if (!y) return [];
  if (y.isSeq) return y.items().map((i) => i.str() ?? '');
  if (y.isMap)
    return (y.get('labels')?.isSeq ? (y.get('labels')?.items() ?? []) : [y.get('labels')]).map(
      (i) => i?.str() ?? '',
    );
  return [y.str() ?? ''];
}

function runsOnFor(
  job: Y,
  labels: string[],
  combo: Record<string, string>,
  env: Record<string, string>,
): string[] {
  const scope: Scope = { env, matrix: combo, steps: new Map() };
  const site = job.get('runs-on')?.site ?? job.site;
  return labels.flatMap((l) => {
    const v = evaluateText(l, scope, site);
    const r = v.known && v.value.length === 1 ? (v.value[0] ?? l) : l;
    return r.startsWith('[')
      ? r
          .slice(1, -1)
          .split(',')
          .map((s) => s.trim().replace(/^["']|["']$/g, ''))
          .filter(Boolean)
      : [r];
  });
}

/** A scalar with where it is written (`if:` conditions). */
function located(y: Y | undefined): Located<string> | undefined {
  const v = y?.str() ?? (y?.bool() !== undefined ? String(y.bool()) : undefined);
  return y && v !== undefined ? { value: v, site: y.site } : undefined;
}

/** `container: image` or `container: { image, volumes, options }`. */
function jobContainer(y: Y | undefined): WorkflowJob['container'] {
  if (!y) return undefined;
  const image = y.isMap ? y.get('image') : y;
  const mounts = [
    ...(y.get('volumes')?.items() ?? []).map((i) => i.str() ?? '${{ }}'),
    y.get('options')?.str() ?? '',
  ];
  return {
    image: located(image),
    // A mount written with an expression may be the socket too.
    dockerSocket: mounts.some((m) => m.includes('docker.sock') || m.includes('${{')),
    site: y.site,
  };
}

function withInputs(step: Y): WorkflowStep['with'] {
  const out: WorkflowStep['with'] = new Map();
  for (const e of step.get('with')?.entries() ?? []) {
    const v = e.value;
    out.set(e.key, { value: v?.str() ?? '', keySite: e.keySite, valueSite: v?.site ?? e.keySite });
  }
  return out;
}

function envOf(y: Y | undefined): Record<string, string> {
  return y?.isMap ? y.stringMap() : {};
}

/** The workflow's triggers (event names). */
function triggers(doc: Y): string[] {
  const on = doc.get('on');
  if (!on) return [];
  if (on.isSeq) return on.items().map((i) => i.str() ?? '');
  if (!on.isMap) return [on.str() ?? ''];
  return on.entries().map((e) => e.key);
}

export function emptyWorkflow(file: SourceFile): Workflow {
  return { file, on: [], jobs: [], env: {}, problems: [] };
}

/** What a step before a build may have written into the workspace: its outputs when known, else unknown. */
function stepEffect(
  step: WorkflowStep,
  cwd: string,
  scanned: Build['before'] | undefined,
): Build['before'][number] | undefined {
  if (step.uses) {
    if (NO_FILE_ACTIONS.test(step.uses.action)) return undefined;
    if (/^(docker|depot)\/(build-push-action|bake-action)$/.test(step.uses.action)) return undefined;
    const path = step.with.get('path')?.value;
    return {
      site: step.uses.site,
      what: `the step using ${step.uses.action}`,
      outputs:
        step.uses.action === 'actions/download-artifact' && path ? [joinPath(cwd, path) ?? path] : undefined,
    };
  }
  if (!step.run) return undefined;
  // The run block as scanned: created paths expanded and resolved as the shell ran them.
  if (scanned)
    return scanned.length === 0
      ? undefined
      : {
          site: step.run.site,
          what: `the step "${step.name ?? step.run.text.split('\n')[0]?.slice(0, 40)}"`,
          outputs: scanned.some((e) => e.outputs === undefined)
            ? undefined
            : scanned.flatMap((e) => e.outputs ?? []),
        };
  const effects = step.run.facts.commands.filter((c) => c.unknownEffects || c.creates.length);
  if (effects.length === 0) return undefined;
  const unknownOne = effects.find((c) => c.unknownEffects);
  return {
    site: step.run.site,
    what: `the step "${step.name ?? step.run.text.split('\n')[0]?.slice(0, 40)}"`,
    outputs: unknownOne
      ? undefined
      : effects.flatMap((c) => c.creates).map((p) => (p.startsWith('/') ? p : (joinPath(cwd, p) ?? p))),
  };
}

/** Reads a GitHub Actions workflow: jobs, steps, matrix label sets, and the builds its steps run. */
export function readWorkflow(doc: Y, inventory: Inventory): WorkflowFacts {
  const wf = emptyWorkflow(doc.file);
  const facts: WorkflowFacts = {
    workflow: wf,
    builds: [],
    invocations: [],
    bakes: [],
    mentions: [],
    composes: [],
  };
  wf.problems.push(...validateWorkflow(doc));
  if (!doc.isMap) return facts;
  wf.on = triggers(doc);
  wf.refs = workflowRefs(doc.get('on'));
  wf.env = envOf(doc.get('env'));
  const jobs = doc.get('jobs');
  if (!jobs?.isMap) return facts;
  for (const j of jobs.entries()) {
    const y = j.value;
    if (!y?.isMap) continue;
    readJob(j.key, j.keySite, y, wf, facts, inventory);
  }
  return facts;
}

function readJob(
  id: string,
  site: Site,
  y: Y,
  wf: Workflow,
  facts: WorkflowFacts,
  inventory: Inventory,
): void {
  const env = { ...wf.env, ...envOf(y.get('env')) };
  const { combos, values } = combinations(y);
  const timeout = y.get('timeout-minutes');
  const tv = timeout?.num() ?? timeout?.str();
  const labels = labelsOf(y);
  const runsOnSite = y.get('runs-on')?.site ?? site;
  const perCombo = combos.map((c) => ({ combo: c, labels: runsOnFor(y, labels, c, env) }));
  const runsOn: WorkflowJob['runsOn'] = [];
  for (const p of perCombo)
    if (!runsOn.some((r) => r.labels.join('\0') === p.labels.join('\0')))
      runsOn.push({ labels: p.labels, site: runsOnSite });
  const job: WorkflowJob = {
    id,
    site,
    runsOn,
    runsOnRaw: labels,
    timeoutMinutes: timeout && tv !== undefined ? { value: tv, site: timeout.site } : undefined,
    steps: [],
    matrix: values,
    env,
    if: located(y.get('if')),
    container: jobContainer(y.get('container')),
  };
  wf.jobs.push(job);
  const steps = y.get('steps');
  const defaultWd = y.at('defaults', 'run', 'working-directory')?.str();
  const stepsById = new Map<string, WorkflowStep>();
  /** `echo "X=v" >> "$GITHUB_ENV"` of earlier steps: the environment of later ones (unknown when conditional). */
  const githubEnv = new Map<string, Value<string>>();
  /** An earlier action may have written GITHUB_ENV. */
  let envOpen = false;
  let qemu = false;
  const before: Build['before'] = [];
  const ref = { workflow: wf, job };
  const github = inventory.github;
  /** docker/metadata-action outputs by step id, per matrix combination. */
  const metadata = perCombo.map(() => new Map<string, MetadataTags>());
  for (const s of steps?.items() ?? []) {
    if (!s.isMap) continue;
    const stepEnv = { ...env, ...envOf(s.get('env')) };
    const step = readStep(s, stepEnv, defaultWd, stepsById, githubEnv, github);
    job.steps.push(step);
    if (step.id) stepsById.set(step.id, step);
    const action = step.uses?.action;
    if (action === 'docker/setup-qemu-action') qemu = true;
    if (step.uses && !ENV_SILENT_ACTIONS.has(action ?? '')) envOpen = true;
    const cwd = joinPath('.', step.workingDirectory ?? '.') ?? '.';
    let scanned: Build['before'] | undefined;
    if (step.run) {
      if (/\bbinfmt\b|qemu-user-static|tonistiigi\/binfmt/.test(step.run.text)) qemu = true;
      const text = step.run;
      // The step depends on the matrix when its text or an env value it inherits does: each combination is
      // scanned, on its own runner. Otherwise it is scanned once, and runs on every runner of the job.
      const variants = new Set(
        perCombo.map((p) => runVariant(text, { env: stepEnv, matrix: p.combo, steps: stepsById, github })),
      );
      const matrixDependent = variants.size > 1;
      for (const [k, p] of (matrixDependent ? perCombo : perCombo.slice(0, 1)).entries()) {
        const scope: Scope = { env: stepEnv, matrix: p.combo, steps: stepsById, github };
        const scan = scanRun(step, scope, cwd, githubEnv, !envOpen);
        const runs: WorkflowJob['runsOn'] = matrixDependent
          ? [{ labels: p.labels, site: runsOnSite }]
          : runsOn;
        if (k === 0) scanned = scan.effects;
        // `cp ${{ matrix.dir }}/x y`: GitHub substitutes each combination's value before the shell runs.
        if (matrixDependent)
          for (const cp of scan.copies)
            if (!text.copies.some((x) => x.value === cp.value && x.site.span.start === cp.site.span.start))
              text.copies.push(cp);
        for (const [n, b] of scan.builds.entries()) {
          const build = commandBuild(b, {
            id: `workflow:${wf.file.path}:${wf.file.position(b.site.span.start).line}${matrixDependent && perCombo.length > 1 ? `[${k}]` : ''}${n ? `#${n}` : ''}`,
            origin: 'workflow',
            inventory,
            native: runnersNative(runs, runsOnSite, 'runner'),
            job: ref,
            runsOn: runs,
            qemu,
            before: [...before, ...b.before],
          });
          addBuild(facts.builds, build);
        }
        const mention = (m: RegistryMention) => {
          const same = (x: RegistryMention) =>
            x.site.span.start === m.site.span.start &&
            x.host === m.host &&
            x.repository === m.repository &&
            x.role === m.role;
          if (!facts.mentions.some(same)) facts.mentions.push(m);
        };
        for (const push of scan.pushes) for (const m of imageMention(push, 'push')) mention(m);
        for (const login of scan.logins) for (const m of loginMention(login)) mention(m);
        for (const r of scan.runs) {
          if (!r.path) continue;
          facts.invocations.push({
            path: r.path,
            args: r.args,
            cwd: r.cwd.known ? r.cwd.path : cwd,
            env: new Map([
              ...githubEnv,
              ...Object.entries(stepEnv).map(
                ([name, v]) => [name, toValue(evaluateText(v, scope, text.site))] as const,
              ),
              ...(r.env ?? []),
            ]),
            job: ref,
            runsOn: runs,
            qemu,
            before: [...before, ...r.before],
            site: r.site,
            envKnown: !envOpen,
            make: r.value === 'make',
            makeVars: r.makeVars,
          });
        }
        for (const run of scan.composes)
          facts.composes.push({
            run,
            job: ref,
            runsOn: runs,
            qemu,
            before: [...before, ...scan.effects.filter((e) => e.site.span.start < run.site.span.start)],
          });
        for (const bake of scan.bakes) {
          const where = knownBakeFiles(bake);
          if (!where) continue;
          facts.bakes.push({
            files: where.files,
            targets: bake.targets,
            cwd: where.cwd,
            push: bake.push,
            platforms: undefined,
            job: ref,
            runsOn: runs,
            qemu,
            before: [...before],
            site: bake.site,
          });
        }
      }
    }
    if (action === 'docker/login-action') {
      const reg = step.with.get('registry');
      if (reg?.value) {
        const v = evaluateText(
          reg.value,
          { env: stepEnv, matrix: {}, steps: stepsById, github },
          reg.valueSite,
        );
        if (v.known)
          for (const r of v.value) facts.mentions.push(...loginMention({ value: r, site: reg.valueSite }));
      }
    }
    if (action === 'docker/metadata-action' && step.id)
      for (const [k, p] of perCombo.entries()) {
        const scope: Scope = { env: stepEnv, matrix: p.combo, steps: stepsById, github };
        metadata[k]?.set(
          step.id,
          metadataTags(step, wf.refs, stepEnv, (text, site, lower) =>
            evaluateText(text, lower && github ? { ...scope, github: github.toLowerCase() } : scope, site),
          ),
        );
      }
    // depot/build-push-action takes build-push-action's inputs and builds each platform on a native builder.
    if (action === 'docker/build-push-action' || action === 'depot/build-push-action') {
      for (const [k, p] of perCombo.entries()) {
        const scope: Scope = {
          env: stepEnv,
          matrix: p.combo,
          steps: stepsById,
          github,
          metadata: metadata[k],
        };
        const b = buildPushBuild(
          step,
          scope,
          { workflow: wf, job },
          p.labels,
          runsOnSite,
          qemu,
          before,
          inventory,
          perCombo.length > 1 ? k : undefined,
        );
        if (action === 'depot/build-push-action')
          b.remoteBuilder = 'Depot builds each platform on a native builder';
        addBuild(facts.builds, b);
      }
    }
    if (action === 'docker/bake-action') {
      const scope: Scope = { env: stepEnv, matrix: perCombo[0]?.combo ?? {}, steps: stepsById, github };
      const list = (k: string, separators = /[\n,]/) =>
        (step.with.get(k)?.value ?? '')
          .split(separators)
          .map((x) => x.trim())
          .filter(Boolean);
      // `set:` is one override per line (a platform list holds commas).
      const setPlatform = list('set', /\n/).find((x) => /\.platform=/.test(x));
      facts.bakes.push({
        files: list('files'),
        targets: list('targets'),
        cwd: joinPath('.', step.with.get('workdir')?.value ?? '.') ?? '.',
        push: step.with.get('push')?.value === 'true',
        platforms: setPlatform
          ? toValue(
              evaluateText(
                setPlatform.slice(setPlatform.indexOf('=') + 1),
                scope,
                step.with.get('set')?.valueSite ?? step.site,
              ),
            )
          : undefined,
        platformsSite: setPlatform ? step.with.get('set')?.valueSite : undefined,
        job: ref,
        runsOn,
        qemu,
        before: [...before],
        site: step.uses?.site ?? step.site,
      });
    }
    const effect = stepEffect(step, cwd, scanned);
    if (effect) before.push(effect);
  }
}

function toValue(v: Value<string[]>): Value<string> {
  if (!v.known) return v;
  if (v.value.length === 1) return known(v.value[0] ?? '', v.origin);
  return unknown('branch', `one of ${v.value.map((x) => `\`${x}\``).join(', ')}`, v.origin.site);
}

/** What a run step is in one matrix combination: its text as the shell gets it, and its environment. */
function runVariant(run: NonNullable<WorkflowStep['run']>, scope: Scope): string {
  return JSON.stringify([
    shellText(run, scope).text,
    Object.entries(scope.env).map(([k, v]) => {
      const e = evaluateText(v, scope, run.site);
      return [k, e.known ? e.value : e.reason];
    }),
  ]);
}

/**
 * The run text as the shell receives it: GitHub substitutes `${{ }}` expressions before the shell runs, so a
 * resolvable expression is replaced in the text (its characters map to the expression's position).
 */
function shellText(run: NonNullable<WorkflowStep['run']>, scope: Scope): { text: string; offsets: number[] } {
  if (!run.text.includes('${{')) return { text: run.text, offsets: run.offsets };
  let text = '';
  const offsets: number[] = [];
  let last = 0;
  for (const m of expressionSpans(run.text)) {
    const at = run.offsets[m.start] ?? run.site.span.start;
    const v = evaluate(m.inner, scope, {
      file: run.site.file,
      span: { start: at, end: at + (m.end - m.start) },
    });
    if (!v.known || v.value.length !== 1) continue;
    for (let k = last; k < m.start; k++) {
      text += run.text[k];
      offsets.push(run.offsets[k] ?? at);
    }
    for (const ch of v.value[0] ?? '') {
      text += ch;
      offsets.push(at);
    }
    last = m.end;
  }
  for (let k = last; k < run.text.length; k++) {
    text += run.text[k];
    offsets.push(run.offsets[k] ?? run.site.span.end);
  }
  return { text, offsets };
}

function scanRun(
  step: WorkflowStep,
  scope: Scope,
  cwd: string,
  githubEnv?: Map<string, Value<string>>,
  envKnown = true,
): ScanResult {
  const run = step.run as NonNullable<WorkflowStep['run']>;
  const sub = shellText(run, scope);
  const script = sub.text === run.text ? run.script : parseShell(sub.text, 0, sub.offsets);
  const env = new Map<string, Value<string>>(githubEnv ?? []);
  for (const [k, v] of Object.entries(scope.env)) env.set(k, toValue(evaluateText(v, scope, run.site)));
  return scanShell(script, {
    file: run.site.file,
    scriptPath: undefined,
    cwd: { known: true, path: cwd },
    args: [],
    env,
    envKnown,
    expression: (expr, site) => toValue(evaluate(expr, scope, site)),
  });
}

function readStep(
  s: Y,
  env: Record<string, string>,
  defaultWd: string | undefined,
  steps: Map<string, WorkflowStep>,
  githubEnv: Map<string, Value<string>>,
  github: string | undefined,
): WorkflowStep {
  const usesY = s.get('uses');
  const uses = usesY?.str();
  const at = uses?.lastIndexOf('@') ?? -1;
  const runY = s.get('run');
  const runText = runY?.str();
  const step: WorkflowStep = {
    site: s.site,
    id: s.get('id')?.str(),
    name: s.get('name')?.str(),
    uses:
      uses && usesY
        ? {
            action: at > 0 ? uses.slice(0, at) : uses,
            ref: at > 0 ? uses.slice(at + 1) : '',
            site: usesY.site,
          }
        : undefined,
    with: withInputs(s),
    workingDirectory: s.get('working-directory')?.str() ?? defaultWd,
    run: undefined,
    if: located(s.get('if')),
  };
  if (runY && runText !== undefined) {
    const offsets = scalarOffsets(runY, runText);
    const script = parseShell(runText, 0, offsets);
    const run: NonNullable<WorkflowStep['run']> = {
      text: runText,
      offsets,
      site: runY.site,
      script,
      facts: analyzeShell([script]),
      copies: [],
      runs: [],
      outputs: new Map(),
      applies: [],
      renders: [],
      composes: [],
      cwdAt: new Map(),
    };
    step.run = run;
    const cwd = joinPath('.', step.workingDirectory ?? '.') ?? '.';
    const scope: Scope = { env, matrix: {}, steps, github };
    const scan = scanRun(step, scope, cwd, githubEnv);
    const conditional = s.get('if') !== undefined;
    for (const [name, v] of scan.env)
      githubEnv.set(
        name,
        !conditional && !v.unknown && v.values.length === 1
          ? known(v.values[0] ?? '', { kind: 'step-output', site: runY.site, detail: `GITHUB_ENV ${name}` })
          : unknown(
              'branch',
              `\`${name}\` is written to GITHUB_ENV ${conditional ? 'by a conditional step' : 'with a value computed at run time'}`,
              runY.site,
            ),
      );
    run.copies.push(...scan.copies);
    run.runs.push(...scan.runs.map((r) => ({ value: r.value, site: r.site, args: r.args })));
    run.outputs = scan.outputs;
    run.applies.push(...scan.applies);
    run.renders.push(...scan.renders);
    run.composes.push(...scan.composes);
    for (const [at, c] of scan.cwdAt)
      run.cwdAt.set(at, c.known ? known(c.path, { kind: 'literal', site: runY.site }) : c.why);
  }
  return step;
}

function buildPushBuild(
  step: WorkflowStep,
  scope: Scope,
  job: NonNullable<Build['job']>,
  labels: string[],
  runsOnSite: Site,
  qemu: boolean,
  before: Build['before'],
  _inventory: Inventory,
  comboIndex: number | undefined,
): Build {
  const file = step.site.file;
  const input = (k: string) => {
    const w = step.with.get(k);
    return w ? { ...evaluateText(w.value, scope, w.valueSite), site: w.valueSite } : undefined;
  };
  const single = (k: string): (Value<string> & { site: Site }) | undefined => {
    const v = input(k);
    if (!v) return undefined;
    return { ...toValue(v), site: v.site };
  };
  const ctxIn = single('context');
  const dfIn = single('file');
  let context: Build['context'];
  if (!ctxIn)
    context = known('.', { kind: 'default', site: step.site, detail: 'the workspace (no context input)' });
  else if (!ctxIn.known) context = { ...ctxIn, site: ctxIn.site };
  else if (/^(https?|git):\/\/|^git@/.test(ctxIn.value))
    context = unknown(
      'outside-repository',
      `the context \`${ctxIn.value}\` is a Git URL, not this checkout`,
      ctxIn.site,
    );
  else {
    const p = joinPath('.', ctxIn.value.replace(/^\.\//, ''));
    context =
      p === undefined
        ? unknown('climbs-out', `\`${ctxIn.value}\` leaves the workspace`, ctxIn.site)
        : known(p, { kind: ctxIn.origin.kind, site: ctxIn.site });
  }
  let dockerfile: Build['dockerfile'];
  if (dfIn) {
    if (!dfIn.known) dockerfile = { ...dfIn, site: dfIn.site };
    else {
      const p = joinPath('.', dfIn.value);
      dockerfile =
        p === undefined
          ? unknown('climbs-out', `\`${dfIn.value}\` leaves the workspace`, dfIn.site)
          : known(p, { kind: dfIn.origin.kind, site: dfIn.site });
    }
  } else if (context.known) {
    dockerfile = known(context.value === '.' ? 'Dockerfile' : `${context.value}/Dockerfile`, {
      kind: 'default',
      site: step.site,
      detail: '{context}/Dockerfile',
    });
  } else dockerfile = context;
  const pl = input('platforms');
  const raw = step.with.get('platforms');
  let platforms: Build['platforms'];
  let platformsSite = raw?.valueSite;
  if (pl) {
    if (!pl.known) platforms = { ...pl, site: pl.site };
    else {
      // `platforms: ${{ matrix.platform }}`: point at the matrix value of this combination.
      const mk = /^\$\{\{\s*matrix\.([\w-]+)\s*\}\}$/.exec(raw?.value.trim() ?? '')?.[1];
      const mv = mk ? job.job.matrix[mk]?.find((v) => v.value === scope.matrix[mk]) : undefined;
      if (mv) platformsSite = mv.site;
      platforms = platformList(pl.value.join(','), { ...pl.origin, site: platformsSite ?? pl.site });
    }
  } else platforms = nativePlatform(runnerArchitecture(labels), runsOnSite, `runner [${labels.join(', ')}]`);
  const tagsIn = step.with.get('tags');
  // Each expression is substituted on its own: `app:${{ github.sha }}-${{ matrix.image }}` keeps the first and
  // gets this combination's value for the second, as GitHub does.
  const tagScope = (t: string) => {
    let out = '';
    let from = 0;
    for (const e of expressionSpans(t)) {
      const v = evaluate(e.inner, scope, tagsIn?.valueSite ?? step.site);
      out +=
        t.slice(from, e.start) +
        (v.known && v.value.length === 1 ? (v.value[0] ?? '') : t.slice(e.start, e.end));
      from = e.end;
    }
    return out + t.slice(from);
  };
  const tagTexts = splitOutside(tagsIn?.value ?? '');
  const tagSites = tagTexts.map((t) => {
    const i = tagsIn ? file.text.indexOf(t, tagsIn.valueSite.span.start) : -1;
    return i >= 0 && tagsIn && i < tagsIn.valueSite.span.end
      ? { file, span: { start: i, end: i + t.length } }
      : (tagsIn?.valueSite ?? step.site);
  });
  const tags = buildTags(tagTexts, tagSites, tagScope, scope);
  const args: Record<string, Value<string>> = {};
  const argsIn = step.with.get('build-args');
  for (const line of (argsIn?.value ?? '')
    .split('\n')
    .map((x) => x.trim())
    .filter(Boolean)) {
    const eq = line.indexOf('=');
    if (eq > 0)
      args[line.slice(0, eq)] = toValue(
        evaluateText(line.slice(eq + 1), scope, argsIn?.valueSite ?? step.site),
      );
  }
  const namedContexts: Record<string, string> = {};
  for (const line of (step.with.get('build-contexts')?.value ?? '')
    .split('\n')
    .map((x) => x.trim())
    .filter(Boolean)) {
    const eq = line.indexOf('=');
    if (eq > 0) namedContexts[line.slice(0, eq)] = line.slice(eq + 1);
  }
  const push = step.with.get('push')?.value;
  const outputs = step.with.get('outputs')?.value ?? '';
  const pos = file.position(step.site.span.start);
  const target = single('target');
  return {
    id: `workflow:${file.path}:${pos.line}${comboIndex !== undefined ? `[${comboIndex}]` : ''}`,
    origin: 'workflow',
    definedAt: locate(file, step.site.span),
    dockerfile,
    context,
    platforms,
    platformsExplicit: pl !== undefined,
    tags: tags.tags,
    ...(tags.shapes.some((x) => x !== undefined) ? { tagShapes: tags.shapes } : {}),
    ...(tags.tags.some((t, i) => t !== tags.written[i]) ? { tagsWritten: tags.written } : {}),
    buildArgs: args,
    target,
    push: (push !== undefined && push !== 'false') || /push=true|type=registry/.test(outputs),
    ...(/push-by-digest=true/.test(outputs) ? { pushByDigest: true } : {}),
    namedContexts,
    sites: {
      definition: step.uses?.site ?? step.site,
      context: ctxIn?.site,
      dockerfile: dfIn?.site,
      platforms: pl ? platformsSite : undefined,
      tags: tags.sites,
    },
    job,
    runsOn: [{ labels, site: runsOnSite }],
    qemu,
    before: [...before],
  };
}

/** `${{ steps.<id>.outputs.tags }}`, `${{ fromJSON(steps.<id>.outputs.json).tags }}` (joined or not): the step id. */
const METADATA_TAGS =
  /^\$\{\{\s*(?:steps\.([\w-]+)\.outputs\.tags|(?:join\(\s*)?fromjson\(\s*steps\.([\w-]+)\.outputs\.json\s*\)\.tags(?:\s*,\s*'[^']*'\s*\))?)\s*\}\}$/i;

/**
 * A build-push step's tags: each written tag with its expressions evaluated, and the tags of a docker/metadata-action
 * step it names (`${{ steps.meta.outputs.tags }}`) as one tag per image and rule, literal or by shape.
 */
function buildTags(
  texts: string[],
  sites: Site[],
  evaluateTag: (t: string) => string,
  scope: Scope,
): { tags: string[]; shapes: NonNullable<Build['tagShapes']>; written: string[]; sites: Site[] } {
  const out = {
    tags: [] as string[],
    shapes: [] as NonNullable<Build['tagShapes']>,
    written: [] as string[],
    sites: [] as Site[],
  };
  texts.forEach((t, i) => {
    const site = sites[i] as Site;
    const m = METADATA_TAGS.exec(t);
    const meta = m ? scope.metadata?.get(m[1] ?? m[2] ?? '') : undefined;
    if (!meta?.images.known) {
      out.tags.push(evaluateTag(t));
      out.shapes.push(undefined);
      out.written.push(t);
      out.sites.push(site);
      return;
    }
    for (const image of meta.images.value)
      for (const tag of meta.tags) {
        const unknownTag = typeof tag !== 'string' && 'known' in tag;
        out.tags.push(
          typeof tag === 'string' ? `${image}:${tag}` : `${image}:${unknownTag ? t : tag.written}`,
        );
        out.shapes.push(typeof tag === 'string' ? undefined : tag);
        out.written.push(t);
        out.sites.push(site);
      }
  });
  return out;
}

/** A list input split on newlines and commas, as the action does after GitHub evaluated its `${{ }}` expressions. */
function splitOutside(text: string): string[] {
  const out: string[] = [];
  let from = 0;
  const cut = (to: number) => {
    const t = text.slice(from, to).trim();
    if (t) out.push(t);
  };
  const spans = expressionSpans(text);
  for (let i = 0; i < text.length; i++) {
    const inside = spans.find((e) => e.start <= i && i < e.end);
    if (inside) i = inside.end - 1;
    else if (text[i] === '\n' || text[i] === ',') {
      cut(i);
      from = i + 1;
    }
  }
  cut(text.length);
  return out;
}
