import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Rule } from '../../src/engine/rule.js';
import type { Finding, Severity } from '../../src/model/finding.js';
import { checkRepo, type RepoSpec } from './check.js';

/**
 * A rule's expected findings, exhaustively: every finding the case produces must be listed, with its rule id,
 * severity, file, line and column (the type makes each one required, so a test cannot leave one out). `message`
 * and `sites` are checked when given.
 */
export interface Expected {
  ruleId: string;
  severity: Severity;
  file: string;
  line: number;
  column: number;
  /** A pattern the message must match. */
  message?: RegExp;
  /** `file:line` of every other site of the same root cause, in order. */
  sites?: string[];
  /** Whether something in the repository builds or deploys the file (default: not checked). */
  reachable?: boolean;
  /** Every related location, in order, as `file:line message` (exact: the message names the fact it points at). */
  related?: string[];
}

export interface RuleCase {
  name: string;
  repo: RepoSpec;
  expect: Expected[];
  /** Rules to run (default: the rule under test). */
  rules?: Rule[];
  /**
   * Rule ids whose findings are compared (default: the rule under test, plus `unresolved-value` when listed);
   * `internal-error` (the rule threw) is always compared.
   */
  only?: string[];
  timeout?: number;
}

function key(f: Pick<Finding, 'ruleId' | 'severity' | 'file' | 'line' | 'column'>): string {
  return `${f.ruleId} ${f.severity} ${f.file}:${f.line}:${f.column}`;
}

/**
 * Compares findings with expectations, exhaustively. Order is not compared (the reporters' tests pin the
 * engine's ordering); both sides are sorted by rule, file, position and severity.
 */
export function assertFindings(findings: Finding[], expect: Expected[]): void {
  const sorted = [...findings].sort((a, b) => order(a).localeCompare(order(b)));
  const wanted = [...expect].sort((a, b) => order(a).localeCompare(order(b)));
  assert.deepEqual(
    sorted.map(key),
    wanted.map(key),
    `findings differ:\n${sorted.map((f) => `  ${key(f)}  ${f.message}`).join('\n')}`,
  );
  wanted.forEach((e, i) => {
    const f = sorted[i] as Finding;
    if (e.message) assert.match(f.message, e.message, `${key(f)}: message`);
    if (e.sites)
      assert.deepEqual(
        (f.sites ?? []).map((s) => `${s.file}:${s.line}`),
        e.sites,
        `${key(f)}: sites`,
      );
    if (e.reachable !== undefined) assert.equal(f.reachable, e.reachable, `${key(f)}: reachable`);
    if (e.related)
      assert.deepEqual(
        f.related.map((r) => `${r.file}:${r.line} ${r.message}`),
        e.related,
        `${key(f)}: related`,
      );
  });
}

function order(f: Pick<Finding, 'ruleId' | 'severity' | 'file' | 'line' | 'column'>): string {
  const pad = (n: number) => String(n).padStart(8, '0');
  return `${f.ruleId}\0${f.file}\0${pad(f.line)}\0${pad(f.column)}\0${f.severity}`;
}

/** Registers one node:test test per case. */
export function ruleTest(rule: Rule, cases: RuleCase[]): void {
  for (const c of cases) {
    test(`${rule.meta.id}: ${c.name}`, { timeout: c.timeout ?? 20_000 }, async () => {
      const findings = await checkRepo(c.repo, c.rules ?? [rule]);
      const ids = new Set(c.only ?? [rule.meta.id, ...c.expect.map((e) => e.ruleId)]);
      // A rule that throws becomes an internal-error finding: never an expected outcome.
      ids.add('internal-error');
      assertFindings(
        findings.filter((f) => ids.has(f.ruleId)),
        c.expect,
      );
    });
  }
}

/** Shorthand for an expectation: `at('error', 'Dockerfile', 3, 6)`. */
export function at(
  ruleId: string,
  severity: Severity,
  file: string,
  line: number,
  column: number,
  extra: Partial<Pick<Expected, 'message' | 'sites' | 'reachable' | 'related'>> = {},
): Expected {
  return { ruleId, severity, file, line, column, ...extra };
}
