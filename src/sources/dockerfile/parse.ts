import type {
  DfArg,
  DfFlag,
  DfHeredoc,
  DfInstruction,
  DfParseProblem,
  DfStage,
  DfWord,
  Dockerfile,
} from '../../model/dockerfile.js';
import type { SourceFile } from '../../model/source.js';
import { nameEnd as nameEndAt } from '../../model/text.js';

/**
 * A Dockerfile parser that keeps character offsets for everything. Written by hand: the available libraries
 * do not give heredoc bodies, a per-character offset map of continued lines, or stage/ARG semantics.
 * It never throws; recoverable problems go to `problems`.
 */

const KNOWN = new Set([
  'ADD',
  'ARG',
  'CMD',
  'COPY',
  'ENTRYPOINT',
  'ENV',
  'EXPOSE',
  'FROM',
  'HEALTHCHECK',
  'LABEL',
  'MAINTAINER',
  'ONBUILD',
  'RUN',
  'SHELL',
  'STOPSIGNAL',
  'USER',
  'VOLUME',
  'WORKDIR',
]);
const HEREDOC_KEYWORDS = new Set(['RUN', 'COPY', 'ADD']);
const SHELL_KEYWORDS = new Set(['RUN', 'CMD', 'ENTRYPOINT', 'HEALTHCHECK']);

interface Line {
  start: number;
  /** Offset of the end of the content (before the terminator). */
  end: number;
  text: string;
}

function splitLines(text: string): Line[] {
  const lines: Line[] = [];
  let start = 0;
  for (let i = 0; i <= text.length; i++) {
    const c = text.charCodeAt(i);
    if (i === text.length || c === 10 || c === 13) {
      lines.push({ start, end: i, text: text.slice(start, i) });
      if (c === 13 && text.charCodeAt(i + 1) === 10) i++;
      start = i + 1;
      if (i === text.length) break;
    }
  }
  return lines;
}

/** `<<EOF`, `<<-EOF`, `<<"EOF"`, `<<'EOF'`: strip-tabs flag, then the delimiter in one of three groups. */
const HEREDOC = /<<(-?)\s*(?:"([A-Za-z_]\w*)"|'([A-Za-z_]\w*)'|([A-Za-z_]\w*))/g;
/** Heredocs one instruction may open; past this the rest are reported and left in the arguments. */
export const MAX_HEREDOCS = 256;
/**
 * `--name` or `--name=value` at `pos` (a value may hold quoted blanks: a quote runs to the next one of its kind,
 * a quote without one is a character), then the blanks after it: `end` is where the flag ends, `next` where the
 * blanks do. Undefined when no flag starts there, or one is followed by neither a blank nor the end. What the
 * sticky `/--([A-Za-z][A-Za-z0-9-]*)(?:=((?:"[^"]*"|'[^']*'|\S)*))?(\s+|$)/y` matched, read by hand: a quote
 * could be a quoted run or a character there, two ways to read one value.
 */
export function flagAt(
  args: string,
  pos: number,
): { name: string; raw: string | undefined; end: number; next: number } | undefined {
  if (!args.startsWith('--', pos) || !/[A-Za-z]/.test(args[pos + 2] ?? '')) return undefined;
  let n = pos + 3;
  while (n < args.length && /[A-Za-z0-9-]/.test(args[n] ?? '')) n++;
  let end = n;
  let raw: string | undefined;
  if (args[n] === '=') {
    let k = n + 1;
    for (let c = args[k]; c !== undefined && !/\s/.test(c); c = args[k]) {
      const close = c === '"' || c === "'" ? args.indexOf(c, k + 1) : -1;
      k = close >= 0 ? close + 1 : k + 1;
    }
    raw = args.slice(n + 1, k);
    end = k;
  }
  let next = end;
  while (next < args.length && /\s/.test(args[next] ?? '')) next++;
  if (next === end && end < args.length) return undefined;
  return { name: args.slice(pos + 2, n), raw, end, next };
}
const DIRECTIVE_NAME = /^[a-zA-Z][a-zA-Z0-9]*$/;

