import { createRule, type RuleContext } from '../engine/rule.js';
import { composeBindMount } from './lib/compose-mounts.js';
import { imageLacks, knownFiles, type Tool } from '../knowledge/images.js';
import { PYTHON_STDLIB } from '../knowledge/python-packages.js';
import type { DfInstruction } from '../model/dockerfile.js';
import {
  envDeclarations,
  imageFileSource,
  normalize,
  resolveWord,
  runCreates,
  workdirAt,
} from '../model/eval.js';
import type { ImageView, ProjectModel, StageView } from '../model/project.js';
import type { PyRequirementsFile } from '../model/python.js';
import { dirname, isNotProjectPath, joinPath, present } from '../model/repo.js';
import type { SourceFile, Span } from '../model/source.js';
import { known, type Unknown, unknown, type Value } from '../model/value.js';
import { buildSite, commandsOf, stageProvides } from './lib/dockerfile.js';
import { afterWrappers, type EntryTarget, entryTargets, programName } from './lib/entry-command.js';
import { type PathState, pathState } from './lib/image-paths.js';
import { requirementFile } from './lib/python.js';

type MessageId = 'missing' | 'notInContext' | 'moduleMissing';
type Ctx = RuleContext<MessageId>;

const INITS = new Set<string>(['tini', 'dumb-init', 'gosu', 'su-exec', 'catatonit'] satisfies Tool[]);
/** Docker's default PATH, where a bare init name is looked up. */
const DEFAULT_PATH = ['/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin'];
/** HEALTHCHECK tools healthcheck-tool-missing checks (one finding per root cause). */
const HEALTH_TOOLS = new Set(['curl', 'wget', 'nc']);
/** Modules every official Python image has besides the standard library. */
const BASE_MODULES = new Set(['pip', 'setuptools', 'wheel', 'pkg_resources', '_distutils_hack']);
/**
 * Import names that differ from the distribution's name (lower-case): import → distributions. `pyyaml`, `pyjwt`,
 * `python-dateutil` and the like need no entry: `provides` tries the `py`/`python-` forms itself.
 */
const ALIASES: Record<string, string[]> = {
  pil: ['pillow'],
  bs4: ['beautifulsoup4'],
  sklearn: ['scikit-learn'],
  cv2: ['opencv-python', 'opencv-python-headless', 'opencv-contrib-python'],
  attr: ['attrs'],
  psycopg2: ['psycopg2-binary'],
};

/** One word of a command line and where it is written. */
interface Word {
  value: string;
  span: Span;
}

/** A command line the image runs, with where it is written and what runs it. */
interface Line {
  words: Word[];
  file: SourceFile;
  /** The instruction whose WORKDIR the command runs in. */
  ins: DfInstruction;
  /** `ENTRYPOINT`, `CMD`, `HEALTHCHECK`, or the script that runs the command. */
  keyword: string;
  /** A command of a shell-form instruction: only what its interpreter loads is checked. */
  shell?: boolean;
}

/** Where an image's facts are looked up. */
interface Image {
  model: ProjectModel;
  view: ImageView;
  sv: StageView;
  sites: ReturnType<typeof buildSite>;
}

