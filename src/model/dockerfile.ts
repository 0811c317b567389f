import type { ShellFacts, ShellScript } from './shell.js';
import type { Span } from './source.js';

/** A `--name=value` flag of an instruction (`COPY --from=build`, `RUN --mount=type=cache,...`). */
export interface DfFlag {
  name: string;
  /** Undefined for a bare flag such as `--link`. */
  value: string | undefined;
  span: Span;
}

/** One whitespace-separated argument after the flags, with quotes removed where Docker removes them. */
export interface DfWord {
  value: string;
  span: Span;
}

export interface DfHeredoc {
  /** Delimiter as written, without `<<`, `-` or quotes. */
  delimiter: string;
  /** Body lines joined with `\n`, without the terminating delimiter line. */
  body: string;
  /** Span of the body in the file. */
  span: Span;
  /** `<<-`: leading tabs are stripped. */
  stripTabs: boolean;
  /** `<<'EOF'` or `<<"EOF"`: no expansion inside. */
  quoted: boolean;
}

export interface DfInstruction {
  /** Upper-cased keyword: FROM, RUN, COPY, ... (unknown keywords are kept as written, upper-cased). */
  keyword: string;
  keywordSpan: Span;
  /** Whole instruction, first character of the keyword to the end of its last continuation line (and heredocs). */
  span: Span;
  /**
   * Arguments after the keyword with line continuations removed (escape char + newline dropped, comment lines
   * inside a continuation dropped), leading whitespace trimmed, heredoc bodies NOT included.
   */
  args: string;
  /** File offset of each character of `args` (same length as `args`), so any index maps back to the file. */
  argsOffsets: number[];
  /** Leading `--flags` (parsed from `args`). */
  flags: DfFlag[];
  /** `exec` when the arguments (after flags) are a JSON array of strings; `shell` otherwise. */
  form: 'exec' | 'shell';
  /** For exec form: the JSON array's strings. */
  exec: string[] | undefined;
  /** Arguments after flags split on whitespace (quotes honoured), or the exec array's items with their spans. */
  words: DfWord[];
  /** For shell-form RUN/CMD/ENTRYPOINT/HEALTHCHECK: the shell text after flags, i.e. `args` minus flags. */
  shell: string | undefined;
  /** Index into `args` where `shell` (or the exec JSON) begins. */
  shellStart: number;
  heredocs: DfHeredoc[];
  /** Stage this instruction belongs to; -1 for instructions before the first FROM (global ARGs, directives). */
  stage: number;
  /**
   * For RUN (and shell-form CMD/ENTRYPOINT/HEALTHCHECK): the shell scripts it executes, with file offsets, and what
   * their commands do. Filled by the Dockerfile loader; rules read it and never parse shell themselves.
   */
  analysis?: { scripts: ShellScript[]; facts: ShellFacts };
  /**
   * For shell-form CMD/ENTRYPOINT: what the container runs at run time (never during the build, so kept apart from
   * `analysis`, which rules read as the build's effects).
   */
  runtime?: ShellFacts;
}

export interface DfArg {
  name: string;
  /** Default as written (undefined when the ARG has none). */
  defaultValue: string | undefined;
  span: Span;
}

export interface DfStage {
  index: number;
  /** `AS name`, lower-cased as Docker matches it; undefined when unnamed. */
  name: string | undefined;
  from: DfInstruction;
  /** Image as written in FROM (`python:${PY}-slim`). */
  imageRaw: string;
  /** Image after substituting global ARG defaults; undefined if a variable has no default. */
  image: string | undefined;
  imageSpan: Span;
  /** When FROM names an earlier stage: its index. */
  baseStage: number | undefined;
  /** `FROM --platform=...` value as written. */
  platformFlag: DfFlag | undefined;
  /** Instructions after FROM, up to the next FROM. */
  instructions: DfInstruction[];
}

export interface DfParseProblem {
  message: string;
  span: Span;
}

export interface Dockerfile {
  path: string;
  /** `# escape=` directive, default backslash. */
  escape: '\\' | '`';
  /** `# syntax=` directive value. */
  syntax: string | undefined;
  /** ARGs before the first FROM. */
  globalArgs: DfArg[];
  stages: DfStage[];
  /** Every instruction in order. */
  instructions: DfInstruction[];
  /** Recoverable problems (unterminated heredoc, bad JSON in exec form, instruction before FROM...). */
  problems: DfParseProblem[];
}

/** `.dockerignore` of a build context. */
export interface DockerIgnore {
  path: string;
  /** True when the path (relative to the context, `/` separators) is excluded from the context. */
  ignores(relativePath: string): boolean;
}
