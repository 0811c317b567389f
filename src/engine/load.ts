import { promises as fs } from 'node:fs';
import { join, resolve } from 'node:path';
import ignore from 'ignore';
import { ConfigError } from '../errors.js';
import type { DockerIgnore, Dockerfile } from '../model/dockerfile.js';
import type { Finding } from '../model/finding.js';
import { type Platform, samePlatform } from '../model/platform.js';
import { emptyDeliveryModel, type ProjectModel } from '../model/project.js';
import { locate, SourceFile, type Span } from '../model/source.js';
import { parseDockerfile } from '../sources/dockerfile/parse.js';
import { parseDockerignore } from '../sources/dockerfile/dockerignore.js';
import { parseGitmodules } from '../sources/git/gitmodules.js';
import { parseNvmrc, parsePackageJson } from '../sources/node/package-json.js';
import { parsePyproject } from '../sources/python/pyproject.js';
import { parseRequirements } from '../sources/python/requirements.js';
import { parseSetupCfg, parseSetupPy } from '../sources/python/setup.js';
import { parsePythonVersionFile } from '../sources/python/version-file.js';
import { dockerfileBuilds, joinPath } from './build-graph.js';
import { classify, dirname, type FileKind } from './classify.js';
import { loadConfig } from './config.js';
import { FAMILY_LOADERS } from './families.js';
import { loadInventory } from './inventory.js';
import type { LoadContext } from './load-context.js';
import { mayDeclarePlatforms, resolveTargets } from './targets.js';

export interface LoadOptions {
  /** Project directory (absolute or relative to cwd). */
  root: string;
  cwd?: string;
  configPath?: string;
  platforms?: Platform[];
}

/** Files above this size are not parsed (a note says so). */
const MAX_FILE_BYTES = 16 * 1024 * 1024;

export function parseErrorFinding(file: SourceFile, span: Span, message: string): Finding {
  return {
    ruleId: 'parse-error',
    severity: 'error',
    message,
    hint: 'fix the syntax of this file; crossdock checked the rest of the repository',
    ...locate(file, span),
    related: [],
  };
}

async function readSource(root: string, path: string, notes: string[]): Promise<SourceFile | undefined> {
  const abs = join(root, path);
  let buf: Buffer;
  try {
    const st = await fs.stat(abs);
    if (!st.isFile()) {
      notes.push(`${path}: not a regular file, skipped`);
      return undefined;
    }
    if (st.size > MAX_FILE_BYTES) {
      notes.push(`${path}: ${Math.round(st.size / 1048576)} MB is too large to check, skipped`);
      return undefined;
    }
    buf = await fs.readFile(abs);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') notes.push(`${path}: tracked by git but missing from the work tree, skipped`);
    else if (code === 'ELOOP') notes.push(`${path}: symlink loop, skipped`);
    else notes.push(`${path}: cannot be read (${code ?? String(e)}), skipped`);
    return undefined;
  }
  if (buf.subarray(0, 8192).includes(0)) {
    notes.push(`${path}: binary file, not parsed`);
    return undefined;
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(buf);
  } catch {
    text = new TextDecoder('utf-8').decode(buf);
    notes.push(`${path}: not valid UTF-8; invalid bytes were read as U+FFFD`);
  }
  return new SourceFile(path, text);
}

