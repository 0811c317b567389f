import type { PyImport, PyImports } from '../../model/python.js';
import type { Span } from '../../model/source.js';

/**
 * A light Python import scanner: tokens (names, strings, operators; comments and string contents skipped), joined
 * into logical lines by brackets and backslashes, split into statements at `;` and after a compound header's `:`.
 * It finds `import a.b`, `from a import b` anywhere (module level, functions, `try:` bodies), literal
 * `importlib.import_module('x')` / `__import__('x')`, and the calls that import what the text does not name.
 */

interface Token {
  kind: 'name' | 'string' | 'op';
  text: string;
  start: number;
  end: number;
}

interface Line {
  indent: number;
  tokens: Token[];
}

const COMPOUND = new Set([
  'if',
  'elif',
  'else',
  'try',
  'except',
  'finally',
  'for',
  'while',
  'with',
  'def',
  'class',
  'async',
]);
/** Calls that import or run code named by a value the text may not hold. */
const DYNAMIC = new Set([
  'import_module',
  '__import__',
  'exec',
  'run_module',
  'run_path',
  'spec_from_file_location',
  'load_entry_point',
  'entry_points',
]);

const STRING_PREFIX = new Set(['r', 'R', 'b', 'B', 'u', 'U', 'f', 'F']);
const STRING_START = /[rRbBuUfF]{0,2}('''|"""|'|")/y;
const NAME = /[A-Za-z_\u0080-\uffff][\w\u0080-\uffff]*/y;

function identStart(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95 || c >= 128;
}

function identPart(c: number): boolean {
  return identStart(c) || (c >= 48 && c <= 57);
}

/** Words a logical line must hold for its tokens to matter beyond the first (imports and dynamic calls). */
const WANTED = ['import', 'exec', 'run_module', 'run_path', 'spec_from_file_location', 'entry_point'];

/**
 * The logical lines of a text. With `all` false (the fast pass), a line keeps only its first token (enough to track
 * blocks) unless its text holds a word of `WANTED`: then it is lexed again in full.
 */
function logicalLines(text: string, all = false): Line[] {
  const lines: Line[] = [];
  let tokens: Token[] = [];
  let depth = 0;
  let indent = 0;
  let lineStart = true;
  let begin = 0;
  let i = 0;
  const n = text.length;
  // Where the words of WANTED are, in order (each line then checks the next one: linear in the text).
  const wanted: number[] = [];
  if (!all)
    for (const w of WANTED)
      for (let at = text.indexOf(w); at >= 0; at = text.indexOf(w, at + w.length)) wanted.push(at);
  wanted.sort((x, y) => x - y);
  let next = 0;
  const push = (t: Token) => {
    if (all || tokens.length === 0) tokens.push(t);
  };
  const end = () => {
    if (tokens.length) {
      while (next < wanted.length && (wanted[next] ?? 0) < begin) next++;
      if (!all && next < wanted.length && (wanted[next] ?? n) < i) {
        const full = logicalLines(text.slice(begin, i), true).flatMap((l) => l.tokens);
        for (const t of full) {
          t.start += begin;
          t.end += begin;
        }
        lines.push({ indent, tokens: full });
      } else lines.push({ indent, tokens });
    }
    tokens = [];
    lineStart = true;
  };
  while (i < n) {
    const c = text[i] ?? '';
    if (lineStart) {
      let col = 0;
      while (i < n && (text[i] === ' ' || text[i] === '\t' || text[i] === '\f')) {
        col += text[i] === '\t' ? 8 - (col % 8) : 1;
        i++;
      }
      indent = col;
      begin = i;
      lineStart = false;
      continue;
    }
    if (c === '\n') {
      i++;
      if (depth === 0) end();
      continue;
    }
    if (c === '#') {
      const nl = text.indexOf('\n', i);
      i = nl < 0 ? n : nl;
      continue;
    }
    if (c === '\\' && (text[i + 1] === '\n' || (text[i + 1] === '\r' && text[i + 2] === '\n'))) {
      i += text[i + 1] === '\n' ? 2 : 3;
      continue;
    }
    if (c === ' ' || c === '\t' || c === '\r' || c === '\f') {
      i++;
      continue;
    }
    if (c === '"' || c === "'" || STRING_PREFIX.has(c)) {
      STRING_START.lastIndex = i;
      const str = STRING_START.exec(text);
      if (str) {
        const quote = str[1] ?? '"';
        const start = i;
        i += str[0].length;
        const bodyStart = i;
        let bodyEnd = n;
        while (i < n) {
          const d = text[i];
          if (d === '\\') {
            i += 2;
            continue;
          }
          if (quote.length === 1 && d === '\n') {
            bodyEnd = i;
            break;
          }
          if (d === quote[0] && (quote.length === 1 || text.startsWith(quote, i))) {
            bodyEnd = i;
            i += quote.length;
            break;
          }
          i++;
        }
        if (i > n) i = n;
        // Only short strings can be module names; a docstring's text is never needed.
        const body =
          Math.min(bodyEnd, n) - bodyStart <= 200 ? text.slice(bodyStart, Math.min(bodyEnd, n)) : '';
        tokens.push({ kind: 'string', text: body, start, end: i });
        continue;
      }
    }
    if (!all && tokens.length && identStart(text.charCodeAt(i))) {
      // The fast pass skips the rest of a line's names without building them.
      i++;
      while (i < n && identPart(text.charCodeAt(i))) i++;
      continue;
    }
    NAME.lastIndex = i;
    const name = NAME.exec(text);
    if (name) {
      push({ kind: 'name', text: name[0], start: i, end: i + name[0].length });
      i += name[0].length;
      continue;
    }
    if (c === '(' || c === '[' || c === '{') depth++;
    else if ((c === ')' || c === ']' || c === '}') && depth > 0) depth--;
    push({ kind: 'op', text: c, start: i, end: i + 1 });
    i++;
  }
  end();
  return lines;
}

/** Splits a logical line into simple statements: at `;` (outside brackets) and after a compound header's `:`. */
function statements(line: Line): { tokens: Token[]; header: boolean }[] {
  const out: { tokens: Token[]; header: boolean }[] = [];
  let cur: Token[] = [];
  let depth = 0;
  let header = false;
  for (const t of line.tokens) {
    if (t.kind === 'op' && '([{'.includes(t.text)) depth++;
    else if (t.kind === 'op' && ')]}'.includes(t.text)) depth = Math.max(0, depth - 1);
    const compound = cur.length > 0 && cur[0]?.kind === 'name' && COMPOUND.has(cur[0].text);
    if (depth === 0 && t.kind === 'op' && (t.text === ';' || (t.text === ':' && compound))) {
      if (t.text === ':') {
        header = true;
        cur = [];
        continue;
      }
      out.push({ tokens: cur, header });
      cur = [];
      continue;
    }
    cur.push(t);
  }
  if (cur.length) out.push({ tokens: cur, header });
  return out;
}

/** A dotted name starting at `tokens[i]`: the name and the index after it. */
function dotted(tokens: Token[], i: number): { name: string; next: number; end: number } | undefined {
  const first = tokens[i];
  if (first?.kind !== 'name') return undefined;
  let name = first.text;
  let end = first.end;
  let j = i + 1;
  while (tokens[j]?.text === '.' && tokens[j + 1]?.kind === 'name') {
    name += `.${tokens[j + 1]?.text}`;
    end = tokens[j + 1]?.end ?? end;
    j += 2;
  }
  return { name, next: j, end };
}

export function scanImports(text: string): PyImports {
  const imports: PyImport[] = [];
  const dynamic: Span[] = [];
  const blocks: { indent: number; kind: string }[] = [];
  for (const line of logicalLines(text)) {
    while (blocks.length && (blocks[blocks.length - 1]?.indent ?? 0) >= line.indent) blocks.pop();
    const moduleLevel = line.indent === 0;
    const inTry = blocks.some((b) => b.kind === 'try');
    const head = line.tokens[0];
    if (head?.kind === 'name' && COMPOUND.has(head.text))
      blocks.push({ indent: line.indent, kind: head.text });
    for (const st of statements(line)) {
      const t = st.tokens;
      const level = moduleLevel && !st.header;
      const guarded = inTry || (st.header && head?.text === 'try');
      const k0 = t[0]?.text;
      if (t[0]?.kind === 'name' && k0 === 'import') {
        let i = 1;
        while (i < t.length) {
          const d = dotted(t, i);
          if (!d) break;
          const s = t[i] as Token;
          imports.push({
            module: d.name,
            relative: false,
            moduleLevel: level,
            guarded,
            span: { start: s.start, end: d.end },
          });
          i = d.next;
          if (t[i]?.text === 'as') i += 2;
          if (t[i]?.text !== ',') break;
          i++;
        }
      } else if (t[0]?.kind === 'name' && k0 === 'from') {
        let i = 1;
        let dots = 0;
        while (t[i]?.text === '.') {
          dots++;
          i++;
        }
        const d = t[i]?.text === 'import' ? undefined : dotted(t, i);
        const s = t[i] ?? t[0];
        if (t[d?.next ?? i]?.text === 'import')
          imports.push({
            module: d?.name ?? '',
            relative: dots > 0,
            moduleLevel: level,
            guarded,
            span: { start: dots ? (t[1]?.start ?? s.start) : s.start, end: d?.end ?? s.end },
          });
      }
      // Calls: import_module('x') / __import__('x') import a literal name; other arguments are dynamic.
      for (let i = 0; i < t.length; i++) {
        const c = t[i] as Token;
        if (c.kind !== 'name' || !DYNAMIC.has(c.text) || t[i + 1]?.text !== '(') continue;
        if (t[i - 1]?.text === 'def') continue;
        const arg = t[i + 2];
        const after = t[i + 3]?.text;
        if (
          (c.text === 'import_module' || c.text === '__import__') &&
          arg?.kind === 'string' &&
          (after === ')' || after === ',') &&
          /^[A-Za-z_][\w.]*$/.test(arg.text)
        )
          imports.push({
            module: arg.text,
            relative: false,
            moduleLevel: false,
            guarded,
            span: { start: c.start, end: arg.end },
          });
        else dynamic.push({ start: c.start, end: c.end });
      }
    }
  }
  return { imports, dynamic };
}
