import { createRule } from '../engine/rule.js';

/** Reported by the engine for `# crossdock-ignore` comments without a rule id or a reason. */
export default createRule<'invalid'>({
  meta: {
    id: 'invalid-suppression',
    severity: 'warning',
    category: 'meta',
    summary:
      'A `crossdock-ignore` comment names no rule, names an id that is not a rule, or gives no reason, so it suppresses nothing.',
    messages: { invalid: 'crossdock-ignore {{problem}}: it suppresses nothing' },
    hint: 'write `# crossdock-ignore <rule-id>: <why this is fine>` on the line before the finding',
  },
  check() {},
});
