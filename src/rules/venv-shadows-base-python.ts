import { createRule } from '../engine/rule.js';
import { trimTrailingSlashes } from '../model/text.js';
import { heavyInstalledBy, heavyOfDistroPackage, pythonPackagesOfImage } from '../knowledge/heavy-deps.js';
import { python3Of, pythonInstalledByRun } from '../knowledge/images.js';
import type { Site } from '../model/deploy.js';
import type { DfInstruction, DfStage } from '../model/dockerfile.js';
import { envDeclarations, resolveWord } from '../model/eval.js';
import type { ProjectModel } from '../model/project.js';
import type { CommandFacts } from '../model/shell.js';
import {
  commandsOf,
  type ImageView,
  inImage,
  runsUnconditionally,
  runText,
  type StageView,
} from './lib/dockerfile.js';
import { plainShell } from './externally-managed-python.js';
import { requirementFile } from './lib/python.js';

/** PATH entries that hold no virtual environment. */
const SYSTEM_PATH =
  /^(\/usr\/local\/sbin|\/usr\/local\/bin|\/usr\/sbin|\/usr\/bin|\/sbin|\/bin|\$PATH|\$\{PATH\})$/;
/** Text after which crossdock no longer knows which Python `python3` and `pip` run. */
const OTHER_PYTHON = /\b(conda|mamba|micromamba|pyenv|pixi)\b/;

/** Where the image's Python got a heavy package: the FROM of an image that ships it, a distro package, a pip install. */
interface Held {
  site: Site;
  message: string;
}

interface Venv {
  dir: string;
  created: Site;
  /** `--system-site-packages`: the venv sees the base Python's packages. */
  shared: boolean;
  /** Heavy packages installed into it again, and by which commands. */
  again: Set<string>;
  installs: Site[];
  first: string | undefined;
}

/** An in-image path written in an instruction, variables from ARG/ENV substituted; undefined when not known. */
function pathAt(view: ImageView, stage: DfStage, ins: DfInstruction, text: string): string | undefined {
  const v = resolveWord(view, stage, ins, text);
  return v.known ? trimSlashes(inImage(view, stage, ins, v.value)) : undefined;
}

/** `pip install` names: positional requirements and the `-r` files crossdock can follow. */
function installedNames(
  model: ProjectModel,
  view: ImageView,
  sv: StageView,
  ins: DfInstruction,
  c: CommandFacts,
): string[] {
  const pip = c.pip;
  if (!pip) return [];
  const names = pip.packages
    .map((w) => /^[A-Za-z0-9][A-Za-z0-9._-]*/.exec(w.value)?.[0] ?? '')
    .filter((n) => n !== '' && !/\.(whl|tar\.gz|zip)$/.test(n));
  for (const w of pip.requirementFiles) {
    const file = requirementFile(model, view, sv, ins, w);
    if (file.known) for (const r of file.value.requirements) if (r.name) names.push(r.name);
  }
  return names;
}

