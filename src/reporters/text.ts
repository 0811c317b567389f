import type { Finding, Severity } from '../model/finding.js';
import type { SourceFile } from '../model/source.js';
import type { RunResult } from './types.js';

const ANSI = {
  red: '\x1b[31m',
  yellow: '\x1b[33m',
  blue: '\x1b[34m',
  dim: '\x1b[2m',
  bold: '\x1b[1m',
  reset: '\x1b[0m',
};

function paint(color: boolean, code: string, s: string): string {
  return color ? `${code}${s}${ANSI.reset}` : s;
}

const SEV_COLOR: Record<Severity, string> = { error: ANSI.red, warning: ANSI.yellow, info: ANSI.blue };

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : word === 'info' ? '' : 's'}`;
}

/** Code frame: the flagged line(s) with one line of context and a caret underline (tabs shown as 4 spaces). */
export function codeFrame(source: SourceFile, f: Finding, color: boolean): string[] {
  const out: string[] = [];
  const last = Math.min(f.endLine, f.line + 4, source.lineCount);
  const from = Math.max(1, f.line - 1);
  const to = Math.min(source.lineCount, last + 1);
  const width = String(to).length;
  for (let n = from; n <= to; n++) {
    const raw = source.lineText(n);
    const shown = raw.replace(/\t/g, '    ');
    const flagged = n >= f.line && n <= last;
    out.push(`${flagged ? '>' : ' '} ${String(n).padStart(width)} | ${shown}`);
    if (flagged) {
      const startCol = n === f.line ? f.column : 1;
      const endCol = n === f.endLine ? f.endColumn : raw.length + 1;
      const visual = (col: number) => raw.slice(0, Math.max(0, col - 1)).replace(/\t/g, '    ').length;
      const a = visual(startCol);
      const b = Math.max(a + 1, visual(Math.min(endCol, raw.length + 1)));
      out.push(
        `  ${' '.repeat(width)} | ${' '.repeat(a)}${paint(color, SEV_COLOR[f.severity], '^'.repeat(b - a))}`,
      );
    }
  }
  return out;
}

export function renderText(
  result: RunResult,
  opts: { color: boolean; sources?: Map<string, SourceFile> },
): string {
  const { color } = opts;
  const lines: string[] = [];
  for (const note of result.notes) lines.push(paint(color, ANSI.dim, `note: ${note}`));
  if (result.targets)
    lines.push(
      paint(color, ANSI.dim, `targets: ${result.targets.platforms.join(', ')} (${result.targets.source})`),
    );
  if (lines.length) lines.push('');
  const byFile = new Map<string, Finding[]>();
  for (const f of result.findings) {
    const list = byFile.get(f.file) ?? [];
    list.push(f);
    byFile.set(f.file, list);
  }
  for (const file of [...byFile.keys()].sort()) {
    lines.push(paint(color, ANSI.bold, file || '(repository)'));
    for (const f of byFile.get(file) ?? []) {
      const where = f.file ? `${f.file}:${f.line}:${f.column}` : '(repository)';
      lines.push(`${where} ${paint(color, SEV_COLOR[f.severity], f.severity)} ${f.ruleId} ${f.message}`);
      const source = f.file ? opts.sources?.get(f.file) : undefined;
      if (source) lines.push(...codeFrame(source, f, color));
      if (f.hint) lines.push(`  hint: ${f.hint}`);
      for (const r of f.related) lines.push(`  related: ${r.file}:${r.line}:${r.column} ${r.message}`);
      lines.push('');
    }
  }
  const s = result.summary;
  const total = s.error + s.warning + s.info;
  const tail = `in ${plural(s.files, 'file')} (${s.durationMs} ms)`;
  lines.push(
    total === 0
      ? paint(color, ANSI.bold, `ok: no problems ${tail}`)
      : paint(
          color,
          ANSI.bold,
          `${s.error ? 'x' : '!'} ${plural(s.error, 'error')}, ${plural(s.warning, 'warning')}, ${s.info} info ${tail}`,
        ),
  );
  return `${lines.join('\n')}\n`;
}
