import type { Located, Site } from '../../model/deploy.js';
import type { ShellCommand, ShellScript, ShellWord } from '../../model/shell.js';
import type { SourceFile } from '../../model/source.js';
import { basename, effectiveArgv } from '../shell/words.js';

/**
 * Container build, push, login and copy commands found in shell text (scripts, Makefile recipes, workflow
 * `run:` blocks), with variables resolved from assignments earlier in the same text. Nothing is executed.
 */

export type BuildTool = 'docker' | 'buildx' | 'buildah' | 'podman' | 'kaniko';

export interface BuildCommand {
  tool: BuildTool;
  site: Site;
  dockerfile: Located<string> | undefined;
  context: Located<string> | undefined;
  platforms: Located<string> | undefined;
  tags: Located<string>[];
  push: boolean;
  buildArgs: Record<string, string>;
  target: string | undefined;
  cacheRefs: Located<string>[];
}

export interface ScriptFacts {
  builds: BuildCommand[];
  pushes: Located<string>[];
  logins: Located<string>[];
  /** `cp <src> <dst>` sources (relative paths only). */
  copies: Located<string>[];
  /** Other scripts this text runs (`./scripts/build.sh`, `bash build.sh`). */
  runs: Located<string>[];
  /** Variables assigned at the top level, with their resolved values. */
  variables: Map<string, string>;
}

const DOCKER_VALUE_FLAGS = new Set([
  '-f',
  '--file',
  '-t',
  '--tag',
  '--platform',
  '--build-arg',
  '--target',
  '--cache-from',
  '--cache-to',
  '-o',
  '--output',
  '--build-context',
  '--secret',
  '--ssh',
  '--label',
  '--network',
  '--progress',
  '--builder',
  '--iidfile',
  '--metadata-file',
  '--add-host',
  '--shm-size',
  '--ulimit',
  '--cgroup-parent',
  '-m',
  '--memory',
  '--memory-swap',
  '--attest',
  '--sbom',
  '--provenance',
  '--annotation',
  '--allow',
  '--cpu-shares',
  '--cpuset-cpus',
  '--isolation',
  '--security-opt',
  '--manifest',
  '--format',
  '--layers',
  '--jobs',
  '--creds',
  '--authfile',
  '--cert-dir',
  '--tls-verify',
  '--arch',
  '--os',
  '--variant',
  '--volume',
  '-v',
  '--env',
  '-e',
  '--from',
  '--squash-all',
]);

const KANIKO_FLAGS: Record<string, string> = {
  '--context': 'context',
  '-c': 'context',
  '--dockerfile': 'dockerfile',
  '-f': 'dockerfile',
  '--destination': 'tag',
  '-d': 'tag',
  '--custom-platform': 'platform',
  '--build-arg': 'arg',
  '--target': 'target',
};

/** Expands `$X`, `${X}`, `${X:-d}`, `${X-d}`, `${X:=d}` from `vars`; unknown variables stay as written. */
export function expandVariables(text: string, vars: Map<string, string>): string {
  return text.replace(
    /\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-=+?])([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)/g,
    (
      whole,
      braced: string | undefined,
      op: string | undefined,
      word: string | undefined,
      bare: string | undefined,
    ) => {
      const name = braced ?? bare ?? '';
      const value = vars.get(name);
      if (op === undefined) return value ?? whole;
      if (op.endsWith('+')) return value ? expandVariables(word ?? '', vars) : '';
      if (op.endsWith('?')) return value ?? whole;
      if (value !== undefined && (value !== '' || !op.startsWith(':'))) return value;
      return expandVariables(word ?? '', vars);
    },
  );
}

function located(file: SourceFile, w: ShellWord, value: string): Located<string> {
  return { value, site: { file, span: w.span } };
}

function splitFlag(value: string): { name: string; inline: string | undefined } {
  const eq = value.indexOf('=');
  if (value.startsWith('--') && eq > 0) return { name: value.slice(0, eq), inline: value.slice(eq + 1) };
  if (
    /^-[a-z]./.test(value) &&
    !value.startsWith('--') &&
    value[1] !== undefined &&
    'ftoe'.includes(value[1])
  ) {
    return { name: value.slice(0, 2), inline: value.slice(2) };
  }
  return { name: value, inline: undefined };
}

/** Which build tool a command runs, and where its build arguments start; undefined when it is not a build. */
function buildStart(argv: ShellWord[]): { tool: BuildTool; from: number } | undefined {
  const prog = basename(argv[0]?.value ?? '');
  const a1 = argv[1]?.value;
  const a2 = argv[2]?.value;
  if (prog === 'docker' || prog === 'podman') {
    if (a1 === 'build') return { tool: prog === 'docker' ? 'docker' : 'podman', from: 2 };
    if ((a1 === 'buildx' || a1 === 'image') && a2 === 'build')
      return { tool: a1 === 'buildx' ? 'buildx' : 'docker', from: 3 };
    if (a1 === 'buildx' && a2 === 'b') return { tool: 'buildx', from: 3 };
  }
  if (prog === 'buildah' && (a1 === 'bud' || a1 === 'build' || a1 === 'build-using-dockerfile'))
    return { tool: 'buildah', from: 2 };
  if (prog === 'executor' || prog === 'kaniko') return { tool: 'kaniko', from: 1 };
  return undefined;
}

