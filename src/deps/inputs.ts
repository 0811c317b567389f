/**
 * What `crossdock deps` asks the index about, read from the project model: for each Dockerfile stage that
 * installs Python requirements, the requirements (from `pip install` / `uv pip install` lines, the requirement
 * and constraint files they name and include, the metadata of a project `pip install .` installs), the stage's
 * interpreter and C library, the platforms the builds target (and which of them run under emulation), and the
 * index settings the repository gives. Unknown facts stay unknown, with a note saying why.
 */
import { libcOfImage } from '../knowledge/images.js';
import { minorOf } from '../knowledge/versions.js';
import type { DfInstruction } from '../model/dockerfile.js';
import { stageVars } from '../model/eval.js';
import { formatPlatform, type Platform, samePlatform } from '../model/platform.js';
import type { ImageView, ProjectModel, StageView } from '../model/project.js';
import type { PyRequirement, PyRequirementsFile } from '../model/python.js';
import { dirname, joinPath } from '../model/repo.js';
import type { CommandFacts } from '../model/shell.js';
import type { SourceFile, Span } from '../model/source.js';
import { known, type Unknown, unknown, type Value } from '../model/value.js';
import { buildOfImage, commandsOf } from '../rules/lib/dockerfile.js';
import {
  installedProject,
  repoFileOf,
  requirementFile,
  requirementInstalls,
  type RequirementInstall,
  stagePython,
} from '../rules/lib/python.js';
import { projectRequirements, projectWord, selectedExtras } from '../rules/lib/python-imports.js';
import { parseRequirementText } from '../sources/python/pep508.js';
import {
  type IndexConfig,
  isIndexConfigPath,
  parsePipConf,
  parseUvToml,
} from '../sources/python/pip-config.js';
import type { DepQuery, DepsImage, TargetEnv } from './types.js';

/** Facts given on the command line (`--python`, `--platform`, `--libc`): they replace what the repository says. */
export interface DepsOverrides {
  python?: string;
  platforms?: Platform[];
  libc?: TargetEnv['libc'];
}

/** Installers and build tools: what pip itself needs, not what the image's code imports. */
const TOOLING = new Set(['pip', 'setuptools', 'wheel', 'uv', 'pip-tools']);

/** Where pip and uv read their configuration inside an image (as root, the usual build user). */
const PIP_CONFIG_PATHS = [
  '/etc/pip.conf',
  '/etc/xdg/pip/pip.conf',
  '/root/.config/pip/pip.conf',
  '/root/.pip/pip.conf',
];
const UV_CONFIG_PATHS = ['/etc/uv/uv.toml', '/etc/xdg/uv/uv.toml', '/root/.config/uv/uv.toml'];

type IndexSettings = DepsImage['index'];

/** An index URL without its userinfo, for messages: credentials are never printed. */
export function hideUserinfo(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/@\s]*@/i, '$1***@');
}

function lineOf(file: SourceFile, span: Span): number {
  return file.position(span.start).line;
}

function where(file: SourceFile, span: Span): string {
  return `${file.path}:${lineOf(file, span)}`;
}

/** The index configuration a repository file holds, parsed from the text the loader read. */
export function indexConfigOf(model: ProjectModel, path: string): IndexConfig | undefined {
  const file = model.sources.get(path);
  if (!file || !isIndexConfigPath(path)) return undefined;
  return path.endsWith('uv.toml') ? parseUvToml(file) : parsePipConf(file);
}

