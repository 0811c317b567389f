import type { Span } from './source.js';

/** A PEP 508 requirement, or a path/URL requirement, as found in any Python dependency file. */
export interface PyRequirement {
  /** Normalised project name (PEP 503: lower-case, runs of -_. become -); undefined for a bare path/URL. */
  name: string | undefined;
  /** Version specifier as written (`>=1.2,<2`), undefined when none. */
  specifier: string | undefined;
  extras: string[];
  marker: string | undefined;
  /** `name @ url` or a bare URL. */
  url: string | undefined;
  /** Local path for `./pkg`, `-e ./pkg`, `file:./pkg`, `name @ file:./pkg` (relative, as written without `file:`). */
  localPath: string | undefined;
  editable: boolean;
  hashes: string[];
  /** Whole requirement line (or TOML/py string literal contents). */
  span: Span;
}

export interface PyRequirementsFile {
  path: string;
  requirements: PyRequirement[];
  /** `-r other.txt` / `-c constraints.txt` (also long forms). */
  includes: { kind: 'requirement' | 'constraint'; path: string; span: Span }[];
  /** Other option lines (`--index-url x`, `--require-hashes`, `--only-binary :all:`...). */
  options: { name: string; value: string | undefined; span: Span }[];
  /** Header of a compiled lock file (pip-compile, uv pip compile). */
  compiled: { tool: 'pip-compile' | 'uv'; pythonVersion: string | undefined; span: Span } | undefined;
  problems: { message: string; span: Span }[];
}

export interface PyProject {
  path: string;
  name: string | undefined;
  requiresPython: { value: string; span: Span } | undefined;
  dependencies: PyRequirement[];
  optionalDependencies: Record<string, PyRequirement[]>;
  /** A `[project]` table is present (PEP 621 metadata). */
  project: boolean;
  /** `[project] dynamic`: fields another tool fills in (e.g. `dependencies` from a requirements file). */
  dynamic: string[];
  /** Poetry's `[tool.poetry.dependencies]` (not read as requirements). */
  poetry: boolean;
  problems: { message: string; span: Span }[];
}

/** setup.py (read as tokens, never executed) or setup.cfg. */
export interface PySetup {
  path: string;
  kind: 'setup.py' | 'setup.cfg';
  pythonRequires: { value: string; span: Span } | undefined;
  installRequires: PyRequirement[];
  /**
   * `install_requires` is absent, or a list of string literals (setup.py: anything else, e.g. a list read from a
   * file, leaves `installRequires` empty and this false).
   */
  installRequiresLiteral: boolean;
  /** `extras_require` (setup.cfg `[options.extras_require]`, a literal dict in setup.py); undefined when not literal. */
  extras: Record<string, PyRequirement[]> | undefined;
  problems: { message: string; span: Span }[];
}

export interface PyVersionFile {
  path: string;
  /** First version line of `.python-version` (e.g. `3.11`, `3.11.4`). */
  version: string;
  span: Span;
}

/** One import a Python file makes (statement or literal `import_module('x')` call). */
export interface PyImport {
  /** Dotted module as written (`a.b`); `''` for `from . import x`. */
  module: string;
  /** `from .x import y`. */
  relative: boolean;
  /** A statement at indentation 0, outside a compound statement: it runs when the module is imported. */
  moduleLevel: boolean;
  /** Inside a `try:` body (the failure may be handled). */
  guarded: boolean;
  span: Span;
}

/** What a Python file imports, as read by the import scanner. */
export interface PyImports {
  imports: PyImport[];
  /** Calls that import a module named by a value (`importlib.import_module(name)`, `__import__(x)`, `exec`). */
  dynamic: Span[];
}

/** A shell script (or other non-Python file) of a build context: the words it holds, for programs it may run. */
export interface PyContextScript {
  words: string[];
}
