import type { Finding } from '../model/finding.js';
import type { SourceFile } from '../model/source.js';
import { lastLineStart } from '../model/text.js';

/**
 * Inline suppressions: `# crossdock-ignore <rule-id>[, <rule-id>]: <reason>` on the line before a finding
 * (Dockerfiles, YAML, requirements, shell, TOML). The reason is required; without it the comment suppresses
 * nothing and is reported as `invalid-suppression`.
 */
const DIRECTIVE = /(?:#|\/\/)\s*crossdock-ignore\b/g;

/**
 * The first directive whose rest runs to the end of the text without a line end: what
 * `/(?:#|\/\/)\s*crossdock-ignore\b(.*)$/` found, without reading the rest of the text from every directive.
 */
export function findDirective(text: string): { index: number; rest: string } | undefined {
  const from = lastLineStart(text);
  for (const m of text.matchAll(DIRECTIVE)) {
    const end = m.index + m[0].length;
    if (end >= from) return { index: m.index, rest: text.slice(end) };
  }
  return undefined;
}

export interface Suppression {
  file: string;
  /** Line the directive is on (1-based); it applies to the next non-blank line. */
  line: number;
  column: number;
  ruleIds: string[];
  reason: string;
  valid: boolean;
  problem: string | undefined;
}

export function parseSuppressions(file: SourceFile): Suppression[] {
  const out: Suppression[] = [];
  if (!file.text.includes('crossdock-ignore')) return out;
  for (let line = 1; line <= file.lineCount; line++) {
    const text = file.lineText(line);
    const m = findDirective(text);
    if (!m) continue;
    const rest = m.rest.trim();
    const colon = rest.indexOf(':');
    const idsText = colon >= 0 ? rest.slice(0, colon) : rest;
    const reason = colon >= 0 ? rest.slice(colon + 1).trim() : '';
    const ruleIds = idsText
      .split(/[\s,]+/)
      .map((s) => s.trim())
      .filter(Boolean);
    let problem: string | undefined;
    if (ruleIds.length === 0) problem = 'names no rule id';
    else if (!reason) problem = 'gives no reason';
    out.push({ file: file.path, line, column: m.index + 1, ruleIds, reason, valid: !problem, problem });
  }
  return out;
}

/**
 * Splits findings into kept and suppressed, and reports directives that are invalid: malformed, or naming a rule
 * id that is not in `ruleIds` (when given).
 */
export function applySuppressions(
  findings: Finding[],
  sources: Map<string, SourceFile>,
  ruleIds?: Set<string>,
): { kept: Finding[]; suppressed: Finding[]; invalid: Suppression[]; unused: Suppression[] } {
  const byFile = new Map<string, Suppression[]>();
  const invalid: Suppression[] = [];
  for (const source of sources.values()) {
    const list = parseSuppressions(source);
    for (const s of list) {
      const unknownId = ruleIds && s.valid ? s.ruleIds.find((id) => !ruleIds.has(id)) : undefined;
      if (unknownId === undefined) continue;
      s.valid = false;
      s.problem = `names "${unknownId}", which is not a rule id`;
    }
    if (list.length) byFile.set(source.path, list);
    invalid.push(...list.filter((s) => !s.valid));
  }
  const used = new Set<Suppression>();
  const kept: Finding[] = [];
  const suppressed: Finding[] = [];
  for (const f of findings) {
    const list = byFile.get(f.file);
    const source = sources.get(f.file);
    let hit: Suppression | undefined;
    if (list && source) {
      // The directive sits on the closest non-blank line above the finding's first line.
      let prev = f.line - 1;
      while (prev >= 1 && source.lineText(prev).trim() === '') prev--;
      hit = list.find((s) => s.valid && s.line === prev && s.ruleIds.includes(f.ruleId));
    }
    if (hit) {
      used.add(hit);
      suppressed.push(f);
    } else kept.push(f);
  }
  const unused = [...byFile.values()].flat().filter((s) => s.valid && !used.has(s));
  return { kept, suppressed, invalid, unused };
}
