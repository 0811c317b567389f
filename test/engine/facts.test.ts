import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Finding } from '../../src/model/finding.js';
import { allRules } from '../../src/rules/index.js';
import { checkRepo } from '../helpers/check.js';
import { CASES } from './facts.cases.js';

/** `rule`, `rule@file:line`, `rule#severity@file:line`: does a finding match? */
function matches(f: Finding, spec: string): boolean {
  const [head = '', where] = spec.split('@');
  const [rule, severity] = head.split('#');
  return (
    f.ruleId === rule && (!severity || f.severity === severity) && (!where || `${f.file}:${f.line}` === where)
  );
}

function show(findings: Finding[]): string {
  return findings
    .map((f) => `  ${f.ruleId} ${f.severity} ${f.file}:${f.line}:${f.column} ${f.message}`)
    .join('\n');
}

for (const c of CASES) {
  test(`facts, not guesses: ${c.name}`, { timeout: 20_000 }, async () => {
    const findings = await checkRepo(c.repo, allRules());
    for (const spec of c.absent) {
      const wrong = findings.filter((f) => matches(f, spec));
      assert.equal(wrong.length, 0, `must not report ${spec}:\n${show(wrong)}`);
    }
    for (const spec of c.present ?? []) {
      const [rule, severity, where] = spec.split(' ');
      const hit = findings.some(
        (f) => f.ruleId === rule && f.severity === severity && `${f.file}:${f.line}` === where,
      );
      assert.ok(hit, `expected ${spec}; got:\n${show(findings)}`);
    }
  });
}
