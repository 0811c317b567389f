import type { Location } from './source.js';

export type Severity = 'error' | 'warning' | 'info';
export const SEVERITIES: readonly Severity[] = ['error', 'warning', 'info'];

export function severityRank(s: Severity): number {
  return s === 'error' ? 3 : s === 'warning' ? 2 : 1;
}

export interface RelatedLocation extends Location {
  message: string;
}

/** One result of a run. This shape is the public JSON interface (docs/json-format.md): change it only with a version bump. */
export interface Finding extends Location {
  ruleId: string;
  severity: Severity;
  message: string;
  hint: string;
  related: RelatedLocation[];
  /** Other places with the same root cause (build sites, matrix legs, workflows), without the finding's own. */
  sites?: Location[];
  /**
   * False when nothing in the repository builds or deploys the file (or Dockerfile stage) of the finding: such
   * findings are at most warnings.
   */
  reachable?: boolean;
}
