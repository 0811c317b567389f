import { readFileSync } from 'node:fs';
import { packagePath } from '../paths.js';

/**
 * Inputs accepted by well-known GitHub Actions, per major version, from data/actions.json (each entry names the
 * action.yml it was read from). A major not listed is unknown: rules skip it rather than guess.
 */
interface ActionsData {
  version: number;
  actions: Record<
    string,
    Record<string, { source: string; inputs: string[]; deprecatedInputs: Record<string, string> }>
  >;
}

let cache: ActionsData | undefined;

function data(): ActionsData {
  // Read on first use, not when the rules are imported.
  cache ??= JSON.parse(readFileSync(packagePath('data/actions.json'), 'utf8')) as ActionsData;
  return cache;
}

export interface ActionInputs {
  major: string;
  source: string;
  inputs: Set<string>;
  deprecated: Record<string, string>;
}

/** Inputs of `action` at the major version of `ref` (`v6`, `v6.1.0`); undefined when not known. */
export function actionInputs(action: string, ref: string): ActionInputs | undefined {
  const major = /^v(\d+)(?:\.|$)/.exec(ref)?.[1];
  if (!major) return undefined;
  const entry = data().actions[action]?.[`v${major}`];
  if (!entry) return undefined;
  return {
    major: `v${major}`,
    source: entry.source,
    inputs: new Set(entry.inputs),
    deprecated: entry.deprecatedInputs,
  };
}
