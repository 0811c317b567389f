import { createRequire } from 'node:module';

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
  // data/ sits next to src/ and dist/: the same relative path works from both.
  cache ??= createRequire(import.meta.url)('../../data/actions.json') as ActionsData;
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
