import type { ComposeRun, Located, Site } from '../../model/deploy.js';
import { dirname, joinPath } from '../../model/repo.js';
import type { ShellCommand, ShellScript, ShellWord } from '../../model/shell.js';
import type { SourceFile } from '../../model/source.js';
import { known, type Unknown, unknown, type Value } from '../../model/value.js';
import type { Effect } from '../../model/project.js';
import { analyzeShell } from '../shell/analyze.js';
import { basename, effectiveArgv } from '../shell/words.js';

/**
 * Scans shell text (a script, a Makefile recipe, a workflow `run:` block) for container builds, pushes, logins,
 * copies, scripts it runs, cluster applies and workflow step outputs. Nothing is executed. Variables are
 * resolved from their assignments; what cannot be resolved statically (`$1` without a known argument, `$(…)`,
 * variables only the environment sets, values assigned on a branch) stays unknown, with the reason.
 *
 * Paths are resolved against the working directory the text runs in: known (a repository path), or a set of
 * candidates when it depends on who runs the script. `cd` is followed. The idioms `$(dirname "$0")`,
 * `$(cd "$(dirname "$0")/.." && pwd)`, `$(pwd)` and `$(git rev-parse --show-toplevel)` resolve relative to the
 * script. Absolute paths leave the repository and are never turned into repository paths.
 */

/**
 * Variables the environment always holds: the process's own (`HOME`, `PATH`, `USER`, ...) and those CI runners set
 * for every step (GitHub Actions `GITHUB_*`, `RUNNER_*`, `ACTIONS_*`, `CI`; GitLab `CI_*`): never unset, so a
 * `${X:-default}` of one is not its default.
 */
const ALWAYS_SET =
  /^(HOME|PATH|USER|LOGNAME|SHELL|HOSTNAME|LANG|TMPDIR|CI|GITHUB_[A-Z_]+|RUNNER_[A-Z_]+|ACTIONS_[A-Z_]+|CI_[A-Z_]+|ImageOS|ImageVersion)$/;

/** Where commands run: a repository folder, or one of several candidates. */
export type Cwd = { known: true; path: string } | { known: false; candidates: string[]; why: Unknown };

/** A path resolved against the working directory: a repository path, or unknown (with candidates when a cwd is). */
export type PathValue = Value<string> & { candidates?: string[] };

/** A path applied or rendered; `candidate`: one of the paths it may be (the working directory is not known). */
export type DeployPath = Located<string> & { candidate?: boolean };

export interface BuildCommand {
  tool: 'docker' | 'buildx' | 'buildah' | 'podman' | 'kaniko';
  site: Site;
  /** `-f` as an expanded path expression (resolve it with `resolvePathIn`); undefined when not given. */
  dockerfile: (Value<string> & { site: Site }) | undefined;
  /** The context as an expanded path expression; undefined when not given. */
  context: (Value<string> & { site: Site }) | undefined;
  /** `--platform` as written (resolved), when given. */
  platforms: (Value<string> & { site: Site }) | undefined;
  /** Tags as patterns: resolved variables substituted, unknown ones left as written. */
  tags: Located<string>[];
  push: boolean;
  /** `--output type=image,push-by-digest=true`: pushed by digest, no tag written. */
  pushByDigest?: boolean;
  /** Runs only on some paths through the script (a branch, a loop, a guarded function call, after an exit). */
  onBranch?: true;
  buildArgs: Record<string, Value<string>>;
  /** `"$@"` with unknown arguments: they may pass any `--build-arg`. */
  otherArgs: Unknown | undefined;
  target: Value<string> | undefined;
  cacheRefs: Located<string>[];
  namedContexts: Record<string, string>;
  /** Working directory the command runs in (for paths given relative to it). */
  cwd: Cwd;
  /** Commands of this text that ran before it and may have written files (`git clone … dir`, `./gen.sh`). */
  before: Effect[];
}

export interface BakeCommand {
  site: Site;
  files: PathValue[];
  targets: string[];
  push: boolean;
  cwd: Cwd;
}

export interface ScriptRun extends Located<string> {
  /** Commands of this text that ran before it and may have written files. */
  before: Effect[];
  /** Repository path of the script, when it resolves. */
  path: string | undefined;
  /** Its arguments, each known (a string) or not (undefined); undefined when their number is not known. */
  args: (string | undefined)[] | undefined;
  cwd: Cwd;
  /** `make … NAME=value`: variables on make's command line (they override the Makefile's). */
  makeVars?: Map<string, Value<string>>;
  /** The environment it inherits: the caller's own, the variables it exported and `NAME=value cmd` prefixes. */
  env?: Map<string, Value<string>>;
}

export interface ScanResult {
  builds: BuildCommand[];
  bakes: BakeCommand[];
  pushes: Located<string>[];
  logins: Located<string>[];
  /** `cp <src> <dst>` sources that resolve to repository paths. */
  copies: Located<string>[];
  /** Scripts this text runs (`./scripts/build.sh`, `bash build.sh`) and `make` calls (path `Makefile`). */
  runs: ScriptRun[];
  /** `kubectl apply -f/-k`, `kubectl kustomize`, `helm upgrade --install` targets (repository paths). */
  applies: DeployPath[];
  /** Files rendered with `envsubst` / `sed -i` (placeholders filled at deploy time). */
  renders: DeployPath[];
  /** Compose files it runs (`docker compose -f X up`; without -f, the default names in its folder). */
  composes: ComposeRun[];
  /** `echo "name=value" >> "$GITHUB_OUTPUT"` (and `$GITHUB_ENV`): every value written. */
  outputs: Map<string, { values: string[]; unknown: boolean }>;
  env: Map<string, { values: string[]; unknown: boolean }>;
  /** Variables at the end of the text. */
  variables: Map<string, Value<string>>;
  /** Commands that may write files, in order, with the paths they create when known (resolved, in the repository). */
  effects: Effect[];
  /** The working directory each command runs in (`cd` followed), by the command's start offset. */
  cwdAt: Map<number, Cwd>;
}

export interface ScanContext {
  file: SourceFile;
  /** Repository path of the script (`$0`); undefined for workflow `run:` blocks and Makefiles. */
  scriptPath: string | undefined;
  cwd: Cwd;
  /** Positional parameters: each known (a string) or not (undefined); undefined: not even their number is known. */
  args: (string | undefined)[] | undefined;
  /** Variables given by the caller (workflow env, make variables), already resolved. */
  env?: Map<string, Value<string>>;
  /**
   * The caller is known and `env` is everything it sets (a workflow step, a script a step runs): a variable not
   * in it is unset, so `${X:-d}` is `d`. Otherwise the caller's environment may set any variable.
   */
  envKnown?: boolean;
  /** Makefile recipes: every line is its own shell, in the Makefile's folder. */
  cwdPerLine?: boolean;
  /** Workflow `run:` blocks: evaluates a `${{ … }}` expression (GitHub substitutes it before the shell runs). */
  expression?: (expr: string, site: Site) => Value<string>;
}

const MAX_FUNCTION_DEPTH = 4;
/**
 * Function bodies scanned per script, across all call depths: with the depth limit alone, bodies calling
 * functions 50 times each would be scanned 50⁴ times (hostile input). Real scripts stay far below.
 */
