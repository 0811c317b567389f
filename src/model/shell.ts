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
}

export interface ShellScript {
  commands: ShellCommand[];
}
