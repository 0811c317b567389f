import { ConfigError, UsageError } from '../errors.js';
import type { Site } from '../model/deploy.js';
import { type Finding, type Severity, severityRank } from '../model/finding.js';
import { formatPlatform } from '../model/platform.js';
import type { CrossdockConfig, ProjectModel } from '../model/project.js';
import { type Location, locate } from '../model/source.js';
import { type Unknown, unknownKey } from '../model/value.js';
import type { ClientOptions } from '../registry/client.js';
import type { RunResult } from '../reporters/types.js';
import { VERSION } from '../version.js';
import { allRules } from '../rules/index.js';
import { isReached } from './link.js';
import { type LoadOptions, loadProject } from './load.js';
import { interpolate, type Rule } from './rule.js';
import { applySuppressions } from './suppress.js';

export interface RunRulesOptions {
  /** Run rules that consult registries (`check --online`). */
  online?: boolean;
  /** Only these rule ids (all when undefined). */
  only?: string[];
}

/** Ids that are reported by the engine itself, not by a rule's `check`. */
export const ENGINE_RULES: ReadonlySet<string> = new Set([
  'parse-error',
  'internal-error',
  'invalid-suppression',
  'unresolved-value',
  'unused-suppression',
]);

/** Severity first, then rule, then file and position. */
export function compareFindings(a: Finding, b: Finding): number {
  return (
    severityRank(b.severity) - severityRank(a.severity) ||
    (a.ruleId < b.ruleId ? -1 : a.ruleId > b.ruleId ? 1 : 0) ||
    (a.file < b.file ? -1 : a.file > b.file ? 1 : 0) ||
    a.line - b.line ||
    a.column - b.column
  );
}

/** Levenshtein distance, for "did you mean" on rule ids. */
function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0] as number;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = row[j] as number;
      row[j] = Math.min(
        (row[j] as number) + 1,
        (row[j - 1] as number) + 1,
        prev + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
      prev = tmp;
    }
  }
  return row[b.length] as number;
}

/** The known rule id closest to `id`. */
export function nearestRule(id: string, ids: string[]): string | undefined {
  let best: string | undefined;
  let bestD = Number.POSITIVE_INFINITY;
  for (const k of ids) {
    const d = distance(id, k);
    if (d < bestD) {
      bestD = d;
      best = k;
    }
  }
  return best !== undefined && bestD <= Math.max(3, Math.floor(id.length / 2)) ? best : undefined;
}

/** Rejects unknown rule ids in `--rule` and crossdock.yaml `rules:`, naming the nearest id. */
export function validateRuleIds(
  config: Pick<CrossdockConfig, 'rules' | 'path'> | undefined,
  rules: Rule[],
  only: string[] | undefined,
): void {
  const ids = [...rules.map((r) => r.meta.id), ...ENGINE_RULES];
  for (const id of only ?? []) {
    if (ids.includes(id)) continue;
    const near = nearestRule(id, ids);
    throw new UsageError(`--rule ${id}: no such rule`, {
      hint: `${near ? `did you mean ${near}? ` : ''}\`crossdock rules\` lists every rule id`,
    });
  }
  for (const id of Object.keys(config?.rules ?? {})) {
    if (ids.includes(id)) continue;
    const near = nearestRule(id, ids);
    throw new ConfigError(`${config?.path ?? 'crossdock.yaml'}: rules: no rule "${id}"`, {
      hint: `${near ? `did you mean ${near}? ` : ''}\`crossdock rules\` lists every rule id`,
    });
  }
}

const site = (s: Site): Location => locate(s.file, s.span);

/**
 * Runs rules over a loaded model. A rule that throws becomes one `internal-error` finding naming it. Reports of
 * the same root cause (same rule, position and message) are merged with all their sites; findings in files
 * nothing builds or deploys are at most warnings; unknowns that blocked checks become `unresolved-value` notes.
 */
