import { createRule } from '../engine/rule.js';

/** Reported by the loader when a file cannot be parsed; the rest of the run goes on. */
export default createRule<'failed'>({
  meta: {
    id: 'parse-error',
    severity: 'error',
    category: 'meta',
    summary: 'A file crossdock reads could not be parsed; the rest of the repository was still checked.',
    messages: { failed: '{{message}}' },
    hint: 'fix the syntax of this file',
  },
  check() {},
});