export default createRule<MessageId>({
  meta: {
    id: 'entrypoint-missing',
    severity: 'error',
    category: 'dockerfile',
    summary:
      'The program, script or Python module the image starts (ENTRYPOINT, CMD, HEALTHCHECK) is never put into the final image and its base image does not ship it.',
    messages: {
      missing:
        '`{{program}}` is started by {{keyword}} but the final stage never receives it (no COPY/ADD or install creates it) and {{base}} does not ship it: the container exits with "no such file or directory"',
      notInContext:
        '`{{program}}` is started by {{keyword}}, but `{{copy}}` puts the context\'s `{{expected}}` there, {{why}}: the container exits with "no such file or directory"',
      moduleMissing:
        '`{{runner}}` imports `{{module}}` ({{keyword}}), but {{where}} holds no such module or package, no COPY puts one there and no package the image installs provides it: the container exits with "ModuleNotFoundError: No module named \'{{top}}\'"',
    },
    hint: 'COPY the program, script or package into the final stage where the command looks for it (mind `WORKDIR` for relative paths), install it (`apt-get install -y tini`), or fix the path or module name',
  },
  check(ctx) {
    const { model } = ctx;
    for (const view of model.images) {
      const stage = view.target;
      const sv = stage ? view.stages[stage.index] : undefined;
      if (!stage || !sv) continue;
      // A compose bind mount puts the checkout where the image's files would be (dev setups run code this way).
      const mount = composeBindMount(model, view);
      if (mount) {
        ctx.unknown(
          unknown('effects', `${mount.file.path} bind-mounts repository folders into the container`, mount),
          'whether the programs and modules the image starts are in the container',
        );
        continue;
      }
      const image: Image = { model, view, sv, sites: buildSite(view) };
      for (const line of commandLines(image)) checkLine(ctx, image, line, true);
      const hc = healthcheck(view, sv);
      if (hc) checkLine(ctx, image, hc, true);
    }
  },
});

/** The container's command line: the last ENTRYPOINT with the CMD it keeps, else the last CMD; shell form by command. */
function commandLines({ view, sv }: Image): Line[] {
  const all = sv.chain.flatMap((s) => s.instructions);
  const entry = [...all].reverse().find((i) => i.keyword === 'ENTRYPOINT');
  const cmd = [...all].reverse().find((i) => i.keyword === 'CMD');
  const ins = entry ?? cmd;
  if (!ins) return [];
  const line = (i: DfInstruction, words: Word[]): Line => ({
    words,
    file: view.file,
    ins: i,
    keyword: i.keyword,
  });
  if (ins.form === 'exec') {
    // An ENTRYPOINT resets a CMD an earlier stage set (Docker keeps only a CMD of the same stage or after it).
    const keeps = cmd && cmd.form === 'exec' && entry && cmd.stage >= entry.stage;
    return [line(ins, keeps ? [...ins.words, ...cmd.words] : ins.words)];
  }
  return shellLines(ins).map((words) => ({ ...line(ins, words), shell: true }));
}

/** The top-level commands of a shell-form instruction, unless one changes folder (then nothing is known). */
function shellLines(ins: DfInstruction): Word[][] {
  const all = ins.runtime?.commands ?? [];
  if (all.some((c) => c.name === 'cd' || c.name === 'pushd')) return [];
  return all
    .filter((c) => c.command.depth === 0)
    .map((c) => c.argv.map((w) => ({ value: w.value, span: w.span })));
}

/** The last HEALTHCHECK's exec-form command (`HEALTHCHECK [--opts] CMD ["prog", …]`). */
function healthcheck(view: ImageView, sv: StageView): Line | undefined {
  const hc = sv.chain
    .flatMap((s) => s.instructions)
    .filter((i) => i.keyword === 'HEALTHCHECK')
    .pop();
  if (!hc) return undefined;
  const text = hc.args;
  const m = /^((?:--\S+\s+)*)CMD\s+(\[.*\])\s*$/is.exec(text);
  if (!m) return undefined;
  let items: unknown;
  try {
    items = JSON.parse(m[2] ?? '');
  } catch {
    return undefined;
  }
  if (!Array.isArray(items) || !items.every((x) => typeof x === 'string')) return undefined;
  const words: Word[] = [];
  let cursor = text.indexOf('[', (m[1] ?? '').length);
  for (const item of items as string[]) {
    const at = text.indexOf(JSON.stringify(item), cursor);
    const start = at < 0 ? cursor : at;
    const end = at < 0 ? cursor : at + JSON.stringify(item).length;
    cursor = end;
    words.push({
      value: item,
      span: {
        start: hc.argsOffsets[start] ?? hc.span.start,
        end: (hc.argsOffsets[end - 1] ?? hc.span.start) + 1,
      },
    });
  }
  return { words, file: view.file, ins: hc, keyword: 'HEALTHCHECK' };
}

