import { createRule } from '../engine/rule.js';
import { actionInputs } from '../knowledge/actions.js';

/** Inputs people pass expecting behaviour the action does not have, with what does it. */
const INSTEAD: Record<string, string> = {
  timeout: 'the job needs `timeout-minutes:` (or the step `timeout-minutes:`)',
  'timeout-minutes': 'put `timeout-minutes:` on the step or the job, not under `with:`',
  platform: 'the input is `platforms` (plural)',
  dockerfile: 'the input is `file`',
  tag: 'the input is `tags` (plural)',
  'build-arg': 'the input is `build-args`',
};

export default createRule<'unknown' | 'deprecated'>({
  meta: {
    id: 'action-unknown-input',
    severity: 'warning',
    category: 'ci',
    summary:
      'A `with:` input that the pinned major version of a well-known action (docker/*, actions/checkout, setup-python, setup-node) does not accept: it is silently ignored.',
    messages: {
      unknown:
        '{{action}}@{{major}} has no input `{{input}}`: GitHub only warns and the step runs as if it were absent{{instead}}',
      deprecated: '{{action}}@{{major}}: input `{{input}}` is deprecated ({{replacement}})',
    },
    hint: 'use the inputs the action documents for that major version (see data/actions.json for the list crossdock knows)',
  },
  check(ctx) {
    for (const wf of ctx.model.workflows) {
      for (const job of wf.jobs) {
        for (const step of job.steps) {
          if (!step.uses) continue;
          const known = actionInputs(step.uses.action, step.uses.ref);
          if (!known) continue;
          for (const [input, v] of step.with) {
            const base = { action: step.uses.action, major: known.major, input };
            const replacement = known.deprecated[input];
            if (replacement) {
              ctx.report({
                messageId: 'deprecated',
                severity: 'info',
                data: { ...base, replacement },
                file: v.keySite.file,
                span: v.keySite.span,
              });
              continue;
            }
            if (known.inputs.has(input)) continue;
            const instead = INSTEAD[input];
            ctx.report({
              messageId: 'unknown',
              data: { ...base, instead: instead ? `; ${instead}` : '' },
              file: v.keySite.file,
              span: v.keySite.span,
            });
          }
        }
      }
    }
  },
});
