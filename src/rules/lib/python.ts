import { dirname } from '../../engine/classify.js';
import { joinPath } from '../../engine/build-graph.js';
import { pythonInstalledByRun, pythonOfImage } from '../../knowledge/images.js';
import type { DfStage, Dockerfile } from '../../model/dockerfile.js';
import type { ProjectModel } from '../../model/project.js';
import type { PyRequirementsFile } from '../../model/python.js';
import type { ShellCommand, ShellWord } from '../../model/shell.js';
import type { SourceFile, Span } from '../../model/source.js';
import { buildsOf, pipArgs, stageChain } from './dockerfile.js';

/** pip options that take a value in the next word. */
const VALUE_OPTS = new Set([
  '-r',
  '--requirement',
  '-c',
  '--constraint',
  '-e',
  '--editable',
  '-i',
  '--index-url',
  '--extra-index-url',
  '-f',
  '--find-links',
  '--trusted-host',
  '-t',
  '--target',
  '--prefix',
  '--root',
  '--timeout',
  '--default-timeout',
  '--retries',
  '--only-binary',
  '--no-binary',
  '--platform',
  '--python-version',
  '--implementation',
  '--abi',
  '--cache-dir',
  '--src',
  '--progress-bar',
  '--upgrade-strategy',
  '--log',
  '--proxy',
  '--cert',
  '--client-cert',
  '--python',
  '-w',
  '--wheel-dir',
  '-d',
  '--dest',
  '--report',
]);

export interface PipTargets {
  requirementFiles: ShellWord[];
  editables: ShellWord[];
  /** Positional requirements: `flask==3.0`, `.`, `./pkg`, URLs. */
  packages: ShellWord[];
}

export function pipTargets(cmd: ShellCommand): PipTargets {
  const out: PipTargets = { requirementFiles: [], editables: [], packages: [] };
  const args = pipArgs(cmd);
  for (let i = 0; i < args.length; i++) {
    const w = args[i]!;
    const v = w.value;
    const joined = /^(-r|-e|-c)(.+)$/.exec(v) ?? /^(--requirement|--editable|--constraint)=(.+)$/.exec(v);
    if (joined) {
      const kind = joined[1] ?? '';
      const word = { ...w, value: joined[2] ?? '' };
      if (kind === '-r' || kind === '--requirement') out.requirementFiles.push(word);
      else if (kind === '-e' || kind === '--editable') out.editables.push(word);
      continue;
    }
    if (VALUE_OPTS.has(v)) {
      const next = args[i + 1];
      if (next) {
        if (v === '-r' || v === '--requirement') out.requirementFiles.push(next);
        else if (v === '-e' || v === '--editable') out.editables.push(next);
      }
      i++;
      continue;
    }
    if (v.startsWith('-')) continue;
    out.packages.push(w);
  }
  return out;
}

/** The repository requirements file a `-r FILE` in a Dockerfile most likely installs. */
export function resolveRequirementFile(
  model: ProjectModel,
  df: Dockerfile,
  arg: string,
): PyRequirementsFile | undefined {
  const reqs = model.python.requirements;
  const name = arg.replace(/^\.\//, '');
  const candidates = [
    ...buildsOf(model, df).map((b) => joinPath(b.context, name)),
    joinPath(dirname(df.path), name),
    joinPath('.', name),
  ];
  for (const c of candidates) {
    const hit = c && reqs.find((r) => r.path === c);
    if (hit) return hit;
  }
  const base = name.slice(name.lastIndexOf('/') + 1);
  const byName = reqs.filter((r) => r.path === base || r.path.endsWith(`/${base}`));
  return byName.length === 1 ? byName[0] : undefined;
}

export interface VersionConstraint {
  /** PEP 440 specifier or npm range. */
  value: string;
  file: SourceFile;
  span: Span;
  /** e.g. `requires-python`, `.python-version`. */
  what: string;
}

/** The Python version constraint of the project a Dockerfile builds: the closest pyproject/setup/.python-version. */
export function pythonConstraint(model: ProjectModel, df: Dockerfile): VersionConstraint | undefined {
  return constraintIn(model, [
    ...new Set([...buildsOf(model, df).map((b) => b.context), dirname(df.path), '.']),
  ]);
}

/** The first Python version constraint found in these folders (pyproject, setup.py/cfg, .python-version). */
export function constraintIn(model: ProjectModel, dirs: string[]): VersionConstraint | undefined {
  for (const dir of dirs) {
    const at = (p: string) => (dir === '.' ? p : `${dir}/${p}`);
    const py = model.python.pyprojects.find((p) => p.path === at('pyproject.toml'));
    if (py?.requiresPython) {
      const file = model.sources.get(py.path);
      if (file)
        return {
          value: py.requiresPython.value,
          file,
          span: py.requiresPython.span,
          what: 'requires-python',
        };
    }
    for (const s of model.python.setups.filter(
      (x) => x.path === at('setup.py') || x.path === at('setup.cfg'),
    )) {
      const file = model.sources.get(s.path);
      if (s.pythonRequires && file)
        return { value: s.pythonRequires.value, file, span: s.pythonRequires.span, what: 'python_requires' };
    }
    const pv = model.python.versionFiles.find((v) => v.path === at('.python-version'));
    const file = pv && model.sources.get(pv.path);
    if (pv && file && /^\d+\.\d+/.test(pv.version)) {
      const minor = /^\d+\.\d+/.exec(pv.version)?.[0] ?? pv.version;
      return { value: `==${minor}.*`, file, span: pv.span, what: '.python-version' };
    }
  }
  return undefined;
}

export interface StagePython {
  version: string;
  how: string;
  /** Where that Python comes from: the FROM image or the installing RUN. */
  span: Span;
}

/** The Python a stage runs: installed by a RUN in its chain (last wins), else its root image's. */
export function stagePython(df: Dockerfile, stage: DfStage): StagePython | undefined {
  const chain = stageChain(df, stage);
  let found: StagePython | undefined;
  const root = chain[0];
  if (root?.image) {
    const p = pythonOfImage(root.image);
    if (p) found = { ...p, span: root.imageSpan };
  }
  for (const s of chain) {
    for (const ins of s.instructions) {
      if (ins.keyword !== 'RUN') continue;
      const v = pythonInstalledByRun(`${ins.args}\n${ins.heredocs.map((h) => h.body).join('\n')}`);
      if (v) found = { version: v, how: `Python ${v} installed by this RUN`, span: ins.keywordSpan };
    }
  }
  return found;
}
