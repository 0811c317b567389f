import type { ShellCommand, ShellRedirect, ShellScript, ShellWord } from '../../model/shell.js';
import type { Span } from '../../model/source.js';

/** Nesting of subshells, braces and compound-command bodies past which a script is reported, not followed. */
export const SHELL_MAX_DEPTH = 256;

/** A parsed script and what could not be read (positions as the commands' spans). */
export interface ShellParse extends ShellScript {
  problems: { message: string; span: Span }[];
}

/**
 * A tolerant POSIX-sh splitter (not an interpreter): simple commands with their words, redirects, leading
 * assignments, the operator joining each to the next, and nesting depth. Written by hand because the npm shell
 * parsers either drop positions or execute nothing but also accept far less (heredocs in RUN, `$(...)`). Never
 * throws: unterminated quotes read to the end.
 */

const RESERVED = new Set([
  'if',
  'then',
  'else',
  'elif',
  'fi',
  'do',
  'done',
  'while',
  'until',
  'case',
  'esac',
  '!',
  '{',
  '}',
]);
const REDIRECT = /(?:\d*|&)(?:>>|>&|<&|>\||<<<|<<-?|<>|>|<)/y;

interface Token {
  kind: 'word' | 'op' | 'redirect';
  value: string;
  raw: string;
  start: number;
  end: number;
  quoted: boolean;
  /** For redirects written together with their target (`2>/dev/null`). */
  target?: string;
}

function isSpace(c: string | undefined): boolean {
  return c === ' ' || c === '\t';
}

/** Skips a balanced `$(...)`, `${...}` or backtick span starting at i (pointing at `$` or `` ` ``); returns the end index. */
function skipExpansion(text: string, i: number): number {
  if (text[i] === '`') {
    let j = i + 1;
    while (j < text.length && text[j] !== '`') j += text[j] === '\\' ? 2 : 1;
    return Math.min(j + 1, text.length);
  }
  const open = text[i + 1];
  const close = open === '(' ? ')' : '}';
  let depth = 0;
  let j = i + 1;
  let quote: string | undefined;
  for (; j < text.length; j++) {
    const c = text[j];
    if (quote) {
      if (c === quote) quote = undefined;
      else if (c === '\\' && quote === '"') j++;
      continue;
    }
    if (c === "'" || c === '"') quote = c;
    else if (c === '\\') j++;
    else if (c === open) depth++;
    else if (c === close) {
      depth--;
      if (depth === 0) return j + 1;
    }
  }
  return text.length;
}

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  const heredocs: { delimiter: string; strip: boolean }[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (isSpace(c)) {
      i++;
      continue;
    }
    if (c === '\\' && (text[i + 1] === '\n' || (text[i + 1] === '\r' && text[i + 2] === '\n'))) {
      i += text[i + 1] === '\r' ? 3 : 2;
      continue;
    }
    if (c === '#') {
      while (i < text.length && text[i] !== '\n') i++;
      continue;
    }
    if (c === '\n' || c === '\r') {
      tokens.push({ kind: 'op', value: '\n', raw: c, start: i, end: i + 1, quoted: false });
      i++;
      // Here-documents start after the line that opened them: skip their bodies up to the delimiter line.
      for (const h of heredocs.splice(0)) {
        while (i < text.length) {
          const eol = text.indexOf('\n', i);
          const end = eol < 0 ? text.length : eol;
          const line = text.slice(i, end).replace(/\r$/, '');
          i = eol < 0 ? text.length : eol + 1;
          if ((h.strip ? line.replace(/^\t+/, '') : line) === h.delimiter) break;
        }
      }
      continue;
    }
    const two = text.slice(i, i + 2);
    if (two === '&&' || two === '||' || two === ';;') {
      tokens.push({
        kind: 'op',
        value: two === ';;' ? ';' : two,
        raw: two,
        start: i,
        end: i + 2,
        quoted: false,
      });
      i += 2;
      continue;
    }
    if (c === ';' || c === '|' || c === '&' || c === '(' || c === ')') {
      if (c === '&' && text[i + 1] === '>') {
        // `&>file` redirect, handled below
      } else {
        tokens.push({ kind: 'op', value: c, raw: c, start: i, end: i + 1, quoted: false });
        i++;
        continue;
      }
    }
    REDIRECT.lastIndex = i;
    const rm = REDIRECT.exec(text);
    if (rm && (rm[0].length > 1 || c === '>' || c === '<' || /\d/.test(c ?? ''))) {
      // A digit starts a redirect only when directly followed by < or >.
      if (!/^\d+$/.test(rm[0])) {
        const opEnd = i + rm[0].length;
        tokens.push({ kind: 'redirect', value: rm[0], raw: rm[0], start: i, end: opEnd, quoted: false });
        if (/^\d*<<-?$/.test(rm[0])) {
          const d = /^[ \t]*(?:'([^'\n]*)'|"([^"\n]*)"|\\?([^\s;&|<>()]+))/.exec(
            text.slice(opEnd, opEnd + 256),
          );
          const delimiter = d?.[1] ?? d?.[2] ?? d?.[3];
          if (delimiter) heredocs.push({ delimiter, strip: rm[0].endsWith('-') });
        }
        i = opEnd;
        continue;
      }
    }
    // A word.
    const start = i;
    let value = '';
    let quoted = false;
    while (i < text.length) {
      const ch = text[i] ?? '';
      if (
        isSpace(ch) ||
        ch === '\n' ||
        ch === '\r' ||
        ch === ';' ||
        ch === '&' ||
        ch === '|' ||
        ch === '(' ||
        ch === ')'
      ) {
        break;
      }
      if ((ch === '<' || ch === '>') && value !== '' && !/^\d+$/.test(value)) break;
      if ((ch === '<' || ch === '>') && (value === '' || /^\d+$/.test(value))) break;
      if (ch === "'") {
        quoted = true;
        const endQ = text.indexOf("'", i + 1);
        const stop = endQ < 0 ? text.length : endQ;
        value += text.slice(i + 1, stop);
        i = stop + 1;
        continue;
      }
      if (ch === '"') {
        quoted = true;
        let j = i + 1;
        while (j < text.length && text[j] !== '"') {
          if (text[j] === '\\' && j + 1 < text.length) {
            const n = text[j + 1] ?? '';
            if (n === '\n') {
              j += 2;
              continue;
            }
            value += '$`"\\'.includes(n) ? n : `\\${n}`;
            j += 2;
            continue;
          }
          if (text[j] === '$' && (text[j + 1] === '(' || text[j + 1] === '{')) {
            const e = skipExpansion(text, j);
            value += text.slice(j, e);
            j = e;
            continue;
          }
          if (text[j] === '`') {
            const e = skipExpansion(text, j);
            value += text.slice(j, e);
            j = e;
            continue;
          }
          value += text[j];
          j++;
        }
        i = j + 1;
        continue;
      }
      if (ch === '\\') {
        const n = text[i + 1];
        if (n === '\n') {
          i += 2;
          continue;
        }
        if (n !== undefined) value += n;
        i += 2;
        continue;
      }
      if ((ch === '$' && (text[i + 1] === '(' || text[i + 1] === '{')) || ch === '`') {
        const e = skipExpansion(text, i);
        value += text.slice(i, e);
        i = e;
        continue;
      }
      value += ch;
      i++;
    }
    if (i === start) {
      // Defensive: never loop forever on an unexpected character.
      i++;
      continue;
    }
    tokens.push({
      kind: 'word',
      value,
      raw: text.slice(start, Math.min(i, text.length)),
      start,
      end: Math.min(i, text.length),
      quoted,
    });
  }
  return tokens;
}

