import type { SourceFile } from '../model/source.js';
import { renderJson } from './json.js';
import { renderMarkdown } from './markdown.js';
import { renderSarif } from './sarif.js';
import { renderText } from './text.js';
import type { RunResult } from './types.js';

export type { RuleInfo, RunResult } from './types.js';

export function render(
  format: 'text' | 'json' | 'sarif' | 'markdown',
  result: RunResult,
  opts: { color: boolean; sources?: Map<string, SourceFile>; verbose?: boolean },
): string {
  switch (format) {
    case 'json':
      return renderJson(result);
    case 'sarif':
      return renderSarif(result, opts);
    case 'markdown':
      return renderMarkdown(result);
    default:
      return renderText(result, opts);
  }
}
