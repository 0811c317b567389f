import type { PyRequirement, PySetup } from '../../model/python.js';
import type { SourceFile, Span } from '../../model/source.js';
import { parseRequirementText } from './pep508.js';

interface PyToken {
  kind: 'string' | 'name' | 'op';
  value: string;
  span: Span;
}

/** Tokenises Python source just enough to find keyword arguments with literal values. Never executes it. */
function tokenize(text: string): PyToken[] {
  const out: PyToken[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i] ?? '';
    if (c === '#') {
      while (i < text.length && text[i] !== '\n') i++;
      continue;
    }
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    const sm = /^([rRbBuUfF]{0,2})("""|'''|"|')/.exec(text.slice(i, i + 5));
    if (sm) {
      const quote = sm[2] ?? '"';
      const start = i;
      let j = i + sm[0].length;
      let value = '';
      while (j < text.length && !text.startsWith(quote, j)) {
        if (text[j] === '\\') {
          value += text[j + 1] ?? '';
          j += 2;
          continue;
        }
        if (quote.length === 1 && text[j] === '\n') break;
        value += text[j];
        j++;
      }
      j += quote.length;
      out.push({ kind: 'string', value, span: { start, end: Math.min(j, text.length) } });
      i = j;
      continue;
    }
    const nm = /^[A-Za-z_][A-Za-z0-9_]*/.exec(text.slice(i, i + 100));
    if (nm) {
      out.push({ kind: 'name', value: nm[0], span: { start: i, end: i + nm[0].length } });
      i += nm[0].length;
      continue;
    }
    out.push({ kind: 'op', value: c, span: { start: i, end: i + 1 } });
    i++;
  }
  return out;
}

export function parseSetupPy(file: SourceFile): PySetup {
  const out: PySetup = {
    path: file.path,
    kind: 'setup.py',
    pythonRequires: undefined,
    installRequires: [],
    installRequiresLiteral: true,
    extras: {},
    problems: [],
  };
  const toks = tokenize(file.text);
  for (let k = 0; k + 2 < toks.length; k++) {
    const t = toks[k]!;
    if (t.kind !== 'name' || toks[k + 1]?.value !== '=') continue;
    const v = toks[k + 2]!;
    if (t.value === 'python_requires' && v.kind === 'string') {
      out.pythonRequires = { value: v.value, span: v.span };
    } else if (t.value === 'install_requires') {
      const list = literalList(toks, k + 2);
      if (list) out.installRequires = list.requirements;
      else out.installRequiresLiteral = false;
    } else if (t.value === 'extras_require') {
      out.extras = literalExtras(toks, k + 2);
    }
  }
  // `setup(**kwargs)`: keyword arguments built elsewhere.
  if (toks.some((t, i) => t.value === '*' && toks[i + 1]?.value === '*' && toks[i + 2]?.kind === 'name')) {
    if (!out.installRequires.length) out.installRequiresLiteral = false;
    if (out.extras && Object.keys(out.extras).length === 0) out.extras = undefined;
  }
  return out;
}

/**
 * A list (or tuple) of string literals starting at `toks[at]`, closed by its bracket and followed by `,` or `end`:
 * its requirements and the index after it. Undefined when anything else is in it or follows it (`+ extra`).
 */
function literalList(
  toks: PyToken[],
  at: number,
  end = ')',
): { requirements: PyRequirement[]; next: number } | undefined {
  const open = toks[at]?.value;
  if (open !== '[' && open !== '(') return undefined;
  const close = open === '[' ? ']' : ')';
  const requirements: PyRequirement[] = [];
  let j = at + 1;
  for (; j < toks.length && toks[j]?.value !== close; j++) {
    const s = toks[j];
    if (!s || (s.kind !== 'string' && s.value !== ',')) return undefined;
    if (s.kind !== 'string') continue;
    const r = parseRequirementText(s.value, s.span);
    if (!r) return undefined;
    requirements.push(r);
  }
  const after = toks[j + 1]?.value;
  if (j >= toks.length || (after !== ',' && after !== end)) return undefined;
  return { requirements, next: j + 1 };
}

/** `{'extra': ['req', …], …}` of string literals; undefined when it is anything else. */
function literalExtras(toks: PyToken[], at: number): Record<string, PyRequirement[]> | undefined {
  if (toks[at]?.value !== '{') return undefined;
  const out: Record<string, PyRequirement[]> = {};
  let j = at + 1;
  while (j < toks.length && toks[j]?.value !== '}') {
    const key = toks[j];
    if (key?.kind !== 'string' || toks[j + 1]?.value !== ':') return undefined;
    const list = literalList(toks, j + 2, '}');
    if (!list) return undefined;
    out[key.value] = list.requirements;
    j = list.next;
    if (toks[j]?.value === ',') j++;
  }
  return j < toks.length ? out : undefined;
}

/** Lines longer than this are reported and skipped, so no pattern ever runs over a huge line. */
const MAX_LINE = 4096;
const CFG_KEY = /^[A-Za-z_][A-Za-z0-9_-]*/;

/** `key = value` / `key: value` at the start of a line: the key, the raw value and where the value starts. */
function keyValue(line: string): { key: string; value: string; at: number } | undefined {
  const key = CFG_KEY.exec(line)?.[0];
  if (key === undefined) return undefined;
  let i = key.length;
  while (i < line.length && /\s/.test(line[i] ?? '')) i++;
  if (line[i] !== '=' && line[i] !== ':') return undefined;
  return { key, value: line.slice(i + 1), at: i + 1 };
}

export function parseSetupCfg(file: SourceFile): PySetup {
  const out: PySetup = {
    path: file.path,
    kind: 'setup.cfg',
    pythonRequires: undefined,
    installRequires: [],
    installRequiresLiteral: true,
    extras: {},
    problems: [],
  };
  const extras: Record<string, PyRequirement[]> = {};
  const text = file.text;
  let section = '';
  let inInstall = false;
  let extra: string | undefined;
  for (let start = 0; start < text.length; ) {
    let end = start;
    while (end < text.length && text[end] !== '\n' && text[end] !== '\r') end++;
    const line = text.slice(start, end);
    const lineStart = start;
    start = end + (text[end] === '\r' && text[end + 1] === '\n' ? 2 : 1);
    if (line.length > MAX_LINE) {
      out.problems.push({
        message: `line longer than ${MAX_LINE} characters: not read`,
        span: { start: lineStart, end: lineStart + line.length },
      });
      inInstall = false;
      continue;
    }
    const sec = /^\s*\[([^\]]+)\]/.exec(line);
    if (sec) {
      section = (sec[1] ?? '').trim();
      inInstall = false;
      continue;
    }
    if (section === 'options.extras_require') {
      const kv = keyValue(line);
      if (kv) {
        extra = kv.key;
        const list: PyRequirement[] = [];
        extras[extra] = list;
        const value = kv.value.trim();
        const vstart = lineStart + kv.at + (kv.value.length - kv.value.trimStart().length);
        const r = value
          ? parseRequirementText(value, { start: vstart, end: vstart + value.length })
          : undefined;
        if (r) list.push(r);
      } else if (extra && /^\s+\S/.test(line) && !/^\s*#/.test(line)) {
        const lead = line.length - line.trimStart().length;
        const value = line.trim();
        const r = parseRequirementText(value, {
          start: lineStart + lead,
          end: lineStart + lead + value.length,
        });
        if (r) extras[extra]?.push(r);
      }
      continue;
    }
    extra = undefined;
    if (section !== 'options') continue;
    const kv = keyValue(line);
    if (kv) {
      inInstall = kv.key === 'install_requires';
      const value = kv.value.trim();
      const vstart = lineStart + kv.at + (kv.value.length - kv.value.trimStart().length);
      if (kv.key === 'python_requires' && value)
        out.pythonRequires = { value, span: { start: vstart, end: vstart + value.length } };
      else if (inInstall && value) {
        const r = parseRequirementText(value, { start: vstart, end: vstart + value.length });
        if (r) out.installRequires.push(r);
      }
      continue;
    }
    if (inInstall && /^\s+\S/.test(line) && !/^\s*#/.test(line)) {
      const lead = line.length - line.trimStart().length;
      const value = line.trim();
      const r = parseRequirementText(value, {
        start: lineStart + lead,
        end: lineStart + lead + value.length,
      });
      if (r) out.installRequires.push(r);
    } else if (!/^\s*$/.test(line)) inInstall = false;
  }
  out.extras = extras;
  return out;
}