const MAX_FUNCTION_CALLS = 2000;
const functionCalls = new WeakMap<object, number>();
/** Scans (by their result) that have passed an `exit` or `return`: later commands may not run. */
const exits = new WeakSet<object>();
/** A word that is all positional parameters: `"$@"`, `${@}`, `$*`. */
const ALL_ARGS = /^\$(?:@|\{@\}|\*|\{\*\})$/;
const ROOT = '\u0001';

/** Programs that never write repository files a later build reads (their effects are known, or elsewhere). */
const NO_LOCAL_FILES = new Set([
  'docker',
  'podman',
  'buildah',
  'kubectl',
  'oc',
  'helm',
  'echo',
  'printf',
  'cd',
  'pushd',
  'popd',
  'export',
  'test',
  '[',
  'true',
  'false',
  'set',
  ':',
]);

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
  '--call',
  '--check',
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

/** kaniko flags that take a value (`--flag value` or `--flag=value`); the others are booleans (`--no-push`). */
const KANIKO_VALUE_FLAGS = new Set([
  ...Object.keys(KANIKO_FLAGS),
  '--cache-dir',
  '--cache-repo',
  '--cache-ttl',
  '--compression',
  '--compression-level',
  '--digest-file',
  '--git',
  '--ignore-path',
  '--image-fs-extract-retry',
  '--image-name-tag-with-digest-file',
  '--image-name-with-digest-file',
  '--insecure-registry',
  '--kaniko-dir',
  '--label',
  '--log-format',
  '--oci-layout-path',
  '--push-retry',
  '--registry-certificate',
  '--registry-client-cert',
  '--registry-map',
  '--registry-mirror',
  '--skip-tls-verify-registry',
  '--snapshot-mode',
  '--snapshotMode',
  '--tar-path',
  '--tarPath',
  '--verbosity',
  '-v',
]);

/** A shell word's value after expansion: the text (unknown parts kept as written) and why it is not fully known. */
interface Expanded {
  text: string;
  unknown: Unknown | undefined;
}

class Scanner {
  private vars: Map<string, Value<string>>;
  private cwd: Cwd;
  private readonly out: ScanResult;
  private readonly functions = new Map<string, { body: ShellCommand[]; depth: number }>();
  /** Everything this scanner sees runs on a branch (a function called inside an `if`, after `&&`). */
  private onBranch = false;

  constructor(
    private readonly ctx: ScanContext,
    private readonly args: (string | undefined)[] | undefined,
    out?: ScanResult,
    vars?: Map<string, Value<string>>,
    private readonly depthOfCall = 0,
  ) {
    this.vars = vars ?? new Map(ctx.env ?? []);
    this.cwd = ctx.cwd;
    this.out = out ?? {
      builds: [],
      bakes: [],
      pushes: [],
      logins: [],
      copies: [],
      runs: [],
      applies: [],
      renders: [],
      composes: [],
      effects: [],
      outputs: new Map(),
      env: new Map(),
      variables: this.vars,
      cwdAt: new Map(),
    };
  }

  get result(): ScanResult {
    return this.out;
  }

  private site(w: ShellWord | ShellCommand): Site {
    return { file: this.ctx.file, span: w.span };
  }

  // ------------------------------------------------------------------ expansion

