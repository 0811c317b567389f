import { createRule } from '../engine/rule.js';

export default createRule<'invalid'>({
  meta: {
    id: 'workflow-invalid',
    severity: 'error',
    category: 'ci',
    summary:
      "A GitHub Actions workflow that GitHub rejects: invalid YAML, or not valid against GitHub's workflow schema (unknown keys, wrong types, run/uses step shapes, needs naming missing jobs or forming a cycle, invalid job ids).",
    messages: { invalid: 'invalid workflow: {{problem}}' },
    hint: 'fix the workflow structure (on → jobs → <id> → runs-on/steps); GitHub rejects the whole file and runs none of its jobs',
  },
  check(ctx) {
    for (const wf of ctx.model.workflows)
      for (const p of wf.problems)
        ctx.report({
          messageId: 'invalid',
          data: { problem: p.message },
          file: p.site.file,
          span: p.site.span,
        });
  },
});