/** `# name=value` before anything else: split by hand, since a pattern with three blank runs backtracked. */
function directive(line: string): { name: string; value: string } | undefined {
  if (!line.startsWith('#')) return undefined;
  const eq = line.indexOf('=');
  if (eq < 0) return undefined;
  const name = line.slice(1, eq).trim();
  return DIRECTIVE_NAME.test(name) ? { name, value: line.slice(eq + 1).trim() } : undefined;
}

/** Where a trailing escape char (before trailing blanks) starts a continuation, or -1. */
function continuationAt(content: string, esc: string): number {
  let end = content.length;
  while (end > 0 && (content[end - 1] === ' ' || content[end - 1] === '\t')) end--;
  return end > 0 && content[end - 1] === esc ? end - 1 : -1;
}

/** `"x"` / `'x'` → `x`. */
function unquote(raw: string): string {
  const q = raw[0];
  return raw.length >= 2 && (q === '"' || q === "'") && raw.endsWith(q) ? raw.slice(1, -1) : raw;
}

function isBlank(s: string): boolean {
  return /^\s*$/.test(s);
}

function isComment(s: string): boolean {
  return /^\s*#/.test(s);
}

/** Splits text into words honouring quotes and the escape char; spans map through `offsets`. */
function splitWords(text: string, from: number, offsets: number[], esc: string): DfWord[] {
  const words: DfWord[] = [];
  let i = from;
  while (i < text.length) {
    while (i < text.length && /\s/.test(text[i] ?? '')) i++;
    if (i >= text.length) break;
    const start = i;
    let value = '';
    let quote: string | undefined;
    while (i < text.length) {
      const c = text[i] ?? '';
      if (quote) {
        if (c === quote) quote = undefined;
        else if (c === esc && quote === '"' && i + 1 < text.length) {
          i++;
          value += text[i];
        } else value += c;
      } else if (/\s/.test(c)) break;
      else if (c === '"' || c === "'") quote = c;
      else if (c === esc && i + 1 < text.length) {
        i++;
        value += text[i];
      } else value += c;
      i++;
    }
    words.push({ value, span: { start: offsets[start] ?? 0, end: (offsets[i - 1] ?? 0) + 1 } });
  }
  return words;
}

/** Reads a JSON array of strings starting at `from`; returns items with spans, or undefined when not one. */
function parseExec(
  text: string,
  from: number,
  offsets: number[],
): { items: string[]; words: DfWord[] } | undefined {
  const rest = text.slice(from).trimEnd();
  if (!rest.startsWith('[') || !rest.endsWith(']')) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(rest);
  } catch {
    return undefined;
  }
  if (!Array.isArray(parsed) || !parsed.every((x) => typeof x === 'string')) return undefined;
  const items = parsed.filter((x): x is string => typeof x === 'string');
  const words: DfWord[] = [];
  let i = from;
  for (const item of items) {
    while (i < text.length && text[i] !== '"') i++;
    const start = i;
    i++;
    while (i < text.length && text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
    words.push({
      value: item,
      span: { start: offsets[start] ?? 0, end: (offsets[Math.min(i, text.length - 1)] ?? 0) + 1 },
    });
    i++;
  }
  return { items, words };
}