function parseBuild(
  file: SourceFile,
  cmd: ShellCommand,
  argv: ShellWord[],
  vars: Map<string, string>,
): BuildCommand | undefined {
  const start = buildStart(argv);
  if (!start) return undefined;
  const out: BuildCommand = {
    tool: start.tool,
    site: { file, span: cmd.span },
    dockerfile: undefined,
    context: undefined,
    platforms: undefined,
    tags: [],
    push: false,
    buildArgs: {},
    target: undefined,
    cacheRefs: [],
  };
  const positional: Located<string>[] = [];
  for (let i = start.from; i < argv.length; i++) {
    const w = argv[i];
    if (!w) continue;
    const v = expandVariables(w.value, vars);
    if (!v.startsWith('-') || v === '-') {
      positional.push(located(file, w, v));
      continue;
    }
    const { name, inline } = splitFlag(v);
    let role: string | undefined;
    if (start.tool === 'kaniko') role = KANIKO_FLAGS[name];
    const takesValue =
      start.tool === 'kaniko' ? role !== undefined || name.startsWith('--') : DOCKER_VALUE_FLAGS.has(name);
    let valueWord = w;
    let value = inline;
    if (value === undefined && takesValue && !(start.tool === 'kaniko' && !role && inline === undefined)) {
      const next = argv[i + 1];
      if (next) {
        valueWord = next;
        value = expandVariables(next.value, vars);
        i++;
      }
    }
    if (name === '--push' || name === '--load') {
      if (name === '--push') out.push = inline !== 'false';
      continue;
    }
    if (value === undefined) continue;
    const loc = located(file, valueWord, value);
    const kind = start.tool === 'kaniko' ? role : name;
    switch (kind) {
      case '-f':
      case '--file':
      case 'dockerfile':
        out.dockerfile = loc;
        break;
      case 'context':
        out.context = { ...loc, value: value.replace(/^dir:\/\//, '') };
        break;
      case '-t':
      case '--tag':
      case 'tag':
        out.tags.push(loc);
        if (start.tool === 'kaniko') out.push = true;
        break;
      case '--platform':
      case 'platform':
        out.platforms = loc;
        break;
      case '--build-arg':
      case 'arg': {
        const eq = value.indexOf('=');
        if (eq > 0) out.buildArgs[value.slice(0, eq)] = value.slice(eq + 1);
        else out.buildArgs[value] = vars.get(value) ?? '';
        break;
      }
      case '--target':
      case 'target':
        out.target = value;
        break;
      case '-o':
      case '--output':
        if (/type=registry|push=true/.test(value)) out.push = true;
        break;
      case '--cache-from':
      case '--cache-to': {
        const ref = /(?:^|,)ref=([^,]+)/.exec(value)?.[1] ?? (value.includes('=') ? undefined : value);
        if (ref) out.cacheRefs.push({ ...loc, value: ref });
        break;
      }
    }
  }
  if (start.tool !== 'kaniko') out.context = positional[positional.length - 1] ?? out.context;
  return out;
}

/** Collects build/push/login/cp facts from a parsed script; `vars` seeds the variables (workflow env, make). */
export function scriptFacts(file: SourceFile, script: ShellScript, seed?: Map<string, string>): ScriptFacts {
  const vars = new Map(seed ?? []);
  const facts: ScriptFacts = { builds: [], pushes: [], logins: [], copies: [], runs: [], variables: vars };
  for (const cmd of script.commands) {
    const argv = effectiveArgv(cmd);
    const prog = basename(argv[0]?.value ?? '');
    // Assignments: `X=v` alone, `export X=v`, `readonly X=v`, `: "${X:=v}"`.
    if (
      argv.length === 0 ||
      prog === 'export' ||
      prog === 'readonly' ||
      prog === 'local' ||
      prog === 'declare'
    ) {
      const assigns =
        argv.length === 0
          ? cmd.assignments
          : argv.slice(1).map((w) => ({ name: '', value: w.value, span: w.span }));
      for (const a of assigns) {
        let name = a.name;
        let value = a.value;
        if (!name) {
          const eq = value.indexOf('=');
          if (eq <= 0) continue;
          name = value.slice(0, eq);
          value = value.slice(eq + 1);
        }
        if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) continue;
        if (cmd.depth === 0 || !vars.has(name))
          vars.set(name, expandVariables(value.replace(/^["']|["']$/g, ''), vars));
      }
      if (argv.length === 0) continue;
    }
    if (prog === ':') {
      for (const w of argv.slice(1)) {
        for (const m of w.value.matchAll(/\$\{([A-Za-z_][A-Za-z0-9_]*):?=([^}]*)\}/g)) {
          const name = m[1] ?? '';
          if (!vars.has(name)) vars.set(name, expandVariables(m[2] ?? '', vars));
        }
      }
      continue;
    }
    const build = parseBuild(file, cmd, argv, vars);
    if (build) {
      facts.builds.push(build);
      continue;
    }
    const sub = argv[1]?.value;
    if (
      (prog === 'docker' || prog === 'podman' || prog === 'buildah') &&
      (sub === 'push' || sub === 'login')
    ) {
      const args = argv.slice(2).filter((w) => !w.value.startsWith('-'));
      // `docker login -u x -p y host`: the host is the last positional that is not a flag's value.
      const valueFlags = new Set(['-u', '--username', '-p', '--password']);
      const positional = argv
        .slice(2)
        .filter((w, i, all) => !w.value.startsWith('-') && !valueFlags.has(all[i - 1]?.value ?? ''));
      const target = sub === 'login' ? positional[positional.length - 1] : args[0];
      if (target)
        (sub === 'push' ? facts.pushes : facts.logins).push(
          located(file, target, expandVariables(target.value, vars)),
        );
      continue;
    }
    if (prog === 'cp' || prog === 'install') {
      const args = argv.slice(1).filter((w) => !w.value.startsWith('-'));
      const src = args.length >= 2 ? args[0] : undefined;
      if (src) {
        const v = expandVariables(src.value, vars);
        if (!v.startsWith('/') && !v.startsWith('$') && !v.includes('*'))
          facts.copies.push(located(file, src, v));
      }
      continue;
    }
    const first = argv[0];
    if (first && /\.(sh|bash)$/.test(first.value))
      facts.runs.push(located(file, first, expandVariables(first.value, vars)));
    else if ((prog === 'bash' || prog === 'sh') && argv[1] && /\.(sh|bash)$/.test(argv[1].value))
      facts.runs.push(located(file, argv[1], expandVariables(argv[1].value, vars)));
    else if (prog === 'make') facts.runs.push(located(file, first ?? argv[0]!, 'Makefile'));
  }
  return facts;
}

/**
 * Makefile: variables (`X ?= v`, `X := v`, `X = v`) and recipe lines (tab-indented, `\` continued) turned into
 * shell text with `$(X)`/`${X}` expanded and `$$` as `$`, with offsets into the Makefile.
 */
export function makefileRecipes(file: SourceFile): {
  text: string;
  offsets: number[];
  vars: Map<string, string>;
} {
  const vars = new Map<string, string>();
  const text = file.text;
  let out = '';
  const offsets: number[] = [];
  const lines = text.split('\n');
  let pos = 0;
  let continuing = false;
  for (const raw of lines) {
    const lineStart = pos;
    pos += raw.length + 1;
    const line = raw.replace(/\r$/, '');
    const assign = /^([A-Za-z_][A-Za-z0-9_]*)\s*(\?=|:=|::=|=|\+=)\s*(.*)$/.exec(line);
    if (!continuing && assign && !line.startsWith('\t')) {
      const [, name = '', op, value = ''] = assign;
      const expanded = value
        .replace(/\$[({]([A-Za-z_][A-Za-z0-9_]*)[)}]/g, (w, n: string) => vars.get(n) ?? w)
        .trim();
      if (op === '+=') vars.set(name, `${vars.get(name) ?? ''} ${expanded}`.trim());
      else if (op !== '?=' || !vars.has(name)) vars.set(name, expanded);
      continue;
    }
    if (!line.startsWith('\t') && !continuing) continue;
    let body: string = continuing ? line : line.slice(1);
    let col = continuing ? 0 : 1;
    // Recipe prefixes @, -, + are make's, not the shell's.
    while (!continuing && /^[@+-]/.test(body)) {
      body = body.slice(1);
      col++;
    }
    continuing = body.endsWith('\\');
    // Expand make variables char by char so offsets stay true for the unexpanded parts.
    for (let i = 0; i < body.length; ) {
      if (body[i] === '$' && body[i + 1] === '$') {
        out += '$';
        offsets.push(lineStart + col + i);
        i += 2;
        continue;
      }
      const m = /^\$[({]([A-Za-z_][A-Za-z0-9_]*)[)}]/.exec(body.slice(i));
      if (m) {
        const value = vars.get(m[1] ?? '') ?? '';
        for (let k = 0; k < value.length; k++) {
          out += value[k];
          offsets.push(lineStart + col + i + Math.min(k, m[0].length - 1));
        }
        i += m[0].length;
        continue;
      }
      out += body[i];
      offsets.push(lineStart + col + i);
      i++;
    }
    out += '\n';
    offsets.push(lineStart + col + body.length);
  }
  return { text: out, offsets, vars };
}
