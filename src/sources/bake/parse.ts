import type { SourceFile, Span } from '../../model/source.js';

/**
 * Docker Buildx bake files (`docker-bake.hcl`, `docker-bake.json`): the common subset, with positions.
 *
 * Both formats are read into one small syntax tree (blocks, attributes, literal expressions), which is then
 * interpreted the same way: variables resolved from their defaults, `${VAR}` substituted in strings, targets of
 * the same name merged, `inherits` applied as buildx does. Anything that is not a literal (function calls,
 * operators, `for` expressions, references to unknown things) is an unknown value: the attribute is skipped.
 * Parsing never throws; syntax errors become `problems` with spans.
 */

export interface BakeValue<T> {
  value: T;
  /** The value's text (for strings: including the quotes). */
  span: Span;
}

export interface BakeTarget {
  name: string;
  /** Span of the block header `target "name"` (in JSON: the target's key). */
  span: Span;
  context?: BakeValue<string>;
  dockerfile?: BakeValue<string>;
  platforms: BakeValue<string>[];
  tags: BakeValue<string>[];
  args: Record<string, BakeValue<string>>;
  target?: BakeValue<string>;
  /** The target's own `inherits`, as written (already applied to the other fields). */
  inherits: string[];
  output: string[];
  cacheFrom: string[];
  cacheTo: string[];
  /** An explicit `push` attribute, else whether `output` pushes (`type=registry` or `push=true`); undefined when neither is set. */
  push?: boolean;
}

export interface BakeFile {
  path: string;
  variables: Record<string, { default?: string; span: Span }>;
  /** In file order, after applying `inherits`. */
  targets: BakeTarget[];
  groups: { name: string; targets: string[]; span: Span }[];
  problems: { message: string; span: Span }[];
}

type Problem = { message: string; span: Span };

// ---------------------------------------------------------------------------------------------------------------
// Shared syntax tree

/** A piece of a string template: literal text, or an interpolation / directive kept with its source text. */
type Part = string | { raw: string; inner: string; directive: boolean };

type Expr =
  | { kind: 'string'; parts: Part[]; span: Span }
  | { kind: 'number'; text: string; span: Span }
  | { kind: 'bool'; value: boolean; span: Span }
  | { kind: 'null'; span: Span }
  | { kind: 'list'; items: Expr[]; span: Span }
  | { kind: 'map'; entries: MapEntry[]; span: Span }
  | { kind: 'ref'; name: string; span: Span }
  | { kind: 'unknown'; span: Span };

interface MapEntry {
  key: string;
  keySpan: Span;
  value: Expr;
}

interface Attr {
  name: string;
  span: Span;
  expr: Expr;
}

interface Block {
  type: string;
  labels: string[];
  headerSpan: Span;
  body: Body;
}

interface Body {
  attrs: Attr[];
  blocks: Block[];
}

const IDENT_RE = /[\p{L}_][\p{L}\p{N}_-]*/uy;
const IDENT_ONLY_RE = /^[\p{L}_][\p{L}\p{N}_-]*$/u;
const NUMBER_RE = /\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const HEREDOC_RE = /<<(-?)([\p{L}_][\p{L}\p{N}_-]*)[ \t]*(?:\r\n|\n|\r)/uy;

function isNewline(c: string | undefined): boolean {
  return c === '\n' || c === '\r';
}

/** Nesting limit for blocks, brackets, interpolations, variable references and `inherits` chains. */
export const BAKE_MAX_DEPTH = 256;
const TOO_DEEP_MESSAGE = `nested more than ${BAKE_MAX_DEPTH} levels deep`;

/** `scanInterp` result for interpolations and strings nested past `BAKE_MAX_DEPTH`. */
const TOO_DEEP = -2;

/**
 * Index just past the `}` closing an interpolation whose body starts at `k` (just after `${`); -1 when it is not
 * closed (end of text, or a line break when `stopAtNewline`), `TOO_DEEP` past the nesting limit. Nested braces,
 * quoted strings and the interpolations inside those are skipped with an explicit stack, not recursion.
 */
function scanInterp(s: string, k: number, stopAtNewline: boolean): number {
  // One frame per open interpolation (its count of open `{`) or quoted string inside one (-1).
  const frames: number[] = [0];
  let j = k;
  while (j < s.length) {
    const c = s[j];
    const top = frames.length - 1;
    const braces = frames[top]!;
    if (braces < 0) {
      // In a string inside an interpolation.
      if (isNewline(c)) return -1;
      if (c === '\\') j += 2;
      else if (c === '"') {
        frames.pop();
        j++;
      } else if ((c === '$' || c === '%') && s[j + 1] === '{') {
        if (frames.length >= BAKE_MAX_DEPTH) return TOO_DEEP;
        frames.push(0);
        j += 2;
      } else j++;
      continue;
    }
    if (stopAtNewline && isNewline(c)) return -1;
    if (c === '{') frames[top] = braces + 1;
    else if (c === '}') {
      if (braces === 0) {
        frames.pop();
        if (frames.length === 0) return j + 1;
      } else frames[top] = braces - 1;
    } else if (c === '"') {
      if (frames.length >= BAKE_MAX_DEPTH) return TOO_DEEP;
      frames.push(-1);
    }
    j++;
  }
  return -1;
}

/** Splits an already unescaped template (JSON strings, heredocs) into parts; `error` when it cannot be read. */
function splitTemplate(s: string): { parts: Part[]; error?: string } {
  const parts: Part[] = [];
  let lit = '';
  let j = 0;
  while (j < s.length) {
    const c = s[j];
    if ((c === '$' || c === '%') && s[j + 1] === c && s[j + 2] === '{') {
      lit += c + '{';
      j += 3;
    } else if ((c === '$' || c === '%') && s[j + 1] === '{') {
      const end = scanInterp(s, j + 2, false);
      if (end < 0) {
        lit += s.slice(j);
        if (lit) parts.push(lit);
        const error =
          end === TOO_DEEP ? `interpolations ${TOO_DEEP_MESSAGE}` : 'unterminated interpolation: missing }';
        return { parts, error };
      }
      if (lit) parts.push(lit);
      lit = '';
      parts.push({ raw: s.slice(j, end), inner: s.slice(j + 2, end - 1), directive: c === '%' });
      j = end;
    } else {
      lit += c;
      j++;
    }
  }
  if (lit) parts.push(lit);
  return { parts };
}

