import type { DfInstruction } from '../../model/dockerfile.js';
import type { ImageView, ProjectModel, StageView } from '../../model/project.js';
import type { PyImports, PyRequirement } from '../../model/python.js';
import { basename, pathsWithin, present, relativeTo } from '../../model/repo.js';
import type { CommandFacts, ShellWord } from '../../model/shell.js';
import type { SourceFile } from '../../model/source.js';
import { known, type Unknown, unknown, type Value } from '../../model/value.js';
import { mayBePython } from '../../engine/python-sources.js';
import { parseRequirementText } from '../../sources/python/pep508.js';
import { commandsOf } from './dockerfile.js';
import { installedProject, type RequirementInstall, requirementFile } from './python.js';

/** The Python code of one image's build context, as far as the import scan read it. */
export interface ContextPython {
  context: string;
  /** Python files (`.py`, `python` scripts) with their imports; files `.dockerignore` excludes are left out. */
  files: { path: string; imports: PyImports }[];
  /** Shell scripts (and other files without an extension) with their words. */
  scripts: { path: string; words: string[] }[];
  /** Every file and folder name in the context, without `.py`/`.so`/`.pyd` (names a top-level import may resolve to). */
  names: Set<string>;
}

/** The module a file or folder name provides: `x.py`, `x.so`, `x.cpython-312-aarch64-linux-gnu.so` → `x`. */
function moduleName(seg: string): string {
  const cp = seg.indexOf('.cpython-');
  if (cp > 0) return seg.slice(0, cp);
  for (const ext of ['.py', '.pyw', '.so', '.pyd']) if (seg.endsWith(ext)) return seg.slice(0, -ext.length);
  return seg;
}

/**
 * Every Python file of an image's build context with its imports: known only when the context is known, every
 * file that may hold Python code was read, and none is a notebook or Cython source the scanner cannot read.
 */
export function contextPython(model: ProjectModel, view: ImageView): Value<ContextPython> {
  // Asked by several rules per image: computed once per view (a view belongs to one model).
  let cached = contextPythonCache.get(view);
  if (!cached) {
    cached = computeContextPython(model, view);
    contextPythonCache.set(view, cached);
  }
  return cached;
}

const contextPythonCache = new WeakMap<ImageView, Value<ContextPython>>();

function computeContextPython(model: ProjectModel, view: ImageView): Value<ContextPython> {
  const ctx = view.build.context;
  if (!ctx.known) return ctx;
  const context = ctx.value;
  const ignore = model.dockerignores.get(view.dockerfile.path) ?? model.dockerignores.get(context);
  const out: ContextPython = { context, files: [], scripts: [], names: new Set() };
  const site = view.build.sites?.context ?? view.build.sites?.definition;
  for (const path of pathsWithin(model.inventory, context)) {
    if (!present(model.inventory, path)) continue;
    const rel = relativeTo(context, path);
    if (ignore?.ignores(rel)) continue;
    for (const seg of rel.split('/')) out.names.add(moduleName(seg));
    if (/\.(ipynb|pyx|pxd)$/.test(path))
      return unknown('effects', `${path} holds Python code crossdock does not read for imports`, site);
    if (!mayBePython(path)) continue;
    const scanned = model.python.scanned.get(path);
    if (!scanned)
      return unknown('effects', `${path} was not read for its imports (over a read limit of the run)`, site);
    if ('imports' in scanned) out.files.push({ path, imports: scanned });
    else out.scripts.push({ path, words: scanned.words });
  }
  out.files.sort((a, b) => a.path.localeCompare(b.path));
  return known(out, { kind: 'literal' });
}

/** One distribution an image installs, and where its requirement is written. */
export interface InstalledDist {
  /** PEP 503 normalised name. */
  name: string;
  requirement: PyRequirement;
  /** The file the requirement is written in (a requirements file, a project's metadata, the Dockerfile). */
  file: SourceFile;
  /** The requirements file (or project metadata file) path; undefined for a Dockerfile `pip install name`. */
  from: string | undefined;
  /** The Dockerfile word that installs it (inline), or the `-r`/project word that leads to its file. */
  word: ShellWord;
  ins: DfInstruction;
}

/** Installers and programs whose installs crossdock does not read. */
const OPAQUE_INSTALLERS = new Set([
  'poetry',
  'pipenv',
  'pdm',
  'hatch',
  'pipx',
  'easy_install',
  'conda',
  'mamba',
  'micromamba',
  'pixi',
  'rye',
]);

