import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { workflowSchema } from '../../src/knowledge/workflow-schema.js';
import { packagePath } from '../../src/paths.js';

test('data/github-workflow-schema.json is the schema of the installed @actions/workflow-parser (rerun scripts/vendor-workflow-schema.mjs after updating it)', async () => {
  const script = new URL('../../scripts/vendor-workflow-schema.mjs', import.meta.url).href;
  const { vendored } = (await import(script)) as { vendored: () => unknown };
  const committed: unknown = JSON.parse(
    readFileSync(packagePath('data/github-workflow-schema.json'), 'utf8'),
  );
  assert.deepEqual(committed, vendored());
});

test('the workflow schema reads as GitHub reads it: strict root, one-ofs, allowed values, lenient activity types', () => {
  const s = workflowSchema();
  assert.equal(s.root, 'workflow-root-strict');
  const root = s.get(s.root);
  assert.equal(root?.kind, 'mapping');
  assert.deepEqual(root?.kind === 'mapping' ? root.properties.get('on') : undefined, {
    type: 'on-strict',
    required: true,
  });
  assert.deepEqual(s.get('job')?.kind === 'one-of' ? s.get('job') : undefined, {
    kind: 'one-of',
    context: false,
    of: ['job-factory', 'workflow-job'],
  });
  // allowed-values become constants; activity types accept any string (GitHub runs for the types it knows).
  assert.deepEqual(s.get('concurrency-queue-single'), {
    kind: 'string',
    context: false,
    constant: 'single',
    ignoreCase: false,
    nonEmpty: false,
  });
  assert.equal(s.get('pull-request-target-activity-type')?.kind, 'string');
  assert.equal(s.get('runs-on')?.context, true);
});
