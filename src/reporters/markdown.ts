import { type Finding, severityRank } from '../model/finding.js';
import type { RunResult } from './types.js';

const LIMIT = 200;

/**
 * Escapes text for a GitHub-flavoured Markdown table cell. Repository text is untrusted: links, images, HTML and
 * `@mentions` are neutralised so a report posted as a PR comment cannot ping people or load remote content.
 */
export function mdCell(s: string): string {
  return (
    s
      .replace(/\\/g, '\\\\')
      .replace(/\|/g, '\\|')
      .replace(/`/g, '\\`')
      .replace(/</g, '&lt;')
      .replace(/>/g, '&gt;')
      .replace(/\[/g, '\\[')
      .replace(/\]/g, '\\]')
      .replace(/!/g, '&#33;')
      .replace(/@(?=[A-Za-z0-9_-])/g, '@\u200b')
      .replace(/(https?):\/\//gi, '$1&#58;//')
      // biome-ignore lint/suspicious/noControlCharactersInRegex: stripping them is the point
      .replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, '')
      .replace(/\r?\n/g, '<br>')
  );
}

const ICON = { error: '🔴 error', warning: '🟡 warning', info: '🔵 info' } as const;

/** Markdown for PR comments: errors never make way for warnings; beyond the limit, "and N more" per severity. */
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
  const sorted = [...result.findings].sort((a, b) => severityRank(b.severity) - severityRank(a.severity));
  const shown: Finding[] = sorted.slice(0, LIMIT);
  lines.push('| Severity | Rule | Location | Message |', '| --- | --- | --- | --- |');
  for (const f of shown) {
    const where = f.file ? `${f.file}:${f.line}:${f.column}` : '(repository)';
    const also = f.sites?.length
      ? `<br>*Also via:* ${mdCell(
          f.sites
            .slice(0, 5)
            .map((x) => `${x.file}:${x.line}`)
            .join(', '),
        )}${f.sites.length > 5 ? ` and ${f.sites.length - 5} more` : ''}`
      : '';
    lines.push(
      `| ${ICON[f.severity]} | ${mdCell(f.ruleId)} | ${mdCell(where)} | ${mdCell(f.message)}${also}<br>*Fix:* ${mdCell(f.hint)} |`,
    );
  }
  const rest = sorted.slice(LIMIT);
  if (rest.length) {
    const by = (sev: Finding['severity']) => rest.filter((f) => f.severity === sev).length;
    const parts = (['error', 'warning', 'info'] as const)
      .filter((x) => by(x))
      .map((x) => `${by(x)} ${x === 'info' ? 'info' : `${x}s`}`);
    lines.push('', `…and ${rest.length} more (${parts.join(', ')}): see the JSON or SARIF report.`);
  }
  for (const note of result.notes) lines.push('', `> note: ${mdCell(note)}`);
  return `${lines.join('\n')}\n`;
}