/** `[extra,…]` a pip target selects (`.[dev,test]`). */
export function selectedExtras(word: string): string[] {
  const open = word.endsWith(']') ? word.lastIndexOf('[') : -1;
  return open >= 0
    ? word
        .slice(open + 1, -1)
        .split(',')
        .map((e) => e.trim().toLowerCase())
        .filter(Boolean)
    : [];
}

/** The pip word naming a local project (`.`, `./pkg[dev]`, `/app`), as `installedProject` picks it. */
export function projectWord(c: CommandFacts): ShellWord | undefined {
  if (!c.pip) return undefined;
  return [...c.pip.editables, ...c.pip.packages].find(
    (w) => /^(\.{1,2}(\/|$|\[)|\/|file:)/.test(w.value) && !/\.(whl|tar\.gz|zip)$|\*/.test(w.value),
  );
}

/** The literal dependency lists of a project folder's metadata, for the extras selected. */
export interface ProjectRequirements {
  /** Each metadata file with the requirements it lists (install requirements and the selected extras). */
  lists: { path: string; requirements: PyRequirement[] }[];
  /** Why the lists may not be all the project installs (dynamic dependencies, a non-literal setup.py). */
  incomplete: string | undefined;
}

/**
 * What installing a project folder installs, from its metadata: `[project] dependencies` (and the selected
 * `optional-dependencies`) of pyproject.toml when it has a `[project]` table, else setup.cfg `install_requires`
 * (and `[options.extras_require]`) and a literal setup.py's. Poetry projects and dynamic dependencies are incomplete.
 */
export function projectRequirements(model: ProjectModel, dir: string, extras: string[]): ProjectRequirements {
  const at = (p: string) => (dir === '.' ? p : `${dir}/${p}`);
  const py = model.python.pyprojects.find((p) => p.path === at('pyproject.toml'));
  const lists: ProjectRequirements['lists'] = [];
  const missingExtra = (have: Record<string, PyRequirement[]> | undefined) =>
    extras.find((e) => !have || !Object.keys(have).some((k) => k.toLowerCase() === e));
  const pick = (have: Record<string, PyRequirement[]> | undefined) =>
    Object.entries(have ?? {}).flatMap(([k, v]) => (extras.includes(k.toLowerCase()) ? v : []));
  if (py?.project && !py.dynamic.includes('dependencies')) {
    lists.push({ path: py.path, requirements: [...py.dependencies, ...pick(py.optionalDependencies)] });
    const miss = missingExtra(py.optionalDependencies);
    return {
      lists,
      incomplete:
        miss !== undefined
          ? `the extra \`${miss}\` is not listed in ${py.path}`
          : py.dynamic.includes('optional-dependencies') && extras.length
            ? `${py.path} declares its optional dependencies dynamic`
            : undefined,
    };
  }
  const setups = model.python.setups.filter((s) => s.path === at('setup.cfg') || s.path === at('setup.py'));
  let incomplete: string | undefined;
  if (py?.poetry) incomplete = `${py.path} lists Poetry dependencies`;
  else if (py?.project) incomplete = `${py.path} declares its dependencies dynamic`;
  else if (setups.length === 0) incomplete = `no project metadata crossdock reads is in ${dir}`;
  for (const s of setups) {
    if (!s.installRequiresLiteral)
      incomplete ??= `${s.path} builds \`install_requires\` from something else than literals`;
    else lists.push({ path: s.path, requirements: [...s.installRequires, ...pick(s.extras)] });
  }
  const miss = extras.find(
    (e) => !setups.some((s) => Object.keys(s.extras ?? {}).some((k) => k.toLowerCase() === e)),
  );
  if (miss !== undefined)
    incomplete ??= `the extra \`${miss}\` is not listed in ${setups.map((s) => s.path).join(' or ') || dir}`;
  return { lists, incomplete };
}

/**
 * A distro package that installs Python modules (`python3-yaml`, `py3-numpy`); the interpreter, its headers and
 * pip/setuptools/venv (`python3-dev`, `python3.11-venv`, `py3-pip`) install none but the tooling's own.
 */
export function distroPythonPackage(name: string): boolean {
  const m = /^(?:python3?(?:\.\d+)?|py3)-(.+)$/.exec(name);
  return (
    !!m &&
    !/^(dev|minimal|full|pip|venv|setuptools|wheel|distutils|lib2to3|tk|doc|all|stdlib-extensions)(=.*)?$/.test(
      m[1] ?? '',
    )
  );
}

function installerUnknown(view: ImageView, c: CommandFacts): Unknown | undefined {
  const site = { file: view.file, span: c.command.span };
  const name = c.name ?? '';
  if (c.pip) return undefined;
  if (c.installer === 'conda' || c.installer === 'uv' || OPAQUE_INSTALLERS.has(name))
    return unknown('effects', `\`${name}\` installs Python packages crossdock does not read`, site);
  if (/^python[0-9.]*$/.test(name) && c.argv.some((w) => basename(w.value) === 'setup.py'))
    return unknown('effects', `\`${name} setup.py\` installs a project crossdock does not follow`, site);
  if (c.installer === 'apt' || c.installer === 'apk' || c.installer === 'dnf') {
    const py = c.argv.find((w) => distroPythonPackage(w.value));
    return py
      ? unknown('effects', `the distro package \`${py.value}\` installs Python packages`, {
          file: view.file,
          span: py.span,
        })
      : undefined;
  }
  if (c.unknownEffects) return unknown('effects', `\`${name}\` may install Python packages`, site);
  return undefined;
}

/**
 * Every distribution the built stages of an image install with pip (requirement files with their nested
 * includes, inline names, a local project's metadata); unknown when any install is of something crossdock cannot
 * read (a file it did not read, a variable, a wheel, a URL, another installer, a script).
 */
export function installedByImage(
  model: ProjectModel,
  view: ImageView,
  installs: { files: Map<string, RequirementInstall[]>; unknowns: Unknown[] },
): Value<InstalledDist[]> {
  const out: InstalledDist[] = [];
  const mine = new Set<string>();
  for (const [path, list] of installs.files) if (list.some((i) => i.view === view)) mine.add(path);
  const nested = installs.unknowns.find((u) => u.site && mine.has(u.site.file.path));
  if (nested) return nested;
  for (const sv of view.stages) {
    if (!sv.built) continue;
    for (const ins of sv.stage.instructions) {
      if (ins.keyword !== 'RUN') continue;
      for (const c of commandsOf(ins)) {
        const u = installerUnknown(view, c);
        if (u) return u;
        if (!c.pip || c.pip.verb === 'download') continue;
        const r = commandInstalls(model, view, sv, ins, c, installs);
        if (!r.known) return r;
        out.push(...r.value);
      }
    }
  }
  return known(out, { kind: 'literal' });
}

function commandInstalls(
  model: ProjectModel,
  view: ImageView,
  sv: StageView,
  ins: DfInstruction,
  c: CommandFacts,
  installs: { files: Map<string, RequirementInstall[]> },
): Value<InstalledDist[]> {
  const out: InstalledDist[] = [];
  const pip = c.pip;
  if (!pip) return known(out, { kind: 'literal' });
  for (const w of pip.requirementFiles) {
    const f = requirementFile(model, view, sv, ins, w);
    if (!f.known) return f;
  }
  for (const [path, list] of installs.files)
    for (const i of list) {
      if (i.view !== view || i.command !== c) continue;
      const req = model.python.requirements.find((r) => r.path === path);
      const file = model.sources.get(path);
      if (!req || !file)
        return unknown('effects', `${path} was not read`, { file: view.file, span: i.word.span });
      for (const r of req.requirements) {
        if (!r.name)
          return unknown('effects', `${path} installs a path or URL crossdock does not follow`, {
            file,
            span: r.span,
          });
        out.push({ name: r.name, requirement: r, file, from: path, word: i.word, ins });
      }
    }
  const project = projectWord(c);
  for (const w of [...pip.editables, ...pip.packages]) {
    if (w.value.includes('$'))
      return unknown('environment', `\`${w.value}\` is a variable`, { file: view.file, span: w.span });
    if (w === project) {
      if (pip.noDeps) continue;
      const dir = installedProject(model, view, sv, ins, c);
      if (!dir?.known)
        return (
          dir ??
          unknown('effects', `what \`${w.value}\` installs is not known`, { file: view.file, span: w.span })
        );
      const reqs = projectRequirements(model, dir.value, selectedExtras(w.value));
      if (reqs.incomplete) return unknown('effects', reqs.incomplete, { file: view.file, span: w.span });
      for (const l of reqs.lists) {
        const file = model.sources.get(l.path);
        if (!file) return unknown('effects', `${l.path} was not read`, { file: view.file, span: w.span });
        for (const r of l.requirements) {
          if (!r.name)
            return unknown('effects', `${l.path} installs a path or URL crossdock does not follow`, {
              file,
              span: r.span,
            });
          out.push({ name: r.name, requirement: r, file, from: l.path, word: w, ins });
        }
      }
      continue;
    }
    const r = parseRequirementText(w.value, w.span);
    if (!r?.name || r.localPath)
      return unknown('effects', `what \`${w.value}\` installs is not known`, {
        file: view.file,
        span: w.span,
      });
    out.push({ name: r.name, requirement: r, file: view.file, from: undefined, word: w, ins });
  }
  return known(out, { kind: 'literal' });
}
