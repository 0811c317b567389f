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
  problems: { message: string; span: Span }[];
}

/** setup.py (read as tokens, never executed) or setup.cfg. */
export interface PySetup {
  path: string;
  kind: 'setup.py' | 'setup.cfg';
  pythonRequires: { value: string; span: Span } | undefined;
  installRequires: PyRequirement[];
  problems: { message: string; span: Span }[];
}

export interface PyVersionFile {
  path: string;
  /** First version line of `.python-version` (e.g. `3.11`, `3.11.4`). */
  version: string;
  span: Span;
}
