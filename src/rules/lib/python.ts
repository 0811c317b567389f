import { pythonInstalledByRun, pythonOfImage } from '../../knowledge/images.js';
import type { DfInstruction } from '../../model/dockerfile.js';
import { copyMappings, imageFileSource, normalize, workdirAt } from '../../model/eval.js';
import type { ImageView, ProjectModel, StageView } from '../../model/project.js';
import type { PyRequirementsFile } from '../../model/python.js';
import { joinPath, within } from '../../model/repo.js';
import type { CommandFacts, ShellWord } from '../../model/shell.js';
import type { SourceFile, Span } from '../../model/source.js';
import { lastLineStart } from '../../model/text.js';
import { known, type Unknown, unknown, type Value } from '../../model/value.js';
import { buildOfImage, runText } from './dockerfile.js';

/**
 * `path[extra,…]` → `path`: from the first `[` of the last line when the text ends with `]` (what
 * `.replace(/\[.*\]$/, '')` did; `.` does not cross a line terminator).
 */
export function withoutExtras(text: string): string {
  if (!text.endsWith(']')) return text;
  const open = text.indexOf('[', lastLineStart(text));
  return open < 0 ? text : text.slice(0, open);
}

/** An in-image path a pip argument names, resolved against the RUN's WORKDIR. */
export function pipPath(view: ImageView, sv: StageView, ins: DfInstruction, w: ShellWord): Value<string> {
  const raw = withoutExtras(w.value.replace(/^file:(\/\/)?/, ''));
  if (raw.startsWith('/')) return known(normalize('/', raw), { kind: 'literal' });
  const wd = workdirAt(view, sv.stage, ins);
  return wd.known
    ? known(normalize(wd.value, raw), { kind: 'literal' })
    : { ...wd, site: wd.site ?? { file: view.file, span: w.span } };
}

/** The context-relative path an in-image path was copied from (known even when the context itself is not). */
function inContext(view: ImageView, sv: StageView, ins: DfInstruction, inImage: string): string | undefined {
  let hit: ReturnType<typeof copyMappings>[number] | undefined;
  for (const m of copyMappings(view, sv.stage, ins))
    if (m.dest === inImage || (m.tree && inImage.startsWith(`${m.dest === '/' ? '' : m.dest}/`))) hit = m;
  if (!hit) return undefined;
  const rel = hit.dest === inImage ? '' : inImage.slice(hit.dest === '/' ? 1 : hit.dest.length + 1);
  return rel ? (hit.source === '.' ? rel : `${hit.source}/${rel}`) : hit.source;
}

/**
 * The repository file an in-image path was copied from. With a known context, the copy decides. With an unknown
 * context (a Dockerfile nothing builds), only what holds under every candidate context is known: with one
 * candidate, the file under it; with several, the copy names a different file under each (or fails under those
 * where it is absent), so the file is unknown — never "the only candidate where the file exists".
 */
export function repoFileOf(
  model: ProjectModel,
  view: ImageView,
  sv: StageView,
  ins: DfInstruction,
  inImage: string,
): Value<string> {
  const src = imageFileSource(view, sv.stage, ins, inImage);
  if (src.known || view.build.context.known) return src;
  const rel = inContext(view, sv, ins, inImage);
  const candidates = view.build.context.candidates ?? [];
  const only = rel === undefined || candidates.length !== 1 ? undefined : joinPath(candidates[0] ?? '.', rel);
  if (only !== undefined && model.inventory.files.has(only))
    return known(only, { kind: 'convention', detail: 'the only folder the build context can be' });
  return src;
}

/** The requirements file a `-r` argument installs, followed through the COPY that put it into the image. */
export function requirementFile(
  model: ProjectModel,
  view: ImageView,
  sv: StageView,
  ins: DfInstruction,
  w: ShellWord,
): Value<PyRequirementsFile> {
  const p = pipPath(view, sv, ins, w);
  if (!p.known) return p;
  const src = repoFileOf(model, view, sv, ins, p.value);
  if (!src.known) return { ...src, site: src.site ?? { file: view.file, span: w.span } };
  const req = model.python.requirements.find((r) => r.path === src.value);
  return req
    ? known(req, src.origin)
    : unknown('effects', `${src.value} was not read`, { file: view.file, span: w.span });
}

