import { agreedBuild } from '../../engine/link.js';
import { imageShips, type Tool } from '../../knowledge/images.js';
import type { Site } from '../../model/deploy.js';
import type { DfInstruction, DfStage, Dockerfile } from '../../model/dockerfile.js';
import { normalize, workdirAt } from '../../model/eval.js';
import { parseBuildTag, parseImageRef, repositoryKey } from '../../model/image-ref.js';
import type { Platform } from '../../model/platform.js';
import type { Build, Effect, ImageView, ProjectModel, StageView } from '../../model/project.js';
import { within } from '../../model/repo.js';
import type { CommandFacts, ShellScript } from '../../model/shell.js';
import { cutAtFirst, trimTrailingSlashes } from '../../model/text.js';
import { known, knownOr, type Unknown, unknown, type Value } from '../../model/value.js';

/** Shared helpers for Dockerfile rules. Pure functions of the model: shell analysis is already in it. */

export function commandsOf(ins: DfInstruction): CommandFacts[] {
  return ins.analysis?.facts.commands ?? [];
}

export function scriptsOf(ins: DfInstruction): ShellScript[] {
  return ins.analysis?.scripts ?? [];
}

/** `set -o pipefail` in the RUN, or a `SHELL [..., "-o", "pipefail", ...]` in effect for it. */
export function pipefailAt(df: Dockerfile, ins: DfInstruction): boolean {
  if (ins.analysis?.facts.pipefail) return true;
  const stage = df.stages[ins.stage];
  let on = false;
  for (const i of stage?.instructions ?? []) {
    if (i === ins) break;
    if (i.keyword === 'SHELL') on = (i.exec ?? []).join(' ').includes('pipefail');
  }
  return on;
}

/** Every view of a Dockerfile: one per build, or its one no-build-site view. */
export function viewsOf(model: ProjectModel, df: Dockerfile): ImageView[] {
  return model.images.filter((v) => v.dockerfile === df);
}

/** The place a view's build is defined, as a site of a finding it leads to (none for no-build-site views). */
export function buildSite(view: ImageView): Site[] {
  const s = view.build.sites?.definition;
  return s && view.build.origin !== 'dockerfile' ? [s] : [];
}

/**
 * Whether a step that runs before the build (`make build`, a workflow step, a script line) wrote a repository
 * path: `known` when its outputs are known and include it; `unknown` (with the note's root cause) when its
 * effects are not known; undefined when no step before the build writes it.
 */
export function generatedBefore(
  build: Build,
  path: string,
): { by: Effect; known: true } | { by: Effect; known: false; unknown: Unknown } | undefined {
  for (const b of build.before) {
    if (b.outputs === undefined)
      return {
        by: b,
        known: false,
        unknown: unknown('effects', `${b.what} runs before this build and may create files`, b.site),
      };
    if (b.outputs.some((o) => within(trimTrailingSlashes(o), path) || within(path, o)))
      return { by: b, known: true };
  }
  return undefined;
}

/** Stages a view judges as built: the target's graph (for a Dockerfile nothing builds: the last stage's). */
export function builtStages(view: ImageView): StageView[] {
  return view.stages.filter((s) => s.built);
}

/** An in-image path at an instruction, resolved against the WORKDIR; undefined when that is unknown. */
export function inImage(view: ImageView, stage: DfStage, ins: DfInstruction, p: string): string | undefined {
  if (p.startsWith('/')) return normalize('/', p);
  const wd = workdirAt(view, stage, ins);
  return wd.known ? normalize(wd.value, p) : undefined;
}

/** Platforms a stage of this view runs under emulation: none for `FROM --platform=$BUILDPLATFORM` stages. */
export function emulatedAt(view: ImageView, sv: StageView): Value<Platform[]> {
  if (sv.buildPlatform)
    return known([], { kind: 'convention', detail: 'FROM --platform=$BUILDPLATFORM runs natively' });
  return view.emulated;
}

/**
 * The build producing an image reference in this repository (a build tagging it exactly, else the builds of its
 * repository whose tags may be it), when they agree; unknown when they build it differently.
 */
