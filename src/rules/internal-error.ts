import { createRule } from '../engine/rule.js';

/** Reported by the engine when a rule throws; the other rules still ran. */
export default createRule<'failed'>({
  meta: {
    id: 'internal-error',
    severity: 'error',
    category: 'meta',
    summary: 'A rule failed with an unexpected error; the other rules still ran.',
    messages: { failed: 'rule {{rule}} failed: {{message}}' },
    hint: 'this is a bug in crossdock: please report it with the file that triggers it',
  },
  check() {},
});