export function parseDockerfile(file: SourceFile): Dockerfile {
  const text = file.text;
  const lines = splitLines(text);
  const problems: DfParseProblem[] = [];
  let esc: '\\' | '`' = '\\';
  let syntax: string | undefined;
  let li = 0;

  // Parser directives: only at the very top, before any blank line, comment or instruction.
  for (; li < lines.length; li++) {
    const d = directive(lines[li]?.text ?? '');
    if (!d) break;
    const name = d.name.toLowerCase();
    const value = d.value;
    if (name === 'escape') {
      if (value === '`' || value === '\\') esc = value;
      else {
        const l = lines[li]!;
        problems.push({
          message: `invalid escape directive "${value}": must be \\ or \``,
          span: { start: l.start, end: l.end },
        });
      }
    } else if (name === 'syntax') syntax = value;
    else if (name !== 'check') break;
  }

  const instructions: DfInstruction[] = [];

  while (li < lines.length) {
    const line = lines[li]!;
    if (isBlank(line.text) || isComment(line.text)) {
      li++;
      continue;
    }
    // Logical line: join continuation lines, skipping comment and blank lines inside the continuation.
    let args = '';
    const offsets: number[] = [];
    let keyword = '';
    let keywordSpan = { start: line.start, end: line.start };
    let lastEnd = line.end;
    let first = true;
    let continued = false;
    while (li < lines.length) {
      const l = lines[li]!;
      if (!first && (isComment(l.text) || isBlank(l.text))) {
        li++;
        continue;
      }
      let content = l.text;
      let contentStart = l.start;
      if (first) {
        const m = /^(\s*)(\S+)(\s*)/.exec(content);
        const lead = m?.[1]?.length ?? 0;
        const kw = m?.[2] ?? '';
        keyword = kw.toUpperCase();
        keywordSpan = { start: l.start + lead, end: l.start + lead + kw.length };
        const skip = lead + kw.length + (m?.[3]?.length ?? 0);
        content = content.slice(skip);
        contentStart = l.start + skip;
        first = false;
      }
      const cut = continuationAt(content, esc);
      continued = cut >= 0;
      const body = continued ? content.slice(0, cut) : content;
      for (let k = 0; k < body.length; k++) {
        args += body[k];
        offsets.push(contentStart + k);
      }
      lastEnd = l.end;
      li++;
      if (!continued) break;
    }
    if (keyword === '' || keyword.startsWith('#')) continue;
    // Keyword followed directly by the continuation (`RUN \`): nothing consumed; handled by the loop above.

    // Heredocs: bodies follow the logical line.
    const heredocs: DfHeredoc[] = [];
    if (HEREDOC_KEYWORDS.has(keyword)) {
      HEREDOC.lastIndex = 0;
      for (let m = HEREDOC.exec(args); m; m = HEREDOC.exec(args)) {
        if (heredocs.length >= MAX_HEREDOCS) {
          problems.push({
            message: `more than ${MAX_HEREDOCS} heredocs in one instruction: the rest are not read`,
            span: {
              start: offsets[m.index] ?? keywordSpan.start,
              end: (offsets[m.index + m[0].length - 1] ?? keywordSpan.end) + 1,
            },
          });
          break;
        }
        const stripTabs = m[1] === '-';
        const quoted = m[4] === undefined;
        const delimiter = m[2] ?? m[3] ?? m[4] ?? '';
        const bodyLines: string[] = [];
        const bodyStart = lines[li]?.start ?? text.length;
        let bodyEnd = bodyStart;
        let terminated = false;
        while (li < lines.length) {
          const l = lines[li]!;
          li++;
          const candidate = stripTabs ? l.text.replace(/^\t+/, '') : l.text;
          if (candidate === delimiter) {
            terminated = true;
            lastEnd = l.end;
            break;
          }
          bodyLines.push(candidate);
          bodyEnd = l.end;
          lastEnd = l.end;
        }
        if (!terminated) {
          problems.push({
            message: `heredoc <<${delimiter} is never terminated: add a line "${delimiter}" after its body`,
            span: {
              start: offsets[m.index] ?? keywordSpan.start,
              end: (offsets[m.index + m[0].length - 1] ?? keywordSpan.end) + 1,
            },
          });
        }
        heredocs.push({
          delimiter,
          body: bodyLines.join('\n'),
          span: { start: bodyStart, end: bodyEnd },
          stripTabs,
          quoted,
        });
      }
    }

    // Flags.
    const flags: DfFlag[] = [];
    // `RUN \` then `--mount=…` on the next line: the joined text starts with the continuation's blanks.
    let pos = 0;
    while (pos < args.length && (args[pos] === ' ' || args[pos] === '\t')) pos++;
    while (pos < args.length) {
      const fm = flagAt(args, pos);
      if (!fm) break;
      flags.push({
        name: fm.name,
        value: fm.raw === undefined ? undefined : unquote(fm.raw),
        span: { start: offsets[pos] ?? 0, end: (offsets[fm.end - 1] ?? 0) + 1 },
      });
      pos = fm.next;
    }
    const shellStart = pos;
    const exec = parseExec(args, shellStart, offsets);
    const form: 'exec' | 'shell' = exec ? 'exec' : 'shell';
    const words = exec ? exec.words : splitWords(args, shellStart, offsets, esc);
    instructions.push({
      keyword,
      keywordSpan,
      span: { start: keywordSpan.start, end: Math.max(lastEnd, keywordSpan.end) },
      args,
      argsOffsets: offsets,
      flags,
      form,
      exec: exec?.items,
      words,
      shell: SHELL_KEYWORDS.has(keyword) && !exec ? args.slice(shellStart) : undefined,
      shellStart,
      heredocs,
      stage: -1,
    });
    if (!KNOWN.has(keyword)) {
      problems.push({ message: `unknown instruction ${keyword}`, span: keywordSpan });
    }
  }

  // Stages and ARGs.
  const globalArgs: DfArg[] = [];
  const stages: DfStage[] = [];
  const globalVars = new Map<string, string | undefined>();
  for (const ins of instructions) {
    if (ins.keyword === 'FROM') {
      const w = ins.words;
      const imageWord = w[0];
      if (!imageWord) {
        problems.push({ message: 'FROM needs an image, e.g. FROM python:3.12-slim', span: ins.span });
      }
      let name: string | undefined;
      if (w.length >= 3 && (w[1]?.value ?? '').toUpperCase() === 'AS') name = w[2]?.value.toLowerCase();
      else if (w.length > 1)
        problems.push({ message: 'FROM takes an image and optionally "AS name"', span: ins.span });
      const imageRaw = imageWord?.value ?? '';
      const lower = imageRaw.toLowerCase();
      const baseStage = stages.find((s) => s.name !== undefined && s.name === lower)?.index;
      stages.push({
        index: stages.length,
        name,
        from: ins,
        imageRaw,
        image: imageWord ? substituteArgs(imageRaw, globalVars) : undefined,
        imageSpan: imageWord?.span ?? ins.keywordSpan,
        baseStage,
        platformFlag: ins.flags.find((f) => f.name === 'platform'),
        instructions: [],
      });
      ins.stage = stages.length - 1;
      continue;
    }
    const current = stages[stages.length - 1];
    if (!current) {
      if (ins.keyword === 'ARG') {
        for (const a of argDecls(ins)) {
          globalArgs.push(a);
          globalVars.set(
            a.name,
            a.defaultValue === undefined ? undefined : substituteArgs(a.defaultValue, globalVars),
          );
        }
      } else {
        problems.push({
          message: `${ins.keyword} before the first FROM: only ARG may come before FROM`,
          span: ins.keywordSpan,
        });
      }
      continue;
    }
    ins.stage = current.index;
    current.instructions.push(ins);
  }
  problems.sort((a, b) => a.span.start - b.span.start);
  return { path: file.path, escape: esc, syntax, globalArgs, stages, instructions, problems };
}

