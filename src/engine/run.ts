import type { Finding, Severity } from '../model/finding.js';
import { formatPlatform } from '../model/platform.js';
import type { ProjectModel } from '../model/project.js';
import { locate } from '../model/source.js';
import type { RunResult } from '../reporters/types.js';
import { allRules } from '../rules/index.js';
import { VERSION } from '../version.js';
import { type LoadOptions, loadProject } from './load.js';
import { fetchOnlineFacts } from './online.js';
import type { ClientOptions } from '../registry/client.js';
import { interpolate, type Rule } from './rule.js';
import { applySuppressions } from './suppress.js';

export interface RunRulesOptions {
  /** Run rules that consult registries (`check --online`). */
  online?: boolean;
  /** Only these rule ids (all when undefined). */
  only?: string[];
}

function compareFindings(a: Finding, b: Finding): number {
  if (a.file !== b.file) return a.file < b.file ? -1 : 1;
  return a.line - b.line || a.column - b.column || (a.ruleId < b.ruleId ? -1 : a.ruleId > b.ruleId ? 1 : 0);
}

/** Runs rules over a loaded model. A rule that throws becomes one `internal-error` finding naming it. */
export async function runRules(
  model: ProjectModel,
  rules: Rule[],
  options: RunRulesOptions = {},
): Promise<Finding[]> {
  const findings: Finding[] = [...model.loadFindings];
  for (const rule of rules) {
    const configured = model.config.rules[rule.meta.id];
    if (configured === 'off') continue;
    if (rule.meta.online && !options.online) continue;
    if (options.only && !options.only.includes(rule.meta.id)) continue;
    const produced: Finding[] = [];
    try {
      await rule.check({
        model,
        report(r) {
          const severity: Severity = configured ?? r.severity ?? rule.meta.severity;
          produced.push({
            ruleId: rule.meta.id,
            severity,
            message: interpolate(rule.meta.messages[r.messageId] ?? r.messageId, r.data),
            hint: r.hint ?? rule.meta.hint,
            ...locate(r.file, r.span),
            related: (r.related ?? []).map((rel) => ({
              ...locate(rel.file, rel.span),
              message: rel.message,
            })),
          });
        },
      });
      findings.push(...produced);
    } catch (error) {
      const what = error instanceof Error ? error.message : String(error);
      findings.push({
        ruleId: 'internal-error',
        severity: 'error',
        message: `rule ${rule.meta.id} failed: ${what}`,
        hint: 'this is a bug in crossdock; the other rules ran. Please report it with the file that triggers it.',
        file: '',
        line: 1,
        column: 1,
        endLine: 1,
        endColumn: 1,
        related: [],
      });
    }
  }
  // Config overrides also apply to load-time findings (parse-error).
  for (const f of findings) {
    const configured = model.config.rules[f.ruleId];
    if (configured && configured !== 'off') f.severity = configured;
  }
  const enabled = findings.filter((f) => model.config.rules[f.ruleId] !== 'off');
  const { kept, invalid } = applySuppressions(enabled, model.sources);
  for (const s of invalid) {
    const source = model.sources.get(s.file);
    if (!source) continue;
    const start = source.lineStart(s.line) + s.column - 1;
    kept.push({
      ruleId: 'invalid-suppression',
      severity: 'warning',
      message: `crossdock-ignore ${s.problem}: it suppresses nothing`,
      hint: 'write `# crossdock-ignore <rule-id>: <why this is fine>` on the line before the finding',
      ...locate(source, { start, end: start + source.lineText(s.line).length - s.column + 1 }),
      related: [],
    });
  }
  const unique = new Map<string, Finding>();
  for (const f of kept) unique.set(`${f.ruleId}\0${f.file}\0${f.line}\0${f.column}\0${f.message}`, f);
  return [...unique.values()].sort(compareFindings);
}

export interface CheckOptions extends LoadOptions, RunRulesOptions {
  /** Registry client settings for `--online` (trust, plain HTTP hosts). */
  registry?: ClientOptions;
}

/** `crossdock check` as a library call: load, run every rule, return the result and the model. */
export async function check(options: CheckOptions): Promise<{ result: RunResult; model: ProjectModel }> {
  const started = performance.now();
  const model = await loadProject(options);
  if (options.online) await fetchOnlineFacts(model, options.registry ?? {}, model.inventory.notes);
  const rules = allRules();
  const findings = await runRules(model, rules, options);
  const summary = { error: 0, warning: 0, info: 0, files: model.sources.size, durationMs: 0 };
  for (const f of findings) summary[f.severity]++;
  summary.durationMs = Math.round(performance.now() - started);
  const result: RunResult = {
    tool: { name: 'crossdock', version: VERSION },
    command: 'check',
    root: model.root,
    targets: { platforms: model.targets.platforms.map(formatPlatform), source: model.targets.source },
    findings,
    rules: rules.map((r) => ({
      id: r.meta.id,
      severity: r.meta.severity,
      category: r.meta.category,
      summary: r.meta.summary,
      docsPath: `docs/rules/${r.meta.id}.md`,
    })),
    notes: model.inventory.notes,
    summary,
  };
  return { result, model };
}