export function imageBuild(model: ProjectModel, image: string): Value<Build> | undefined {
  const exact = model.builds.filter((b) => b.tags.includes(image));
  if (exact.length) return agreedBuild(exact, image);
  const parsed = parseImageRef(image);
  if (!parsed.ok) return undefined;
  const key = repositoryKey(parsed.ref);
  const same = model.builds.filter((b) =>
    b.tags.some((t) => {
      const p = parseBuildTag(t);
      return (
        !!p &&
        repositoryKey(p) === key &&
        (!parsed.ref.tag || !p.tag || p.tag === parsed.ref.tag || t.includes('$'))
      );
    }),
  );
  return agreedBuild(same, image);
}

/** The build producing an image reference in this repository; undefined when none, or when which one is not known. */
export function buildOfImage(model: ProjectModel, image: string): Build | undefined {
  return knownOr(imageBuild(model, image));
}

/** Package names that provide a tool. */
const PROVIDES: Record<string, string[]> = {
  curl: ['curl'],
  wget: ['wget', 'busybox', 'busybox-static'],
  nc: ['netcat', 'netcat-openbsd', 'netcat-traditional', 'ncat', 'nmap-ncat', 'busybox', 'busybox-static'],
  tini: ['tini', 'tini-static'],
  'dumb-init': ['dumb-init'],
  gosu: ['gosu'],
  'su-exec': ['su-exec'],
  catatonit: ['catatonit'],
  bash: ['bash'],
  sh: ['dash', 'bash', 'busybox'],
  python3: [
    'python3',
    'python3-minimal',
    'python3.11',
    'python3.12',
    'python3.10',
    'python3.13',
    'python3.9',
  ],
  node: ['nodejs'],
};

/** A local archive `ADD` unpacks into its destination (by its name; Docker looks at its content). */
export const ARCHIVE = /\.(tar|tar\.(gz|bz2|xz|zst)|tgz|tbz2?|txz)$/i;

/**
 * Whether a stage (its chain) puts a tool into the image: installs its package, copies a file of that name, or
 * creates it; `unknown` when a RUN with unknown effects might; `no` when nothing does.
 */
