import { createRule } from '../engine/rule.js';
import { heavyInstalledBy, heavyOfDistroPackage, pythonPackagesOfImage } from '../knowledge/heavy-deps.js';
import { python3Of, pythonInstalledByRun } from '../knowledge/images.js';
import type { Site } from '../model/deploy.js';
import type { DfInstruction, DfStage } from '../model/dockerfile.js';
import { envDeclarations, resolveWord } from '../model/eval.js';
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
  return v.known ? inImage(view, stage, ins, v.value)?.replace(/\/+$/, '') : undefined;
}

/** `pip install` names: positional requirements and the `-r` files crossdock can follow. */
function installedNames(
  ctx: { model: Parameters<typeof requirementFile>[0] },
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
    const file = requirementFile(ctx.model, view, sv, ins, w);
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
        const venvs = new Map<string, Venv>();
        /** The first PATH entry set by ENV (a venv's bin, or another folder), undefined while it is the system's. */
        let pathFirst: string | undefined;
        let stop = false;
        /** `python3 -m venv` works: the image's Python has ensurepip (python images, conda), or python3-venv. */
        let venvReady = python3 === 'own' || /^(docker\.io\/)?pytorch\/pytorch(:|@|$)/.test(base.trim());
        let virtualenvReady = false;
        for (const stage of sv.chain) {
          const stageView = view.stages[stage.index] ?? sv;
          for (const ins of stage.instructions) {
            if (stop) break;
            if (ins.keyword === 'ENV') {
              const path = envDeclarations(ins).find((e) => e.name === 'PATH')?.value;
              const first = path?.split(':').find((p) => p !== '');
              if (first !== undefined)
                pathFirst = SYSTEM_PATH.test(first)
                  ? undefined
                  : (pathAt(view, stage, ins, first) ?? 'other');
              continue;
            }
            if (ins.keyword === 'SHELL' && !plainShell(ins)) {
              stop = true;
              break;
            }
            if (ins.keyword !== 'RUN') continue;
            const text = runText(ins);
            if (OTHER_PYTHON.test(text) || pythonInstalledByRun(text)) {
              stop = true;
              break;
            }
            let activated: string | undefined;
            for (const c of commandsOf(ins)) {
              const words = c.argv.map((w) => w.value);
              const at: Site = { file: view.file, span: c.command.span };
              // The venv a bare `python3`/`pip` runs in here, `other` for a folder that is no known venv.
              const pathVenv = pathFirst
                ? (venvs.get(pathFirst.replace(/\/bin$/, ''))?.dir ?? 'other')
                : undefined;
              const created = venvCreation(c);
              const createdDir = created ? pathAt(view, stage, ins, created.dir) : undefined;
              const bareIn = activated ?? pathVenv;
              // Debian and Ubuntu ship `venv` without ensurepip (so do the NGC and TensorFlow images on them):
              // `python3 -m venv` works once python3-venv is installed; `virtualenv` once it is installed.
              if (c.installer === 'apt' && words.some((w) => /^python3(\.\d+)?-venv$/.test(w)))
                venvReady = true;
              if (
                (c.installer === 'apt' && words.some((w) => /^(python3-)?virtualenv$/.test(w))) ||
                (c.installer === 'pip' && c.pip?.packages.some((w) => /^virtualenv\b/.test(w.value)))
              )
                virtualenvReady = true;
              if ((c.installer === 'apt' || c.installer === 'apk') && python3 === 'distro')
                for (const w of words.slice(2)) {
                  const dist = heavyOfDistroPackage(w);
                  if (dist && !held.has(dist))
                    held.set(dist, { site: at, message: `${w} installs ${dist} for the distro's python3` });
                }
              if ((c.name === '.' || c.name === 'source') && /\/bin\/activate$/.test(words[1] ?? '')) {
                const dir = pathAt(view, stage, ins, (words[1] ?? '').replace(/\/bin\/activate$/, ''));
                activated = dir && venvs.has(dir) ? dir : 'other';
              }
              // `ENV PATH=/opt/venv/bin:$PATH` before the venv exists: `python3` is still the image's.
              const fromImage =
                bareIn === undefined || (activated === undefined && pathFirst === `${createdDir}/bin`);
              const works = created?.tool === 'venv' ? venvReady : virtualenvReady;
              if (created && fromImage && works) {
                const dir = createdDir;
                if (dir)
                  venvs.set(dir, {
                    dir,
                    created: at,
                    shared: created.shared,
                    again: new Set(),
                    installs: [],
                    first: undefined,
                  });
                continue;
              }
              if (c.installer !== 'pip' || c.pip?.verb !== 'install' || !runsUnconditionally(ins, c))
                continue;
              if (words.some((w) => /^(--target|--prefix|--root|--python|--user)(=|$)|^-t/.test(w))) continue;
              const program = words[0] ?? '';
              let into: string | undefined;
              if (program.includes('/')) {
                const bin = pathAt(view, stage, ins, program.replace(/\/[^/]+$/, ''));
                into =
                  bin && /\/bin$/.test(bin)
                    ? (venvs.get(bin.replace(/\/bin$/, ''))?.dir ?? 'other')
                    : 'other';
              } else into = bareIn ?? 'system';
              const withDeps = !words.includes('--no-deps');
              const heavy = installedNames(ctx, view, stageView, ins, c).flatMap((n) =>
                heavyInstalledBy(n, withDeps),
              );
              if (into === 'system') {
                // Only where the system pip surely installs: the official python images (a distro's pip may be
                // refused under PEP 668).
                if (python3 === 'own')
                  for (const dist of heavy)
                    if (!held.has(dist))
                      held.set(dist, { site: at, message: `this installs ${dist} into the image's Python` });
                continue;
              }
              const venv = venvs.get(into);
              if (!venv || venv.shared) continue;
              const again = heavy.filter((d) => held.has(d));
              if (again.length === 0) continue;
              for (const d of again) venv.again.add(d);
              venv.installs.push(at);
              venv.first ??= words.slice(0, words.indexOf('install') + 1).join(' ');
            }
          }
        }
        for (const venv of venvs.values()) {
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
