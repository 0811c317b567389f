import type { PyVersionFile } from '../../model/python.js';
import type { SourceFile, Span } from '../../model/source.js';

/**
 * The first line that is neither blank nor a `#` comment, trimmed of spaces and tabs, with its span. Lines are
 * split and trimmed by hand (a single backtracking pattern over the whole file was quadratic on long lines).
 */
export function firstValueLine(text: string): { value: string; span: Span } | undefined {
  let start = 0;
  while (start <= text.length) {
    let end = start;
    while (end < text.length && !isLineBreak(text.charCodeAt(end))) end++;
    let a = start;
    let b = end;
    while (a < b && isBlank(text.charCodeAt(a))) a++;
    while (b > a && isBlank(text.charCodeAt(b - 1))) b--;
    const first = text[a];
    if (a < b && first !== '#' && !/\s/.test(first ?? '')) {
      return { value: text.slice(a, b), span: { start: a, end: b } };
    }
    start = end + 1;
  }
  return undefined;
}

function isBlank(c: number): boolean {
  return c === 0x20 || c === 0x09;
}

/** Line terminators as a multiline `$` sees them. */
function isLineBreak(c: number): boolean {
  return c === 0x0a || c === 0x0d || c === 0x2028 || c === 0x2029;
}

/** `.python-version`: the first non-comment line (pyenv allows several; the first wins). */
export function parsePythonVersionFile(file: SourceFile): PyVersionFile | undefined {
  const line = firstValueLine(file.text);
  if (!line) return undefined;
  const version = line.value.replace(/^python-?/, '');
  return { path: file.path, version, span: line.span };
}
