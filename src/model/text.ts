/**
 * Small text scanners that stand in for regular expressions which backtrack (test/meta/redos.test.ts): each does
 * what the pattern named in its comment did, in one pass.
 */

/** JavaScript's line terminators: where `.` stops and, with the `m` flag, `^` and `$` match. */
export function isLineTerminator(c: string | undefined): boolean {
  return c === '\n' || c === '\r' || c === '\u2028' || c === '\u2029';
}

/** Index just after the last line terminator (0 when there is none): the only place `.*$` can run from. */
export function lastLineStart(text: string): number {
  for (let i = text.length - 1; i >= 0; i--) if (isLineTerminator(text[i])) return i + 1;
  return 0;
}

/** The text's lines, split at every line terminator (the lines `.` and `^`/`$` with `m` see). */
export function linesOf(text: string): string[] {
  const out: string[] = [];
  let from = 0;
  for (let i = 0; i < text.length; i++) {
    if (!isLineTerminator(text[i])) continue;
    out.push(text.slice(from, i));
    from = i + 1;
  }
  out.push(text.slice(from));
  return out;
}

/** `path` without its trailing slashes: `.replace(/\/+$/, '')`. */
export function trimTrailingSlashes(path: string): string {
  let end = path.length;
  while (end > 0 && path[end - 1] === '/') end--;
  return path.slice(0, end);
}

/**
 * The text before the first of `chars` on its last line: `.replace(/[chars].*$/, '')` (`@.*$` drops a digest,
 * `[=<>].*$` a version constraint). `.` does not cross a line terminator, so a character on an earlier line
 * does not count.
 */
export function cutAtFirst(text: string, chars: string): string {
  for (let i = lastLineStart(text); i < text.length; i++)
    if (chars.includes(text[i] as string)) return text.slice(0, i);
  return text;
}

const VERSION_AT = /v?\d+\.\d+\.\d+/y;

/**
 * The first `v?N.N.N` in a text (`/v?\d+\.\d+\.\d+/`), tried only where a run of digits or a `v` before one
 * starts: from inside a run it would end the same way, and trying there made the search quadratic.
 */
export function firstVersion(text: string): string | undefined {
  const digit = (i: number) => {
    const c = text.charCodeAt(i);
    return c >= 48 && c <= 57;
  };
  for (let i = 0; i < text.length; i++) {
    if (!(text[i] === 'v' ? digit(i + 1) : digit(i) && !digit(i - 1))) continue;
    VERSION_AT.lastIndex = i;
    const m = VERSION_AT.exec(text);
    if (m) return m[0];
  }
  return undefined;
}

function isNameStart(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
}

/** End of a variable name (`[A-Za-z_][A-Za-z0-9_]*`) starting at `i`; `i` when there is none. */
export function nameEnd(text: string, i: number): number {
  if (!isNameStart(text.charCodeAt(i))) return i;
  let j = i + 1;
  for (let c = text.charCodeAt(j); isNameStart(c) || (c >= 48 && c <= 57); c = text.charCodeAt(++j));
  return j;
}

/**
 * The first `}` at or after a position, for scans that move forward: an answer is reused while the scan is
 * still before it, so a text of many `${` and one `}` far away is read once, not once per `${` (what made
 * `\$\{[^}]*\}` quadratic). Going backwards is correct too, just not amortised.
 */
export function closingBrace(text: string): (from: number) => number {
  let lo = Number.POSITIVE_INFINITY;
  let at = -1;
  return (from) => {
    if (from >= lo && (at === -1 || from <= at)) return at;
    lo = from;
    at = text.indexOf('}', from);
    return at;
  };
}

/**
 * The matches of a `$`-led pattern in one left-to-right pass, as a global regular expression finds them:
 * `at(i)` is tried at each `$` from the end of the previous match on, and says where a match starting there ends
 * (with whatever it captured), or undefined.
 */
export function scanDollars<T extends { end: number }>(
  text: string,
  at: (i: number) => T | undefined,
): (T & { start: number })[] {
  const out: (T & { start: number })[] = [];
  for (let i = text.indexOf('$'); i >= 0; ) {
    const m = at(i);
    if (m) out.push({ ...m, start: i });
    i = text.indexOf('$', m ? Math.max(m.end, i + 1) : i + 1);
  }
  return out;
}

