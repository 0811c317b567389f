/**
 * Source text with positions. Everything in crossdock keeps byte-free *character offsets* (UTF-16 code
 * units into `text`) and converts them to 1-based line/column in exactly one place: `SourceFile.position`.
 */
export interface Span {
  /** Offset of the first character. */
  start: number;
  /** Offset one past the last character. */
  end: number;
}

export interface Position {
  /** 1-based line. */
  line: number;
  /** 1-based column, counted in characters. */
  column: number;
}

export class SourceFile {
  /** Path relative to the project root, always with `/` separators. */
  readonly path: string;
  /** Text with a leading BOM removed; CRLF kept as is (columns stay true to the file). */
  readonly text: string;
  private lineStarts: number[] | undefined;

  constructor(path: string, text: string) {
    this.path = path;
    this.text = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  }

  private starts(): number[] {
    if (!this.lineStarts) {
      const starts = [0];
      const t = this.text;
      for (let i = 0; i < t.length; i++) {
        const c = t.charCodeAt(i);
        if (c === 10) starts.push(i + 1);
        else if (c === 13 && t.charCodeAt(i + 1) !== 10) starts.push(i + 1);
      }
      this.lineStarts = starts;
    }
    return this.lineStarts;
  }

  /** 1-based line/column of an offset (clamped to the text). */
  position(offset: number): Position {
    const starts = this.starts();
    const o = Math.max(0, Math.min(offset, this.text.length));
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((starts[mid] ?? 0) <= o) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: o - (starts[lo] ?? 0) + 1 };
  }

  /** Offset of a 1-based line's first character. */
  lineStart(line: number): number {
    const starts = this.starts();
    return starts[Math.max(0, Math.min(line - 1, starts.length - 1))] ?? 0;
  }

  get lineCount(): number {
    return this.starts().length;
  }

  /** The text of a 1-based line without its line terminator. */
  lineText(line: number): string {
    const start = this.lineStart(line);
    const next = line < this.lineCount ? this.lineStart(line + 1) : this.text.length;
    return this.text.slice(start, next).replace(/\r?\n$|\r$/, '');
  }
}

/** A place in a file, as reported. Lines and columns are 1-based; end is exclusive. */
export interface Location {
  file: string;
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
}

export function locate(file: SourceFile, span: Span): Location {
  const s = file.position(span.start);
  const e = file.position(Math.max(span.start, span.end));
  return { file: file.path, line: s.line, column: s.column, endLine: e.line, endColumn: e.column };
}