/** A string's text with interpolations left as written (for labels and map keys). */
function rawText(parts: Part[]): string {
  return parts.map((p) => (typeof p === 'string' ? p : p.raw)).join('');
}

// ---------------------------------------------------------------------------------------------------------------
// HCL lexer

type TokKind = 'ident' | 'string' | 'number' | 'punct' | 'newline' | 'eof';

interface Token {
  kind: TokKind;
  start: number;
  end: number;
  /** Identifier, number or punctuation text. */
  text: string;
  /** For strings. */
  parts?: Part[];
  /** For strings: false when the closing quote (or heredoc marker) is missing. */
  closed?: boolean;
}

const PUNCT2 = ['==', '!=', '<=', '>=', '=>', '&&', '||'];
const PUNCT1 = '{}[]()=,:.?!+-*/%<>~&|';

function lexHcl(text: string, problems: Problem[]): Token[] {
  const toks: Token[] = [];
  const n = text.length;
  let i = 0;
  const push = (kind: TokKind, start: number, end: number, extra?: Partial<Token>) => {
    toks.push({ kind, start, end, text: text.slice(start, end), ...extra });
  };

  const lexQuoted = (start: number): number => {
    const parts: Part[] = [];
    let lit = '';
    let j = start + 1;
    let closed = false;
    for (;;) {
      const c = text[j];
      if (c === undefined || isNewline(c)) {
        problems.push({ message: 'unterminated string: missing closing "', span: { start, end: j } });
        break;
      }
      if (c === '"') {
        j++;
        closed = true;
        break;
      }
      if (c === '\\') {
        const e = text[j + 1];
        const simple: Record<string, string> = { n: '\n', r: '\r', t: '\t', '"': '"', '\\': '\\' };
        if (e !== undefined && simple[e] !== undefined) {
          lit += simple[e];
          j += 2;
          continue;
        }
        const hexLen = e === 'u' ? 4 : e === 'U' ? 8 : 0;
        const hex = text.slice(j + 2, j + 2 + hexLen);
        const code =
          hexLen && /^[0-9a-fA-F]+$/.test(hex) && hex.length === hexLen ? Number.parseInt(hex, 16) : -1;
        if (code >= 0 && code <= 0x10ffff) {
          lit += String.fromCodePoint(code);
          j += 2 + hexLen;
          continue;
        }
        problems.push({ message: 'invalid escape sequence in string', span: { start: j, end: j + 2 } });
        lit += c;
        j++;
        continue;
      }
      if ((c === '$' || c === '%') && text[j + 1] === c && text[j + 2] === '{') {
        lit += c + '{';
        j += 3;
        continue;
      }
      if ((c === '$' || c === '%') && text[j + 1] === '{') {
        const end = scanInterp(text, j + 2, true);
        if (end < 0) {
          let k = j;
          while (k < n && !isNewline(text[k])) k++;
          const message =
            end === TOO_DEEP ? `interpolations ${TOO_DEEP_MESSAGE}` : 'unterminated interpolation: missing }';
          problems.push({ message, span: { start: j, end: j + 2 } });
          lit += text.slice(j, k);
          j = k;
          continue; // the loop then reports the unterminated string at the line end
        }
        if (lit) parts.push(lit);
        lit = '';
        parts.push({ raw: text.slice(j, end), inner: text.slice(j + 2, end - 1), directive: c === '%' });
        j = end;
        continue;
      }
      lit += c;
      j++;
    }
    if (lit) parts.push(lit);
    push('string', start, j, { parts, closed });
    return j;
  };

  const lexHeredoc = (start: number, m: RegExpExecArray): number => {
    const indent = m[1] === '-';
    const marker = m[2] ?? '';
    const lines: string[] = [];
    let j = start + m[0].length;
    while (j < n) {
      let k = j;
      while (k < n && !isNewline(text[k])) k++;
      const line = text.slice(j, k);
      if (line.trim() === marker) {
        let body = lines;
        if (indent) {
          const widths = lines.filter((l) => l.trim()).map((l) => /^[ \t]*/.exec(l)?.[0].length ?? 0);
          const cut = widths.length ? Math.min(...widths) : 0;
          body = lines.map((l) => l.slice(Math.min(cut, /^[ \t]*/.exec(l)?.[0].length ?? 0)));
        }
        const { parts, error } = splitTemplate(body.map((l) => l + '\n').join(''));
        if (error === `interpolations ${TOO_DEEP_MESSAGE}`) {
          problems.push({ message: error, span: { start, end: start + m[0].trimEnd().length } });
        }
        push('string', start, k, { parts, closed: true });
        return k;
      }
      lines.push(line);
      j = k < n ? k + (text[k] === '\r' && text[k + 1] === '\n' ? 2 : 1) : k;
    }
    problems.push({
      message: `unterminated heredoc: missing closing ${marker}`,
      span: { start, end: start + 2 + m[1]!.length + marker.length },
    });
    push('string', start, n, { parts: [], closed: false });
    return n;
  };

  while (i < n) {
    const c = text[i] as string;
    if (c === '\n' || c === '\r') {
      const len = c === '\r' && text[i + 1] === '\n' ? 2 : 1;
      push('newline', i, i + len);
      i += len;
      continue;
    }
    if (c === ' ' || c === '\t' || c === '\f' || c === '\v') {
      i++;
      continue;
    }
    if (c === '#' || (c === '/' && text[i + 1] === '/')) {
      while (i < n && !isNewline(text[i])) i++;
      continue;
    }
    if (c === '/' && text[i + 1] === '*') {
      const end = text.indexOf('*/', i + 2);
      if (end < 0) {
        problems.push({ message: 'unterminated comment: missing */', span: { start: i, end: i + 2 } });
        i = n;
      } else i = end + 2;
      continue;
    }
    if (c === '"') {
      i = lexQuoted(i);
      continue;
    }
    if (c === '<' && text[i + 1] === '<') {
      HEREDOC_RE.lastIndex = i;
      const m = HEREDOC_RE.exec(text);
      if (m) {
        i = lexHeredoc(i, m);
        continue;
      }
    }
    IDENT_RE.lastIndex = i;
    const id = IDENT_RE.exec(text);
    if (id) {
      push('ident', i, i + id[0].length);
      i += id[0].length;
      continue;
    }
    NUMBER_RE.lastIndex = i;
    const num = NUMBER_RE.exec(text);
    if (num) {
      push('number', i, i + num[0].length);
      i += num[0].length;
      continue;
    }
    if (text.startsWith('...', i)) {
      push('punct', i, i + 3);
      i += 3;
      continue;
    }
    const two = text.slice(i, i + 2);
    if (PUNCT2.includes(two)) {
      push('punct', i, i + 2);
      i += 2;
      continue;
    }
    if (PUNCT1.includes(c)) {
      push('punct', i, i + 1);
      i++;
      continue;
    }
    const len = (text.codePointAt(i) ?? 0) > 0xffff ? 2 : 1;
    problems.push({
      message: `unexpected character ${JSON.stringify(text.slice(i, i + len))}`,
      span: { start: i, end: i + len },
    });
    i += len;
  }
  push('eof', n, n);
  return toks;
}