/** Checks a command line's program (and the one its init wraps) and what its interpreter loads. */
function checkLine(ctx: Ctx, image: Image, line: Line, followScripts: boolean): void {
  const values = line.words.map((w) => w.value);
  const first = line.words[0];
  if (!first) return;
  const health = line.keyword === 'HEALTHCHECK';
  if (!line.shell && !(health && HEALTH_TOOLS.has(programName(first.value))))
    checkProgram(ctx, image, line, first);
  const at = afterWrappers(values);
  const run = at === undefined ? undefined : line.words[at];
  if (at === undefined || !run) return;
  if (at > 0 && !line.shell) checkProgram(ctx, image, line, run);
  for (const t of entryTargets(values, at)) checkTarget(ctx, image, line, t);
  if (followScripts) followScript(ctx, image, line, at);
}

/** The program word: an absolute or relative path, or an init, must be in the image. */
function checkProgram(ctx: Ctx, image: Image, line: Line, word: Word): void {
  const { model, view, sv } = image;
  const program = word.value;
  if (program.includes('$')) return;
  const name = programName(program);
  const isInit = INITS.has(name);
  const relative = program.includes('/') && !program.startsWith('/');
  const absolute = program.startsWith('/');
  if (!isInit && !relative && !absolute) return;
  const base = sv.base;
  if (
    absolute &&
    !isInit &&
    /^\/(usr|bin|sbin|lib|etc)\//.test(program) &&
    !(base.known && imageLacks(base.value, program))
  )
    return;
  const wd = workdirAt(view, sv.stage, line.ins);
  const blocked = `whether \`${program}\` is in the image`;
  if (relative && !wd.known) {
    ctx.unknown({ ...wd, site: wd.site ?? { file: line.file, span: word.span } }, blocked);
    return;
  }
  const target = relative || absolute ? normalize(wd.known ? wd.value : '/', program) : undefined;
  if (isInit) {
    // Each init program is its own package: dumb-init installed does not give gosu.
    const has = stageProvides(model, view, sv, name as Tool);
    if (has === 'yes') return;
    if (has !== 'no') {
      ctx.unknown({ ...has, site: has.site ?? baseSite(image) }, `whether the image has \`${name}\``);
      return;
    }
  }
  const site = { file: line.file, span: word.span };
  const state = target
    ? pathState(model, view, sv, target, 'file', site, name)
    : nameState(image, name, site);
  reportPath(ctx, image, line, word, program, target, state, isInit);
}

/** Reports a path the image lacks, after asking the base image. */
function reportPath(
  ctx: Ctx,
  image: Image,
  line: Line,
  word: Word,
  program: string,
  target: string | undefined,
  state: PathState,
  isInit: boolean,
): void {
  const { sv } = image;
  const blocked = `whether \`${program}\` is in the image`;
  if (state.kind === 'present') return;
  if (state.kind === 'unknown') {
    ctx.unknown(state.why, blocked);
    return;
  }
  // The base image may hold the path (a copy does not remove what is there).
  if (!isInit && !baseLacks(ctx, image, target, `whether the base image has \`${program}\``)) return;
  const keyword = keywordText(line);
  if (state.copy && state.expected) {
    ctx.report({
      messageId: 'notInContext',
      data: {
        program,
        keyword,
        copy: `${state.copy.ins.keyword} ${state.copy.ins.args.slice(state.copy.ins.shellStart).trim()}`,
        expected: state.expected,
        why: state.ignoredBy ? `which ${state.ignoredBy} excludes from the context` : 'which does not exist',
      },
      file: line.file,
      span: word.span,
      sites: image.sites,
    });
    return;
  }
  const base = sv.base;
  ctx.report({
    messageId: 'missing',
    data: {
      program,
      keyword,
      base: base.known
        ? base.value === 'scratch'
          ? 'scratch'
          : `the base image ${base.value}`
        : 'the base image (which crossdock does not know)',
    },
    file: line.file,
    span: word.span,
    sites: image.sites,
  });
}

/** `CMD`, `HEALTHCHECK`, or `ENTRYPOINT (via docker/start.sh)` for a command read from a script. */
function keywordText(line: Line): string {
  return line.keyword;
}