/** Loads the whole typed project: inventory, config, every relevant file parsed once, targets, build graph. */
export async function loadProject(options: LoadOptions): Promise<ProjectModel> {
  const root = resolve(options.cwd ?? process.cwd(), options.root);
  let st: Awaited<ReturnType<typeof fs.stat>>;
  try {
    st = await fs.stat(root);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new ConfigError(
      code === 'ENOENT' ? `${options.root}: no such directory` : `${options.root}: cannot be read (${code})`,
      { hint: 'pass the path of a repository checkout, e.g. `crossdock check .`' },
    );
  }
  if (!st.isDirectory()) {
    throw new ConfigError(`${options.root}: is not a directory`, {
      hint: 'pass the repository folder, not a file inside it',
    });
  }
  try {
    await fs.readdir(root);
  } catch (e) {
    throw new ConfigError(`${options.root}: cannot be read (${(e as NodeJS.ErrnoException).code})`, {
      hint: 'check the folder permissions',
    });
  }

  const [inventory, config] = await Promise.all([loadInventory(root), loadConfig(root, options.configPath)]);
  const ignored = ignore().add(config.ignore);
  const notes = [...inventory.notes];
  const loadFindings: Finding[] = [];

  const wanted: { path: string; kind: FileKind | 'platforms' }[] = [];
  for (const [path, status] of inventory.files) {
    if (status === 'ignored') continue;
    if (config.ignore.length && ignored.ignores(path)) continue;
    const kind = classify(path);
    if (kind) wanted.push({ path, kind });
    else if (mayDeclarePlatforms(path)) wanted.push({ path, kind: 'platforms' });
  }
  wanted.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));

  const sources = new Map<string, SourceFile>();
  const files = await Promise.all(wanted.map((w) => readSource(root, w.path, notes)));

  const model: ProjectModel = {
    root,
    inventory,
    config,
    targets: { platforms: [], source: 'default' },
    sources,
    dockerfiles: [],
    dockerignores: new Map<string, DockerIgnore>(),
    python: { requirements: [], pyprojects: [], setups: [], versionFiles: [] },
    node: { packageJsons: [], nvmrcs: [] },
    gitmodules: undefined,
    builds: [],
    ...emptyDeliveryModel(),
    loadFindings,
  };
  const problems = (file: SourceFile, list: { message: string; span: Span }[]) => {
    for (const p of list) loadFindings.push(parseErrorFinding(file, p.span, p.message));
  };

  const platformFiles: SourceFile[] = [];
  for (let i = 0; i < wanted.length; i++) {
    const file = files[i];
    const w = wanted[i];
    if (!file || !w) continue;
    sources.set(file.path, file);
    switch (w.kind) {
      case 'dockerfile': {
        const df: Dockerfile = parseDockerfile(file);
        model.dockerfiles.push(df);
        problems(file, df.problems);
        break;
      }
      case 'dockerignore': {
        const name = file.path.slice(file.path.lastIndexOf('/') + 1);
        // `.dockerignore` applies to its folder as a context; `<name>.Dockerfile.dockerignore` to that Dockerfile.
        const key =
          name === '.dockerignore' ? dirname(file.path) : file.path.slice(0, -'.dockerignore'.length);
        model.dockerignores.set(key, parseDockerignore(file.path, file.text));
        break;
      }
      case 'requirements': {
        const req = parseRequirements(file);
        model.python.requirements.push(req);
        problems(file, req.problems);
        break;
      }
      case 'pyproject': {
        const p = parsePyproject(file);
        model.python.pyprojects.push(p);
        problems(file, p.problems);
        break;
      }
      case 'setup.py':
      case 'setup.cfg': {
        const s = w.kind === 'setup.py' ? parseSetupPy(file) : parseSetupCfg(file);
        model.python.setups.push(s);
        problems(file, s.problems);
        break;
      }
      case 'python-version': {
        const v = parsePythonVersionFile(file);
        if (v) model.python.versionFiles.push(v);
        break;
      }
      case 'package.json': {
        const p = parsePackageJson(file);
        model.node.packageJsons.push(p);
        problems(file, p.problems);
        break;
      }
      case 'nvmrc': {
        const n = parseNvmrc(file);
        if (n) model.node.nvmrcs.push(n);
        break;
      }
      case 'gitmodules': {
        const g = parseGitmodules(file);
        model.gitmodules = g;
        problems(file, g.problems);
        break;
      }
      case 'platforms':
        break;
    }
    if (w.kind === 'platforms' || w.kind === 'dockerfile') platformFiles.push(file);
  }

  // Requirement files pulled in with -r/-c, or installed by a Dockerfile's `pip install -r`, whatever their name.
  const seen = new Set(model.python.requirements.map((r) => r.path));
  for (const df of model.dockerfiles) {
    for (const ins of df.instructions) {
      if (ins.keyword !== 'RUN') continue;
      for (const m of ins.args.matchAll(/(?:^|\s)(?:-r|--requirement)(?:=|\s+)?([^\s;&|]+)/g)) {
        const arg = (m[1] ?? '').replace(/^["']|["']$/g, '');
        for (const base of [dirname(df.path), '.']) {
          const path = joinPath(base, arg.replace(/^\/+/, ''));
          const status = path ? inventory.files.get(path) : undefined;
          if (!path || !status || status === 'ignored' || seen.has(path)) continue;
          seen.add(path);
          const file = await readSource(root, path, notes);
          if (!file) continue;
          sources.set(path, file);
          const parsed = parseRequirements(file);
          model.python.requirements.push(parsed);
          problems(file, parsed.problems);
        }
      }
    }
  }
  for (let i = 0; i < model.python.requirements.length; i++) {
    const req = model.python.requirements[i];
    if (!req) continue;
    for (const inc of req.includes) {
      const path = joinPath(dirname(req.path), inc.path);
      if (!path || seen.has(path)) continue;
      seen.add(path);
      const status = inventory.files.get(path);
      if (!status || status === 'ignored') continue;
      const file = await readSource(root, path, notes);
      if (!file) continue;
      sources.set(path, file);
      const parsed = parseRequirements(file);
      model.python.requirements.push(parsed);
      problems(file, parsed.problems);
    }
  }

  model.targets = resolveTargets(config, platformFiles, options.platforms);
  model.builds = dockerfileBuilds(model.dockerfiles, sources, inventory, model.targets);

  const pending = new Map<string, Promise<SourceFile | undefined>>();
  let allPaths: string[] | undefined;
  const context: LoadContext = {
    model,
    // Computed on first use: sorting 20,000 paths is wasted when no family loader asks.
    get paths() {
      allPaths ??= [...inventory.files]
        .filter(([path, status]) => status !== 'ignored' && !(config.ignore.length && ignored.ignores(path)))
        .map(([path]) => path)
        .sort();
      return allPaths;
    },
    read(path) {
      const cached = sources.get(path);
      if (cached) return Promise.resolve(cached);
      let p = pending.get(path);
      if (!p) {
        p = readSource(root, path, notes).then((f) => {
          if (f) sources.set(path, f);
          return f;
        });
        pending.set(path, p);
      }
      return p;
    },
    problem(file, span, message) {
      loadFindings.push(parseErrorFinding(file, span, message));
    },
    note(message) {
      notes.push(message);
    },
  };
  for (const loader of FAMILY_LOADERS) await loader(context);
  // Platforms that build definitions set explicitly (matrix values included) are targets too, unless configured.
  if (model.targets.source !== 'crossdock.yaml' && !config.platforms?.length && !options.platforms?.length) {
    const extra: string[] = [];
    for (const b of model.builds) {
      const site = b.sites?.platforms;
      if (!site) continue;
      for (const p of b.platforms) {
        if (model.targets.platforms.some((t) => samePlatform(t, p))) continue;
        model.targets.platforms.push(p);
        extra.push(`${site.file.path}:${site.file.position(site.span.start).line}`);
      }
    }
    if (extra.length) {
      const base = model.targets.source === 'default' ? 'inferred from' : `${model.targets.source},`;
      if (model.targets.source === 'default')
        model.targets.platforms = model.targets.platforms.filter((t) =>
          model.builds.some((b) => b.sites?.platforms && b.platforms.some((p) => samePlatform(p, t))),
        );
      model.targets.source = `${base} ${[...new Set(extra)].slice(0, 3).join(', ')}`;
    }
  }
  // A Dockerfile built by an explicit definition (compose, workflow, script, bake) is checked against the
  // contexts those definitions set; the inferred Dockerfile-only build remains only for Dockerfiles nothing builds.
  const explicit = new Set(model.builds.filter((b) => b.origin !== 'dockerfile').map((b) => b.dockerfile));
  model.builds = model.builds.filter((b) => b.origin !== 'dockerfile' || !explicit.has(b.dockerfile));
  inventory.notes = notes;
  return model;
}
