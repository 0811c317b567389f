import type { Gitmodules, GitmodulesEntry } from '../../model/git.js';
import type { SourceFile } from '../../model/source.js';
import { trimTrailingSlashes } from '../../model/text.js';

/** Lines longer than this are reported and skipped, so no pattern ever runs over a huge line. */
const MAX_LINE = 4096;
const SECTION = /^\[\s*submodule\s+"((?:[^"\\]|\\.)*)"\s*\]\s*([#;].*)?$/;
const KEY = /^[A-Za-z][A-Za-z0-9-]*$/;

/** Lines with the offset each starts at (`\r\n`, `\r` and `\n` end a line). */
function lines(text: string): { start: number; text: string }[] {
  const out: { start: number; text: string }[] = [];
  let start = 0;
  for (let i = 0; i <= text.length; i++) {
    const c = text.charCodeAt(i);
    if (i < text.length && c !== 10 && c !== 13) continue;
    out.push({ start, text: text.slice(start, i) });
    if (c === 13 && text.charCodeAt(i + 1) === 10) i++;
    start = i + 1;
  }
  if (out.at(-1)?.text === '') out.pop();
  return out;
}

/** `value ; comment` / `value # comment`: the comment and the blanks before it removed. */
function stripComment(value: string): string {
  for (let i = 1; i < value.length; i++) {
    if ((value[i] === '#' || value[i] === ';') && /\s/.test(value[i - 1] ?? '')) {
      let cut = i - 1;
      while (cut > 0 && /\s/.test(value[cut - 1] ?? '')) cut--;
      return value.slice(0, cut);
    }
  }
  return value;
}

/** `.gitmodules` in git-config syntax: `[submodule "name"]` sections with `path` and `url`. */
export function parseGitmodules(file: SourceFile): Gitmodules {
  const out: Gitmodules = { path: file.path, entries: [], problems: [] };
  let current: GitmodulesEntry | undefined;
  for (const { start, text: line } of lines(file.text)) {
    const lead = line.length - line.trimStart().length;
    const span = { start: start + lead, end: start + line.length };
    const t = line.trim();
    if (t === '' || t.startsWith('#') || t.startsWith(';')) continue;
    if (t.length > MAX_LINE) {
      out.problems.push({ message: `line longer than ${MAX_LINE} characters: not read`, span });
      continue;
    }
    if (t.startsWith('[')) {
      const sec = SECTION.exec(t);
      if (!sec) {
        current = undefined;
        out.problems.push({
          message: `malformed section header ${t.slice(0, 60)}: expected [submodule "name"]`,
          span,
        });
        continue;
      }
      current = {
        name: (sec[1] ?? '').replace(/\\(.)/g, '$1'),
        path: undefined,
        url: undefined,
        span,
        pathSpan: undefined,
      };
      out.entries.push(current);
      continue;
    }
    const eq = t.indexOf('=');
    const name = eq < 0 ? '' : t.slice(0, eq).trimEnd();
    if (!KEY.test(name)) {
      out.problems.push({ message: `malformed line "${t.slice(0, 60)}": expected key = value`, span });
      continue;
    }
    if (!current) {
      out.problems.push({ message: `"${name}" is outside any [submodule "name"] section`, span });
      continue;
    }
    const raw = t.slice(eq + 1).trim();
    const unquoted = raw.length >= 2 && raw.startsWith('"') && raw.endsWith('"') ? raw.slice(1, -1) : raw;
    const value = stripComment(unquoted);
    const key = name.toLowerCase();
    if (key === 'path') {
      const vstart = start + line.indexOf(raw, line.indexOf('=') + 1);
      current.path = trimTrailingSlashes(value);
      current.pathSpan = { start: vstart, end: vstart + raw.length };
    } else if (key === 'url') current.url = value;
  }
  return out;
}
