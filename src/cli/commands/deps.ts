import { promises as fs } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import { decideAll } from '../../deps/decide.js';
import { depsInputs, type DepsOverrides, fileInputs } from '../../deps/inputs.js';
import {
  exitCodeFor,
  FAIL_ON,
  renderDepsJson,
  renderDepsMarkdown,
  renderDepsText,
} from '../../deps/report.js';
import { depsReport } from '../../deps/run.js';
import type { Decide, DepsImage, TargetEnv } from '../../deps/types.js';
import { loadProject } from '../../engine/load.js';
import { ConfigError, UsageError } from '../../errors.js';
import { indexCaPems } from '../../pem.js';
import { parsePlatform, type Platform } from '../../model/platform.js';
import type { ProjectModel } from '../../model/project.js';
import { SourceFile } from '../../model/source.js';
import { parseRequirements } from '../../sources/python/requirements.js';
import { formatOpt, useColor, writeReport } from '../output.js';
import type { Io, ParsedArgs } from '../types.js';
import { boolOpt, listOpt, stringOpt } from '../types.js';

function platformsOpt(values: string[]): Platform[] {
  const out: Platform[] = [];
  for (const item of values.flatMap((v) => v.split(','))) {
    if (!item.trim()) continue;
    const p = parsePlatform(item);
    if (!p || !item.includes('/'))
      throw new UsageError(`--platform ${item} is not a platform`, { hint: 'use os/arch, e.g. linux/arm64' });
    out.push(p);
  }
  return out;
}

function pythonOpt(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const m = /^(?:cp|python)?(3)\.?(\d{1,2})$/.exec(value.trim());
  if (!m)
    throw new UsageError(`--python ${value} is not a CPython version`, {
      hint: 'give major.minor, e.g. --python 3.12',
    });
  return `${m[1]}.${m[2]}`;
}

function libcOpt(value: string | undefined): TargetEnv['libc'] {
  if (value === undefined) return undefined;
  const m = /^(glibc|musl)[-_ ]?(\d+\.\d+)$/.exec(value.trim().toLowerCase());
  if (!m)
    throw new UsageError(`--libc ${value} is not a C library`, {
      hint: 'give glibc-2.36 (Debian 12), glibc-2.41 (Debian 13), glibc-2.39 (Ubuntu 24.04) or musl-1.2 (Alpine)',
    });
  return { kind: m[1] === 'musl' ? 'musl' : 'glibc', version: m[2] ?? '' };
}

/** The requirement files and project metadata at the top of a folder nothing builds. */
function folderFiles(model: ProjectModel): string[] {
  const reqs = model.python.requirements
    .map((r) => r.path)
    .filter((p) => !p.includes('/') || /^requirements\/[^/]+$/.test(p))
    .filter(
      (p) =>
        !model.python.requirements.some((r) =>
          r.includes.some((i) => p.endsWith(i.path.replace(/^\.\//, ''))),
        ),
    );
  const meta = model.python.pyprojects.some((p) => p.path === 'pyproject.toml')
    ? ['pyproject.toml']
    : model.python.setups.filter((s) => s.path === 'setup.cfg' || s.path === 'setup.py').map((s) => s.path);
  return [...reqs.sort(), ...meta.slice(0, 1)];
}

/** `crossdock deps [dir|requirements.txt]`, with the verdict engine of src/deps/decide.ts. */
export async function depsCommand(args: ParsedArgs, io: Io, decide: Decide = decideAll): Promise<number> {
  if (args.positionals.length > 1)
    throw new UsageError(`deps takes one directory or requirements file, got ${args.positionals.length}`, {
      hint: 'crossdock deps [dir | requirements.txt]',
    });
  const format = formatOpt(args, ['text', 'json', 'markdown'] as const, 'text');
  const failText = stringOpt(args, 'fail-on') ?? 'emulated-sdist';
  const failOn = FAIL_ON.find((f) => f === failText);
  if (!failOn)
    throw new UsageError(`--fail-on ${failText} is not supported`, {
      hint: `use one of: ${FAIL_ON.join(', ')}`,
    });
  const overrides: DepsOverrides = {
    python: pythonOpt(stringOpt(args, 'python')),
    platforms: platformsOpt(listOpt(args, 'platform')),
    libc: libcOpt(stringOpt(args, 'libc')),
  };
  const target = resolve(io.cwd, args.positionals[0] ?? '.');
  let stat: Awaited<ReturnType<typeof fs.stat>>;
  try {
    stat = await fs.stat(target);
  } catch {
    throw new ConfigError(`${args.positionals[0] ?? '.'}: no such file or directory`, {
      hint: 'give the repository folder, or a requirements file',
    });
  }
  // Read before the repository: a bad CA file is reported at once.
  const ca = indexCaPems(listOpt(args, 'ca-file'), io.env, io.cwd);
  let images: DepsImage[];
  if (stat.isFile()) {
    // A requirements file: its folder is the repository read (includes must stay inside it).
    const model = await loadProject({ root: dirname(target), cwd: io.cwd });
    const name = basename(target);
    images = fileInputs(await withRequirements(model, name, target), [name], overrides);
  } else {
    const model = await loadProject({ root: target, cwd: io.cwd });
    images = depsInputs(model, overrides);
    if (images.every((i) => i.queries.length === 0)) {
      const files = folderFiles(model);
      if (files.length)
        images = [...images.filter((i) => i.notes.length), ...fileInputs(model, files, overrides)];
    }
  }
  const tty = io.stderr.isTTY === true;
  const report = await depsReport(
    images,
    {
      indexUrl: stringOpt(args, 'index-url'),
      extraIndexUrls: listOpt(args, 'extra-index-url'),
      ca,
      offline: boolOpt(args, 'offline'),
      env: io.env,
      progress: tty ? (line) => io.stderr.write(`checking ${line}\n`) : undefined,
    },
    decide,
  );
  const text =
    format === 'json'
      ? renderDepsJson(report)
      : format === 'markdown'
        ? renderDepsMarkdown(report)
        : renderDepsText(report, { color: useColor(io, args) });
  await writeReport(io, args, text);
  return exitCodeFor(report, failOn);
}

/**
 * A requirements file named on the command line is read as one whatever its name (`deps.txt`): the loader reads
 * only files named like requirements, so one it skipped is read and parsed here.
 */
async function withRequirements(model: ProjectModel, name: string, path: string): Promise<ProjectModel> {
  if (model.python.requirements.some((r) => r.path === name)) return model;
  const text = await fs.readFile(path, 'utf8').catch((e: NodeJS.ErrnoException) => {
    throw new ConfigError(`${name} cannot be read (${e.code ?? e.message})`, {
      hint: 'give a readable requirements file',
    });
  });
  const file = new SourceFile(name, text);
  model.sources.set(name, file);
  model.python.requirements.push(parseRequirements(file));
  return model;
}