/** One requirements file a `pip install` of a built stage installs: named by `-r`, or included with `-r` by one. */
export interface RequirementInstall {
  view: ImageView;
  ins: DfInstruction;
  command: CommandFacts;
  /** The command's `-r` word that leads to this file. */
  word: ShellWord;
  /** The file that includes this one with `-r` (nested includes), undefined for the command's own `-r`. */
  via: PyRequirementsFile | undefined;
  /**
   * Constraint files in effect for the whole install (pip applies every `-c`, given on the command line or in any
   * file it reads, to every requirement): known files, or why one is not known.
   */
  constraints: Value<PyRequirementsFile>[];
}

/**
 * What the images' `pip install -r` commands install, with nested `-r`/`-c` includes followed inside the image
 * (relative to the including file's folder there, through the COPY that put it in): installs by file path, and
 * the `-r` files that could not be followed (the install may be of any file).
 */
export function requirementInstalls(model: ProjectModel): {
  files: Map<string, RequirementInstall[]>;
  unknowns: Unknown[];
} {
  const files = new Map<string, RequirementInstall[]>();
  const unknowns: Unknown[] = [];
  for (const view of model.images)
    for (const sv of view.stages) {
      if (!sv.built) continue;
      for (const ins of sv.stage.instructions)
        for (const c of ins.analysis?.facts.commands ?? []) {
          if (!c.pip || c.pip.verb === 'download') continue;
          const entries: {
            file: PyRequirementsFile;
            word: ShellWord;
            via: PyRequirementsFile | undefined;
          }[] = [];
          const constraints: Value<PyRequirementsFile>[] = c.pip.constraintFiles.map((w) =>
            requirementFile(model, view, sv, ins, w),
          );
          const seen = new Set<string>();
          // An included file, in the image next to the file including it.
          const included = (
            from: { file: PyRequirementsFile; inImage: string },
            inc: PyRequirementsFile['includes'][number],
          ): { file: PyRequirementsFile; inImage: string } | Unknown => {
            const source = model.sources.get(from.file.path);
            const site = source ? { file: source, span: inc.span } : undefined;
            const dir = from.inImage.slice(0, from.inImage.lastIndexOf('/')) || '/';
            const inImage = normalize(dir, inc.path);
            const src = repoFileOf(model, view, sv, ins, inImage);
            if (!src.known) return { ...src, site: src.site ?? site };
            const file = model.python.requirements.find((r) => r.path === src.value);
            return file ? { file, inImage } : unknown('effects', `${src.value} was not read`, site);
          };
          const visit = (
            node: { file: PyRequirementsFile; inImage: string },
            word: ShellWord,
            via: PyRequirementsFile | undefined,
            depth: number,
          ) => {
            if (seen.has(node.file.path) || depth > 8) return;
            seen.add(node.file.path);
            entries.push({ file: node.file, word, via });
            for (const inc of node.file.includes) {
              const next = included(node, inc);
              if (inc.kind === 'constraint')
                constraints.push('known' in next ? next : known(next.file, { kind: 'literal' }));
              else if ('known' in next) unknowns.push(next);
              else visit(next, word, node.file, depth + 1);
            }
          };
          for (const w of c.pip.requirementFiles) {
            const p = pipPath(view, sv, ins, w);
            const r = requirementFile(model, view, sv, ins, w);
            if (!r.known || !p.known) {
              const u = r.known ? p : r;
              if (!u.known) unknowns.push({ ...u, site: u.site ?? { file: view.file, span: w.span } });
              continue;
            }
            visit({ file: r.value, inImage: p.value }, w, undefined, 0);
          }
          for (const e of entries) {
            const list = files.get(e.file.path) ?? [];
            list.push({ view, ins, command: c, word: e.word, via: e.via, constraints });
            files.set(e.file.path, list);
          }
        }
    }
  return { files, unknowns };
}

export interface VersionConstraint {
  /** PEP 440 specifier or npm range. */
  value: string;
  file: SourceFile;
  span: Span;
  /** e.g. `requires-python`, `.python-version`. */
  what: string;
  /** pip enforces it when installing the project (requires-python, python_requires). */
  enforced: boolean;
}

/** The Python version constraint a project folder declares: pyproject `requires-python`, setup `python_requires`, `.python-version`. */
export function constraintIn(model: ProjectModel, dir: string): VersionConstraint | undefined {
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
        enforced: true,
      };
  }
  for (const s of model.python.setups.filter(
    (x) => x.path === at('setup.py') || x.path === at('setup.cfg'),
  )) {
    const file = model.sources.get(s.path);
    if (s.pythonRequires && file)
      return {
        value: s.pythonRequires.value,
        file,
        span: s.pythonRequires.span,
        what: 'python_requires',
        enforced: true,
      };
  }
  const pv = model.python.versionFiles.find((v) => v.path === at('.python-version'));
  const file = pv && model.sources.get(pv.path);
  if (pv && file && /^\d+\.\d+/.test(pv.version)) {
    const minor = /^\d+\.\d+/.exec(pv.version)?.[0] ?? pv.version;
    return { value: `==${minor}.*`, file, span: pv.span, what: '.python-version', enforced: false };
  }
  return undefined;
}

