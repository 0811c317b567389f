import type { Finding, Severity } from '../model/finding.js';

export interface RuleInfo {
  id: string;
  severity: Severity;
  category: string;
  summary: string;
  /** `docs/rules/<id>.md` */
  docsPath: string;
}

/** The result of one run of a reporting command (check, verify, ...). Reporters are pure functions of it. */
export interface RunResult {
  tool: { name: 'crossdock'; version: string };
  command: string;
  /** Absolute path of the project ('' for registry commands). */
  root: string;
  targets: { platforms: string[]; source: string } | undefined;
  /** File paths relative to root; '' for findings about no file. */
  findings: Finding[];
  rules: RuleInfo[];
  notes: string[];
  summary: { error: number; warning: number; info: number; files: number; durationMs: number };
}