// ---------------------------------------------------------------------------------------------------------------
// HCL parser

/** Where an expression sits, which decides what ends it. */
type Ctx = 'line' | 'list' | 'map';

const OPENERS: Record<string, string> = { '(': ')', '[': ']', '{': '}' };
const CLOSERS = new Set([')', ']', '}']);

class HclParser {
  private p = 0;
  private lastEnd = 0;
  /** Blocks, lists and maps open around the current token (the file's top level is 0). */
  private depth = 0;
  /** For each token index, the index of the first token at or after it that is not a line end. */
  private readonly solid: number[];

  constructor(
    private readonly toks: Token[],
    private readonly problems: Problem[],
  ) {
    this.solid = new Array<number>(toks.length);
    for (let k = toks.length - 1; k >= 0; k--) {
      this.solid[k] = toks[k]!.kind === 'newline' ? (this.solid[k + 1] ?? toks.length) : k;
    }
  }

  private peek(k = 0): Token {
    return this.toks[Math.min(this.p + k, this.toks.length - 1)]!;
  }

  private next(): Token {
    const t = this.peek();
    if (t.kind !== 'eof') this.p++;
    this.lastEnd = t.end;
    return t;
  }

  private problem(message: string, span: Span): void {
    this.problems.push({ message, span: { start: span.start, end: span.end } });
  }

  private tooDeep(t: Token): void {
    this.problem(`${t.text} ${TOO_DEEP_MESSAGE}`, t);
  }

  private skipNewlines(): void {
    while (this.peek().kind === 'newline') this.next();
  }

  private static isP(t: Token, s: string): boolean {
    return t.kind === 'punct' && t.text === s;
  }

  /**
   * Skips tokens, keeping brackets balanced, until `stop` holds for a token outside any bracket (not consumed),
   * an unmatched `}` (not consumed: it closes the enclosing block), or end of input. With `single`, stops after
   * the first bracketed group closes. Brackets past the nesting limit are reported once, unless `reported`.
   */
  private skip(stop: (t: Token) => boolean, single = false, reported = false): void {
    const stack: Token[] = [];
    for (;;) {
      const t = this.peek();
      if (t.kind === 'eof') {
        const open = stack[0];
        if (open) this.problem(`unterminated ${open.text}: missing ${OPENERS[open.text]}`, open);
        return;
      }
      if (stack.length === 0 && stop(t)) return;
      if (t.kind === 'punct' && OPENERS[t.text]) {
        if (!reported && this.depth + stack.length >= BAKE_MAX_DEPTH) {
          this.tooDeep(t);
          reported = true;
        }
        stack.push(t);
        this.next();
        continue;
      }
      if (t.kind === 'punct' && CLOSERS.has(t.text)) {
        const top = stack.at(-1);
        if (!top) {
          if (t.text === '}') return;
          this.next(); // a stray `)` or `]`: part of the expression we do not understand
          continue;
        }
        if (OPENERS[top.text] !== t.text) {
          this.problem(`unterminated ${top.text}: missing ${OPENERS[top.text]}`, top);
          stack.length = 0;
          continue;
        }
        stack.pop();
        this.next();
        if (single && stack.length === 0) return;
        continue;
      }
      this.next();
    }
  }

  private atEnd(ctx: Ctx, t: Token): boolean {
    if (t.kind === 'eof') return true;
    if (ctx === 'line') return t.kind === 'newline' || HclParser.isP(t, '}');
    if (ctx === 'map') return t.kind === 'newline' || HclParser.isP(t, ',') || HclParser.isP(t, '}');
    if (t.kind === 'newline') return this.listEndsAhead();
    return HclParser.isP(t, ',') || HclParser.isP(t, ']') || this.attrStartsAt(t);
  }

  /**
   * Whether the next token after any line ends cannot continue a list (end of file, `}`, or `ident =`): then the
   * list was not closed, and the line ends are left for the enclosing block.
   */
  private listEndsAhead(): boolean {
    const k = this.solid[this.p] ?? this.toks.length;
    const t = this.toks[k];
    if (!t || t.kind === 'eof' || HclParser.isP(t, '}')) return true;
    const after = this.toks[k + 1];
    return t.kind === 'ident' && after !== undefined && HclParser.isP(after, '=');
  }

