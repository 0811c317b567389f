import type { RunResult } from './types.js';

const LIMIT = 200;

/** Escapes text for a GitHub-flavoured Markdown table cell. */
export function mdCell(s: string): string {
  return s
    .replace(/\\/g, '\\\\')
    .replace(/\|/g, '\\|')
    .replace(/`/g, '\\`')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/\r?\n/g, '<br>');
}

const ICON = { error: '🔴 error', warning: '🟡 warning', info: '🔵 info' } as const;

export function renderMarkdown(result: RunResult): string {
  const s = result.summary;
  const lines = [`## crossdock ${result.command}`, ''];
  if (result.targets)
    lines.push(
      `Targets: ${result.targets.platforms.map((p) => `\`${p}\``).join(', ')} (${mdCell(result.targets.source)})`,
      '',
    );
  lines.push(
    '| Errors | Warnings | Info | Files |',
    '| ---: | ---: | ---: | ---: |',
    `| ${s.error} | ${s.warning} | ${s.info} | ${s.files} |`,
    '',
  );
  if (result.findings.length === 0) {
    lines.push('No problems found.');
    return `${lines.join('\n')}\n`;
  }
  lines.push('| Severity | Rule | Location | Message |', '| --- | --- | --- | --- |');
  for (const f of result.findings.slice(0, LIMIT)) {
    const where = f.file ? `${f.file}:${f.line}:${f.column}` : '(repository)';
    lines.push(
      `| ${ICON[f.severity]} | ${mdCell(f.ruleId)} | ${mdCell(where)} | ${mdCell(f.message)}<br>*Fix:* ${mdCell(f.hint)} |`,
    );
  }
  if (result.findings.length > LIMIT)
    lines.push('', `…and ${result.findings.length - LIMIT} more findings (see the JSON or SARIF report).`);
  for (const note of result.notes) lines.push('', `> note: ${mdCell(note)}`);
  return `${lines.join('\n')}\n`;
}