export async function runRules(
  model: ProjectModel,
  rules: Rule[],
  options: RunRulesOptions = {},
): Promise<Finding[]> {
  const findings: Finding[] = [...model.loadFindings];
  const offsets = new Map<Finding, number>();
  const blocked = new Map<string, { unknown: Unknown; checks: Set<string> }>();
  const off = (id: string) => model.config.rules[id] === 'off';
  const selected = (id: string) => !off(id) && (!options.only || options.only.includes(id));
  /** Rules whose findings this run looked for: a suppression naming another cannot be judged unused. */
  const ran = new Set(['parse-error', 'internal-error'].filter((id) => !off(id)));
  for (const rule of rules) {
    const configured = model.config.rules[rule.meta.id];
    if (configured === 'off') continue;
    if (rule.meta.online && !options.online) continue;
    if (options.only && !options.only.includes(rule.meta.id)) continue;
    ran.add(rule.meta.id);
    const produced: Finding[] = [];
    try {
      await rule.check({
        model,
        report(r) {
          const f: Finding = {
            ruleId: rule.meta.id,
            severity: r.severity ?? rule.meta.severity,
            message: interpolate(rule.meta.messages[r.messageId] ?? r.messageId, r.data),
            hint: r.hint ?? rule.meta.hint,
            ...locate(r.file, r.span),
            related: (r.related ?? []).map((rel) => ({
              ...locate(rel.file, rel.span),
              message: rel.message,
            })),
            sites: (r.sites ?? []).map(site),
          };
          offsets.set(f, r.span.start);
          produced.push(f);
        },
        unknown(u, what) {
          // An unknown without a site is reported at the repository level, never dropped.
          const key = unknownKey(u);
          const entry = blocked.get(key) ?? { unknown: u, checks: new Set<string>() };
          entry.checks.add(`${what} (${rule.meta.id})`);
          blocked.set(key, entry);
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
  if (selected('unresolved-value')) ran.add('unresolved-value');
  if (selected('unresolved-value'))
    for (const { unknown: u, checks } of blocked.values()) {
      const s = u.site;
      const f: Finding = {
        ruleId: 'unresolved-value',
        severity: 'info',
        message: `${u.reason}; not checked: ${[...checks].sort().join('; ')}`,
        hint: u.help ?? 'make the value literal in the repository, or declare it in crossdock.yaml',
        ...(s ? locate(s.file, s.span) : { file: '', line: 1, column: 1, endLine: 1, endColumn: 1 }),
        related: [],
      };
      if (s) offsets.set(f, s.span.start);
      findings.push(f);
    }
  // Reachability: nothing in the repository builds or deploys it → at most a warning.
  for (const f of findings) {
    if (!f.file || f.ruleId === 'internal-error') continue;
    const offset = offsets.get(f) ?? model.sources.get(f.file)?.lineStart(f.line) ?? 0;
    const reached = isReached(model, f.file, offset);
    f.reachable = reached;
    if (!reached && f.severity === 'error') f.severity = 'warning';
  }
  const enabled = findings.filter((f) => !off(f.ruleId));
  const ruleIds = new Set([...allRules(), ...rules].map((r) => r.meta.id));
  for (const id of ENGINE_RULES) ruleIds.add(id);
  const { kept, invalid, unused } = applySuppressions(enabled, model.sources, ruleIds);
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
      reachable: true,
    });
  }
  if (selected('unused-suppression'))
    for (const s of unused) {
      const source = model.sources.get(s.file);
      if (!source || !s.ruleIds.every((id) => ran.has(id))) continue;
      const start = source.lineStart(s.line) + s.column - 1;
      kept.push({
        ruleId: 'unused-suppression',
        severity: 'info',
        message: `crossdock-ignore ${s.ruleIds.join(', ')} suppresses nothing here: no such finding on the next line`,
        hint: 'remove the comment, or move it to the line before the finding it is meant for',
        ...locate(source, { start, end: start + source.lineText(s.line).length - s.column + 1 }),
        related: [],
        reachable: true,
      });
    }
  // crossdock.yaml severities apply to every finding (load-time and engine ones too), then the reach cap again: a
  // finding in a file nothing builds or deploys stays at most a warning. `off` reports nothing.
  for (const f of kept) {
    const configured = model.config.rules[f.ruleId];
    if (configured && configured !== 'off') f.severity = configured;
    if (f.reachable === false && f.severity === 'error') f.severity = 'warning';
  }
  return group(kept.filter((f) => !off(f.ruleId))).sort(compareFindings);
}

/** One finding per root cause: same rule, file, position and message; sites and related places merged. */
function group(findings: Finding[]): Finding[] {
  const byKey = new Map<string, Finding>();
  for (const f of findings) {
    const key = `${f.ruleId}\0${f.file}\0${f.line}\0${f.column}\0${f.endLine}\0${f.endColumn}\0${f.message}`;
    const prev = byKey.get(key);
    if (!prev) {
      byKey.set(key, { ...f, sites: [...(f.sites ?? [])], related: [...f.related] });
      continue;
    }
    if (severityRank(f.severity) > severityRank(prev.severity)) prev.severity = f.severity;
    if (f.reachable) prev.reachable = true;
    for (const s of f.sites ?? [])
      if (!prev.sites?.some((x) => x.file === s.file && x.line === s.line && x.column === s.column))
        prev.sites?.push(s);
    for (const r of f.related)
      if (!prev.related.some((x) => x.file === r.file && x.line === r.line && x.message === r.message))
        prev.related.push(r);
  }
  for (const f of byKey.values()) {
    // A site that is the finding's own position says nothing new.
    f.sites = (f.sites ?? [])
      .filter((s) => !(s.file === f.file && s.line === f.line))
      .sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : a.line - b.line));
  }
  return [...byKey.values()];
}

