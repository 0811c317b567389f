import type { Span } from './source.js';

export interface PackageJson {
  path: string;
  name: string | undefined;
  enginesNode: { value: string; span: Span } | undefined;
  dependencies: { name: string; range: string; dev: boolean; span: Span }[];
  /** `scripts`: name → command line, with the span of the command's text (inside the quotes). */
  scripts: { name: string; command: string; span: Span }[];
  problems: { message: string; span: Span }[];
}

export interface Nvmrc {
  path: string;
  version: string;
  span: Span;
}
