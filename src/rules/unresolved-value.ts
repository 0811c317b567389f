import { createRule } from '../engine/rule.js';

/**
 * Reported by the engine: a value crossdock could not resolve (an ARG without a default, a script argument, a
 * step output computed at run time) kept one or more checks from making a claim. One note per root cause.
 */
export default createRule<'unresolved'>({
  meta: {
    id: 'unresolved-value',
    severity: 'info',
    category: 'meta',
    summary:
      'A value could not be resolved statically, so the checks that depend on it made no claim; says which, and how to help.',
    messages: { unresolved: '{{reason}}; not checked: {{checks}}' },
    hint: 'make the value literal in the repository (an ARG default, a literal step output), or declare it in crossdock.yaml',
  },
  check() {},
});