function baseSite(image: Image) {
  const { view, sv } = image;
  return { file: view.file, span: sv.chain[0]?.imageSpan ?? sv.stage.imageSpan };
}

/** Whether the base image is known to lack a path; notes why not when it is not known. */
function baseLacks(ctx: Ctx, image: Image, target: string | undefined, blocked: string): boolean {
  const base = image.sv.base;
  if (!base.known) {
    ctx.unknown({ ...base, site: base.site ?? baseSite(image) }, blocked);
    return false;
  }
  if (!target || !imageLacks(base.value, target)) {
    ctx.unknown(
      unknown('image-contents', `what ${base.value} contains is not known`, baseSite(image)),
      blocked,
    );
    return false;
  }
  return true;
}

/** A bare program name (an init): copied or created under that name, or installed by a package of that name. */
function nameState(image: Image, name: string, site: { file: SourceFile; span: Span }): PathState {
  const { model, view, sv } = image;
  let opaque: Unknown | undefined;
  const runOpaque = unknown(
    'effects',
    'a RUN in this stage runs a program whose effects are not known',
    site,
  );
  // A context folder copied onto PATH (`COPY bin/ /usr/local/bin/`) brings the init if the folder holds it.
  for (const dir of DEFAULT_PATH)
    if (pathState(model, view, sv, `${dir}/${name}`, 'file', site).kind === 'present')
      return { kind: 'present' };
  for (const s of sv.chain)
    for (const i of s.instructions) {
      const sources = i.words.slice(0, -1);
      if (
        (i.keyword === 'COPY' || i.keyword === 'ADD') &&
        (i.flags.some((f) => f.name === 'from') ||
          sources.some((w) => w.value.includes('$') || /[*?[]/.test(w.value)))
      ) {
        const dest = i.words[i.words.length - 1]?.value ?? '';
        const iwd = workdirAt(view, s, i);
        const d = normalize(iwd.known ? iwd.value : '/', dest);
        // A copy from a stage or image (contents unknown) into a bin folder may hold the program. (A copy whose
        // source or destination is named after the init, and an archive ADD, were answered by stageProvides.)
        if (/\/s?bin$/.test(d)) return { kind: 'present' };
      }
      if (i.keyword !== 'RUN') continue;
      for (const c of commandsOf(i)) {
        if (c.unknownEffects) opaque ??= runOpaque;
        if (c.installer && c.installer !== 'pip' && c.argv.some((w) => w.value === name))
          return { kind: 'present' };
      }
      for (const p of runCreates(view, s, i)) {
        // A known path named after the init was answered by stageProvides.
        if (!p.known) opaque ??= runOpaque;
      }
    }
  return opaque ? { kind: 'unknown', why: opaque } : { kind: 'absent' };
}

/** A file or module an interpreter loads must be in the image. */
function checkTarget(ctx: Ctx, image: Image, line: Line, t: EntryTarget): void {
  const word = line.words[t.index];
  if (!word || t.value.includes('$')) return;
  if (t.kind === 'file') {
    checkFile(ctx, image, line, word, t);
    return;
  }
  checkModule(ctx, image, line, word, t);
}

function checkFile(ctx: Ctx, image: Image, line: Line, word: Word, t: EntryTarget): void {
  const { model, view, sv } = image;
  const wd = workdirAt(view, sv.stage, line.ins);
  const blocked = `whether \`${t.value}\` is in the image`;
  if (!t.value.startsWith('/') && !wd.known) {
    ctx.unknown({ ...wd, site: wd.site ?? { file: line.file, span: word.span } }, blocked);
    return;
  }
  const target = normalize(wd.known ? wd.value : '/', t.value);
  const base = sv.base;
  if (/^\/(usr|bin|sbin|lib|etc)\//.test(target) && !(base.known && imageLacks(base.value, target))) return;
  const site = { file: line.file, span: word.span };
  let state = pathState(model, view, sv, target, 'file', site);
  // `npm install` runs the package's lifecycle scripts (`prepare`, `postinstall`), which may build the file.
  if (state.kind === 'absent' && t.runner === 'node') {
    const npm = sv.chain
      .flatMap((s) => s.instructions)
      .find((i) =>
        commandsOf(i).some(
          (c) =>
            (c.installer === 'npm' || c.installer === 'yarn' || c.installer === 'pnpm') &&
            !c.argv.some((w) => w.value === '--ignore-scripts'),
        ),
      );
    if (npm)
      state = {
        kind: 'unknown',
        why: unknown(
          'effects',
          "a package install runs the package's lifecycle scripts, which may build files",
          {
            file: view.file,
            span: npm.span,
          },
        ),
      };
  }
  reportPath(ctx, image, line, word, t.value, target, state, false);
}

/** ENV values in the chain, the last one of each name. */
function envOf(image: Image): Map<string, { value: string; ins: DfInstruction; stage: StageView['stage'] }> {
  const out = new Map<string, { value: string; ins: DfInstruction; stage: StageView['stage'] }>();
  for (const s of image.sv.chain)
    for (const i of s.instructions)
      if (i.keyword === 'ENV')
        for (const d of envDeclarations(i)) out.set(d.name, { value: d.value, ins: i, stage: s });
  return out;
}

function checkModule(ctx: Ctx, image: Image, line: Line, word: Word, t: EntryTarget): void {
  const { model, view, sv } = image;
  const top = t.value.split('.')[0] ?? t.value;
  if (PYTHON_STDLIB.has(top) || BASE_MODULES.has(top)) return;
  const site = { file: line.file, span: word.span };
  const blocked = `whether \`${t.value}\` can be imported in the image`;
  const dirs = searchDirs(ctx, image, line, site, t, blocked);
  if (!dirs) return;
  const rel = t.value.replace(/\./g, '/');
  const stems = dirs.map((d) => normalize(d, rel));
  const states = stems.map((s) => pathState(model, view, sv, s, 'module', site));
  if (states.some((s) => s.kind === 'present')) return;
  const u = states.find((s) => s.kind === 'unknown');
  if (u?.kind === 'unknown') {
    ctx.unknown(u.why, blocked);
    return;
  }
  if (providedElsewhere(ctx, image, top, stems, site, blocked)) return;
  const copy = states.map((s) => (s.kind === 'absent' ? s.copy : undefined)).find(Boolean);
  ctx.report({
    messageId: 'moduleMissing',
    data: {
      runner: t.runner,
      module: t.value,
      keyword: keywordText(line),
      where:
        dirs.length === 0
          ? 'no folder (the working directory is not searched)'
          : dirs.length === 1
            ? `\`${dirs[0]}\``
            : `none of ${dirs.map((d) => `\`${d}\``).join(', ')}`,
      top,
    },
    file: line.file,
    span: word.span,
    sites: image.sites,
    ...(copy
      ? {
          related: [
            {
              file: view.file,
              span: copy.ins.span,
              message: `this copies the context's \`${copy.source}\` to \`${copy.dest}\``,
            },
          ],
        }
      : {}),
  });
}

