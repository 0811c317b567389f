import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { allRules } from '../../src/rules/index.js';

/** The checkout's root: the nearest folder up with docs/rules (this file also runs compiled, from bench/work). */
function root(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'docs/rules'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error('docs/rules not found above the test file');
    dir = up;
  }
  return dir;
}

test('every rule declares error, warning or info as its severity, and its docs page states it', () => {
  const base = root();
  for (const r of allRules()) {
    const { id, severity } = r.meta;
    assert.ok(['error', 'warning', 'info'].includes(severity), `${id}: severity "${severity}"`);
    const doc = readFileSync(join(base, `docs/rules/${id}.md`), 'utf8');
    // The paragraph that states the severity: from "Severity:" to the next blank line.
    const at = doc.indexOf('Severity:');
    assert.ok(at >= 0, `docs/rules/${id}.md states a severity`);
    const end = doc.indexOf('\n\n', at);
    const paragraph = doc.slice(at, end < 0 ? doc.length : end);
    assert.ok(
      paragraph.includes(severity),
      `docs/rules/${id}.md says "${severity}" where it states the severity`,
    );
  }
});
