import type { Rule } from '../engine/rule.js';
import internalError from './internal-error.js';
import invalidSuppression from './invalid-suppression.js';
import parseError from './parse-error.js';

/**
 * Every rule, by id. One line per rule; test/meta/rules.test.ts fails when a rule file, its test, its docs page
 * or its line here is missing, or when an id differs from its file name.
 */
const RULES: Rule[] = [parseError, internalError, invalidSuppression];

export function allRules(): Rule[] {
  return [...RULES].sort((a, b) => (a.meta.id < b.meta.id ? -1 : 1));
}

export function findRule(id: string): Rule | undefined {
  return RULES.find((r) => r.meta.id === id);
}
