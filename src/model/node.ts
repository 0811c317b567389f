import type { Span } from './source.js';

export interface PackageJson {
  path: string;
  name: string | undefined;
  enginesNode: { value: string; span: Span } | undefined;
  dependencies: { name: string; range: string; dev: boolean; span: Span }[];
  problems: { message: string; span: Span }[];
}

export interface Nvmrc {
  path: string;
  version: string;
  span: Span;
}