/**
 * The project folder a pip command installs (`pip install .`, `-e ./pkg`, `pip install /app`), followed through
 * the COPY that put it in the image. Undefined when the command installs no local project.
 */
export function installedProject(
  model: ProjectModel,
  view: ImageView,
  sv: StageView,
  ins: DfInstruction,
  c: CommandFacts,
): Value<string> | undefined {
  if (!c.pip || c.pip.verb === 'download') return undefined;
  const targets = [...c.pip.editables, ...c.pip.packages].filter(
    (w) => /^(\.{1,2}(\/|$|\[)|\/|file:)/.test(w.value) && !/\.(whl|tar\.gz|zip)$|\*/.test(w.value),
  );
  const w = targets[0];
  if (!w) return undefined;
  const p = pipPath(view, sv, ins, w);
  if (!p.known) return p;
  // The folder holds the project when its pyproject.toml / setup.py was copied in.
  for (const name of ['pyproject.toml', 'setup.py', 'setup.cfg']) {
    const f = repoFileOf(model, view, sv, ins, `${p.value === '/' ? '' : p.value}/${name}`);
    if (f.known)
      return known(f.value.includes('/') ? f.value.slice(0, f.value.lastIndexOf('/')) : '.', f.origin);
  }
  // Copied from a context that is not known (a Dockerfile nothing builds): that is the root cause.
  const ctx = view.build.context;
  if (!ctx.known && inContext(view, sv, ins, p.value) !== undefined) return { ...ctx };
  return unknown('effects', `what \`${w.value}\` holds in the image is not known`, {
    file: view.file,
    span: w.span,
  });
}

export interface StagePython {
  version: string;
  how: string;
  /** Where that Python comes from: the FROM image or the installing RUN. */
  span: Span;
  /** A floating tag (`python:3`, `python:latest`): the version is what the tag meant when crossdock was written. */
  floating?: boolean;
}

/** The Python a stage runs: installed by a RUN in its chain (last wins), else its base image's (in-repo bases followed). */
export function stagePython(
  model: ProjectModel,
  view: ImageView,
  sv: StageView,
  depth = 0,
): Value<StagePython> {
  let found: StagePython | undefined;
  let beside: Value<StagePython> | undefined;
  for (const s of sv.chain)
    for (const ins of s.instructions) {
      if (ins.keyword !== 'RUN') continue;
      const text = runText(ins);
      const v = pythonInstalledByRun(text);
      if (!v) continue;
      found = { version: v, how: `Python ${v} installed by this RUN`, span: ins.keywordSpan };
      // `apt-get install python3.9 python3-pip`: the distro's python3 (and its pip) stays next to python3.9.
      beside = /\b(apt-get|apt|apk)\b/.test(text)
        ? unknown(
            'branch',
            `this RUN installs Python ${v} beside the distro's python3: which one \`pip\` and \`python3\` run is not known`,
            { file: view.file, span: ins.keywordSpan },
            `call it by version (\`python${v} -m pip\`) and use a base image whose python3 is ${v}`,
          )
        : undefined;
    }
  if (beside) return beside;
  if (found) return known(found, { kind: 'literal' });
  const root = sv.chain[0] ?? sv.stage;
  const base = sv.base;
  if (!base.known) return { ...base, site: base.site ?? { file: view.file, span: root.imageSpan } };
  const p = pythonOfImage(base.value);
  if (p) return known({ ...p, span: root.imageSpan }, { kind: 'literal' });
  const inRepo = depth < 4 ? buildOfImage(model, base.value) : undefined;
  const inView = inRepo ? model.images.find((v) => v.build === inRepo) : undefined;
  const target = inView?.target ? inView.stages[inView.target.index] : undefined;
  if (inView && target) {
    const v = stagePython(model, inView, target, depth + 1);
    if (v.known)
      return known(
        {
          ...v.value,
          how: `${v.value.how}, in ${base.value} built by ${inRepo?.definedAt.file}`,
          span: root.imageSpan,
        },
        v.origin,
      );
    return v;
  }
  return unknown('image-contents', `which Python ${base.value} has is not known`, {
    file: view.file,
    span: root.imageSpan,
  });
}

/** A requirements file's folder is inside a folder. */
export function inFolder(dir: string, path: string): boolean {
  return within(dir, path);
}
