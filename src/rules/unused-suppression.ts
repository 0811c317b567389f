import { createRule } from '../engine/rule.js';

/** Reported by the engine: a valid `crossdock-ignore` comment with no finding of those rules on the next line. */
export default createRule<'unused'>({
  meta: {
    id: 'unused-suppression',
    severity: 'info',
    category: 'meta',
    summary:
      'A `crossdock-ignore` comment that suppresses nothing (the finding it was for is gone, or it sits on the wrong line).',
    messages: {
      unused: 'crossdock-ignore {{rules}} suppresses nothing here: no such finding on the next line',
    },
    hint: 'remove the comment, or move it to the line before the finding it is meant for',
  },
  check() {},
});