  /** In a list: true at its (unclosed) end, see `listEndsAhead`; otherwise skips line ends. */
  private listStop(): boolean {
    if (this.listEndsAhead()) return true;
    this.skipNewlines();
    return false;
  }

  /** `ident =` cannot appear inside a list: it means the list was not closed and the next attribute begins. */
  private attrStartsAt(t: Token): boolean {
    // `t` is always the current token.
    return t.kind === 'ident' && HclParser.isP(this.peek(1), '=');
  }

  parseBody(open?: Token): Body {
    const body: Body = { attrs: [], blocks: [] };
    for (;;) {
      this.skipNewlines();
      const t = this.peek();
      if (t.kind === 'eof') {
        if (open) this.problem('unterminated block: missing }', open);
        return body;
      }
      if (HclParser.isP(t, '}')) {
        this.next();
        if (open) return body;
        this.problem('unexpected }', t);
        continue;
      }
      if (t.kind === 'ident') {
        const after = this.peek(1);
        if (HclParser.isP(after, '=')) {
          this.next();
          this.next();
          const expr = this.parseExpr('line');
          body.attrs.push({
            name: t.text,
            span: { start: t.start, end: Math.max(expr.span.end, after.end) },
            expr,
          });
          continue;
        }
        if (after.kind === 'string' || after.kind === 'ident' || HclParser.isP(after, '{')) {
          this.next();
          const labels: string[] = [];
          let headerEnd = t.end;
          while (this.peek().kind === 'string' || this.peek().kind === 'ident') {
            const l = this.next();
            labels.push(l.kind === 'string' ? rawText(l.parts ?? []) : l.text);
            headerEnd = l.end;
            if (l.kind === 'string' && !l.closed) break;
          }
          const brace = this.peek();
          if (!HclParser.isP(brace, '{')) {
            this.problem(`expected { after ${t.text} block header`, brace.kind === 'eof' ? t : brace);
            this.skip((x) => x.kind === 'newline');
            continue;
          }
          if (this.depth >= BAKE_MAX_DEPTH) {
            this.tooDeep(brace);
            this.skip(() => false, true, true);
            continue;
          }
          this.next();
          this.depth++;
          const inner = this.parseBody(brace);
          this.depth--;
          body.blocks.push({
            type: t.text,
            labels,
            headerSpan: { start: t.start, end: headerEnd },
            body: inner,
          });
          continue;
        }
        const at = after.kind === 'eof' || after.kind === 'newline' ? t : after;
        this.problem(`expected = or a block after ${JSON.stringify(t.text)}`, at);
      } else {
        this.problem(`unexpected ${describe(t)}; expected an attribute or a block`, t);
      }
      // Recovery: drop the rest of the line, brackets balanced. The current token is neither a line end nor
      // `}`, so this always consumes something.
      this.skip((x) => x.kind === 'newline');
    }
  }

  private parseExpr(ctx: Ctx): Expr {
    const first = this.peek();
    const primary = this.parsePrimary(ctx);
    if (ctx === 'list' && this.listStop()) return primary;
    if (this.atEnd(ctx, this.peek())) return primary;
    // An operator, call, traversal, conditional...: not a literal we understand.
    this.skip((t) => this.atEnd(ctx, t));
    return { kind: 'unknown', span: { start: first.start, end: Math.max(first.start, this.lastEnd) } };
  }

  private parsePrimary(ctx: Ctx): Expr {
    const t = this.peek();
    const span = { start: t.start, end: t.end };
    switch (t.kind) {
      case 'string':
        this.next();
        return t.closed ? { kind: 'string', parts: t.parts ?? [], span } : { kind: 'unknown', span };
      case 'number':
        this.next();
        return { kind: 'number', text: t.text, span };
      case 'ident': {
        this.next();
        if (t.text === 'true' || t.text === 'false') return { kind: 'bool', value: t.text === 'true', span };
        if (t.text === 'null') return { kind: 'null', span };
        if (HclParser.isP(this.peek(), '(')) {
          this.skip(() => false, true);
          return { kind: 'unknown', span: { start: t.start, end: this.lastEnd } };
        }
        return { kind: 'ref', name: t.text, span };
      }
      case 'punct':
        if ((t.text === '[' || t.text === '{') && this.depth >= BAKE_MAX_DEPTH) {
          this.tooDeep(t);
          this.skip(() => false, true, true);
          return { kind: 'unknown', span: { start: t.start, end: this.lastEnd } };
        }
        if (t.text === '[') return this.parseList();
        if (t.text === '{') return this.parseMap();
        if (t.text === '(') {
          this.skip(() => false, true);
          return { kind: 'unknown', span: { start: t.start, end: this.lastEnd } };
        }
        if (t.text === '-' && this.peek(1).kind === 'number') {
          this.next();
          const num = this.next();
          return { kind: 'number', text: '-' + num.text, span: { start: t.start, end: num.end } };
        }
        break;
      default:
        break;
    }
    if (this.atEnd(ctx, t) || (t.kind === 'punct' && CLOSERS.has(t.text)) || HclParser.isP(t, ',')) {
      this.problem(
        `expected a value, found ${describe(t)}`,
        t.kind === 'eof' ? { start: t.start, end: t.start } : t,
      );
    }
    return { kind: 'unknown', span: { start: t.start, end: t.start } };
  }

  private parseList(): Expr {
    const open = this.next();
    const items: Expr[] = [];
    this.depth++;
    for (;;) {
      if (this.listStop()) {
        this.problem('unterminated list: missing ]', open);
        break;
      }
      if (HclParser.isP(this.peek(), ']')) {
        this.next();
        break;
      }
      items.push(this.parseExpr('list'));
      if (!this.listStop() && HclParser.isP(this.peek(), ',')) this.next();
    }
    this.depth--;
    return { kind: 'list', items, span: { start: open.start, end: Math.max(open.end, this.lastEnd) } };
  }

