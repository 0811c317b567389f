import { loadProject } from '../../src/engine/load.js';
import type { Rule } from '../../src/engine/rule.js';
import { runRules } from '../../src/engine/run.js';
import type { Finding } from '../../src/model/finding.js';
import { makeRepo, type RepoSpec } from './git-repo.js';

/** Builds a temp repository, loads it, runs the given rules, returns the findings (and cleans up). */
export async function checkRepo(
  spec: RepoSpec,
  rules: Rule[],
  options: { online?: boolean } = {},
): Promise<Finding[]> {
  const repo = makeRepo(spec);
  try {
    const model = await loadProject({ root: repo.root });
    return await runRules(model, rules, options);
  } finally {
    repo.cleanup();
  }
}

/** `ruleId@line:column` of each finding, for compact exact assertions. */
export function at(findings: Finding[], ruleId?: string): string[] {
  return findings
    .filter((f) => !ruleId || f.ruleId === ruleId)
    .map((f) => `${f.ruleId}@${f.line}:${f.column}`);
}