/** `text` with each match replaced by `by(match)`, the rest kept: `.replace(globalPattern, fn)`. */
export function replaceMatches<T extends { start: number; end: number }>(
  text: string,
  matches: T[],
  by: (m: T, whole: string) => string,
): string {
  let out = '';
  let from = 0;
  for (const m of matches) {
    out += text.slice(from, m.start) + by(m, text.slice(m.start, m.end));
    from = m.end;
  }
  return out + text.slice(from);
}

/** The text between the matches: `.split(globalPattern)`. */
export function splitAround(text: string, matches: { start: number; end: number }[]): string[] {
  const out: string[] = [];
  let from = 0;
  for (const m of matches) {
    out.push(text.slice(from, m.start));
    from = m.end;
  }
  out.push(text.slice(from));
  return out;
}

/** `${{ expr }}` in a text (`/\$\{\{([^}]*)\}\}/g`): spans and the text between the braces. */
export function expressionSpans(text: string): { start: number; end: number; inner: string }[] {
  const close = closingBrace(text);
  return scanDollars(text, (i) => {
    if (text[i + 1] !== '{' || text[i + 2] !== '{') return undefined;
    const c = close(i + 3);
    return c >= 0 && text[c + 1] === '}' ? { end: c + 2, inner: text.slice(i + 3, c) } : undefined;
  });
}

const POSITIONAL = '0123456789@*#?!$-';

/**
 * Variables and expressions in a text, as the global pattern `\$\{\{[^}]*\}\}|\$\{[^}]*\}|\$[A-Za-z_]\w*` finds
 * them: `${{ e }}`, `${…}` up to the first `}`, `$NAME`; with `positional`, also `$0`…`$9`, `$@`, `$*`, `$#`,
 * `$?`, `$!`, `$$`, `$-` (`|\$[0-9@*#?!$-]`).
 */
export function variableSpans(text: string, positional: boolean): { start: number; end: number }[] {
  const close = closingBrace(text);
  return scanDollars(text, (i) => {
    const next = text[i + 1];
    if (next === '{') {
      const c = close(i + 2);
      if (c < 0) return undefined;
      return { end: text[i + 2] === '{' && text[c + 1] === '}' ? c + 2 : c + 1 };
    }
    const n = nameEnd(text, i + 1);
    if (n > i + 1) return { end: n };
    return positional && next !== undefined && POSITIONAL.includes(next) ? { end: i + 2 } : undefined;
  });
}

/**
 * A `${NAME…}` at `i` (`text[i]` is `$`): the name, then `}` or one of `ops` and a word up to the first `}`
 * (`\$\{(NAME)(?:(op)([^}]*))?\}`); `close` (from `closingBrace`) finds that `}`. Longer operators must come first in `ops`.
 */
export function bracedAt(
  text: string,
  i: number,
  ops: readonly string[],
  close: (from: number) => number,
): { end: number; name: string; op?: string; word?: string } | undefined {
  if (text[i + 1] !== '{') return undefined;
  const n = nameEnd(text, i + 2);
  if (n === i + 2) return undefined;
  const name = text.slice(i + 2, n);
  if (text[n] === '}') return { end: n + 1, name };
  const op = ops.find((o) => text.startsWith(o, n));
  if (op === undefined) return undefined;
  // Name and operator hold no `}`, so the first one after `${` is the first after them; asking from `i + 2`
  // keeps every question of a scan at its `$`, so the answers are reused.
  const c = close(i + 2);
  return c < 0 ? undefined : { end: c + 1, name, op, word: text.slice(n + op.length, c) };
}

/**
 * A test for a line holding a match of `first` and, after it on the same line, a match of `then`: what
 * `/first.*then/` tests, without trying `.*` from every match of `first`. Only the leftmost match of `first` on
 * a line is tried, so it must also end first (true of literals and alternations of literals that cannot overlap).
 */
export function firstThenOnALine(first: RegExp, then: RegExp): { test(text: string): boolean } {
  return {
    test(text) {
      return linesOf(text).some((line) => {
        const m = first.exec(line);
        return !!m && then.test(line.slice(m.index + m[0].length));
      });
    },
  };
}