/** The requirement a query asks about, or why it is not one the index answers. */
function queryOf(
  r: PyRequirement,
  file: SourceFile,
  constraints: PyRequirementsFile[],
): DepQuery | { skip: string } | undefined {
  const raw = file.text.slice(r.span.start, r.span.end).trim();
  // A TOML or setup.py string literal's span holds its quotes.
  const quoted = raw.length > 1 && (raw[0] === '"' || raw[0] === "'") && raw.at(-1) === raw[0];
  const text = quoted ? raw.slice(1, -1) : raw;
  if (r.url || r.localPath)
    return { skip: `${where(file, r.span)}: \`${text}\` is not installed from an index (a URL or a path)` };
  if (!r.name || TOOLING.has(r.name)) return undefined;
  const pinned = constraints.flatMap((c) =>
    c.requirements.filter((q) => q.name === r.name && q.specifier).map((q) => q.specifier as string),
  );
  const specifier = [r.specifier, ...pinned].filter((s): s is string => !!s).join(',') || undefined;
  return {
    name: r.name,
    specifier,
    marker: r.marker,
    // Without continuations, hashes and a trailing comment.
    requirement: text.split(/\s\\|\s--hash|\s#/)[0]?.trim() ?? text,
    source: { file: file.path, line: lineOf(file, r.span) },
  };
}

/** Index settings of one install, by source, merged later in pip's order of precedence. */
interface InstallIndex {
  command: Partial<IndexSettings>;
  files: Partial<IndexSettings>;
  env: Partial<IndexSettings>;
  config: Partial<IndexSettings>;
}

/** A URL setting, unless it names a variable crossdock cannot resolve (then a note says so). */
function urlSetting(value: string, what: string, notes: string[]): string | undefined {
  if (!value.includes('$')) return value;
  notes.push(`${what} uses a variable (${hideUserinfo(value)}): the index it names is not known`);
  return undefined;
}

/** `--index-url X`, `-i X`, `--extra-index-url=X`, uv's `--default-index`/`--index`, on a pip command line. */
function commandLineIndex(c: CommandFacts, view: ImageView, notes: string[]): Partial<IndexSettings> {
  const out: Partial<IndexSettings> = { extraIndexUrls: [] };
  const argv = c.argv;
  for (let i = 0; i < argv.length; i++) {
    const w = argv[i]?.value ?? '';
    const eq = w.indexOf('=');
    const flag = w.startsWith('--') && eq > 0 ? w.slice(0, eq) : w;
    const inline = w.startsWith('--') && eq > 0 ? w.slice(eq + 1) : undefined;
    if (!['--index-url', '-i', '--extra-index-url', '--default-index', '--index'].includes(flag)) continue;
    const value = inline ?? argv[i + 1]?.value;
    if (inline === undefined) i++;
    if (value === undefined) continue;
    const site = `${view.file.path}:${view.file.position(argv[i]?.span.start ?? 0).line}`;
    const url = urlSetting(value, `\`${flag}\` at ${site}`, notes);
    if (url === undefined) continue;
    if (flag === '--index-url' || flag === '-i' || flag === '--default-index') out.indexUrl = url;
    else out.extraIndexUrls?.push(url);
  }
  for (const b of c.pip?.binaryOptions ?? [])
    if (b.flag === '--only-binary' && b.value.split(',').includes(':all:')) out.onlyBinary = true;
  if (c.argv.some((w) => w.value === '--no-build')) out.onlyBinary = true;
  return out;
}

/** `--index-url` / `--extra-index-url` / `--only-binary :all:` lines of the requirement files an install reads. */
function fileIndex(
  files: PyRequirementsFile[],
  model: ProjectModel,
  notes: string[],
): Partial<IndexSettings> {
  const out: Partial<IndexSettings> = { extraIndexUrls: [] };
  for (const f of files) {
    const source = model.sources.get(f.path);
    for (const o of f.options) {
      const site = source ? where(source, o.span) : f.path;
      const value = o.value?.trim();
      if (!value) continue;
      if (o.name === '--index-url' || o.name === '-i')
        out.indexUrl ??= urlSetting(value, `\`${o.name}\` at ${site}`, notes);
      else if (o.name === '--extra-index-url') {
        const url = urlSetting(value, `\`${o.name}\` at ${site}`, notes);
        if (url !== undefined) out.extraIndexUrls?.push(url);
      } else if (o.name === '--only-binary' && value.split(',').includes(':all:')) out.onlyBinary = true;
    }
  }
  return out;
}

/** `ENV`/`ARG` settings pip (`PIP_*`) or uv (`UV_*`) reads at this RUN. */
function envIndex(
  view: ImageView,
  sv: StageView,
  ins: DfInstruction,
  uv: boolean,
  notes: string[],
): Partial<IndexSettings> {
  const vars = stageVars(view, sv.stage, ins);
  const get = (name: string): string | undefined => {
    const v = vars.get(name);
    if (v === undefined || v === 'unset') return undefined;
    if (!v.known) {
      notes.push(`${name} at ${where(view.file, ins.span)} is not known: ${v.reason}`);
      return undefined;
    }
    return v.value;
  };
  const out: Partial<IndexSettings> = { extraIndexUrls: [] };
  const names = uv
    ? {
        index: ['UV_DEFAULT_INDEX', 'UV_INDEX_URL'],
        extra: ['UV_INDEX', 'UV_EXTRA_INDEX_URL'],
        binary: 'UV_NO_BUILD',
      }
    : { index: ['PIP_INDEX_URL'], extra: ['PIP_EXTRA_INDEX_URL'], binary: 'PIP_ONLY_BINARY' };
  for (const n of names.index) {
    const v = get(n);
    if (v?.trim()) out.indexUrl ??= urlSetting(v.trim(), `${n} at ${where(view.file, ins.span)}`, notes);
  }
  for (const n of names.extra)
    for (const u of (get(n) ?? '').split(/\s+/).filter(Boolean)) {
      const url = urlSetting(u, `${n} at ${where(view.file, ins.span)}`, notes);
      if (url !== undefined) out.extraIndexUrls?.push(url);
    }
  const b = get(names.binary);
  if (b && (uv ? /^(1|true|yes|on)$/i.test(b) : b.split(',').includes(':all:'))) out.onlyBinary = true;
  return out;
}

/** A pip.conf / uv.toml the image has at a path its installer reads, copied from the repository. */
function configIndex(
  model: ProjectModel,
  view: ImageView,
  sv: StageView,
  ins: DfInstruction,
  uv: boolean,
  notes: string[],
): Partial<IndexSettings> {
  const vars = stageVars(view, sv.stage, ins);
  const named = vars.get(uv ? 'UV_CONFIG_FILE' : 'PIP_CONFIG_FILE');
  const paths = [...(uv ? UV_CONFIG_PATHS : PIP_CONFIG_PATHS)];
  if (named && named !== 'unset' && named.known) paths.unshift(named.value);
  for (const p of paths) {
    const src = repoFileOf(model, view, sv, ins, p);
    if (!src.known) continue;
    const conf = indexConfigOf(model, src.value);
    if (!conf) continue;
    const file = model.sources.get(conf.path);
    const at = (s: Span) => (file ? where(file, s) : conf.path);
    const out: Partial<IndexSettings> = { extraIndexUrls: [] };
    if (conf.indexUrl)
      out.indexUrl = urlSetting(conf.indexUrl.value, `index-url at ${at(conf.indexUrl.span)}`, notes);
    for (const e of conf.extraIndexUrls) {
      const url = urlSetting(e.value, `extra-index-url at ${at(e.span)}`, notes);
      if (url !== undefined) out.extraIndexUrls?.push(url);
    }
    if (conf.onlyBinary) out.onlyBinary = true;
    return out;
  }
  return {};
}

/** pip's order: command line and requirement files, then the environment, then configuration files. */
function mergeIndex(i: InstallIndex): IndexSettings {
  const layers = [i.command, i.files, i.env, i.config];
  const indexUrl = layers.find((l) => l.indexUrl !== undefined)?.indexUrl;
  const extraIndexUrls = [...new Set(layers.flatMap((l) => l.extraIndexUrls ?? []))];
  return {
    ...(indexUrl !== undefined ? { indexUrl } : {}),
    extraIndexUrls,
    onlyBinary: layers.some((l) => l.onlyBinary === true),
  };
}

/** The C library a stage runs on: its base image's, following bases built in this repository. */
export function stageLibc(
  model: ProjectModel,
  view: ImageView,
  sv: StageView,
  depth = 0,
): Value<NonNullable<TargetEnv['libc']> & { how: string; floating?: boolean }> {
  const root = sv.chain[0] ?? sv.stage;
  const base = sv.base;
  if (!base.known) return { ...base, site: base.site ?? { file: view.file, span: root.imageSpan } };
  const libc = libcOfImage(base.value);
  if (libc) return known(libc, { kind: 'literal' });
  const inRepo = depth < 4 ? buildOfImage(model, base.value) : undefined;
  const inView = inRepo ? model.images.find((v) => v.build === inRepo) : undefined;
  const target = inView?.target ? inView.stages[inView.target.index] : undefined;
  if (inView && target) return stageLibc(model, inView, target, depth + 1);
  return unknown(
    'image-contents',
    `which C library ${base.value} has (glibc and its version, or musl) is not known`,
    {
      file: view.file,
      span: root.imageSpan,
    },
  );
}

function reasonOf(u: Unknown): string {
  const at = u.site ? ` (${where(u.site.file, u.site.span)})` : '';
  return `${u.reason}${at}`;
}

/** The requirement files each pip command installs, from the model's -r/-c closure. */
function filesByCommand(
  installs: Map<string, RequirementInstall[]>,
): Map<CommandFacts, { files: string[]; constraints: RequirementInstall['constraints'] }> {
  const out = new Map<CommandFacts, { files: string[]; constraints: RequirementInstall['constraints'] }>();
  for (const [path, list] of installs)
    for (const i of list) {
      const entry = out.get(i.command) ?? { files: [], constraints: i.constraints };
      entry.files.push(path);
      out.set(i.command, entry);
    }
  return out;
}

/** One stage's installs: the queries, index settings and notes. */
function stageInstalls(
  model: ProjectModel,
  view: ImageView,
  sv: StageView,
  byCommand: ReturnType<typeof filesByCommand>,
): { queries: DepQuery[]; index: IndexSettings | undefined; notes: string[]; files: string[] } {
  const queries: DepQuery[] = [];
  const read: string[] = [];
  const notes: string[] = [];
  let index: IndexSettings | undefined;
  const seen = new Set<string>();
  const add = (q: DepQuery | { skip: string } | undefined) => {
    if (!q) return;
    if ('skip' in q) {
      notes.push(q.skip);
      return;
    }
    const key = `${q.name}\0${q.source.file}\0${q.source.line}`;
    if (seen.has(key)) return;
    seen.add(key);
    queries.push(q);
  };
  for (const ins of sv.stage.instructions)
    for (const c of commandsOf(ins)) {
      if (!c.pip || c.pip.verb === 'download') continue;
      const site = where(view.file, c.command.span);
      if (c.pip.noIndex) {
        notes.push(
          `${site}: this install uses --no-index (local wheels or --find-links): not checked against an index`,
        );
        continue;
      }
      const entry = byCommand.get(c);
      const files = (entry?.files ?? []).flatMap(
        (p) => model.python.requirements.find((r) => r.path === p) ?? [],
      );
      const constraints: PyRequirementsFile[] = [];
      for (const k of entry?.constraints ?? [])
        if (k.known) constraints.push(k.value);
        else
          notes.push(
            `a constraints file of ${site} is not known: ${reasonOf(k)}; versions it pins are not applied`,
          );
      // Without a `-r`, the command's own `-c` files, followed through the COPY that put them in.
      if (!entry)
        for (const w of c.pip.constraintFiles) {
          const k = requirementFile(model, view, sv, ins, w);
          if (k.known) constraints.push(k.value);
          else
            notes.push(
              `${site}: \`-c ${w.value}\` is not known: ${reasonOf(k)}; versions it pins are not applied`,
            );
        }
      // Requirements written on the command line.
      for (const w of c.pip.packages) {
        if (w.value.includes('$')) {
          notes.push(`${site}: \`${w.value}\` uses a variable: not checked`);
          continue;
        }
        const r = parseRequirementText(w.value, w.span);
        if (r && !r.localPath) add(queryOf(r, view.file, constraints));
      }
      // Requirement files (`-r`, and their nested `-r`).
      for (const f of files) {
        const source = model.sources.get(f.path);
        read.push(f.path);
        if (!source) continue;
        if (f.compiled === undefined && f.requirements.some((r) => r.name && !r.specifier))
          notes.push(
            `${f.path} is not a compiled lock file: the versions checked are the newest its specifiers allow today`,
          );
        for (const r of f.requirements) add(queryOf(r, source, constraints));
      }
      for (const w of c.pip.requirementFiles)
        if (!entry) notes.push(`${site}: \`-r ${w.value}\` could not be followed to a repository file`);
      // The project `pip install .` installs: its metadata's dependencies and the extras selected.
      const pw = projectWord(c);
      if (pw && !c.pip.noDeps) {
        const dir = installedProject(model, view, sv, ins, c);
        if (dir && !dir.known)
          notes.push(`${site}: which project \`${pw.value}\` installs is not known: ${reasonOf(dir)}`);
        else if (dir?.known) {
          const reqs = projectRequirements(model, dir.value, selectedExtras(pw.value));
          if (reqs.incomplete)
            notes.push(`${site}: the dependencies of \`${pw.value}\` may be incomplete: ${reqs.incomplete}`);
          for (const list of reqs.lists) {
            const source = model.sources.get(list.path);
            if (source) for (const r of list.requirements) add(queryOf(r, source, constraints));
          }
        }
      }
      const uv = c.name === 'uv';
      const settings = mergeIndex({
        command: commandLineIndex(c, view, notes),
        files: fileIndex([...files, ...constraints], model, notes),
        env: envIndex(view, sv, ins, uv, notes),
        config: configIndex(model, view, sv, ins, uv, notes),
      });
      if (!index) index = settings;
      else if (index.indexUrl !== settings.indexUrl)
        notes.push(`${site} installs from another index than the stage's first install; the first is used`);
    }
  return { queries, index, notes, files: read };
}

/** `Dockerfile`, or `Dockerfile (stage build)` for a stage of a multi-stage Dockerfile. */
function imageName(view: ImageView, sv: StageView): string {
  if (view.dockerfile.stages.length <= 1) return view.dockerfile.path;
  return `${view.dockerfile.path} (stage ${sv.stage.name ?? sv.stage.index})`;
}

/** The platforms a view builds, or why they are not known. */
function platformsOf(model: ProjectModel, view: ImageView): Value<Platform[]> {
  if (view.build.platforms.known) return view.build.platforms;
  if (model.targets.declared)
    return known(model.targets.platforms, { kind: 'config', detail: model.targets.source });
  return view.build.platforms;
}

/**
 * One DepsImage per Dockerfile stage that installs Python requirements, merged over the builds that build it
 * (their platforms and emulated platforms joined).
 */
export function depsInputs(model: ProjectModel, overrides: DepsOverrides = {}): DepsImage[] {
  const closure = requirementInstalls(model);
  const byCommand = filesByCommand(closure.files);
  const out = new Map<string, DepsImage & { platforms: Platform[] }>();
  for (const view of model.images)
    for (const sv of view.stages) {
      if (!sv.built) continue;
      const installs = stageInstalls(model, view, sv, byCommand);
      if (installs.queries.length === 0 && installs.notes.length === 0) continue;
      const key = `${view.dockerfile.path}\0${sv.stage.index}`;
      const name = imageName(view, sv);
      let image = out.get(key);
      if (!image) {
        image = {
          name,
          dockerfile: view.dockerfile.path,
          targets: [],
          emulated: [],
          queries: installs.queries,
          index: installs.index ?? { extraIndexUrls: [], onlyBinary: false },
          notes: [...installs.notes],
          platforms: [],
        };
        out.set(key, image);
      }
      const note = (n: string) => {
        if (!image.notes.includes(n)) image.notes.push(n);
      };
      // Includes the closure could not follow from this Dockerfile's installs (or the files they read).
      for (const u of closure.unknowns) {
        const file = u.site?.file.path;
        if (file === view.file.path || installs.files.includes(file ?? '\0'))
          note(`an included requirements file is not known: ${reasonOf(u)}`);
      }
      if (sv.buildPlatform) {
        note(
          `${name} runs on the builder's own platform (FROM --platform=$BUILDPLATFORM): not checked per target platform`,
        );
        continue;
      }
      const platforms: Value<Platform[]> = overrides.platforms?.length
        ? known(overrides.platforms, { kind: 'literal' })
        : platformsOf(model, view);
      if (!platforms.known)
        note(`the platforms of ${name} are not known: ${reasonOf(platforms)}; pass --platform`);
      else
        for (const p of platforms.value)
          if (!image.platforms.some((x) => samePlatform(x, p))) image.platforms.push(p);
      if (overrides.platforms?.length) {
        // Platforms given on the command line: no build says where they are built.
      } else if (view.emulated.known) {
        for (const p of sv.buildPlatform ? [] : view.emulated.value) {
          const f = formatPlatform(p);
          if (!image.emulated.includes(f)) image.emulated.push(f);
        }
      } else if (platforms.known && platforms.value.length)
        note(`whether ${name} is built under emulation is not known: ${reasonOf(view.emulated)}`);
      // Interpreter and C library.
      let python = overrides.python;
      if (python === undefined) {
        const py = stagePython(model, view, sv);
        if (py.known) {
          python = minorOf(py.value.version);
          if (py.value.floating) note(`${name}: Python ${python} is what ${py.value.how}`);
        } else note(`the Python of ${name} is not known: ${reasonOf(py)}; pass --python X.Y`);
      }
      let libc = overrides.libc;
      if (libc === undefined) {
        const l = stageLibc(model, view, sv);
        if (l.known) {
          libc = { kind: l.value.kind, version: l.value.version };
          if (l.value.floating) note(`${name}: ${l.value.how}`);
        } else
          note(`the C library of ${name} is not known: ${reasonOf(l)}; pass --libc glibc-2.36 or musl-1.2`);
      }
      for (const p of image.platforms) {
        const platform = formatPlatform(p);
        if (image.targets.some((t) => t.platform === platform)) continue;
        image.targets.push({ platform, python, libc });
      }
    }
  return [...out.values()].map(({ platforms: _, ...image }) => image);
}

/**
 * A requirements file (or the requirement files and project metadata of a plain folder) checked on its own:
 * the targets come from the command line, the index settings from the file and a pip.conf/uv.toml at the root.
 */
export function fileInputs(model: ProjectModel, paths: string[], overrides: DepsOverrides): DepsImage[] {
  const out: DepsImage[] = [];
  for (const path of paths) {
    const notes: string[] = [];
    const queries: DepQuery[] = [];
    const req = model.python.requirements.find((r) => r.path === path);
    const source = model.sources.get(path);
    if (!source) continue;
    let files: PyRequirementsFile[] = [];
    if (req) {
      // The file and what it includes (-r), with its constraints (-c), relative to its folder.
      const seen = new Set<string>();
      const constraints: PyRequirementsFile[] = [];
      const visit = (f: PyRequirementsFile, depth: number) => {
        if (seen.has(f.path) || depth > 8) return;
        seen.add(f.path);
        files.push(f);
        for (const inc of f.includes) {
          const p = joinPath(dirname(f.path), inc.path);
          const next = model.python.requirements.find((r) => r.path === p);
          if (!next)
            notes.push(`${f.path}: \`${inc.kind === 'constraint' ? '-c' : '-r'} ${inc.path}\` was not read`);
          else if (inc.kind === 'constraint') constraints.push(next);
          else visit(next, depth + 1);
        }
      };
      visit(req, 0);
      for (const f of files) {
        const s = model.sources.get(f.path);
        if (s)
          for (const r of f.requirements) {
            const q = queryOf(r, s, constraints);
            if (q && 'skip' in q) notes.push(q.skip);
            else if (q) queries.push(q);
          }
      }
      files = [...files, ...constraints];
    } else {
      const dir = path.includes('/') ? path.slice(0, path.lastIndexOf('/')) : '.';
      const reqs = projectRequirements(model, dir, []);
      if (reqs.incomplete) notes.push(`the dependencies of ${dir} may be incomplete: ${reqs.incomplete}`);
      for (const list of reqs.lists) {
        const s = model.sources.get(list.path);
        if (s && list.path === path)
          for (const r of list.requirements) {
            const q = queryOf(r, s, []);
            if (q && 'skip' in q) notes.push(q.skip);
            else if (q) queries.push(q);
          }
      }
    }
    const conf = ['pip.conf', 'pip.ini', 'uv.toml'].map((p) => indexConfigOf(model, p)).find((c) => c);
    const fromFiles = fileIndex(files, model, notes);
    const fromConf: Partial<IndexSettings> = conf
      ? {
          indexUrl: conf.indexUrl?.value,
          extraIndexUrls: conf.extraIndexUrls.map((e) => e.value),
          onlyBinary: conf.onlyBinary !== undefined,
        }
      : {};
    const index = mergeIndex({ command: {}, files: fromFiles, env: {}, config: fromConf });
    if (overrides.python === undefined) notes.push(`the Python of ${path} is not known: pass --python X.Y`);
    if (overrides.libc === undefined)
      notes.push(
        `the C library of ${path} is not known: pass --libc glibc-2.36 or musl-1.2 (manylinux wheels need glibc)`,
      );
    if (!overrides.platforms?.length) notes.push(`the platforms of ${path} are not known: pass --platform`);
    out.push({
      name: path,
      dockerfile: '',
      targets: (overrides.platforms ?? []).map((p) => ({
        platform: formatPlatform(p),
        python: overrides.python,
        libc: overrides.libc,
      })),
      emulated: [],
      queries,
      index,
      notes,
    });
  }
  return out;
}
