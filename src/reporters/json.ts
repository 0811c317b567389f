import type { Finding } from '../model/finding.js';
import type { RunResult } from './types.js';

function byPosition(a: Finding, b: Finding): number {
  return (
    (a.file < b.file ? -1 : a.file > b.file ? 1 : 0) ||
    a.line - b.line ||
    a.column - b.column ||
    (a.ruleId < b.ruleId ? -1 : a.ruleId > b.ruleId ? 1 : 0)
  );
}

/** JSON format version 1 (docs/json-format.md). Key order is fixed; additions keep version 1. */
export function renderJson(result: RunResult): string {
  const out = {
    version: 1,
    tool: { name: result.tool.name, version: result.tool.version },
    command: result.command,
    root: result.root,
    targets: result.targets ? { platforms: result.targets.platforms, source: result.targets.source } : null,
    // Documented order of version 1: file, line, column, rule id (the text report orders by severity instead).
    findings: [...result.findings].sort(byPosition).map((f) => ({
      ruleId: f.ruleId,
      severity: f.severity,
      message: f.message,
      hint: f.hint,
      file: f.file,
      line: f.line,
      column: f.column,
      endLine: f.endLine,
      endColumn: f.endColumn,
      related: f.related.map((r) => ({ file: r.file, line: r.line, column: r.column, message: r.message })),
      sites: (f.sites ?? []).map((s) => ({ file: s.file, line: s.line, column: s.column })),
      reachable: f.reachable !== false,
    })),
    summary: {
      error: result.summary.error,
      warning: result.summary.warning,
      info: result.summary.info,
      files: result.summary.files,
      durationMs: result.summary.durationMs,
    },
    notes: result.notes,
  };
  return `${JSON.stringify(out, null, 2)}\n`;
}
