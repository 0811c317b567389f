import { createRule } from '../engine/rule.js';
import { distroPythonManaged, pythonInstalledByRun } from '../knowledge/images.js';
import type { Site } from '../model/deploy.js';
import type { DfInstruction } from '../model/dockerfile.js';
import type { ImageView, ProjectModel } from '../model/project.js';
import type { CommandFacts } from '../model/shell.js';
import type { SourceFile } from '../model/source.js';
import { unknown, type Value } from '../model/value.js';
import {
  buildSite,
  commandsOf,
  imageBuild,
  pipefailAt,
  runsUnconditionally,
  runText,
  type StageView,
} from './lib/dockerfile.js';

/** Distro packages that install pip for the distro's python3. */
const PIP_PACKAGES = new Set(['python3-pip', 'py3-pip']);
/** PATH entries that hold no Python but the distro's (or nothing a Dockerfile could not be seen putting there). */
const SYSTEM_PATH = new Set([
  '/usr/local/sbin',
  '/usr/local/bin',
  '/usr/sbin',
  '/usr/bin',
  '/sbin',
  '/bin',
  '$PATH',
  `\${PATH}`,
]);
/**
 * Options with which pip does not check the marker (pip's install command: `--root`, `--target`, `--prefix`
 * install elsewhere; `--break-system-packages` overrides it), or that run another interpreter (`--python`).
 */
const UNCHECKED = /^(--root|--target|--prefix|--python|--break-system-packages)(=|$)|^-t/;
/**
 * Text in a RUN after which crossdock no longer knows whether pip checks the marker: the marker removed, pip
 * configured to ignore it, another Python or environment manager.
 */
const ESCAPES =
  /EXTERNALLY-MANAGED|break-system-packages|PIP_BREAK_SYSTEM_PACKAGES|PIP_(CONFIG_FILE|TARGET|PREFIX|ROOT|PYTHON)\b|pip\.conf|\bpip3? config\b|\b(conda|mamba|micromamba|pyenv|pixi)\b/i;

interface Candidate {
  file: SourceFile;
  ins: DfInstruction;
  command: CommandFacts;
  /** In the stage checked (not in an in-repo base image's Dockerfile). */
  own: boolean;
  /** It surely runs (see runsUnconditionally); the others are refused only if they run, e.g. as a fallback. */
  sure?: boolean;
}

/**
 * A `SHELL` that runs RUN in a plain shell (`["/bin/bash", "-o", "pipefail", "-c"]`); not a login or interactive
 * shell (`--login`, `-l`, `-i`), whose profile scripts may activate an environment, and not a wrapper.
 */
export function plainShell(ins: DfInstruction): boolean {
  const argv = ins.exec ?? ins.words.map((w) => w.value);
  return (
    /^(\/usr)?(\/bin\/)?(ba|da|z)?sh$/.test(argv[0] ?? '') &&
    argv
      .slice(1)
      .every((a) => (a.startsWith('-') && !isLoginFlag(a)) || /^(pipefail|errexit|nounset|xtrace)$/.test(a))
  );
}

/** `ENV` pairs as written: `ENV A=1 B=2` and the legacy `ENV A 1`. */
function envPairs(ins: DfInstruction): [string, string][] {
  const words = ins.words.map((w) => w.value);
  if (words[0] && !words[0].includes('=')) return [[words[0], words.slice(1).join(' ')]];
  return words.map((w) => [w.slice(0, w.indexOf('=')), w.slice(w.indexOf('=') + 1)]);
}

/** The program runs the distro's pip: `pip`, `pip3`, `python3 -m pip` (`python` with python-is-python3). */
function distroPip(c: CommandFacts, pythonIsPython3: boolean): boolean {
  const program = c.argv[0]?.value ?? '';
  if (program.includes('/') && !program.startsWith('/usr/bin/')) return false;
  const name = program.slice(program.lastIndexOf('/') + 1);
  return name === 'pip' || name === 'pip3' || name === 'python3' || (name === 'python' && pythonIsPython3);
}

/** One instruction of what an image is built from, base images built in the repository first. */
interface Step {
  file: SourceFile;
  ins: DfInstruction;
  own: boolean;
}

/**
 * The instructions a stage's image is made of, through base images built in this repository (their Dockerfile's
 * target chain first), and the image at the root with its FROM.
 */