export function chainProvides(view: ImageView, sv: StageView, tool: string): 'yes' | 'no' | Unknown {
  const pkgs = PROVIDES[tool] ?? [tool];
  let maybe: Unknown | undefined;
  for (const s of sv.chain) {
    for (const ins of s.instructions) {
      if (
        (ins.keyword === 'COPY' || ins.keyword === 'ADD') &&
        ins.words.slice(0, -1).some((w) => trimTrailingSlashes(w.value).split('/').pop() === tool)
      )
        return 'yes';
      if (
        (ins.keyword === 'COPY' || ins.keyword === 'ADD') &&
        ins.words.slice(-1).some((w) => trimTrailingSlashes(w.value).split('/').pop() === tool)
      )
        return 'yes';
      if (ins.keyword === 'ADD' && ins.words.slice(0, -1).some((w) => ARCHIVE.test(w.value)))
        maybe ??= unknown('effects', '`ADD` of an archive unpacks files crossdock cannot list', {
          file: view.file,
          span: ins.span,
        });
      for (const c of commandsOf(ins)) {
        if (
          c.installer &&
          c.installer !== 'pip' &&
          c.installer !== 'uv' &&
          c.argv.some((w) => pkgs.includes(cutAtFirst(w.value, '=<>')))
        )
          return 'yes';
        if (
          c.installer === 'pip' &&
          c.pip?.packages.some((w) => w.value.toLowerCase().split(/[=<>[]/)[0] === tool)
        )
          return 'yes';
        if (c.creates.some((p) => trimTrailingSlashes(p).split('/').pop() === tool)) return 'yes';
        if (c.unknownEffects && !c.installer)
          maybe ??= unknown(
            'effects',
            `this RUN's effects are not known: ${c.unknownEffects}`,
            { file: view.file, span: ins.span },
            'crossdock reads scripts that are in the build context; others are opaque',
          );
      }
    }
  }
  return maybe ?? 'no';
}

/**
 * Whether the image a stage's chain starts from ships a tool: official images crossdock knows, images built in
 * this repository (their Dockerfile followed), otherwise unknown — never assumed.
 */
export function baseProvides(
  model: ProjectModel,
  base: Value<string>,
  tool: Tool,
  depth = 0,
): 'yes' | 'no' | Unknown {
  if (!base.known) return base;
  const ref = base.value;
  if (ref.startsWith('target:') || ref.startsWith('docker-image://')) {
    const name = ref.slice(ref.indexOf(':') + 1).replace(/^\/\//, '');
    const b = ref.startsWith('target:')
      ? model.builds.find((x) => x.origin === 'bake' && x.id.includes(`#${name}`))
      : undefined;
    return b && depth < 4
      ? builtProvides(model, b, tool, depth + 1)
      : unknown('image-contents', `the contents of ${ref} are not known`);
  }
  const inRepo = imageBuild(model, ref);
  if (inRepo && !inRepo.known) return inRepo;
  if (inRepo && depth < 4) return builtProvides(model, inRepo.value, tool, depth + 1);
  const ships = imageShips(ref, tool);
  if (ships === true) return 'yes';
  if (ships === false) return 'no';
  return unknown(
    'image-contents',
    `crossdock does not know what ${ref} contains`,
    undefined,
    'if the image is built in this repository, let crossdock see its build (a script, workflow or crossdock.yaml images:)',
  );
}

function builtProvides(model: ProjectModel, build: Build, tool: Tool, depth: number): 'yes' | 'no' | Unknown {
  const view = model.images.find((v) => v.build === build);
  const target = view?.target;
  const sv = target ? view?.stages[target.index] : undefined;
  if (!view || !sv)
    return unknown('image-contents', `the Dockerfile of ${build.tags[0] ?? build.id} is not known`);
  const own = chainProvides(view, sv, tool);
  if (own === 'yes') return 'yes';
  const base = baseProvides(model, sv.base, tool, depth);
  if (base === 'yes') return 'yes';
  if (own !== 'no') return own;
  return base;
}

/** What the image a stage starts from contains, combined with what the chain adds. */
export function stageProvides(
  model: ProjectModel,
  view: ImageView,
  sv: StageView,
  tool: Tool,
): 'yes' | 'no' | Unknown {
  const own = chainProvides(view, sv, tool);
  if (own === 'yes') return 'yes';
  const base = baseProvides(model, sv.base, tool);
  if (base === 'yes') return 'yes';
  if (own !== 'no') return own;
  return base;
}

/** The instruction's text with heredocs, for pattern checks on what a RUN mentions. */
export function runText(ins: DfInstruction): string {
  return `${ins.args}\n${ins.heredocs.map((h) => h.body).join('\n')}`;
}

/** `RUN` instructions of a stage chain. */
export function chainRuns(sv: StageView): DfInstruction[] {
  return sv.chain.flatMap((s) => s.instructions.filter((i) => i.keyword === 'RUN'));
}

export type { StageView, ImageView };

/** Commands whose failure is a condition, not an error: `test -f x && …`, `command -v pip && …`. */
const CONDITIONS = new Set(['test', '[', '[[', 'command', 'which', 'grep', 'type', 'false']);

/**
 * Whether a command of a RUN runs whenever the commands before it succeed: at top level (not inside `if`, a loop,
 * `case` or a group), not a `||` handler, and not after a test in its `&&` list (`[ -f x ] && pip install …`).
 */
export function runsUnconditionally(ins: DfInstruction, c: CommandFacts): boolean {
  if (c.command.depth > 0) return false;
  const all = commandsOf(ins);
  for (let k = all.indexOf(c) - 1; k >= 0; k--) {
    const prev = all[k] as CommandFacts;
    if (prev.command.next === '||' || prev.command.next === '|') return false;
    if (prev.command.next !== '&&') break;
    if (prev.name && CONDITIONS.has(prev.name)) return false;
  }
  return true;
}