  private parseMap(): Expr {
    const open = this.next();
    const entries: MapEntry[] = [];
    this.depth++;
    const sep = (t: Token) => t.kind === 'newline' || HclParser.isP(t, ',');
    for (;;) {
      this.skipNewlines();
      const t = this.peek();
      if (HclParser.isP(t, '}')) {
        this.next();
        break;
      }
      if (t.kind === 'eof') {
        this.problem('unterminated map: missing }', open);
        break;
      }
      if (HclParser.isP(t, ',')) {
        this.next();
        continue;
      }
      let key: string | undefined;
      if (t.kind === 'ident' || t.kind === 'number') {
        this.next();
        key = t.text;
      } else if (t.kind === 'string') {
        this.next();
        key = t.closed ? rawText(t.parts ?? []) : undefined;
      } else if (HclParser.isP(t, '(')) {
        this.skip(() => false, true); // a computed key
      } else {
        this.problem(`expected a map key, found ${describe(t)}`, t);
        this.skip(sep); // consumes `t`: it is neither a separator nor `}`
        continue;
      }
      const eq = this.peek();
      if (!HclParser.isP(eq, '=') && !HclParser.isP(eq, ':')) {
        this.problem(`expected = or : after map key, found ${describe(eq)}`, eq.kind === 'eof' ? t : eq);
        this.skip(sep);
        continue;
      }
      this.next();
      const value = this.parseExpr('map');
      if (key !== undefined) entries.push({ key, keySpan: { start: t.start, end: t.end }, value });
    }
    this.depth--;
    return { kind: 'map', entries, span: { start: open.start, end: Math.max(open.end, this.lastEnd) } };
  }
}

function describe(t: Token): string {
  if (t.kind === 'eof') return 'end of file';
  if (t.kind === 'newline') return 'end of line';
  if (t.kind === 'string') return 'a string';
  return JSON.stringify(t.text);
}

// ---------------------------------------------------------------------------------------------------------------
// JSON parser (exact positions; keeps what was parsed before an error)

class JsonSyntaxError extends Error {
  constructor(
    message: string,
    readonly span: Span,
  ) {
    super(message);
  }
}

type JNode =
  | { kind: 'string'; value: string; span: Span }
  | { kind: 'number'; text: string; span: Span }
  | { kind: 'bool'; value: boolean; span: Span }
  | { kind: 'null'; span: Span }
  | { kind: 'array'; items: JNode[]; span: Span }
  | { kind: 'object'; entries: { key: string; keySpan: Span; value?: JNode }[]; span: Span };

class JsonParser {
  private i = 0;
  /** Arrays and objects open around the current value. */
  private depth = 0;

  constructor(private readonly text: string) {}

  private ws(): void {
    const t = this.text;
    while (this.i < t.length && ' \t\n\r'.includes(t[this.i] as string)) this.i++;
  }

  private fail(message: string, at = this.i): never {
    const end = Math.min(this.text.length, at + 1);
    throw new JsonSyntaxError(message, { start: Math.min(at, this.text.length), end });
  }

  private found(): string {
    const c = this.text[this.i];
    return c === undefined ? 'end of file' : JSON.stringify(c);
  }

  /** Parses the whole text; `attach` receives the root as soon as it exists (before it is filled). */
  document(attach: (n: JNode) => void): void {
    this.ws();
    this.value(attach);
    this.ws();
    if (this.i < this.text.length) this.fail(`unexpected ${this.found()} after the JSON value`);
  }

  private value(attach: (n: JNode) => void): void {
    const t = this.text;
    const start = this.i;
    const c = t[start];
    if (c === '{' || c === '[') {
      if (this.depth >= BAKE_MAX_DEPTH) this.fail(`${c} ${TOO_DEEP_MESSAGE}`);
      this.depth++;
      if (c === '{') this.object(start, attach);
      else this.array(start, attach);
      this.depth--;
      return;
    }
    if (c === '"') {
      const value = this.string();
      attach({ kind: 'string', value, span: { start, end: this.i } });
      return;
    }
    const m = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
    m.lastIndex = start;
    const num = m.exec(t);
    if (num) {
      this.i = start + num[0].length;
      attach({ kind: 'number', text: num[0], span: { start, end: this.i } });
      return;
    }
    for (const [word, kind] of [
      ['true', 'bool'],
      ['false', 'bool'],
      ['null', 'null'],
    ] as const) {
      if (t.startsWith(word, start)) {
        this.i = start + word.length;
        const span = { start, end: this.i };
        attach(kind === 'null' ? { kind, span } : { kind, value: word === 'true', span });
        return;
      }
    }
    this.fail(`expected a JSON value, found ${this.found()}`);
  }

  private object(start: number, attach: (n: JNode) => void): void {
    const t = this.text;
    const node: JNode = { kind: 'object', entries: [], span: { start, end: start + 1 } };
    attach(node);
    this.i++;
    this.ws();
    if (t[this.i] === '}') {
      this.i++;
      node.span.end = this.i;
      return;
    }
    for (;;) {
      this.ws();
      if (t[this.i] !== '"') this.fail(`expected a string key, found ${this.found()}`);
      const keyStart = this.i;
      const key = this.string();
      const entry: { key: string; keySpan: Span; value?: JNode } = {
        key,
        keySpan: { start: keyStart, end: this.i },
      };
      node.entries.push(entry);
      this.ws();
      if (t[this.i] !== ':') this.fail(`expected : after key, found ${this.found()}`);
      this.i++;
      this.ws();
      this.value((v) => {
        entry.value = v;
      });
      node.span.end = this.i;
      this.ws();
      if (t[this.i] === ',') {
        this.i++;
        continue;
      }
      if (t[this.i] === '}') {
        this.i++;
        node.span.end = this.i;
        return;
      }
      if (this.i >= t.length) this.fail('unterminated object: missing }', start);
      this.fail(`expected , or } in object, found ${this.found()}`);
    }
  }

