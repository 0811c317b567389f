import type { Span } from './source.js';

export interface GitmodulesEntry {
  /** `[submodule "name"]` */
  name: string;
  path: string | undefined;
  url: string | undefined;
  /** The section header. */
  span: Span;
  pathSpan: Span | undefined;
}

export interface Gitmodules {
  path: string;
  entries: GitmodulesEntry[];
  problems: { message: string; span: Span }[];
}