  /** `$(…)` contents that resolve relative to the script: dirname "$0", the repository top, pwd. */
  private substitution(inner: string): Expanded {
    const s = inner.trim().replace(/\s+/g, ' ');
    const dir = this.ctx.scriptPath ? `${ROOT}/${dirname(this.ctx.scriptPath)}` : undefined;
    if (/^git rev-parse --show-toplevel$/.test(s)) return { text: ROOT, unknown: undefined };
    if (/^pwd( -P)?$/.test(s)) return this.pwd();
    const dn = /^dirname ["']?(\$0|\$\{0\}|\$\{BASH_SOURCE(\[0\])?\}|\$BASH_SOURCE)["']?$/.exec(s);
    if (dn && dir) return { text: dir, unknown: undefined };
    // `cd "$(dirname "$0")/.." && pwd` (also with -P, `>/dev/null`, `;`).
    const cdp =
      /^cd (?:-P )?["']?\$\(dirname ["']?(?:\$0|\$\{0\}|\$\{BASH_SOURCE(?:\[0\])?\}|\$BASH_SOURCE)["']?\)([^"' ]*)["']?(?: ?>\/dev\/null(?: 2>&1)?)? ?(?:&&|;) ?pwd( -P)?$/.exec(
        s,
      );
    if (cdp && dir) return { text: `${dir}${cdp[1] ?? ''}`, unknown: undefined };
    return {
      text: `$(${inner})`,
      unknown: unknown(
        'command-substitution',
        `\`$(${inner.length > 40 ? `${inner.slice(0, 40)}…` : inner})\` is computed when the script runs`,
      ),
    };
  }

  private pwd(): Expanded {
    if (this.cwd.known) return { text: `${ROOT}/${this.cwd.path}`, unknown: undefined };
    return { text: '.', unknown: undefined };
  }

  private variable(name: string, site: Site): Value<string> {
    if (/^\d+$/.test(name)) {
      if (name === '0')
        return this.ctx.scriptPath
          ? known(`${ROOT}/${this.ctx.scriptPath}`, { kind: 'convention' })
          : unknown('parameter', '`$0` is the running program', site);
      const k = Number(name) - 1;
      const v = this.args?.[k];
      if (this.args && k < this.args.length && v === undefined)
        return unknown(
          'parameter',
          `\`$${name}\` is not known: the caller passes a value crossdock cannot resolve`,
          site,
          'pass a literal argument where the script is called',
        );
      if (this.args) return known(v ?? '', { kind: 'variable', site, detail: `argument $${name}` });
      return unknown(
        'parameter',
        `\`$${name}\` is an argument given by whoever runs this`,
        site,
        'run the script from a workflow step or Makefile with literal arguments, or give the value a default',
      );
    }
    if (name === '@' || name === '*' || name === '#') {
      if (this.args && name !== '#' && this.args.some((a) => a === undefined))
        return unknown('parameter', `some arguments of this call are not known`, site);
      if (this.args)
        return known(name === '#' ? String(this.args.length) : this.args.join(' '), {
          kind: 'variable',
          site,
        });
      return unknown('parameter', `\`$${name}\` are the arguments given by whoever runs this`, site);
    }
    if (name === 'PWD') {
      const p = this.pwd();
      return known(p.text, { kind: 'convention', detail: 'the working directory' });
    }
    const v = this.vars.get(name);
    if (v) return v;
    return unknown(
      'environment',
      `\`$${name}\` is not set in this file: it comes from the environment`,
      site,
      `assign ${name} in the script (or give it a default: \${${name}:-value})`,
    );
  }

  /** Expands `$X`, `${X}`, `${X:-d}`, `${X-d}`, `${X:=d}`, `${X:+v}`, `$(…)`, backticks in a word's value. */
  expand(text: string, site: Site): Expanded {
    let out = '';
    let why: Unknown | undefined;
    const note = (u: Unknown | undefined) => {
      if (u && !why) why = u;
    };
    let i = 0;
    let guard = 0;
    while (i < text.length && guard++ < 10_000) {
      const c = text[i];
      if (c === '\\' && i + 1 < text.length) {
        out += text[i + 1];
        i += 2;
        continue;
      }
      if (c === '`') {
        const end = text.indexOf('`', i + 1);
        const inner = text.slice(i + 1, end < 0 ? text.length : end);
        const e = this.substitution(inner);
        note(e.unknown);
        out += e.text;
        i = end < 0 ? text.length : end + 1;
        continue;
      }
      if (c !== '$') {
        out += c;
        i++;
        continue;
      }
      const next = text[i + 1];
      if (next === '{' && text[i + 2] === '{') {
        const end = text.indexOf('}}', i);
        const stop = end < 0 ? text.length : end + 2;
        const expr = text.slice(i + 3, end < 0 ? text.length : end).trim();
        const v = this.ctx.expression
          ? this.ctx.expression(expr, site)
          : unknown('expression', `\`\${{ ${expr} }}\` is evaluated by GitHub Actions`, site);
        if (v.known) out += v.value;
        else {
          note(v);
          out += text.slice(i, stop);
        }
        i = stop;
        continue;
      }
      if (next === '(' && text[i + 2] !== '(') {
        let depth = 0;
        let j = i + 1;
        for (; j < text.length; j++) {
          if (text[j] === '(') depth++;
          else if (text[j] === ')') {
            depth--;
            if (depth === 0) break;
          }
        }
        const e = this.substitution(text.slice(i + 2, j));
        note(e.unknown);
        out += e.text;
        i = j + 1;
        continue;
      }
      if (next === '(') {
        // $(( arithmetic )): unknown.
        const end = text.indexOf('))', i);
        const stop = end < 0 ? text.length : end + 2;
        note(unknown('command-substitution', 'arithmetic is computed when the script runs', site));
        out += text.slice(i, stop);
        i = stop;
        continue;
      }
      if (next === '{') {
        const stop = closingBrace(text, i + 2);
        const body = text.slice(i + 2, stop);
        i = stop + 1;
        const m = /^([A-Za-z_][A-Za-z0-9_]*|\d+|[@*#])(?:(:?[-=+?])(.*))?$/s.exec(body);
        if (!m) {
          note(unknown('command-substitution', `\`\${${body}}\` is computed when the script runs`, site));
          out += `\${${body}}`;
          continue;
        }
        const name = m[1] ?? '';
        const op = m[2];
        const word = m[3] ?? '';
        const assigned = this.vars.has(name) || /^\d+$|^[@*#]$/.test(name);
        const v = this.variable(name, site);
        if (op === undefined || op.endsWith('?')) {
          if (v.known) out += v.value;
          else {
            note(v);
            out += `\${${name}}`;
          }
          continue;
        }
        if (op.endsWith('+')) {
          if (v.known) out += v.value !== '' || !op.startsWith(':') ? this.expandInner(word, site, note) : '';
          else {
            note(v);
            out += `\${${body}}`;
          }
          continue;
        }
        // `-` / `=`: the default when unset (or empty with `:`).
        if (v.known && (v.value !== '' || !op.startsWith(':'))) {
          out += v.value;
          continue;
        }
        if (!v.known && (assigned || v.kind === 'parameter') && v.kind !== 'environment') {
          note(v);
          out += `\${${body}}`;
          continue;
        }
        // Not set in this file: the default when the caller is known not to set it; otherwise whoever runs this
        // may set it (`TAG=v2 ./build.sh`), and the default is only one of its values. Variables every process or
        // CI runner has (`HOME`, `GITHUB_REF_NAME`, `RUNNER_OS`) are set whoever the caller is.
        if (!this.ctx.envKnown || ALWAYS_SET.test(name)) {
          const shown = `\`${word.length > 30 ? `${word.slice(0, 30)}…` : word}\``;
          const u = ALWAYS_SET.test(name)
            ? unknown(
                'environment',
                `\`$${name}\` is always set (by every process, or by the CI runner for every step), so ${shown} is not used`,
                site,
                `use a variable of your own for the value (${name}_OVERRIDE or similar), or assign it in the script`,
              )
            : unknown(
                'environment',
                `\`$${name}\` may be set by the environment of whoever runs this; ${shown} is only its default`,
                site,
                `assign ${name} in the script, or run it from a workflow step or Makefile that sets it or leaves it unset`,
              );
          note(u);
          if (op.endsWith('=') && !assigned) this.vars.set(name, u);
          out += `\${${body}}`;
          continue;
        }
        const d = this.expandInner(word, site, note);
        if (op.endsWith('=') && !assigned)
          this.vars.set(name, known(d, { kind: 'default', site, detail: `\${${name}:=…} default` }));
        out += d;
        continue;
      }
      const m = /^([A-Za-z_][A-Za-z0-9_]*|\d|[@*#])/.exec(text.slice(i + 1));
      if (!m) {
        out += '$';
        i++;
        continue;
      }
      const name = m[1] ?? '';
      const v = this.variable(name, site);
      if (v.known) out += v.value;
      else {
        note(v);
        out += `$${name}`;
      }
      i += 1 + name.length;
    }
    return { text: out, unknown: why };
  }

  private expandInner(word: string, site: Site, note: (u: Unknown | undefined) => void): string {
    const e = this.expand(word, site);
    note(e.unknown);
    return e.text;
  }

  /** A word's text for expansion: a wholly single-quoted word expands nothing. */
  private textOf(w: ShellWord): string {
    return w.raw.length > 1 && w.raw.startsWith("'") && w.raw.endsWith("'")
      ? w.value.replace(/[\\$`]/g, '\\$&')
      : w.value;
  }

  /** A word as a value: known when every part resolves. */
  value(w: ShellWord): Value<string> {
    const site = this.site(w);
    const e = this.expand(this.textOf(w), site);
    if (e.unknown) return { ...e.unknown, site: e.unknown.site ?? site };
    return known(e.text.replaceAll(ROOT, '.'), {
      kind: w.value.includes('$') ? 'variable' : 'literal',
      site,
    });
  }

  /** A word as a path expression: expanded, not yet resolved against a working directory. */
  pathExpr(w: ShellWord): Value<string> {
    const site = this.site(w);
    const e = this.expand(this.textOf(w), site);
    if (e.unknown) return { ...e.unknown, site: e.unknown.site ?? site };
    return known(e.text, { kind: w.value.includes('$') ? 'variable' : 'literal', site });
  }

  /** A word as a tag pattern: resolved parts substituted, the rest as written. */
  pattern(w: ShellWord): string {
    return this.expand(this.textOf(w), this.site(w)).text.replaceAll(ROOT, '.');
  }

  /** Resolves a path word against the working directory. */
  path(w: ShellWord): PathValue {
    const site = this.site(w);
    const e = this.expand(this.textOf(w), site);
    if (e.unknown) return { ...e.unknown, site: e.unknown.site ?? site };
    return this.resolvePath(e.text, site);
  }

  resolvePath(text: string, site: Site): PathValue {
    return resolveExpr(this.cwd, text, site);
  }

  /** A path a command applies or renders: resolved, or each candidate when the working directory is not known. */
  private deployPath(list: DeployPath[], w: ShellWord): void {
    const p = this.path(w);
    if (p.known) list.push({ value: p.value, site: this.site(w) });
    else for (const c of p.candidates ?? []) list.push({ value: c, site: this.site(w), candidate: true });
  }

  // ------------------------------------------------------------------ commands

  private assign(name: string, raw: string, depth: number, site: Site): void {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) return;
    const e = this.expand(raw, site);
    const v: Value<string> = e.unknown
      ? { ...e.unknown, site: e.unknown.site ?? site }
      : known(e.text, { kind: 'variable', site });
    const prev = this.vars.get(name);
    if (depth > 0 && (!prev || !prev.known || !v.known || prev.value !== v.value)) {
      // Assigned on a branch (if/case/loop, after `&&`/`||`): one of several values at run time, the value
      // before the branch among them (what the caller's environment holds, when it was not set here).
      this.vars.set(
        name,
        unknown(
          'branch',
          prev === undefined
            ? `\`${name}\` is assigned only on some branches`
            : `\`${name}\` is assigned differently on different branches`,
          site,
        ),
      );
      return;
    }
    this.vars.set(name, v);
  }

  private cd(args: ShellWord[], site: Site): void {
    const target = args.find((w) => !w.value.startsWith('-'));
    if (!target) {
      this.cwd = {
        known: false,
        candidates: [],
        why: unknown('working-directory', '`cd` without a folder goes to $HOME', site),
      };
      return;
    }
    const p = this.path(target);
    if (p.known) this.cwd = { known: true, path: p.value };
    else if (p.candidates?.length) this.cwd = { known: false, candidates: p.candidates, why: p };
    else this.cwd = { known: false, candidates: [], why: p };
  }

  /** cwd saved on entering each subshell level; a `cd` on a branch, undone to "one of" when the branch ends. */
  private readonly subshellCwd: Cwd[] = [];
  private branchCd: { depth: number; before: Cwd } | undefined;

  scan(commands: ShellCommand[], baseDepth = 0): void {
    const startCwd = this.cwd;
    for (let i = 0; i < commands.length; i++) {
      const cmd = commands[i] as ShellCommand;
      const depth = Math.max(0, cmd.depth - baseDepth);
      const level = cmd.subshell ?? 0;
      while (this.subshellCwd.length > level) this.cwd = this.subshellCwd.pop() as Cwd;
      while (this.subshellCwd.length < level) this.subshellCwd.push(this.cwd);
      if (this.branchCd && depth < this.branchCd.depth) {
        const before = this.branchCd.before;
        const after = this.cwd;
        if (!(before.known && after.known && before.path === after.path)) {
          const candidates = [
            ...new Set([
              ...(before.known ? [before.path] : before.candidates),
              ...(after.known ? [after.path] : after.candidates),
            ]),
          ];
          this.cwd = {
            known: false,
            candidates,
            why: unknown('branch', '`cd` runs on only some branches of the script', this.site(cmd)),
          };
        }
        this.branchCd = undefined;
      }
      const argv = effectiveArgv(cmd);
      const first = argv[0]?.value;
      // Function definitions: `name() {` / `function name {`: the body runs only where the function is called.
      const fnName = this.functionName(cmd, argv);
      if (fnName) {
        const body: ShellCommand[] = [];
        let j = i + 1;
        for (; j < commands.length && (commands[j]?.depth ?? 0) > cmd.depth; j++)
          body.push(commands[j] as ShellCommand);
        this.functions.set(fnName, { body, depth: cmd.depth + 1 });
        i = j - 1;
        continue;
      }
      // Bash arrays: `NAME=(…)` / `NAME+=(…)`: the words up to the closing parenthesis are its elements.
      const arrayName = this.arrayStart(cmd, argv);
      if (arrayName) {
        const words: ShellWord[] = [];
        let j = i + 1;
        for (; j < commands.length && (commands[j]?.depth ?? 0) > cmd.depth; j++) {
          const c = commands[j] as ShellCommand;
          words.push(
            ...c.assignments.map((a) => ({
              value: `${a.name}=${a.value}`,
              raw: `${a.name}=${a.value}`,
              span: a.span,
              quoted: false,
            })),
            ...c.argv,
          );
        }
        const append = arrayName.append && this.arrays.has(arrayName.name);
        const prev = append ? (this.arrays.get(arrayName.name) ?? []) : [];
        if (depth > 0 || this.conditionalArrays.has(arrayName.name))
          for (const w of words) this.conditionalWords.add(w);
        if (depth > 0 && !append) this.conditionalArrays.add(arrayName.name);
        this.arrays.set(arrayName.name, [...prev, ...words]);
        i = j - 1;
        continue;
      }
      // After `a && b` / `a || b` the command runs only when `a` succeeds (fails): a branch for assignments.
      const prevNext = i > 0 ? commands[i - 1]?.next : undefined;
      const assignDepth = prevNext === '&&' || prevNext === '||' ? Math.max(depth, 1) : depth;
      for (const a of cmd.assignments)
        if (argv.length === 0) this.assign(a.name, a.value, assignDepth, this.site(cmd));
      if (argv.length === 0 || !first) {
        if (this.ctx.cwdPerLine && cmd.next === '\n') this.cwd = startCwd;
        continue;
      }
      const full = this.spliceArrays(argv);
      const prog = basename(full[0]?.value ?? first);
      const fn = this.functions.get(prog);
      // `… || exit 1` stops a failed script; any other exit or return may skip what follows when it succeeds.
      const failExit = prevNext === '||' && /^[1-9]\d*$/.test(full[1]?.value ?? '');
      if ((prog === 'exit' || prog === 'return') && !failExit) exits.add(this.out);
      if (fn) {
        this.call(fn, full.slice(1), assignDepth > 0);
      } else {
        this.command(cmd, full, prog, depth, assignDepth);
        this.effect(cmd, full, prog);
      }
      if (this.ctx.cwdPerLine && (cmd.next === '\n' || cmd.next === undefined)) this.cwd = startCwd;
    }
  }

  /**
   * Records what a command may write, for the builds that run after it: the paths it creates, expanded and
   * resolved against the working directory (paths outside the repository do not matter), or unknown effects
   * (it runs a script or an installer; a created path that does not resolve).
   */
  private effect(cmd: ShellCommand, argv: ShellWord[], prog: string): void {
    if (NO_LOCAL_FILES.has(prog)) return;
    const facts = analyzeShell([{ commands: [{ ...cmd, argv }] }]).commands[0];
    if (!facts || (!facts.unknownEffects && facts.creates.length === 0)) return;
    const site = this.site(cmd);
    let outputs: string[] | undefined = facts.unknownEffects ? undefined : [];
    for (const p of facts.creates) {
      if (!outputs) break;
      const e = this.expand(p, site);
      if (e.unknown) {
        outputs = undefined;
        break;
      }
      const r = this.resolvePath(e.text, site);
      if (r.known) outputs.push(r.value);
      else if (r.kind === 'outside-repository') continue;
      // Created above the repository (`git clone … ../lib`): a later build may read it from there.
      else if (r.kind === 'climbs-out') outputs = undefined;
      else if (r.candidates?.length) outputs.push(...r.candidates);
      else outputs = undefined;
    }
    this.out.effects.push({
      site,
      what: `\`${argv
        .map((w) => w.value)
        .join(' ')
        .slice(0, 50)}\``,
      outputs,
    });
  }

  /** Variables `export`ed here: programs this runs inherit them (with the caller's environment). */
  private readonly exported = new Set<string>();

  /** The environment a program this runs inherits: the caller's, what was exported, its `NAME=value` prefixes. */
  private childEnv(cmd: ShellCommand): Map<string, Value<string>> {
    const env = new Map<string, Value<string>>();
    for (const k of [...(this.ctx.env?.keys() ?? []), ...this.exported]) {
      const v = this.vars.get(k);
      if (v) env.set(k, v);
    }
    for (const a of cmd.assignments) {
      const e = this.expand(a.value, this.site(cmd));
      env.set(
        a.name,
        e.unknown
          ? { ...e.unknown, site: e.unknown.site ?? this.site(cmd) }
          : known(e.text, { kind: 'variable', site: this.site(cmd) }),
      );
    }
    return env;
  }

  private readonly arrays = new Map<string, ShellWord[]>();
  private readonly conditionalArrays = new Set<string>();
  private readonly conditionalWords = new Set<ShellWord>();

  private arrayStart(cmd: ShellCommand, argv: ShellWord[]): { name: string; append: boolean } | undefined {
    const after = /^\s*\(/.test(this.ctx.file.text.slice(cmd.span.end, cmd.span.end + 8));
    if (!after) return undefined;
    const a = cmd.assignments[0];
    if (argv.length === 0 && cmd.assignments.length === 1 && a && a.value === '')
      return { name: a.name, append: false };
    const m = argv.length === 1 ? /^([A-Za-z_][A-Za-z0-9_]*)\+=$/.exec(argv[0]?.value ?? '') : null;
    return m?.[1] ? { name: m[1], append: true } : undefined;
  }

  /**
   * argv with `"${NAME[@]}"` spliced into the array's words, `"$@"` into the known arguments, and a leading
   * `$DRY`-style prefix dropped.
   */
  private spliceArrays(argv: ShellWord[]): ShellWord[] {
    const out: ShellWord[] = [];
    for (const w of argv) {
      if (this.args?.every((a) => a !== undefined) && ALL_ARGS.test(w.value)) {
        // Each argument is one word, taken literally (escaped so expansion leaves it as given).
        for (const a of this.args as string[]) {
          const value = a.replace(/[\\$`]/g, '\\$&');
          out.push({ ...w, value, raw: value, quoted: true });
        }
        continue;
      }
      const m = /^\$\{([A-Za-z_][A-Za-z0-9_]*)\[[@*]\]\}$/.exec(w.value);
      const words = m?.[1] ? this.arrays.get(m[1]) : undefined;
      if (words) out.push(...words);
      else out.push(w);
    }
    // `$DRY docker build …`: a prefix variable that is empty or unknown in front of a known program.
    const first = out[0]?.value ?? '';
    if (out.length > 1 && /^\$\{?[A-Za-z_][A-Za-z0-9_]*\}?$/.test(first)) {
      const v = this.value(out[0] as ShellWord);
      if (!v.known || v.value === '') return out.slice(1);
    }
    return out;
  }

  private functionName(cmd: ShellCommand, argv: ShellWord[]): string | undefined {
    if (argv[0]?.value === 'function' && argv[1] && argv.length === 2) return argv[1].value;
    if (argv.length !== 1 || cmd.assignments.length || !argv[0]) return undefined;
    const after = this.ctx.file.text.slice(cmd.span.end, cmd.span.end + 40);
    return /^\s*\(\s*\)\s*[{(]/.test(after) ? argv[0].value : undefined;
  }

  /** A function call: its body is scanned with the call's arguments, those not known as unknown parameters. */
  private call(fn: { body: ShellCommand[]; depth: number }, words: ShellWord[], branch = false): void {
    if (this.depthOfCall >= MAX_FUNCTION_DEPTH) return;
    const calls = functionCalls.get(this.out) ?? 0;
    if (calls >= MAX_FUNCTION_CALLS) return;
    functionCalls.set(this.out, calls + 1);
    const values = words.map((w) => this.value(w));
    const inner = new Scanner(
      this.ctx,
      values.map((v) => (v.known ? v.value : undefined)),
      this.out,
      new Map(this.vars),
      this.depthOfCall + 1,
    );
    inner.cwd = this.cwd;
    inner.onBranch = this.onBranch || branch;
    for (const [k, f] of this.functions) inner.functions.set(k, f);
    inner.scan(fn.body, fn.depth);
  }

  private command(
    cmd: ShellCommand,
    argv: ShellWord[],
    prog: string,
    depth: number,
    assignDepth = depth,
  ): void {
    const site = this.site(cmd);
    this.out.cwdAt.set(cmd.span.start, this.cwd);
    if (
      prog === 'export' ||
      prog === 'readonly' ||
      prog === 'local' ||
      prog === 'declare' ||
      prog === 'typeset'
    ) {
      for (const w of argv.slice(1)) {
        const eq = w.value.indexOf('=');
        const name = eq > 0 ? w.value.slice(0, eq) : w.value;
        if (prog === 'export' && /^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) this.exported.add(name);
        if (eq > 0) this.assign(name, w.value.slice(eq + 1), assignDepth, this.site(w));
      }
      return;
    }
    if (prog === ':') {
      for (const w of argv.slice(1)) this.expand(w.value, this.site(w));
      return;
    }
    if (prog === 'cd' || prog === 'pushd') {
      if (depth > 0 && !this.branchCd && !(cmd.subshell ?? 0)) this.branchCd = { depth, before: this.cwd };
      this.cd(argv.slice(1), site);
      return;
    }
    if (prog === 'source' || prog === '.') return;
    if (prog === 'echo' || prog === 'printf') {
      this.stepOutput(cmd, argv);
      return;
    }
    const build = this.build(cmd, argv);
    if (build) {
      if (this.onBranch || assignDepth > 0 || exits.has(this.out)) build.onBranch = true;
      this.out.builds.push(build);
      return;
    }
    const bake = this.bake(cmd, argv);
    if (bake) {
      this.out.bakes.push(bake);
      return;
    }
    const a1 = argv[1]?.value;
    if ((prog === 'docker' || prog === 'podman' || prog === 'buildah') && (a1 === 'push' || a1 === 'login')) {
      const valueFlags = new Set(['-u', '--username', '-p', '--password']);
      const positional = argv
        .slice(2)
        .filter((w, k, all) => !w.value.startsWith('-') && !valueFlags.has(all[k - 1]?.value ?? ''));
      const target = a1 === 'login' ? positional[positional.length - 1] : positional[0];
      if (target)
        (a1 === 'push' ? this.out.pushes : this.out.logins).push({
          value: this.pattern(target),
          site: this.site(target),
        });
      return;
    }
    if (prog === 'cp' || prog === 'install') {
      const args = argv.slice(1).filter((w) => !w.value.startsWith('-'));
      const src = args.length >= 2 ? args[0] : undefined;
      if (src && !/[*?[]/.test(src.value)) {
        const p = this.path(src);
        if (p.known) this.out.copies.push({ value: p.value, site: this.site(src) });
      }
      return;
    }
    if ((prog === 'docker' && a1 === 'compose') || prog === 'docker-compose') {
      const from = prog === 'docker' ? 2 : 1;
      let any = false;
      const files: Located<string>[] = [];
      // The subcommand: the first word that is neither a global flag nor its value.
      let verb: string | undefined;
      let k0 = from;
      for (; k0 < argv.length; k0++) {
        const v = argv[k0]?.value ?? '';
        if (!v.startsWith('-')) {
          verb = v;
          break;
        }
        if (
          /^(-f|--file|-p|--project-name|--project-directory|--profile|--env-file|--ansi|--progress|--parallel)$/.test(
            v,
          )
        )
          k0++;
      }
      const rest = argv.slice(k0 + 1).map((w) => w.value);
      const builds: ComposeRun['builds'] =
        verb === 'build' || (/^(up|run|create)$/.test(verb ?? '') && rest.includes('--build'))
          ? 'always'
          : /^(up|run|create)$/.test(verb ?? '') && !rest.includes('--no-build')
            ? 'missing'
            : undefined;
      for (let k = from; k < argv.length; k++) {
        const v = argv[k]?.value ?? '';
        const w =
          v === '-f' || v === '--file'
            ? argv[k + 1]
            : v.startsWith('--file=')
              ? { ...(argv[k] as ShellWord), value: v.slice(7) }
              : undefined;
        if (!w) continue;
        any = true;
        const p = this.path(w);
        if (p.known) files.push({ value: p.value, site: this.site(w) });
      }
      if (!any) {
        const base = this.resolvePath('.', site);
        if (base.known)
          for (const n of ['compose.yaml', 'compose.yml', 'docker-compose.yml', 'docker-compose.yaml'])
            files.push({ value: joinPath(base.value, n) ?? n, site });
      }
      for (const f of files) this.out.composes.push({ ...f, builds });
      return;
    }
    if (prog === 'kubectl' || prog === 'oc') {
      for (let k = 2; k < argv.length; k++) {
        const v = argv[k]?.value ?? '';
        if (v === '-f' || v === '--filename' || v === '-k' || v === '--kustomize') {
          const w = argv[k + 1];
          if (w && !/^https?:/.test(w.value)) {
            this.deployPath(this.out.applies, w);
          }
        }
      }
      if (a1 === 'kustomize' && argv[2]) this.deployPath(this.out.applies, argv[2]);
      return;
    }
    if (prog === 'kustomize' && a1 === 'build' && argv[2]) {
      this.deployPath(this.out.applies, argv[2]);
      return;
    }
    if (prog === 'helm' && (a1 === 'upgrade' || a1 === 'install' || a1 === 'template')) {
      const pos = argv
        .slice(2)
        .filter(
          (w, k, all) =>
            !w.value.startsWith('-') &&
            !/^(-f|--values|--namespace|-n|--set|--version)$/.test(all[k - 1]?.value ?? ''),
        );
      const chart = pos[1];
      if (chart) this.deployPath(this.out.applies, chart);
      for (let k = 2; k < argv.length; k++)
        if (argv[k]?.value === '-f' || argv[k]?.value === '--values') {
          const w = argv[k + 1];
          if (w) this.deployPath(this.out.applies, w);
        }
      return;
    }
    if (prog === 'envsubst' || (prog === 'sed' && argv.some((w) => /^-i/.test(w.value)))) {
      const files = [
        ...argv.slice(1).filter((w) => !w.value.startsWith('-') && /\.(ya?ml|json)$/.test(w.value)),
      ];
      for (const r of cmd.redirects)
        if (r.op === '<' && r.target)
          files.push({ value: r.target, raw: r.target, span: r.span, quoted: false });
      for (const w of files) this.deployPath(this.out.renders, w);
      return;
    }
    // `npm run X`, `yarn X`, `pnpm run X`: the script X of the package.json in (or above) this folder.
    if ((prog === 'npm' || prog === 'pnpm' || prog === 'yarn' || prog === 'bun') && argv[1]) {
      const run = a1 === 'run' || a1 === 'run-script';
      const name = run ? argv[2]?.value : prog === 'yarn' || prog === 'pnpm' ? a1 : undefined;
      const builtin = new Set([
        'install',
        'ci',
        'i',
        'add',
        'remove',
        'test',
        'exec',
        'dlx',
        'create',
        'init',
        'publish',
        'pack',
        'link',
        'config',
        'cache',
        'audit',
        'outdated',
        'version',
        'set',
        'workspace',
        'workspaces',
        'why',
        'upgrade',
        'up',
      ]);
      if (name && !name.startsWith('-') && !builtin.has(name)) {
        const base = this.resolvePath('.', site);
        if (base.known) {
          const pkg = joinPath(base.value, 'package.json');
          this.out.runs.push({
            value: `${prog} run ${name}`,
            before: [...this.out.effects],
            site,
            path: pkg ? `${pkg}#${name}` : undefined,
            args: undefined,
            cwd: { known: true, path: base.value },
            env: this.childEnv(cmd),
          });
        }
      }
      return;
    }
    if (prog === 'make' || prog === 'gmake') {
      const dir = argv.findIndex((w) => w.value === '-C' || w.value === '--directory');
      const base =
        dir > 0 && argv[dir + 1] ? this.path(argv[dir + 1] as ShellWord) : this.resolvePath('.', site);
      // `NAME=value` words are variables for make, which override the Makefile's assignments.
      const makeVars = new Map<string, Value<string>>();
      for (const w of argv.slice(1)) {
        const eq = w.value.indexOf('=');
        const name = eq > 0 ? w.value.slice(0, eq) : '';
        if (!w.value.startsWith('-') && /^[A-Za-z_][A-Za-z0-9_]*$/.test(name))
          makeVars.set(name, this.value({ ...w, value: w.value.slice(eq + 1) }));
      }
      if (base.known) {
        const path = joinPath(base.value, 'Makefile');
        this.out.runs.push({
          value: 'make',
          before: [...this.out.effects],
          site,
          path,
          args: undefined,
          cwd: { known: true, path: base.value },
          makeVars,
          env: this.childEnv(cmd),
        });
      }
      return;
    }
    // Scripts: `./x.sh`, `bash x.sh`, `sh x.sh`.
    let scriptWord: ShellWord | undefined;
    let scriptArgs: ShellWord[] = [];
    if (/\.(sh|bash)$/.test(argv[0]?.value ?? '') || (argv[0]?.value ?? '').startsWith('./')) {
      scriptWord = argv[0];
      scriptArgs = argv.slice(1);
    } else if (/^(ba|da)?sh$/.test(prog) && argv[1] && !argv[1].value.startsWith('-')) {
      scriptWord = argv[1];
      scriptArgs = argv.slice(2);
    }
    if (scriptWord) {
      const p = this.path(scriptWord);
      const values = scriptArgs.map((w) => this.value(w));
      this.out.runs.push({
        value: scriptWord.value,
        before: [...this.out.effects],
        site: this.site(scriptWord),
        path: p.known ? p.value : undefined,
        args: values.map((v) => (v.known ? v.value : undefined)),
        cwd: this.cwd,
        env: this.childEnv(cmd),
      });
    }
  }

  /** `echo "name=value" >> "$GITHUB_OUTPUT"` / `$GITHUB_ENV`. */
  private stepOutput(cmd: ShellCommand, argv: ShellWord[]): void {
    const target = cmd.redirects.find((r) => r.op === '>>' || r.op === '>');
    if (!target) return;
    const which = /GITHUB_OUTPUT/.test(target.target)
      ? this.out.outputs
      : /GITHUB_ENV/.test(target.target)
        ? this.out.env
        : undefined;
    if (!which) return;
    const text = argv.slice(1).filter((w) => !/^-[neE]+$/.test(w.value));
    const joined = text.map((w) => w.value).join(' ');
    const eq = joined.indexOf('=');
    if (eq <= 0) return;
    const name = joined.slice(0, eq).trim();
    if (!/^[A-Za-z_][A-Za-z0-9_-]*$/.test(name)) return;
    const site = this.site(cmd);
    const e = this.expand(joined.slice(eq + 1), site);
    const entry = which.get(name) ?? { values: [], unknown: false };
    if (e.unknown) entry.unknown = true;
    else if (!entry.values.includes(e.text)) entry.values.push(e.text);
    which.set(name, entry);
    if (which === this.out.env)
      this.vars.set(name, e.unknown ? { ...e.unknown } : known(e.text, { kind: 'variable', site }));
  }

  private build(cmd: ShellCommand, argv: ShellWord[]): BuildCommand | undefined {
    const prog = basename(argv[0]?.value ?? '');
    const a1 = argv[1]?.value;
    const a2 = argv[2]?.value;
    let tool: BuildCommand['tool'] | undefined;
    let from = 0;
    if (prog === 'docker' || prog === 'podman') {
      if (a1 === 'build') {
        tool = prog === 'docker' ? 'docker' : 'podman';
        from = 2;
      } else if ((a1 === 'buildx' || a1 === 'image') && (a2 === 'build' || a2 === 'b')) {
        tool = a1 === 'buildx' ? 'buildx' : 'docker';
        from = 3;
      } else if (a1 === 'buildx' && (a2 === '--builder' || a2?.startsWith('--builder='))) {
        const k = a2 === '--builder' ? 4 : 3;
        if (argv[k]?.value === 'build' || argv[k]?.value === 'b') {
          tool = 'buildx';
          from = k + 1;
        }
      }
    } else if (prog === 'buildah' && (a1 === 'bud' || a1 === 'build' || a1 === 'build-using-dockerfile')) {
      tool = 'buildah';
      from = 2;
    } else if (prog === 'executor' || prog === 'kaniko') {
      tool = 'kaniko';
      from = 1;
    }
    if (!tool) return undefined;
    const out: BuildCommand = {
      tool,
      site: this.site(cmd),
      dockerfile: undefined,
      context: undefined,
      platforms: undefined,
      tags: [],
      push: tool === 'kaniko',
      buildArgs: {},
      otherArgs: undefined,
      target: undefined,
      cacheRefs: [],
      namedContexts: {},
      cwd: this.cwd,
      before: [...this.out.effects],
    };
    const positional: ShellWord[] = [];
    for (let i = from; i < argv.length; i++) {
      const w = argv[i] as ShellWord;
      const v = w.value;
      // `"$@"` left in argv: the caller's arguments are not known, and may hold any flag.
      if (ALL_ARGS.test(v)) {
        const u = this.variable('@', this.site(w));
        if (!u.known) out.otherArgs ??= u;
      }
      if (!v.startsWith('-') || v === '-') {
        positional.push(w);
        continue;
      }
      const eq = v.indexOf('=');
      let name = v.startsWith('--') && eq > 0 ? v.slice(0, eq) : v;
      let valueWord: ShellWord | undefined;
      if (v.startsWith('--') && eq > 0) valueWord = { ...w, value: v.slice(eq + 1) };
      else if ((tool === 'kaniko' ? /^-[cdf]./ : /^-[ftoe]./).test(v) && !v.startsWith('--')) {
        name = v.slice(0, 2);
        valueWord = { ...w, value: v.slice(tool === 'kaniko' && v[2] === '=' ? 3 : 2) };
      }
      const role = tool === 'kaniko' ? KANIKO_FLAGS[name] : undefined;
      const takesValue = tool === 'kaniko' ? KANIKO_VALUE_FLAGS.has(name) : DOCKER_VALUE_FLAGS.has(name);
      if (!valueWord && takesValue) {
        valueWord = argv[i + 1];
        i++;
      }
      if (name === '--push') {
        out.push = v !== '--push=false';
        continue;
      }
      if (!valueWord) continue;
      // A flag an array holds only on some branches: the value it sets is one of several (with or without it).
      const flag = tool === 'kaniko' ? (role ?? '') : name;
      if (
        this.conditionalWords.has(w) &&
        [
          '-f',
          '--file',
          '--platform',
          'dockerfile',
          'platform',
          'context',
          '--build-arg',
          'arg',
          '--target',
          'target',
        ].includes(flag)
      ) {
        const why = unknown('branch', `\`${v}\` is added to the command only on some branches`, this.site(w));
        if (flag === '--target' || flag === 'target') out.target = { ...why, site: this.site(valueWord) };
        else if (flag === '--build-arg' || flag === 'arg') {
          const k = valueWord.value.indexOf('=');
          out.buildArgs[k > 0 ? valueWord.value.slice(0, k) : valueWord.value] = {
            ...why,
            site: this.site(valueWord),
          };
        } else if (name === '--platform' || role === 'platform')
          out.platforms = { ...why, site: this.site(valueWord) };
        else if (role === 'context') out.context = { ...why, site: this.site(valueWord) };
        else out.dockerfile = { ...why, site: this.site(valueWord) };
        continue;
      }
      const kind = tool === 'kaniko' ? role : name;
      switch (kind) {
        case '-f':
        case '--file':
        case 'dockerfile':
          if (valueWord.value !== '-')
            out.dockerfile = { ...this.pathExpr(valueWord), site: this.site(valueWord) };
          break;
        case 'context': {
          const stripped = { ...valueWord, value: valueWord.value.replace(/^dir:\/\//, '') };
          out.context = { ...this.pathExpr(stripped), site: this.site(valueWord) };
          break;
        }
        case '-t':
        case '--tag':
        case 'tag':
          out.tags.push({ value: this.pattern(valueWord), site: this.site(valueWord) });
          break;
        case '--platform':
        case 'platform':
          out.platforms = { ...this.value(valueWord), site: this.site(valueWord) };
          break;
        case '--build-arg':
        case 'arg': {
          const t = valueWord.value;
          const k = t.indexOf('=');
          if (k > 0) out.buildArgs[t.slice(0, k)] = this.value({ ...valueWord, value: t.slice(k + 1) });
          else out.buildArgs[t] = this.variable(t, this.site(valueWord));
          break;
        }
        case '--target':
        case 'target':
          out.target = this.value(valueWord);
          break;
        case '-o':
        case '--output':
          if (/type=registry|push=true/.test(valueWord.value)) out.push = true;
          if (/push-by-digest=true/.test(valueWord.value)) out.pushByDigest = true;
          break;
        case '--build-context': {
          const t = this.pattern(valueWord);
          const k = t.indexOf('=');
          if (k > 0) out.namedContexts[t.slice(0, k)] = t.slice(k + 1);
          break;
        }
        case '--cache-from':
        case '--cache-to': {
          const t = this.pattern(valueWord);
          const ref = /(?:^|,)ref=([^,]+)/.exec(t)?.[1] ?? (t.includes('=') ? undefined : t);
          if (ref) out.cacheRefs.push({ value: ref, site: this.site(valueWord) });
          break;
        }
      }
    }
    if (tool === 'kaniko' && !out.context)
      // Without --context kaniko builds /workspace/, wherever the job mounted (or did not mount) the repository.
      out.context = {
        ...unknown(
          'working-directory',
          'kaniko without `--context` builds `/workspace/`: which folder of the repository that is, is not known',
          out.site,
          'pass `--context dir://<folder>` (or `--context <folder>`)',
        ),
        site: out.site,
      };
    // A positional word before the context that the shell fills at run time may be flags (`docker build $ARGS .`):
    // build arguments, a target, a file crossdock does not see. A known value split into several words, or one
    // that starts with `-`, is read no further either.
    for (const w of tool === 'kaniko' ? positional : positional.slice(0, -1)) {
      if (!w.value.includes('$')) continue;
      const v = this.value(w);
      if (!v.known) out.otherArgs ??= { ...v, site: v.site ?? this.site(w) };
      else if (v.value.startsWith('-') || (!w.quoted && /\s/.test(v.value.trim())))
        out.otherArgs ??= unknown(
          'expression',
          `\`${w.value}\` expands to \`${v.value.trim().slice(0, 40)}\`, arguments crossdock does not read one by one`,
          this.site(w),
        );
    }
    if (tool !== 'kaniko') {
      const ctx = positional[positional.length - 1];
      if (ctx && this.conditionalWords.has(ctx))
        out.context = {
          ...unknown('branch', `the context \`${ctx.value}\` is added only on some branches`, this.site(ctx)),
          site: this.site(ctx),
        };
      else if (ctx) {
        if (/^(https?|git):\/\/|^git@|\.git(#|$)/.test(ctx.value) || ctx.value === '-')
          out.context = {
            ...unknown(
              'outside-repository',
              `the context \`${ctx.value}\` is not a folder of this repository`,
              this.site(ctx),
            ),
            site: this.site(ctx),
          };
        else out.context = { ...this.pathExpr(ctx), site: this.site(ctx) };
      }
    }
    return out;
  }

  private bake(cmd: ShellCommand, argv: ShellWord[]): BakeCommand | undefined {
    const prog = basename(argv[0]?.value ?? '');
    let from = -1;
    if (prog === 'docker' && argv[1]?.value === 'buildx' && argv[2]?.value === 'bake') from = 3;
    else if (prog === 'docker' && argv[1]?.value === 'bake') from = 2;
    if (from < 0) return undefined;
    const out: BakeCommand = { site: this.site(cmd), files: [], targets: [], push: false, cwd: this.cwd };
    for (let i = from; i < argv.length; i++) {
      const w = argv[i] as ShellWord;
      if (w.value === '-f' || w.value === '--file') {
        const f = argv[i + 1];
        if (f) out.files.push(this.path(f));
        i++;
      } else if (w.value.startsWith('--file=')) out.files.push(this.path({ ...w, value: w.value.slice(7) }));
      else if (w.value === '--push') out.push = true;
      else if (
        w.value === '--set' ||
        w.value === '--metadata-file' ||
        w.value === '--progress' ||
        w.value === '--builder'
      )
        i++;
      else if (!w.value.startsWith('-')) out.targets.push(this.pattern(w));
    }
    return out;
  }
}

/**
 * Where a `docker buildx bake` runs and the files it reads, when both are known; undefined otherwise: bake then
 * reads files nobody can name (no default file is guessed in a folder that may not be the one it runs in).
 */
export function knownBakeFiles(b: BakeCommand): { cwd: string; files: string[] } | undefined {
  if (!b.cwd.known) return undefined;
  const files: string[] = [];
  for (const f of b.files) {
    if (!f.known) return undefined;
    files.push(f.value);
  }
  return { cwd: b.cwd.path, files };
}

/** The `}` closing a `${` whose body starts at `from` (nested `${…}` and backslash escapes skipped), or the end. */
function closingBrace(text: string, from: number): number {
  let depth = 1;
  for (let j = from; j < text.length; j++) {
    const c = text[j];
    if (c === '\\') j++;
    else if (c === '$' && text[j + 1] === '{') {
      depth++;
      j++;
    } else if (c === '}' && --depth === 0) return j;
  }
  return text.length;
}

/**
 * Why an expanded path that resolved `outside` is outside: a relative (or script-relative) path that climbs above
 * the repository root is `climbs-out`; an absolute one is not a repository path at all.
 */
export function outsideWhy(text: string | undefined, what: string, site: Site): Unknown {
  if (text !== undefined && (text.startsWith(ROOT) || !/^[/~]/.test(text)))
    return unknown('climbs-out', `\`${text.replace(ROOT, '<repository>')}\` leaves the repository`, site);
  return unknown('outside-repository', `the ${what} is outside the repository`, site);
}

/** Resolves an expanded path expression in a folder: a repository path, `outside`, or undefined when it leaves. */
export function resolvePathIn(cwd: string, text: string): string | 'outside' {
  if (text.startsWith(ROOT)) return joinPath('.', text.slice(ROOT.length).replace(/^\/+/, '')) ?? 'outside';
  if (text.startsWith('/') || text.startsWith('~')) return 'outside';
  return joinPath(cwd, text) ?? 'outside';
}

/** Resolves an expanded path expression against a working directory (known, or candidates). */
export function resolveExpr(cwd: Cwd, text: string, site: Site): PathValue {
  if (text.startsWith(ROOT)) {
    const p = joinPath('.', text.slice(ROOT.length).replace(/^\/+/, ''));
    return p === undefined
      ? unknown('climbs-out', `\`${text.replace(ROOT, '<repository>')}\` leaves the repository`, site)
      : known(p, { kind: 'variable', site, detail: 'relative to the script' });
  }
  if (text.startsWith('/') || text.startsWith('~'))
    return unknown('outside-repository', `\`${text}\` is an absolute path: not a repository path`, site);
  if (cwd.known) {
    const p = joinPath(cwd.path, text);
    return p === undefined
      ? unknown('climbs-out', `\`${text}\` from \`${cwd.path}\` leaves the repository`, site)
      : known(p, { kind: 'literal', site });
  }
  const candidates = cwd.candidates.map((c) => joinPath(c, text)).filter((p): p is string => p !== undefined);
  return { ...cwd.why, site: cwd.why.site ?? site, candidates };
}

/** Scans shell text run in `ctx.cwd` with `ctx.args` as its positional parameters. */
export function scanShell(script: ShellScript, ctx: ScanContext): ScanResult {
  const s = new Scanner(ctx, ctx.args);
  s.scan(script.commands);
  return s.result;
}

/** A repository-relative working directory of a script nothing runs: the root or its own folder. */
export function unknownCwd(scriptPath: string, site: Site): Cwd {
  const dir = dirname(scriptPath);
  return {
    known: false,
    candidates: dir === '.' ? ['.'] : ['.', dir],
    why: unknown(
      'working-directory',
      `nothing in the repository runs ${scriptPath}, so the folder it runs from is not known`,
      site,
      `run it from a workflow step or Makefile, or \`cd "$(dirname "$0")"\` in the script`,
    ),
  };
}
