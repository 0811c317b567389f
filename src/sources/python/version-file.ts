import type { PyVersionFile } from '../../model/python.js';
import type { SourceFile } from '../../model/source.js';

/** `.python-version`: the first non-comment line (pyenv allows several; the first wins). */
export function parsePythonVersionFile(file: SourceFile): PyVersionFile | undefined {
  const m = /^[ \t]*([^\s#][^\r\n]*?)[ \t]*$/m.exec(file.text);
  if (!m) return undefined;
  const start = m.index + (m[0].length - m[0].trimStart().length);
  const version = (m[1] ?? '').replace(/^python-?/, '');
  return { path: file.path, version, span: { start, end: start + (m[1] ?? '').length } };
}
