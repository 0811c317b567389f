import type { Span } from './source.js';

/** A word of a shell command: value with quotes removed (variables NOT expanded), and where it was. */
export interface ShellWord {
  value: string;
  /** Text as written, quotes included. */
  raw: string;
  span: Span;
  /** True if any part of the word was quoted. */
  quoted: boolean;
}

export interface ShellRedirect {
  /** `>`, `>>`, `<`, `2>`, `&>`, `2>&1`, ... */
  op: string;
  target: string;
  span: Span;
}

/** One simple command. Spans are offsets into the text the script was parsed from, shifted by `base`. */
export interface ShellCommand {
  /** `FOO=bar` assignments before the program name. */
  assignments: { name: string; value: string; span: Span }[];
  /** Program and its arguments (after assignments and with redirects removed). */
  argv: ShellWord[];
  redirects: ShellRedirect[];
  span: Span;
  /** Operator that joins this command to the next one: `&&`, `||`, `;`, `|`, `&`, newline `\n`, or undefined at the end. */
  next: '&&' | '||' | ';' | '|' | '&' | '\n' | undefined;
  /** Nesting depth of `( )`, `{ }`, `if/for/while` bodies, `$( )` contents (0 at top level). */
  depth: number;
  /** Number of enclosing subshells `( … )`: a `cd` inside one does not outlive it. */
  subshell?: number;
}

export interface ShellScript {
  commands: ShellCommand[];
}

/** Package installers crossdock recognises. */
export type InstallerKind = 'pip' | 'uv' | 'npm' | 'yarn' | 'pnpm' | 'apt' | 'apk' | 'dnf' | 'conda';

/** A `pip install|wheel|download` (also `pip3`, `python -m pip`, `uv pip install`) and what it asks for. */
export interface PipInvocation {
  verb: 'install' | 'wheel' | 'download';
  requirementFiles: ShellWord[];
  constraintFiles: ShellWord[];
  editables: ShellWord[];
  /** Positional requirements: `flask==3.0`, `.`, `./pkg`, `/wheels/*.whl`, URLs. */
  packages: ShellWord[];
  /** `--no-index`: nothing is fetched from an index. */
  noIndex: boolean;
  noDeps: boolean;
  requireHashes: boolean;
  /** `--timeout`/`--default-timeout`/`--retries` given on the command line. */
  networkOptions: boolean;
  /** `--target`/`--prefix`/`-w`/`-d` folders the command writes to. */
  outputs: string[];
  /** `--only-binary`/`--no-binary` words with their values. */
  binaryOptions: { flag: string; value: string; span: { start: number; end: number } }[];
}

/** How a failure of a command is swallowed by what follows it. */
export interface Masking {
  how: 'or' | 'semicolon' | 'pipe' | 'fallback';
  /** The command that swallows it (`true`, `echo`, the fallback install, the pipe's reader). */
  by: ShellCommand;
  /** `|| echo "optional …"`: the author says the failure is acceptable. */
  declared: boolean;
}

/** What one simple command does, as far as can be told without running it. */
export interface CommandFacts {
  command: ShellCommand;
  /** Program basename after wrappers (`sudo`, `env X=y`, `exec`), or undefined for a bare assignment. */
  name: string | undefined;
  /** argv after wrappers. */
  argv: ShellWord[];
  installer: InstallerKind | undefined;
  pip: PipInvocation | undefined;
  /** Fetches from the network (an index, a URL). */
  network: boolean;
  /** Paths the command creates, as written (absolute, or relative to the working directory). */
  creates: string[];
  /** Why the command's effects on the file system are not known (it runs a script, an installer, a package). */
  unknownEffects: string | undefined;
  /** A script file it executes (`./install.sh`, `bash scripts/x.sh`, `python setup_env.py`). */
  script: string | undefined;
  masked: Masking | undefined;
}

export interface ShellFacts {
  commands: CommandFacts[];
  /** `set -o pipefail` (or `set -eo pipefail`) is in effect. */
  pipefail: boolean;
}