/** `ARG A=1 B` → declarations with spans. */
export function argDecls(ins: DfInstruction): DfArg[] {
  return ins.words.map((w) => {
    const eq = w.value.indexOf('=');
    return eq < 0
      ? { name: w.value, defaultValue: undefined, span: w.span }
      : { name: w.value.slice(0, eq), defaultValue: w.value.slice(eq + 1), span: w.span };
  });
}

/** `ENV A=1 B=2` or legacy `ENV A 1` → pairs. */
export function envDecls(ins: DfInstruction): { name: string; value: string }[] {
  const words = ins.words;
  if (words.length >= 2 && !(words[0]?.value ?? '').includes('=')) {
    const rest = ins.args.slice(ins.shellStart).trim();
    const name = words[0]?.value ?? '';
    return [{ name, value: rest.slice(rest.indexOf(name) + name.length).trim() }];
  }
  return words
    .filter((w) => w.value.includes('='))
    .map((w) => ({
      name: w.value.slice(0, w.value.indexOf('=')),
      value: w.value.slice(w.value.indexOf('=') + 1),
    }));
}

/**
 * Docker's variable substitution: `$X`, `${X}`, `${X:-default}`, `${X-default}`, `${X:+alt}`, `${X+alt}`.
 * Returns undefined when a variable without a default has no value.
 */