export interface CheckOptions extends LoadOptions, RunRulesOptions {
  /** Registry client settings for `--online` (trust, plain HTTP hosts). */
  registry?: ClientOptions;
  /**
   * The Python package index for `--online` (`--index-url`, else PIP_INDEX_URL from `env`, else what the
   * repository names), and the environment its client reads (cache folder, .netrc).
   */
  packageIndex?: {
    indexUrl?: string;
    extraIndexUrls?: string[];
    env?: Record<string, string | undefined>;
    /** PEM certificates trusted for an HTTPS index besides the system's. */
    ca?: string[];
  };
}

/** Rules that read the package index's answers (`model.wheels`). */
const WHEEL_RULES = ['wheel-missing-for-platform', 'emulated-build'];

/** `crossdock check` as a library call: load, run the rules, return the result and the model. */
export async function check(
  options: CheckOptions,
  rules: Rule[],
): Promise<{ result: RunResult; model: ProjectModel }> {
  const started = performance.now();
  validateRuleIds(undefined, rules, options.only);
  const model = await loadProject(options);
  return { result: await resultOf(model, rules, options, started), model };
}

export async function resultOf(
  model: ProjectModel,
  rules: Rule[],
  options: CheckOptions,
  started: number,
): Promise<RunResult> {
  validateRuleIds(model.config, rules, options.only);
  // The registry client is loaded only for --online: an offline check never loads registry code.
  if (options.online) {
    const { fetchOnlineFacts } = await import('./online.js');
    await fetchOnlineFacts(model, options.registry ?? {}, model.notes);
    if (!options.only || options.only.some((id) => WHEEL_RULES.includes(id))) {
      const { fetchWheelFacts } = await import('../deps/online.js');
      const index = options.packageIndex ?? {};
      await fetchWheelFacts(model, { ...index, env: index.env ?? {} }, model.notes);
    }
  }
  const findings = await runRules(model, rules, options);
  const summary = { error: 0, warning: 0, info: 0, files: model.sources.size, durationMs: 0 };
  for (const f of findings) summary[f.severity as Severity]++;
  summary.durationMs = Math.round(performance.now() - started);
  return {
    tool: { name: 'crossdock', version: VERSION },
    command: 'check',
    root: model.root,
    targets: {
      platforms: model.targets.platforms.map(formatPlatform),
      source: model.targets.source,
    },
    findings,
    rules: rules.map((r) => ({
      id: r.meta.id,
      severity: r.meta.severity,
      category: r.meta.category,
      summary: r.meta.summary,
      docsPath: `docs/rules/${r.meta.id}.md`,
    })),
    notes: model.notes,
    summary,
  };
}
