import type { Gitmodules, GitmodulesEntry } from '../../model/git.js';
import type { SourceFile } from '../../model/source.js';

/** `.gitmodules` in git-config syntax: `[submodule "name"]` sections with `path` and `url`. */
export function parseGitmodules(file: SourceFile): Gitmodules {
  const out: Gitmodules = { path: file.path, entries: [], problems: [] };
  let current: GitmodulesEntry | undefined;
  const re = /[^\r\n]*(\r\n|\r|\n|$)/g;
  for (let m = re.exec(file.text); m && m[0] !== ''; m = re.exec(file.text)) {
    const line = m[0].replace(/(\r\n|\r|\n)$/, '');
    const start = m.index;
    const lead = line.length - line.trimStart().length;
    const span = { start: start + lead, end: start + line.length };
    const t = line.trim();
    if (t === '' || t.startsWith('#') || t.startsWith(';')) continue;
    if (t.startsWith('[')) {
      const sec = /^\[\s*submodule\s+"((?:[^"\\]|\\.)*)"\s*\]\s*([#;].*)?$/.exec(t);
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
    const kv = /^([A-Za-z][A-Za-z0-9-]*)\s*=\s*(.*?)\s*$/.exec(t);
    if (!kv) {
      out.problems.push({ message: `malformed line "${t.slice(0, 60)}": expected key = value`, span });
      continue;
    }
    if (!current) {
      out.problems.push({ message: `"${kv[1]}" is outside any [submodule "name"] section`, span });
      continue;
    }
    const value = (kv[2] ?? '').replace(/^"(.*)"$/, '$1').replace(/\s+[#;].*$/, '');
    const key = (kv[1] ?? '').toLowerCase();
    if (key === 'path') {
      const vstart = start + line.indexOf(kv[2] ?? '', line.indexOf('=') + 1);
      current.path = value.replace(/\/+$/, '');
      current.pathSpan = { start: vstart, end: vstart + (kv[2] ?? '').length };
    } else if (key === 'url') current.url = value;
  }
  return out;
}