  private array(start: number, attach: (n: JNode) => void): void {
    const t = this.text;
    const node: JNode = { kind: 'array', items: [], span: { start, end: start + 1 } };
    attach(node);
    this.i++;
    this.ws();
    if (t[this.i] === ']') {
      this.i++;
      node.span.end = this.i;
      return;
    }
    for (;;) {
      this.ws();
      this.value((v) => node.items.push(v));
      node.span.end = this.i;
      this.ws();
      if (t[this.i] === ',') {
        this.i++;
        continue;
      }
      if (t[this.i] === ']') {
        this.i++;
        node.span.end = this.i;
        return;
      }
      if (this.i >= t.length) this.fail('unterminated array: missing ]', start);
      this.fail(`expected , or ] in array, found ${this.found()}`);
    }
  }

  private string(): string {
    const t = this.text;
    const start = this.i;
    let out = '';
    this.i++;
    for (;;) {
      const c = t[this.i];
      if (c === undefined || c === '\n' || c === '\r') {
        throw new JsonSyntaxError('unterminated string: missing closing "', { start, end: this.i });
      }
      if (c === '"') {
        this.i++;
        return out;
      }
      if (c < ' ') this.fail('control character in string');
      if (c === '\\') {
        const e = t[this.i + 1];
        const simple: Record<string, string> = {
          '"': '"',
          '\\': '\\',
          '/': '/',
          b: '\b',
          f: '\f',
          n: '\n',
          r: '\r',
          t: '\t',
        };
        if (e !== undefined && simple[e] !== undefined) {
          out += simple[e];
          this.i += 2;
          continue;
        }
        const hex = t.slice(this.i + 2, this.i + 6);
        if (e === 'u' && /^[0-9a-fA-F]{4}$/.test(hex)) {
          out += String.fromCharCode(Number.parseInt(hex, 16));
          this.i += 6;
          continue;
        }
        this.fail('invalid escape sequence in string');
      }
      out += c;
      this.i++;
    }
  }
}

/** JSON → the shared tree (HCL's JSON syntax: strings are templates). */
function jsonExpr(n: JNode | undefined, at: Span, problems: Problem[]): Expr {
  if (!n) return { kind: 'unknown', span: at };
  switch (n.kind) {
    case 'string': {
      const { parts, error } = splitTemplate(n.value);
      if (error) problems.push({ message: error, span: n.span });
      return error ? { kind: 'unknown', span: n.span } : { kind: 'string', parts, span: n.span };
    }
    case 'number':
      return { kind: 'number', text: n.text, span: n.span };
    case 'bool':
      return { kind: 'bool', value: n.value, span: n.span };
    case 'null':
      return { kind: 'null', span: n.span };
    case 'array':
      return { kind: 'list', items: n.items.map((x) => jsonExpr(x, x.span, problems)), span: n.span };
    case 'object':
      return {
        kind: 'map',
        entries: n.entries.map((e) => ({
          key: e.key,
          keySpan: e.keySpan,
          value: jsonExpr(e.value, e.keySpan, problems),
        })),
        span: n.span,
      };
  }
}

function jsonBody(root: JNode | undefined, problems: Problem[]): Body {
  const body: Body = { attrs: [], blocks: [] };
  if (!root) return body;
  if (root.kind !== 'object') {
    problems.push({ message: 'a bake JSON file must be an object', span: root.span });
    return body;
  }
  for (const top of root.entries) {
    const v = top.value;
    if (top.key === 'variable' || top.key === 'target' || top.key === 'group' || top.key === 'function') {
      if (!v) continue;
      if (v.kind !== 'object') {
        problems.push({ message: `"${top.key}" must be an object keyed by name`, span: v.span });
        continue;
      }
      for (const named of v.entries) {
        const bodies = named.value?.kind === 'array' ? named.value.items : named.value ? [named.value] : [];
        for (const b of bodies) {
          if (b.kind !== 'object') {
            problems.push({ message: `${top.key} "${named.key}" must be an object`, span: b.span });
            continue;
          }
          const attrs = b.entries.map((e) => ({
            name: e.key,
            span: { start: e.keySpan.start, end: e.value?.span.end ?? e.keySpan.end },
            expr: jsonExpr(e.value, e.keySpan, problems),
          }));
          body.blocks.push({
            type: top.key,
            labels: [named.key],
            headerSpan: named.keySpan,
            body: { attrs, blocks: [] },
          });
        }
      }
    } else if (v) {
      // Top-level attributes are variables, as in HCL.
      body.attrs.push({
        name: top.key,
        span: { start: top.keySpan.start, end: v.span.end },
        expr: jsonExpr(v, v.span, problems),
      });
    }
  }
  return body;
}

// ---------------------------------------------------------------------------------------------------------------
// Interpretation

/** Sets a key on a plain object, even `__proto__`. */
function setKey<T>(obj: Record<string, T>, key: string, value: T): void {
  Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
}

interface RawTarget {
  name: string;
  span: Span;
  context?: BakeValue<string>;
  dockerfile?: BakeValue<string>;
  target?: BakeValue<string>;
  platforms?: BakeValue<string>[];
  tags?: BakeValue<string>[];
  args?: Record<string, BakeValue<string>>;
  inherits?: BakeValue<string>[];
  output?: string[];
  cacheFrom?: string[];
  cacheTo?: string[];
  push?: boolean;
}

type Scalar = 'context' | 'dockerfile' | 'target' | 'platforms' | 'tags' | 'inherits' | 'output' | 'cacheTo';
const REPLACED: Scalar[] = [
  'context',
  'dockerfile',
  'target',
  'platforms',
  'tags',
  'inherits',
  'output',
  'cacheTo',
];