function stepsOf(
  model: ProjectModel,
  view: ImageView,
  sv: StageView,
  depth = 0,
): { steps: Step[]; base: Value<string>; from: Site; via?: string } {
  const root = sv.chain[0] ?? sv.stage;
  const own = sv.chain.flatMap((st) => st.instructions.map((ins) => ({ file: view.file, ins, own: true })));
  const from: Site = { file: view.file, span: root.imageSpan };
  const base = sv.base;
  if (!base.known || distroPythonManaged(base.value) || depth >= 4) return { steps: own, base, from };
  const build = imageBuild(model, base.value);
  if (!build) return { steps: own, base, from };
  if (!build.known) return { steps: own, base: { ...build, site: build.site ?? from }, from };
  const parentView = model.images.find((v) => v.build === build.value);
  const target = parentView?.target ? parentView.stages[parentView.target.index] : undefined;
  if (!parentView || !target) return { steps: own, base, from };
  const parent = stepsOf(model, parentView, target, depth + 1);
  return {
    steps: [...parent.steps.map((st) => ({ ...st, own: false })), ...own],
    base: parent.base,
    from: parent.from,
    via: base.value,
  };
}

/**
 * The `pip install` commands of a stage chain that run the distro's pip into the distro's Python (pip installed
 * by the distro's package before them, no virtual environment, no option or setting that skips PEP 668's check),
 * and the command that installed pip. Scanning stops at anything after which that is not known.
 */
function systemInstalls(steps: Step[]): { pip: Candidate | undefined; installs: Candidate[] } {
  let pip: Candidate | undefined;
  let pythonIsPython3 = false;
  /** ENV PATH puts a folder first that may hold another pip (a virtual environment's bin). */
  let otherPath = false;
  const installs: Candidate[] = [];
  for (const { file, ins, own } of steps) {
    if (ins.keyword === 'ENV') {
      for (const [name, value] of envPairs(ins)) {
        if (name === 'PIP_BREAK_SYSTEM_PACKAGES' && !/^(0|false|no|off)$/i.test(value))
          return { pip, installs };
        if (/^(PIP_CONFIG_FILE|PIP_TARGET|PIP_PREFIX|PIP_ROOT|PIP_PYTHON|PYTHONHOME)$/.test(name))
          return { pip, installs };
        if (name === 'PATH' && value.split(':').some((p) => p !== '' && !SYSTEM_PATH.has(p)))
          otherPath = true;
      }
      continue;
    }
    // `SHELL ["/bin/bash", "--login", "-c"]` (profiles may activate conda or a venv) or a wrapper.
    if (ins.keyword === 'SHELL' && !plainShell(ins)) return { pip, installs };
    if (ins.keyword === 'ARG') {
      if (
        ins.words.some((w) =>
          /^(PIP_BREAK_SYSTEM_PACKAGES|PIP_CONFIG_FILE|PIP_TARGET|PIP_PREFIX|PIP_ROOT|PIP_PYTHON|PATH)(=|$)/.test(
            w.value,
          ),
        )
      )
        return { pip, installs };
      continue;
    }
    if (ins.keyword === 'COPY' || ins.keyword === 'ADD') {
      // A pip.conf, or another Python copied in (`COPY --from=python:3.12 /usr/local /usr/local`).
      const from = ins.flags.some((f) => f.name === 'from');
      if (
        ins.words.some((w) => ESCAPES.test(w.value)) ||
        (from && ins.words.some((w) => /^\/usr\/local\/?$|^\/usr\/local\/bin|python/.test(w.value)))
      )
        return { pip, installs };
      continue;
    }
    if (ins.keyword !== 'RUN') continue;
    const text = runText(ins);
    if (ESCAPES.test(text) || pythonInstalledByRun(text)) return { pip, installs };
    let activated = false;
    let runPath = false;
    for (const c of commandsOf(ins)) {
      const words = c.argv.map((w) => w.value);
      if ((c.installer === 'apt' || c.installer === 'apk') && words.some((w) => PIP_PACKAGES.has(w)))
        pip ??= { file, ins, command: c, own };
      if (c.installer === 'apt' && words.includes('python-is-python3')) pythonIsPython3 = true;
      if ((c.name === '.' || c.name === 'source') && /\/activate$/.test(words[1] ?? '')) activated = true;
      if (
        c.command.assignments.some((a) => a.name === 'PATH') ||
        (c.name === 'export' && words.some((w) => w.startsWith('PATH=')))
      )
        runPath = true;
      if (
        !pip ||
        c.installer !== 'pip' ||
        c.pip?.verb !== 'install' ||
        activated ||
        runPath ||
        otherPath ||
        !distroPip(c, pythonIsPython3) ||
        words.some((w) => UNCHECKED.test(w)) ||
        (words.includes('--dry-run') && words.some((w) => /^--report(=|$)/.test(w)))
      )
        continue;
      installs.push({ file, ins, command: c, own, sure: runsUnconditionally(ins, c) });
    }
  }
  return { pip, installs };
}