/**
 * The folders Python searches for a module before installed packages: the runner's own (the working directory,
 * `--chdir`, `--app-dir`), then PYTHONPATH. Undefined when that is not known (noted) or may be moved by the
 * environment or a config file (no claim).
 */
function searchDirs(
  ctx: Ctx,
  image: Image,
  line: Line,
  site: { file: SourceFile; span: Span },
  t: EntryTarget,
  blocked: string,
): string[] | undefined {
  const { model, view, sv } = image;
  const env = envOf(image);
  if (env.has('PYTHONSAFEPATH') || env.has('GUNICORN_CMD_ARGS') || env.has('UVICORN_APP_DIR'))
    return undefined;
  if (t.roots.some((r) => r.includes('$'))) return undefined;
  const wd = workdirAt(view, sv.stage, line.ins);
  if (!wd.known) {
    ctx.unknown({ ...wd, site: wd.site ?? site }, blocked);
    return undefined;
  }
  const dirs = t.roots.map((r) => normalize(wd.value, r));
  const pp = env.get('PYTHONPATH');
  if (pp && t.pythonPath) {
    const v = resolveWord(view, pp.stage, pp.ins, pp.value);
    if (!v.known) {
      ctx.unknown({ ...v, site: v.site ?? { file: view.file, span: pp.ins.span } }, blocked);
      return undefined;
    }
    for (const p of v.value.split(':')) dirs.push(normalize(wd.value, p || '.'));
  }
  // gunicorn reads ./gunicorn.conf.py, which may change the folder.
  if (t.runner.endsWith('gunicorn')) {
    const conf = pathState(model, view, sv, normalize(wd.value, 'gunicorn.conf.py'), 'file', site);
    if (conf.kind !== 'absent') return undefined;
  }
  return [...new Set(dirs)];
}

