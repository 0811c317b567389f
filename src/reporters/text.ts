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

/** Findings shown with a code frame before the rest go to one line each (`--verbose` shows every frame). */
const FRAMED = 50;

function paint(color: boolean, code: string, s: string): string {
  return color ? `${code}${s}${ANSI.reset}` : s;
}

const SEV_COLOR: Record<Severity, string> = { error: ANSI.red, warning: ANSI.yellow, info: ANSI.blue };

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : word === 'info' ? '' : 's'}`;
}

/**
 * Repository text is untrusted: control characters (escape sequences that move the cursor, rewrite the title or
 * hide text) never reach the terminal raw. Tabs become spaces; everything else below U+0020 and DEL/C1 is shown
 * as a visible escape.
 */
export function safe(text: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: this is the sanitiser for them
  return text
    .replace(/\t/g, '    ')
    .replace(
      /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g,
      (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`,
    );
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
    const shown = safe(raw.length > 400 ? `${raw.slice(0, 400)}…` : raw);
    const flagged = n >= f.line && n <= last;
    out.push(`${flagged ? '>' : ' '} ${String(n).padStart(width)} | ${shown}`);
    if (flagged) {
      const startCol = n === f.line ? f.column : 1;
      const endCol = n === f.endLine ? f.endColumn : raw.length + 1;
      const visual = (col: number) => safe(raw.slice(0, Math.max(0, col - 1))).length;
      const a = Math.min(visual(startCol), 400);
      const b = Math.min(Math.max(a + 1, visual(Math.min(endCol, raw.length + 1))), 401);
      out.push(
        `  ${' '.repeat(width)} | ${' '.repeat(a)}${paint(color, SEV_COLOR[f.severity], '^'.repeat(b - a))}`,
      );
    }
  }
  return out;
}

function where(f: { file: string; line: number; column: number }): string {
  return f.file ? `${safe(f.file)}:${f.line}:${f.column}` : '(repository)';
}

/**
 * Text report: findings ordered by severity, then rule, then file. Errors get a code frame (the first 50
 * findings do; `verbose` shows every frame), each rule's fix hint is printed once for its group, findings in
 * files nothing builds or deploys are grouped last, and a closing table counts findings by rule and severity.
 */
export function renderText(
  result: RunResult,
  opts: { color: boolean; sources?: Map<string, SourceFile>; verbose?: boolean },
): string {
  const { color } = opts;
  const lines: string[] = [];
  for (const note of result.notes) lines.push(paint(color, ANSI.dim, `note: ${safe(note)}`));
  if (result.targets)
    lines.push(
      paint(
        color,
        ANSI.dim,
        `targets: ${result.targets.platforms.join(', ')} (${safe(result.targets.source)})`,
      ),
    );
  if (lines.length) lines.push('');
  const reached = result.findings.filter((f) => f.reachable !== false);
  const unreached = result.findings.filter((f) => f.reachable === false);
  let shown = 0;
  const section = (list: Finding[]) => {
    let lastRule = '';
    list.forEach((f, i) => {
      if (f.ruleId !== lastRule) {
        if (lastRule !== '' && lines[lines.length - 1] !== '') lines.push('');
        const group = list.filter((x) => x.ruleId === f.ruleId);
        // Ordered by severity first, a rule's findings may come in several runs: each heading counts its own.
        let run = 1;
        while (list[i + run]?.ruleId === f.ruleId) run++;
        const count = run === group.length ? `${run}` : `${run} of ${group.length}`;
        lines.push(paint(color, ANSI.bold, `${f.ruleId} (${count})`));
        if (f.hint && group.every((x) => x.hint === f.hint)) lines.push(`  hint: ${safe(f.hint)}`);
        lines.push('');
        lastRule = f.ruleId;
      }
      // Sites are the build sites (or other places) that reach the same defect: ×N when there are several.
      const sites = (f.sites?.length ?? 0) > 1 ? ` (×${f.sites?.length})` : '';
      lines.push(
        `${where(f)} ${paint(color, SEV_COLOR[f.severity], f.severity)} ${f.ruleId} ${safe(f.message)}${sites}`,
      );
      const frame = opts.verbose || (shown < FRAMED && f.severity === 'error');
      shown++;
      const source = f.file ? opts.sources?.get(f.file) : undefined;
      if (frame && source) lines.push(...codeFrame(source, f, color));
      const group = list.filter((x) => x.ruleId === f.ruleId);
      if (f.hint && !group.every((x) => x.hint === f.hint)) lines.push(`  hint: ${safe(f.hint)}`);
      if (frame || opts.verbose)
        for (const r of f.related) lines.push(`  related: ${where(r)} ${safe(r.message)}`);
      if (f.sites?.length) {
        const list = f.sites.slice(0, opts.verbose ? f.sites.length : 5).map(where);
        const more = f.sites.length - list.length;
        lines.push(`  via: ${list.join(', ')}${more > 0 ? ` and ${more} more` : ''}`);
      }
      if (frame) lines.push('');
    });
    if (list.length) lines.push('');
  };
  section(reached);
  if (unreached.length) {
    lines.push(
      paint(color, ANSI.bold, `not built or deployed by anything in this repository (${unreached.length}):`),
      '',
    );
    section(unreached);
  }
  if (result.findings.length) {
    const counts = new Map<string, Record<Severity, number>>();
    for (const f of result.findings) {
      const c = counts.get(f.ruleId) ?? { error: 0, warning: 0, info: 0 };
      c[f.severity]++;
      counts.set(f.ruleId, c);
    }
    const width = Math.max(4, ...[...counts.keys()].map((k) => k.length));
    lines.push(`${'rule'.padEnd(width)}  error  warning  info`);
    for (const [rule, c] of [...counts].sort(([a], [b]) => (a < b ? -1 : 1)))
      lines.push(
        `${rule.padEnd(width)}  ${String(c.error).padStart(5)}  ${String(c.warning).padStart(7)}  ${String(c.info).padStart(4)}`,
      );
    lines.push('');
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
