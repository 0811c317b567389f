import { MemoryRepoFs, type MemoryRepoSpec } from '../../src/engine/memory-fs.js';
import { loadProject } from '../../src/engine/load.js';
import type { Rule } from '../../src/engine/rule.js';
import { runRules } from '../../src/engine/run.js';
import type { Finding } from '../../src/model/finding.js';
import type { ProjectModel } from '../../src/model/project.js';

export type RepoSpec = MemoryRepoSpec;

/** Loads an in-memory repository (no git, no disk) into the project model. */
export function loadRepo(spec: RepoSpec): Promise<ProjectModel> {
  return loadProject({ root: '.', repo: new MemoryRepoFs(spec) });
}

/** Loads an in-memory repository, runs the given rules, returns the findings. */
export async function checkRepo(
  spec: RepoSpec,
  rules: Rule[],
  options: { online?: boolean } = {},
): Promise<Finding[]> {
  const model = await loadRepo(spec);
  return runRules(model, rules, options);
}

/** `ruleId@line:column` of each finding, for compact exact assertions. */
export function at(findings: Finding[], ruleId?: string): string[] {
  return findings
    .filter((f) => !ruleId || f.ruleId === ruleId)
    .map((f) => `${f.ruleId}@${f.line}:${f.column}`);
}
