import { createRule } from '../engine/rule.js';

export default createRule<'invalid'>({
  meta: {
    id: 'workflow-invalid',
    severity: 'error',
    category: 'ci',
    summary:
      'A GitHub Actions workflow that is not valid YAML or not a valid workflow (unknown keys, steps outside jobs, filters of the wrong shape).',
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