/** `python3 -m venv DIR` / `virtualenv DIR` run by the image's Python: the folder as written and the flags. */
function venvCreation(
  c: CommandFacts,
): { dir: string; shared: boolean; tool: 'venv' | 'virtualenv' } | undefined {
  const program = c.argv[0]?.value ?? '';
  if (program.includes('/') && !/^\/usr\/(local\/)?bin\//.test(program)) return undefined;
  const name = program.slice(program.lastIndexOf('/') + 1);
  const words = c.argv.map((w) => w.value);
  let rest: string[];
  let tool: 'venv' | 'virtualenv';
  if ((name === 'python3' || name === 'python') && words[1] === '-m' && words[2] === 'venv') {
    rest = words.slice(3);
    tool = 'venv';
  } else if (name === 'virtualenv') {
    rest = words.slice(1);
    tool = 'virtualenv';
  } else return undefined;
  // `--without-pip`: the venv has no pip of its own, so what installs into it is not known.
  if (rest.some((w) => /^--(without-pip|no-pip)$/.test(w))) return undefined;
  const dir = rest.find((w) => !w.startsWith('-'));
  return dir ? { dir, shared: rest.includes('--system-site-packages'), tool } : undefined;
}

/** What a scan of a stage's chain knows so far. */
interface Scan {
  model: ProjectModel;
  view: ImageView;
  /** Which Python `python3` is in the base image. */
  python3: 'distro' | 'own' | undefined;
  /** Heavy packages the image's own Python has, by distribution. */
  held: Map<string, Held>;
  venvs: Map<string, Venv>;
  /** The first PATH entry set by ENV (a venv's bin, or another folder), undefined while it is the system's. */
  pathFirst: string | undefined;
  /** `python3 -m venv` works: the image's Python has ensurepip (python images, conda), or python3-venv. */
  venvReady: boolean;
  virtualenvReady: boolean;
  /** Within one RUN: the venv activated by `. DIR/bin/activate`, `other` for one that is not known. */
  activated: string | undefined;
}

/** Records what one command tells: packages the base Python gets, tools installed, a venv activated or created. */
function noteCommand(scan: Scan, stage: DfStage, ins: DfInstruction, c: CommandFacts, at: Site): boolean {
  const { view, held, venvs } = scan;
  const words = c.argv.map((w) => w.value);
  // Debian and Ubuntu ship `venv` without ensurepip (so do the NGC and TensorFlow images on them):
  // `python3 -m venv` works once python3-venv is installed; `virtualenv` once it is installed.
  if (c.installer === 'apt' && words.some((w) => /^python3(\.\d+)?-venv$/.test(w))) scan.venvReady = true;
  if (
    (c.installer === 'apt' && words.some((w) => /^(python3-)?virtualenv$/.test(w))) ||
    (c.installer === 'pip' && c.pip?.packages.some((w) => /^virtualenv\b/.test(w.value)))
  )
    scan.virtualenvReady = true;
  if ((c.installer === 'apt' || c.installer === 'apk') && scan.python3 === 'distro')
    for (const w of words.slice(2)) {
      const dist = heavyOfDistroPackage(w);
      if (dist && !held.has(dist))
        held.set(dist, { site: at, message: `${w} installs ${dist} for the distro's python3` });
    }
  if ((c.name === '.' || c.name === 'source') && /\/bin\/activate$/.test(words[1] ?? '')) {
    const dir = pathAt(view, stage, ins, (words[1] ?? '').replace(/\/bin\/activate$/, ''));
    scan.activated = dir && venvs.has(dir) ? dir : 'other';
  }
  const created = venvCreation(c);
  if (!created) return false;
  const dir = pathAt(view, stage, ins, created.dir);
  // `ENV PATH=/opt/venv/bin:$PATH` before the venv exists: `python3` is still the image's.
  const fromImage =
    (scan.activated === undefined && scan.pathFirst === undefined) ||
    (scan.activated === undefined && scan.pathFirst === `${dir}/bin`);
  const works = created.tool === 'venv' ? scan.venvReady : scan.virtualenvReady;
  if (dir && fromImage && works)
    venvs.set(dir, {
      dir,
      created: at,
      shared: created.shared,
      again: new Set(),
      installs: [],
      first: undefined,
    });
  return true;
}

/** The environment a `pip install` goes into: a known venv's folder, `system`, or `other`. */
function installTarget(scan: Scan, stage: DfStage, ins: DfInstruction, program: string): string {
  const venvOf = (bin: string | undefined) =>
    bin && /\/bin$/.test(bin) ? (scan.venvs.get(bin.replace(/\/bin$/, ''))?.dir ?? 'other') : 'other';
  if (program.includes('/')) return venvOf(pathAt(scan.view, stage, ins, program.replace(/\/[^/]+$/, '')));
  if (scan.activated) return scan.activated;
  return scan.pathFirst ? venvOf(scan.pathFirst) : 'system';
}

/** A `pip install`: heavy packages into the python image's own Python, or installed again into a venv. */
function noteInstall(scan: Scan, stage: DfStage, ins: DfInstruction, c: CommandFacts, at: Site): void {
  const words = c.argv.map((w) => w.value);
  if (c.installer !== 'pip' || c.pip?.verb !== 'install' || !runsUnconditionally(ins, c)) return;
  if (words.some((w) => /^(--target|--prefix|--root|--python|--user)(=|$)|^-t/.test(w))) return;
  const into = installTarget(scan, stage, ins, words[0] ?? '');
  const stageView = scan.view.stages[stage.index];
  if (!stageView) return;
  const withDeps = !words.includes('--no-deps');
  const heavy = installedNames(scan.model, scan.view, stageView, ins, c).flatMap((n) =>
    heavyInstalledBy(n, withDeps),
  );
  if (into === 'system') {
    // Only where the system pip surely installs: the official python images (a distro's pip may be refused
    // under PEP 668).
    if (scan.python3 === 'own')
      for (const dist of heavy)
        if (!scan.held.has(dist))
          scan.held.set(dist, { site: at, message: `this installs ${dist} into the image's Python` });
    return;
  }
  const venv = scan.venvs.get(into);
  if (!venv || venv.shared) return;
  const again = heavy.filter((d) => scan.held.has(d));
  if (again.length === 0) return;
  for (const d of again) venv.again.add(d);
  venv.installs.push(at);
  venv.first ??= words.slice(0, words.indexOf('install') + 1).join(' ');
}

/** Follows a stage's chain; stops where which Python `python3` and `pip` run is no longer known. */
function scanChain(scan: Scan, sv: StageView): void {
  for (const stage of sv.chain)
    for (const ins of stage.instructions) {
      if (ins.keyword === 'ENV') {
        const path = envDeclarations(ins).find((e) => e.name === 'PATH')?.value;
        const first = path?.split(':').find((p) => p !== '');
        if (first !== undefined)
          scan.pathFirst = SYSTEM_PATH.test(first)
            ? undefined
            : (pathAt(scan.view, stage, ins, first) ?? 'other');
        continue;
      }
      if (ins.keyword === 'SHELL' && !plainShell(ins)) return;
      if (ins.keyword !== 'RUN') continue;
      const text = runText(ins);
      if (OTHER_PYTHON.test(text) || pythonInstalledByRun(text)) return;
      scan.activated = undefined;
      for (const c of commandsOf(ins)) {
        const at: Site = { file: scan.view.file, span: c.command.span };
        if (!noteCommand(scan, stage, ins, c, at)) noteInstall(scan, stage, ins, c, at);
      }
    }
}

export default createRule<'again'>({
  meta: {
    id: 'venv-shadows-base-python',
    severity: 'warning',
    category: 'python',
    summary:
      'A virtual environment created without `--system-site-packages` on a base whose Python already has heavy packages (PyTorch, TensorFlow images; `python3-numpy`…), then given the same packages again: a second copy, for another interpreter.',
    messages: {
      again:
        "the virtual environment {{dir}} is created without `--system-site-packages`, so it does not see the {{names}} the image's Python already has; `{{cmd}}` installs {{names}} again into it: a second copy of large native packages, for another interpreter",
    },
    hint: 'create the venv with `--system-site-packages` so pip reuses what the base Python has, or install into the base Python and drop the venv; if the venv is meant to own its packages, start from a base that does not ship them',
  },
  check(ctx) {
    for (const view of ctx.model.images) {
      for (const sv of view.stages) {
        if (!sv.built || !sv.base.known) continue;
        const base = sv.base.value;
        const root = sv.chain[0] ?? sv.stage;
        const python3 = python3Of(base);
        const shipped = pythonPackagesOfImage(base);
        if (!python3 && !shipped) continue;
        const held = new Map<string, Held>();
        for (const n of shipped ?? [])
          held.set(n, {
            site: { file: view.file, span: root.imageSpan },
            message: `${base} ships ${n} in its Python`,
          });
        const scan: Scan = {
          model: ctx.model,
          view,
          python3,
          held,
          venvs: new Map(),
          pathFirst: undefined,
          venvReady: python3 === 'own' || /^(docker\.io\/)?pytorch\/pytorch(:|@|$)/.test(base.trim()),
          virtualenvReady: false,
          activated: undefined,
        };
        scanChain(scan, sv);
        for (const venv of scan.venvs.values()) {
          if (venv.again.size === 0) continue;
          const names = [...venv.again];
          ctx.report({
            messageId: 'again',
            data: { dir: venv.dir, names: names.join(', '), cmd: venv.first ?? 'pip install' },
            file: venv.created.file,
            span: venv.created.span,
            related: names.flatMap((n) => {
              const h = held.get(n);
              return h ? [{ file: h.site.file, span: h.site.span, message: h.message }] : [];
            }),
            sites: venv.installs,
          });
        }
      }
    }
  },
});

/** The path without trailing slashes (`/` becomes empty). */
function trimSlashes(path: string | undefined): string | undefined {
  return path === undefined ? undefined : trimTrailingSlashes(path);
}