/**
 * Whether something other than the copied tree may provide a module: a package the image installs (noted when
 * that set is not known, or when packages are installed and the repository does not hold the module as its own
 * code), or the base image (noted when its contents are not known).
 */
function providedElsewhere(
  ctx: Ctx,
  image: Image,
  top: string,
  stems: string[],
  site: { file: SourceFile; span: Span },
  blocked: string,
): boolean {
  const installed = installedNames(image);
  if (!installed.known) {
    ctx.unknown(installed, blocked);
    return true;
  }
  if (provides(installed.value, top)) return true;
  if (installed.value.size > 0 && !localModule(image.model, top)) {
    ctx.unknown(
      unknown(
        'effects',
        `which modules the packages this image installs provide is not known (\`${top}\` may be one)`,
        site,
      ),
      blocked,
    );
    return true;
  }
  const base = image.sv.base;
  if (!base.known) {
    ctx.unknown({ ...base, site: base.site ?? baseSite(image) }, blocked);
    return true;
  }
  if (
    !knownFiles(base.value) ||
    !stems.every((s) => imageLacks(base.value, `${s}.py`) && imageLacks(base.value, s))
  ) {
    ctx.unknown(
      unknown('image-contents', `what ${base.value} contains is not known`, baseSite(image)),
      blocked,
    );
    return true;
  }
  return false;
}

/** The repository holds a Python module or package of that top-level name (the project's own code). */
function localModule(model: ProjectModel, top: string): boolean {
  for (const f of model.inventory.files.keys()) {
    if (!f.endsWith('.py') || isNotProjectPath(f) || !present(model.inventory, f)) continue;
    const parts = f.split('/');
    if (parts[parts.length - 1] === `${top}.py` || parts.slice(0, -1).includes(top)) return true;
  }
  return false;
}

function normalizeName(name: string): string {
  return name.toLowerCase().replace(/[-_.]+/g, '-');
}

/** A distribution of the module's name (or a known alias) is installed. */
function provides(names: Set<string>, top: string): boolean {
  const n = normalizeName(top);
  const cands = [n, `python-${n}`, `${n}-python`, `py${n}`, ...(ALIASES[top.toLowerCase()] ?? [])];
  return cands.some((c) => names.has(c));
}

/**
 * The distributions the chain's pip installs name (requirement files followed), or why that set is not known
 * (a local project, a URL, a file not read, another installer, packages copied from another stage).
 */