export function substituteArgs(text: string, vars: Map<string, string | undefined>): string | undefined {
  let failed = false;
  let out = '';
  let from = 0;
  /** Index of the first `}` at or after the last `${` (reused while ahead, so a file of `${` stays linear). */
  let close = -2;
  for (let i = text.indexOf('$'); i >= 0; i = text.indexOf('$', Math.max(i + 1, from))) {
    let end = -1;
    let value: string | undefined;
    if (text[i + 1] === '{') {
      const nameEnd = nameEndAt(text, i + 2);
      if (nameEnd > i + 2) {
        const name = text.slice(i + 2, nameEnd);
        const op =
          text.startsWith(':-', nameEnd) || text.startsWith(':+', nameEnd)
            ? text.slice(nameEnd, nameEnd + 2)
            : text[nameEnd] === '-' || text[nameEnd] === '+'
              ? (text[nameEnd] as string)
              : '';
        if (close !== -1 && close < nameEnd) close = text.indexOf('}', nameEnd);
        if (op === '' && text[nameEnd] === '}') end = nameEnd + 1;
        else if (op !== '' && close >= 0) end = close + 1;
        if (end >= 0) {
          const word = op === '' ? undefined : text.slice(nameEnd + op.length, end - 1);
          value = expand(name, op, word, vars);
          if (value === undefined) failed = true;
        }
      }
    } else {
      const nameEnd = nameEndAt(text, i + 1);
      if (nameEnd > i + 1) {
        end = nameEnd;
        value = expand(text.slice(i + 1, nameEnd), '', undefined, vars);
        if (value === undefined) failed = true;
      }
    }
    if (end < 0) continue;
    out += text.slice(from, i) + (value ?? '');
    from = end;
  }
  out += text.slice(from);
  return failed ? undefined : out;
}

/** One substitution; undefined when a variable without a default has no value. */
function expand(
  name: string,
  op: string,
  word: string | undefined,
  vars: Map<string, string | undefined>,
): string | undefined {
  const value = vars.get(name);
  const set = value !== undefined;
  const nonEmpty = set && value !== '';
  if (op === ':-') return nonEmpty ? value : (word ?? '');
  if (op === '-') return set ? value : (word ?? '');
  if (op === ':+') return nonEmpty ? (word ?? '') : '';
  if (op === '+') return set ? (word ?? '') : '';
  return value;
}

/**
 * Variables visible at the end of a stage: global ARG defaults redeclared in the stage, the stage's ARG defaults
 * and ENV values, in order. Build-time platform ARGs (TARGETARCH...) are present with an undefined value.
 */
export function stageArgs(
  df: Dockerfile,
  stage: number,
  upTo?: DfInstruction,
): Map<string, string | undefined> {
  const globals = new Map<string, string | undefined>();
  for (const a of df.globalArgs)
    globals.set(a.name, a.defaultValue === undefined ? undefined : substituteArgs(a.defaultValue, globals));
  const vars = new Map<string, string | undefined>();
  const s = df.stages[stage];
  if (!s) return vars;
  if (s.baseStage !== undefined) for (const [k, v] of stageArgs(df, s.baseStage)) vars.set(k, v);
  for (const ins of s.instructions) {
    if (upTo && ins === upTo) break;
    if (ins.keyword === 'ARG') {
      for (const a of argDecls(ins)) {
        const v = a.defaultValue !== undefined ? substituteArgs(a.defaultValue, vars) : globals.get(a.name);
        vars.set(a.name, v);
      }
    } else if (ins.keyword === 'ENV') {
      for (const e of envDecls(ins)) vars.set(e.name, substituteArgs(e.value, vars) ?? e.value);
    }
  }
  return vars;
}

/** The external image a stage starts from, ARG defaults substituted; undefined for `FROM <stage>` or unresolved. */
export function stageBaseImage(df: Dockerfile, stage: DfStage): string | undefined {
  if (stage.baseStage !== undefined) return undefined;
  return stage.image ?? substituteArgs(stage.imageRaw, stageArgs(df, stage.index, stage.from));
}