/** Buildx's `Target.Merge`: `over` wins; args merge by key; cache-from is appended; other lists are replaced. */
function merge(base: RawTarget, over: RawTarget): RawTarget {
  const out: RawTarget = { ...base, name: over.name, span: over.span };
  for (const k of REPLACED) {
    if (over[k] !== undefined) (out as unknown as Record<string, unknown>)[k] = over[k];
  }
  if (over.push !== undefined) out.push = over.push;
  if (over.args) {
    const args: Record<string, BakeValue<string>> = {};
    for (const [k, v] of Object.entries(base.args ?? {})) setKey(args, k, v);
    for (const [k, v] of Object.entries(over.args)) setKey(args, k, v);
    out.args = args;
  }
  if (over.cacheFrom) {
    out.cacheFrom = [...(base.cacheFrom ?? [])];
    for (const c of over.cacheFrom) if (!out.cacheFrom.includes(c)) out.cacheFrom.push(c);
  }
  return out;
}

function pushes(output: string): boolean {
  const fields = output.split(',').map((f) => f.trim());
  return fields.some((f) => f === 'type=registry' || f === 'push=true');
}

class Interpreter {
  private readonly vars = new Map<string, { expr?: Expr; span: Span }>();
  private readonly resolved = new Map<string, string | undefined>();
  private readonly resolving = new Set<string>();

  constructor(private readonly problems: Problem[]) {}

  private problem(message: string, span: Span): void {
    this.problems.push({ message, span });
  }

  run(path: string, body: Body): BakeFile {
    const out: BakeFile = { path, variables: {}, targets: [], groups: [], problems: this.problems };

    for (const a of body.attrs) this.vars.set(a.name, { expr: a.expr, span: a.span });
    for (const b of body.blocks) {
      if (b.type !== 'variable') continue;
      const name = this.label(b);
      if (name === undefined) continue;
      const attrs = this.attrs(b);
      this.vars.set(name, { expr: attrs.get('default')?.expr, span: b.headerSpan });
    }
    for (const [name, v] of this.vars) {
      const def = this.resolveVar(name);
      setKey(out.variables, name, def === undefined ? { span: v.span } : { default: def, span: v.span });
    }

    const raw = new Map<string, RawTarget>();
    for (const b of body.blocks) {
      if (b.type === 'group') {
        const name = this.label(b);
        if (name === undefined) continue;
        const targets = this.stringList(this.attrs(b).get('targets'))?.map((v) => v.value) ?? [];
        const existing = out.groups.find((g) => g.name === name);
        if (existing) {
          for (const t of targets) if (!existing.targets.includes(t)) existing.targets.push(t);
        } else out.groups.push({ name, targets, span: b.headerSpan });
      } else if (b.type === 'target') {
        const name = this.label(b);
        if (name === undefined) continue;
        const t = this.target(name, b);
        const prev = raw.get(name);
        raw.set(name, prev ? { ...merge(prev, t), span: prev.span } : t);
      }
    }

    const done = new Map<string, RawTarget>();
    const active = new Set<string>();
    const resolve = (name: string): RawTarget | undefined => {
      const cached = done.get(name);
      if (cached) return cached;
      const own = raw.get(name);
      if (!own) return undefined;
      if (active.has(name)) return own;
      active.add(name);
      let acc: RawTarget = { name, span: own.span };
      for (const parent of own.inherits ?? []) {
        if (active.size >= BAKE_MAX_DEPTH) {
          this.problem(`target "${name}": inherits ${TOO_DEEP_MESSAGE}`, parent.span);
          continue;
        }
        if (active.has(parent.value)) {
          this.problem(
            `target "${name}" inherits from "${parent.value}", which inherits from it`,
            parent.span,
          );
          continue;
        }
        const p = resolve(parent.value);
        if (p) acc = merge(acc, p);
        else this.problem(`target "${name}" inherits from unknown target "${parent.value}"`, parent.span);
      }
      acc = merge(acc, own);
      acc.inherits = own.inherits;
      active.delete(name);
      done.set(name, acc);
      return acc;
    };

    for (const name of raw.keys()) {
      const r = resolve(name)!;
      const t: BakeTarget = {
        name,
        span: r.span,
        platforms: r.platforms ?? [],
        tags: r.tags ?? [],
        args: r.args ?? {},
        inherits: (r.inherits ?? []).map((v) => v.value),
        output: r.output ?? [],
        cacheFrom: r.cacheFrom ?? [],
        cacheTo: r.cacheTo ?? [],
      };
      if (r.context) t.context = r.context;
      if (r.dockerfile) t.dockerfile = r.dockerfile;
      if (r.target) t.target = r.target;
      const push = r.push ?? (r.output ? r.output.some(pushes) : undefined);
      if (push !== undefined) t.push = push;
      out.targets.push(t);
    }
    return out;
  }

  private label(b: Block): string | undefined {
    const name = b.labels[0];
    if (name === undefined) this.problem(`${b.type} block needs a name`, b.headerSpan);
    else if (b.labels.length > 1) this.problem(`${b.type} block takes one name`, b.headerSpan);
    return name;
  }

  /** A block's attributes by name (the last one wins; duplicates are reported). */
  private attrs(b: Block): Map<string, Attr> {
    const m = new Map<string, Attr>();
    for (const a of b.body.attrs) {
      if (m.has(a.name)) this.problem(`attribute "${a.name}" is set twice in ${b.type} block`, a.span);
      m.set(a.name, a);
    }
    return m;
  }

  private resolveVar(name: string): string | undefined {
    if (this.resolved.has(name)) return this.resolved.get(name);
    const v = this.vars.get(name);
    if (!v?.expr) return undefined;
    if (this.resolving.has(name)) {
      this.problem(`variable "${name}" refers to itself`, v.span);
      return undefined;
    }
    if (this.resolving.size >= BAKE_MAX_DEPTH) {
      this.problem(`variable "${name}": references ${TOO_DEEP_MESSAGE}`, v.span);
      this.resolved.set(name, undefined);
      return undefined;
    }
    this.resolving.add(name);
    const value = this.str(v.expr);
    this.resolving.delete(name);
    this.resolved.set(name, value);
    return value;
  }