function installedNames(image: Image): Value<Set<string>> {
  const { model, view, sv } = image;
  const names = new Set<string>();
  const at = (i: DfInstruction) => ({ file: view.file, span: i.span });
  const addFile = (file: PyRequirementsFile, depth: number): Unknown | undefined => {
    for (const r of file.requirements) {
      if (!r.name || r.localPath || r.url)
        return unknown(
          'effects',
          `${file.path} installs a path or URL whose packages crossdock does not list`,
        );
      names.add(normalizeName(r.name));
    }
    for (const inc of file.includes) {
      if (inc.kind !== 'requirement') continue;
      const p = joinPath(dirname(file.path), inc.path);
      const next = model.python.requirements.find((x) => x.path === p);
      if (!next || depth > 8)
        return unknown('effects', `${inc.path} (included by ${file.path}) was not read`);
      const u = addFile(next, depth + 1);
      if (u) return u;
    }
    return undefined;
  };
  for (const s of sv.chain)
    for (const i of s.instructions) {
      if ((i.keyword === 'COPY' || i.keyword === 'ADD') && i.flags.some((f) => f.name === 'from'))
        return unknown('effects', 'a `COPY --from` may bring installed Python packages', at(i));
      for (const c of commandsOf(i)) {
        if (c.pip) {
          if (c.pip.verb !== 'install') continue;
          if (c.pip.editables.length)
            return unknown(
              'effects',
              'an editable install of a project whose packages crossdock does not list',
              at(i),
            );
          for (const w of c.pip.packages) {
            const m = /^([A-Za-z0-9][A-Za-z0-9._-]*)(\[[^\]]*\])?([<>=!~;@ ].*)?$/.exec(w.value);
            if (!m || w.value.includes('$') || /\.(whl|zip|tar\.gz)$/.test(w.value))
              return unknown(
                'effects',
                `\`pip install ${w.value}\` installs packages crossdock does not list`,
                at(i),
              );
            names.add(normalizeName(m[1] ?? ''));
          }
          for (const w of c.pip.requirementFiles) {
            const f = requirementFile(model, view, sv, i, w);
            if (!f.known) return f;
            const u = addFile(f.value, 0);
            if (u) return { ...u, site: u.site ?? { file: view.file, span: w.span } };
          }
          continue;
        }
        if (c.installer === 'uv' || c.installer === 'conda' || c.installer === 'pip')
          return unknown('effects', `\`${c.name}\` installs packages crossdock does not list`, at(i));
        if (
          (c.installer === 'apt' || c.installer === 'apk' || c.installer === 'dnf') &&
          c.argv.some((w) => /^(python3?|py3)-/.test(w.value))
        )
          return unknown(
            'effects',
            'a system package install adds Python packages crossdock does not list',
            at(i),
          );
      }
    }
  return known(names, { kind: 'literal' });
}

/**
 * An entrypoint script read from the context: its `exec`'d commands (top level, no `cd`) are checked like the
 * command line; `exec "$@"` runs the rest of the command line (the CMD).
 */
function followScript(ctx: Ctx, image: Image, line: Line, at: number): void {
  const { model, view, sv } = image;
  const words = line.words;
  let i = at;
  const shell = /^(ba|da)?sh$/.test(programName(words[i]?.value ?? ''));
  if (shell) i++;
  const scriptWord = words[i];
  if (!scriptWord || scriptWord.value.startsWith('-') || scriptWord.value.includes('$')) return;
  if (!shell && !scriptWord.value.includes('/')) return;
  const wd = workdirAt(view, sv.stage, line.ins);
  if (!scriptWord.value.startsWith('/') && !wd.known) return;
  const inImage = normalize(wd.known ? wd.value : '/', scriptWord.value);
  const last = sv.chain.flatMap((s) => s.instructions).pop() ?? line.ins;
  const src = imageFileSource(view, sv.stage, last, inImage);
  if (!src.known) return;
  const script = model.runScripts.find((s) => s.path === src.value);
  const file = model.sources.get(src.value);
  if (!script || !file) return;
  if (script.facts.commands.some((c) => c.name === 'cd' || c.name === 'pushd')) return;
  // `set -- …` and `shift` change what `"$@"` holds.
  const argsChanged = script.facts.commands.some(
    (c) => c.name === 'shift' || (c.name === 'set' && c.argv.some((w) => w.value === '--')),
  );
  const rest = argsChanged ? [] : words.slice(i + 1);
  for (const c of script.facts.commands) {
    if (c.command.depth !== 0 || c.command.argv[0]?.value !== 'exec') continue;
    const argv = c.command.argv.slice(1).map((w) => ({ value: w.value, span: w.span }));
    if (argv.length === 1 && /^"?\$(@|\{@\})"?$/.test(c.command.argv[1]?.raw ?? '')) {
      if (rest.length)
        checkLine(
          ctx,
          image,
          { ...line, words: rest, keyword: `CMD (run by \`exec "$@"\` in ${src.value})` },
          false,
        );
      continue;
    }
    checkLine(
      ctx,
      image,
      { words: argv, file, ins: line.ins, keyword: `${src.value}, which ${line.keyword} runs` },
      false,
    );
  }
}
