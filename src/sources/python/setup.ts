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
    problems: [],
  };
  const toks = tokenize(file.text);
  for (let k = 0; k + 2 < toks.length; k++) {
    const t = toks[k]!;
    if (t.kind !== 'name' || toks[k + 1]?.value !== '=') continue;
    const v = toks[k + 2]!;
    if (t.value === 'python_requires' && v.kind === 'string') {
      out.pythonRequires = { value: v.value, span: v.span };
    } else if (t.value === 'install_requires' && (v.value === '[' || v.value === '(')) {
      const close = v.value === '[' ? ']' : ')';
      for (let j = k + 3; j < toks.length && toks[j]?.value !== close; j++) {
        const s = toks[j]!;
        if (s.kind !== 'string') continue;
        const r: PyRequirement | undefined = parseRequirementText(s.value, s.span);
        if (r) out.installRequires.push(r);
      }
    }
  }
  return out;
}

export function parseSetupCfg(file: SourceFile): PySetup {
  const out: PySetup = {
    path: file.path,
    kind: 'setup.cfg',
    pythonRequires: undefined,
    installRequires: [],
    problems: [],
  };
  const text = file.text;
  let section = '';
  let inInstall = false;
  const re = /[^\r\n]*(\r\n|\r|\n|$)/g;
  for (let m = re.exec(text); m && m[0] !== ''; m = re.exec(text)) {
    const line = m[0].replace(/(\r\n|\r|\n)$/, '');
    const start = m.index;
    const sec = /^\s*\[([^\]]+)\]/.exec(line);
    if (sec) {
      section = (sec[1] ?? '').trim();
      inInstall = false;
      continue;
    }
    if (section !== 'options') continue;
    const kv = /^([A-Za-z_][A-Za-z0-9_-]*)\s*[=:]\s*(.*)$/.exec(line);
    if (kv) {
      inInstall = kv[1] === 'install_requires';
      const value = (kv[2] ?? '').trim();
      const vstart =
        start +
        line.length -
        (kv[2] ?? '').length +
        ((kv[2] ?? '').length - (kv[2] ?? '').trimStart().length);
      if (kv[1] === 'python_requires' && value)
        out.pythonRequires = { value, span: { start: vstart, end: vstart + value.length } };
      else if (inInstall && value) {
        const r = parseRequirementText(value, { start: vstart, end: vstart + value.length });
        if (r) out.installRequires.push(r);
      }
      continue;
    }
    if (inInstall && /^\s+\S/.test(line) && !/^\s*#/.test(line)) {
      const lead = line.search(/\S/);
      const value = line.trim();
      const r = parseRequirementText(value, { start: start + lead, end: start + lead + value.length });
      if (r) out.installRequires.push(r);
    } else if (!/^\s*$/.test(line)) inInstall = false;
  }
  return out;
}