  /** A template's value: `${NAME}` of a variable with a default is substituted, anything else kept as written. */
  private template(parts: Part[]): string {
    const out: string[] = [];
    let trimNext = false;
    for (const part of parts) {
      if (typeof part === 'string') {
        out.push(trimNext ? part.trimStart() : part);
        trimNext = false;
        continue;
      }
      trimNext = false;
      let inner = part.inner;
      const stripLeft = inner.startsWith('~');
      const stripRight = inner.endsWith('~') && inner.length > 1;
      inner = inner.slice(stripLeft ? 1 : 0, stripRight ? -1 : undefined).trim();
      const value = !part.directive && IDENT_ONLY_RE.test(inner) ? this.resolveVar(inner) : undefined;
      if (value === undefined) {
        out.push(part.raw);
        continue;
      }
      if (stripLeft && out.length) out[out.length - 1] = (out.at(-1) ?? '').trimEnd();
      out.push(value);
      trimNext = stripRight;
    }
    return out.join('');
  }

  /** A value as a string, or undefined when it is not a (convertible) literal. */
  private str(e: Expr): string | undefined {
    switch (e.kind) {
      case 'string':
        return this.template(e.parts);
      case 'number':
        return e.text;
      case 'bool':
        return String(e.value);
      case 'ref':
        return this.resolveVar(e.name);
      default:
        return undefined;
    }
  }

  private string(a: Attr | undefined): BakeValue<string> | undefined {
    if (!a) return undefined;
    const value = this.str(a.expr);
    if (value === undefined && (a.expr.kind === 'list' || a.expr.kind === 'map')) {
      this.problem(`"${a.name}" must be a string`, a.expr.span);
    }
    return value === undefined ? undefined : { value, span: a.expr.span };
  }

  /** A list of strings; undefined when the attribute is absent or any item is not understood. */
  private stringList(a: Attr | undefined, mapsAsCsv = false): BakeValue<string>[] | undefined {
    if (!a) return undefined;
    const e = a.expr;
    if (e.kind !== 'list') {
      if (e.kind === 'string' || e.kind === 'number' || e.kind === 'bool' || e.kind === 'map') {
        this.problem(`"${a.name}" must be a list`, e.span);
      }
      return undefined;
    }
    const out: BakeValue<string>[] = [];
    for (const item of e.items) {
      let value: string | undefined;
      if (item.kind === 'map' && mapsAsCsv) {
        const fields = item.entries.map((en) => {
          const v = this.str(en.value);
          return v === undefined ? undefined : `${en.key}=${v}`;
        });
        value = fields.every((f) => f !== undefined) ? fields.join(',') : undefined;
      } else value = this.str(item);
      if (value === undefined) return undefined;
      out.push({ value, span: item.span });
    }
    return out;
  }

  private target(name: string, b: Block): RawTarget {
    const attrs = this.attrs(b);
    const t: RawTarget = { name, span: b.headerSpan };
    const context = this.string(attrs.get('context'));
    if (context) t.context = context;
    const dockerfile = this.string(attrs.get('dockerfile'));
    if (dockerfile) t.dockerfile = dockerfile;
    const target = this.string(attrs.get('target'));
    if (target) t.target = target;
    const platforms = this.stringList(attrs.get('platforms'));
    if (platforms) t.platforms = platforms;
    const tags = this.stringList(attrs.get('tags'));
    if (tags) t.tags = tags;
    const inherits = this.stringList(attrs.get('inherits'));
    if (inherits) t.inherits = inherits;
    const values = (a: Attr | undefined) => this.stringList(a, true)?.map((v) => v.value);
    const output = values(attrs.get('output'));
    if (output) t.output = output;
    const cacheFrom = values(attrs.get('cache-from'));
    if (cacheFrom) t.cacheFrom = cacheFrom;
    const cacheTo = values(attrs.get('cache-to'));
    if (cacheTo) t.cacheTo = cacheTo;

    const push = attrs.get('push');
    if (push) {
      const v = push.expr.kind === 'bool' ? String(push.expr.value) : this.str(push.expr);
      if (v === 'true' || v === 'false') t.push = v === 'true';
    }

    const args = attrs.get('args');
    if (args) {
      if (args.expr.kind === 'map') {
        const out: Record<string, BakeValue<string>> = {};
        for (const en of args.expr.entries) {
          const value = this.str(en.value);
          if (value !== undefined) setKey(out, en.key, { value, span: en.value.span });
        }
        t.args = out;
      } else if (args.expr.kind !== 'unknown' && args.expr.kind !== 'ref') {
        this.problem('"args" must be a map', args.expr.span);
      }
    }
    return t;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Entry points

/** Problems in file order (lexing, parsing and interpretation each find their own). */
function sortProblems(bake: BakeFile): BakeFile {
  bake.problems.sort((a, b) => a.span.start - b.span.start);
  return bake;
}

/** Parses `docker-bake.hcl`. Never throws. */
export function parseBakeHcl(file: SourceFile): BakeFile {
  const problems: Problem[] = [];
  const body = new HclParser(lexHcl(file.text, problems), problems).parseBody();
  return sortProblems(new Interpreter(problems).run(file.path, body));
}

/** Parses `docker-bake.json` (`{"variable": {...}, "group": {...}, "target": {...}}`). Never throws. */
export function parseBakeJson(file: SourceFile): BakeFile {
  const problems: Problem[] = [];
  let root: JNode | undefined;
  try {
    new JsonParser(file.text).document((n) => {
      root = n;
    });
  } catch (e) {
    if (!(e instanceof JsonSyntaxError)) throw e;
    problems.push({ message: `invalid JSON: ${e.message}`, span: e.span });
  }
  return sortProblems(new Interpreter(problems).run(file.path, jsonBody(root, problems)));
}
