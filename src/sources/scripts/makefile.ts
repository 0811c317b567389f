import type { SourceFile } from '../../model/source.js';
import { isLineTerminator } from '../../model/text.js';

/** A rule of a Makefile: where its header starts (file offset), its targets and prerequisites. */
export interface MakeRule {
  header: number;
  targets: string[];
  prerequisites: string[];
}

/**
 * `NAME op value` with op `?=`, `:=`, `::=`, `=` or `+=`, the value without the blanks before it, as
 * `/^([A-Za-z_][A-Za-z0-9_]*)\s*(\?=|:=|::=|=|\+=)\s*(.*)$/` matched it: the value must then hold no line
 * terminator (a `\r` inside a line), since `.` does not match one. Trimmed by hand: the blanks before the value
 * were matched by both `\s*` and `.*`, which made a line of blanks ending in a line terminator quadratic.
 */
export function makeAssignment(line: string): { name: string; op: string; value: string } | undefined {
  const m = /^([A-Za-z_][A-Za-z0-9_]*)\s*(\?=|:=|::=|=|\+=)/.exec(line);
  if (!m) return undefined;
  const value = line.slice(m[0].length).trimStart();
  for (const c of value) if (isLineTerminator(c)) return undefined;
  return { name: m[1] ?? '', op: m[2] ?? '', value };
}

/**
 * Makefile: variables (`X ?= v`, `X := v`, `X = v`) and recipe lines (tab-indented, `\\` continued) turned into
 * shell text with `$(X)`/`${X}` expanded and `$$` as `$`, with offsets into the Makefile; and its rules, so that
 * a recipe is known to run after its prerequisites' recipes and not after any other.
 */
export function makefileRecipes(file: SourceFile): {
  text: string;
  offsets: number[];
  vars: Map<string, string>;
  rules: MakeRule[];
} {
  const vars = new Map<string, string>();
  const rules: MakeRule[] = [];
  const text = file.text;
  let out = '';
  const offsets: number[] = [];
  const lines = text.split('\n');
  let pos = 0;
  let continuing = false;
  for (const raw of lines) {
    const lineStart = pos;
    pos += raw.length + 1;
    const line = raw.replace(/\r$/, '');
    const assign = makeAssignment(line);
    if (!continuing && assign && !line.startsWith('\t')) {
      const { name, op, value } = assign;
      const expanded = value
        .replace(/\$[({]([A-Za-z_][A-Za-z0-9_]*)[)}]/g, (w, n: string) => vars.get(n) ?? w)
        .trim();
      if (op === '+=') vars.set(name, `${vars.get(name) ?? ''} ${expanded}`.trim());
      else if (op !== '?=' || !vars.has(name)) vars.set(name, expanded);
      continue;
    }
    if (!line.startsWith('\t') && !continuing) {
      // `targets: prerequisites` (not `:=`; a `#` starts a comment).
      const code = line.split('#')[0] ?? '';
      const colon = code.indexOf(':');
      if (colon > 0 && code[colon + 1] !== '=' && !/^\s/.test(code)) {
        const words = (t: string) =>
          t
            .replace(/\$[({]([A-Za-z_][A-Za-z0-9_]*)[)}]/g, (w, n: string) => vars.get(n) ?? w)
            .split(/\s+/)
            .filter(Boolean);
        rules.push({
          header: lineStart,
          targets: words(code.slice(0, colon)),
          prerequisites: words(
            code
              .slice(colon + 1)
              .replace(/^:/, '')
              .split(';')[0] ?? '',
          ),
        });
      }
      continue;
    }
    let body: string = continuing ? line : line.slice(1);
    let col = continuing ? 0 : 1;
    // Recipe prefixes @, -, + are make's, not the shell's.
    while (!continuing && /^[@+-]/.test(body)) {
      body = body.slice(1);
      col++;
    }
    continuing = body.endsWith('\\');
    // Expand make variables char by char so offsets stay true for the unexpanded parts.
    for (let i = 0; i < body.length; ) {
      if (body[i] === '$' && body[i + 1] === '$') {
        out += '$';
        offsets.push(lineStart + col + i);
        i += 2;
        continue;
      }
      const m = /^\$[({]([A-Za-z_][A-Za-z0-9_]*)[)}]/.exec(body.slice(i));
      if (m) {
        const value = vars.get(m[1] ?? '') ?? '';
        for (let k = 0; k < value.length; k++) {
          out += value[k];
          offsets.push(lineStart + col + i + Math.min(k, m[0].length - 1));
        }
        i += m[0].length;
        continue;
      }
      out += body[i];
      offsets.push(lineStart + col + i);
      i++;
    }
    out += '\n';
    offsets.push(lineStart + col + body.length);
  }
  return { text: out, offsets, vars, rules };
}