/**
 * Parses shell text. Spans are `offsets[index]` when offsets are given (e.g. a Dockerfile instruction's
 * argsOffsets sliced from its shellStart, so spans are file offsets), else `base + index`.
 */
export function parseShell(text: string, base = 0, offsets?: number[]): ShellParse {
  const at = (i: number): number => {
    if (!offsets) return base + i;
    if (offsets.length === 0) return base;
    const clamped = Math.max(0, Math.min(i, offsets.length - 1));
    return (offsets[clamped] ?? base) + (i > offsets.length - 1 ? 1 : 0);
  };
  const span = (s: number, e: number) => ({ start: at(s), end: e > s ? at(e - 1) + 1 : at(s) });
  const tokens = tokenize(text);
  const commands: ShellCommand[] = [];
  const problems: ShellParse['problems'] = [];
  let depth = 0;
  /** One level deeper, unless that crosses the limit: then the first crossing is a problem and depth stays. */
  const deeper = (t: Token) => {
    if (depth < SHELL_MAX_DEPTH) depth++;
    else if (problems.length === 0) {
      problems.push({
        message: `nested more than ${SHELL_MAX_DEPTH} levels deep`,
        span: span(t.start, t.end),
      });
    }
  };
  let cur: ShellCommand | undefined;
  let curStart = 0;
  let curEnd = 0;
  /** Words still to skip as part of a compound header (`for x in a b`, `case x in`). */
  let skipHeader = false;
  /** Open `case` statements: in pattern position (`a|b)`) or in a branch body (depth + 1 until `;;`). */
  const cases: { pattern: boolean }[] = [];
  let caseHeader = false;
  /** Depths at which a subshell `( … )` was opened. */
  const subshells: number[] = [];

  const finish = (next: ShellCommand['next']) => {
    if (cur && (cur.argv.length || cur.assignments.length || cur.redirects.length)) {
      cur.span = span(curStart, curEnd);
      cur.next = next;
      commands.push(cur);
    } else if (next && next !== '\n' && commands.length) {
      const last = commands[commands.length - 1];
      if (last && last.next === undefined) last.next = next;
    }
    cur = undefined;
  };

  for (let k = 0; k < tokens.length; k++) {
    const t = tokens[k]!;
    const inCase = cases[cases.length - 1];
    if (inCase?.pattern) {
      // Patterns are not commands: skip up to the `)` that opens the branch; `esac` closes the statement.
      if (t.kind === 'word' && t.value === 'esac' && !t.quoted) {
        cases.pop();
        continue;
      }
      if (t.kind === 'op' && t.value === ')') {
        inCase.pattern = false;
        deeper(t);
      }
      continue;
    }
    if (inCase && t.kind === 'op' && t.value === ';' && /^;;&?$|^;&$/.test(t.raw)) {
      finish(';');
      depth = Math.max(0, depth - 1);
      inCase.pattern = true;
      continue;
    }
    if (inCase && t.kind === 'word' && t.value === 'esac' && !t.quoted && (!cur || cur.argv.length === 0)) {
      finish(undefined);
      depth = Math.max(0, depth - 1);
      cases.pop();
      continue;
    }
    if (t.kind === 'op') {
      if (t.value === '(') {
        finish(undefined);
        deeper(t);
        subshells.push(depth);
        continue;
      }
      if (t.value === ')') {
        finish(undefined);
        if (subshells[subshells.length - 1] === depth) subshells.pop();
        depth = Math.max(0, depth - 1);
        continue;
      }
      skipHeader = false;
      finish(
        t.value === '&&' ||
          t.value === '||' ||
          t.value === ';' ||
          t.value === '|' ||
          t.value === '&' ||
          t.value === '\n'
          ? t.value
          : undefined,
      );
      continue;
    }
    if (t.kind === 'redirect') {
      const target = tokens[k + 1];
      let targetText = '';
      let end = t.end;
      if (target && target.kind === 'word') {
        targetText = target.value;
        end = target.end;
        k++;
      }
      if (!cur) {
        cur = {
          assignments: [],
          argv: [],
          redirects: [],
          span: { start: 0, end: 0 },
          next: undefined,
          depth,
          ...(subshells.length ? { subshell: subshells.length } : {}),
        };
        curStart = t.start;
      }
      const r: ShellRedirect = { op: t.value, target: targetText, span: span(t.start, end) };
      cur.redirects.push(r);
      curEnd = end;
      continue;
    }
    // word
    if (!cur || (cur.argv.length === 0 && cur.assignments.length === 0)) {
      if (skipHeader) {
        if (t.value === 'do') skipHeader = false;
        if (t.value === 'in' && caseHeader) {
          skipHeader = false;
          caseHeader = false;
          cases.push({ pattern: true });
        }
        continue;
      }
      if (RESERVED.has(t.value) && !t.quoted) {
        if (t.value === '{' || t.value === 'then' || t.value === 'do' || t.value === 'else') deeper(t);
        else if (t.value === '}' || t.value === 'fi' || t.value === 'done' || t.value === 'esac')
          depth = Math.max(0, depth - 1);
        else if (t.value === 'case') {
          skipHeader = true;
          caseHeader = true;
        }
        // `else` and `elif` close the previous branch's body (`else` opens its own; `elif`'s `then` does).
        if (t.value === 'elif' || t.value === 'else') depth = Math.max(0, depth - 1);
        continue;
      }
      if ((t.value === 'for' || t.value === 'select') && !t.quoted) {
        skipHeader = true;
        continue;
      }
    }
    if (!cur) {
      cur = {
        assignments: [],
        argv: [],
        redirects: [],
        span: { start: 0, end: 0 },
        next: undefined,
        depth,
        ...(subshells.length ? { subshell: subshells.length } : {}),
      };
      curStart = t.start;
    }
    const am = /^([A-Za-z_][A-Za-z0-9_]*)=/.exec(t.raw);
    if (cur.argv.length === 0 && am) {
      cur.assignments.push({
        name: am[1] ?? '',
        value: t.value.slice((am[1] ?? '').length + 1),
        span: span(t.start, t.end),
      });
    } else {
      const w: ShellWord = { value: t.value, raw: t.raw, span: span(t.start, t.end), quoted: t.quoted };
      cur.argv.push(w);
    }
    curEnd = t.end;
  }
  finish(undefined);
  return { commands, problems };
}