export default createRule<'refused' | 'masked'>({
  meta: {
    id: 'externally-managed-python',
    severity: 'error',
    category: 'python',
    summary:
      '`pip install` into the distro Python of a base that PEP 668 marks externally managed (Debian 12+, Ubuntu 23.04+, Alpine 3.19+), outside a virtual environment and without `--break-system-packages`: pip refuses and the build fails.',
    messages: {
      refused:
        '`{{cmd}}` installs into the distro Python of {{base}} ({{distro}}), which is marked externally managed (PEP 668): pip stops with "error: externally-managed-environment" and the build fails',
      masked:
        '`{{cmd}}` installs into the distro Python of {{base}} ({{distro}}), which is marked externally managed (PEP 668): pip refuses every time ("error: externally-managed-environment"), and `{{by}}` hides it, so the image never gets what it installs',
    },
    hint: 'install into a virtual environment (`RUN python3 -m venv /opt/venv` and `ENV PATH=/opt/venv/bin:$PATH`, then `pip install`), or start from an official `python:*` image, whose Python is not externally managed; `--break-system-packages` (or `ENV PIP_BREAK_SYSTEM_PACKAGES=1`) forces it at the risk of breaking distro packages',
  },
  check(ctx) {
    for (const view of ctx.model.images) {
      for (const sv of view.stages) {
        if (!sv.built) continue;
        const { steps, base, from: fromSite, via } = stepsOf(ctx.model, view, sv);
        const { pip, installs: all } = systemInstalls(steps);
        // Installs in an in-repo base image's Dockerfile are that image's findings.
        const installs = all.filter((c) => c.sure && c.own);
        const first = installs[0];
        if (!pip || !first) continue;
        const blocked = `whether \`pip install\` may install into this stage's distro Python (PEP 668)`;
        if (!base.known) {
          ctx.unknown({ ...base, site: base.site ?? fromSite }, blocked);
          continue;
        }
        const managed = distroPythonManaged(base.value);
        if (!managed) {
          ctx.unknown(
            unknown(
              'image-contents',
              `whether the distro Python of ${base.value} is marked externally managed is not known`,
              fromSite,
            ),
            blocked,
          );
          continue;
        }
        if (!managed.managed) continue;
        const argv = first.command.argv.map((w) => w.value);
        const cmd = argv.slice(0, argv.indexOf('install') + 1).join(' ');
        // `|| true`, `; true`, a pipe without pipefail or a fallback: the build goes on without the packages. A
        // fallback that is itself such a pip install is refused too: what hides the failure is what follows it.
        let last = first;
        for (let n = 0; n < 8 && last.command.masked?.how === 'fallback'; n++) {
          const next = all.find((c) => c.command.command === last.command.masked?.by);
          if (!next) break;
          last = next;
        }
        const mask = last.command.masked;
        const hidden = mask && !(mask.how === 'pipe' && pipefailAt(view.dockerfile, last.ins));
        const op = mask?.how === 'semicolon' ? ';' : mask?.how === 'pipe' ? '|' : '||';
        const by = `${op} ${mask?.by.argv.map((w) => w.value).join(' ') ?? ''}`;
        ctx.report({
          messageId: hidden ? 'masked' : 'refused',
          data: {
            cmd,
            base: via ? `${base.value} (under ${via})` : base.value,
            distro: managed.distro,
            by: by.slice(0, 60),
          },
          file: view.file,
          span: first.command.command.span,
          related: [
            { file: fromSite.file, span: fromSite.span, message: `${base.value} is ${managed.distro}` },
            {
              file: pip.file,
              span: pip.command.command.span,
              message: "pip comes from the distro's package here",
            },
          ],
          sites: [
            ...installs.slice(1).map((c) => ({ file: view.file, span: c.command.command.span })),
            ...buildSite(view),
          ],
        });
      }
    }
  },
});

/** `--login`, `--interactive`, or a short-flag cluster holding `l` or `i` (`-lc`, `-il`). */
function isLoginFlag(a: string): boolean {
  return a === '--login' || a === '--interactive' || (/^-[a-z]+$/.test(a) && /[li]/.test(a));
}
