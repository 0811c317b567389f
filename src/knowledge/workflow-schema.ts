import { readFileSync } from 'node:fs';
import { packagePath } from '../paths.js';

/**
 * GitHub's schema of workflow files (data/github-workflow-schema.json, vendored from @actions/workflow-parser by
 * scripts/vendor-workflow-schema.mjs), in the template-schema format GitHub's own parser reads: each definition
 * is a mapping, a sequence, a scalar type, or a one-of of other definitions, and may name the expression contexts
 * allowed inside it.
 */
export type SchemaDef =
  | { kind: 'null' | 'boolean' | 'number'; context: boolean }
  | { kind: 'string'; context: boolean; constant?: string; ignoreCase: boolean; nonEmpty: boolean }
  | { kind: 'sequence'; context: boolean; item: string }
  | {
      kind: 'mapping';
      context: boolean;
      properties: Map<string, { type: string; required: boolean }>;
      looseKey?: string;
      looseValue?: string;
    }
  | { kind: 'one-of'; context: boolean; of: string[] };

interface RawDef {
  context?: string[];
  mapping?: {
    properties?: Record<string, string | { type: string; required?: boolean }>;
    'loose-key-type'?: string;
    'loose-value-type'?: string;
  };
  sequence?: { 'item-type': string };
  string?: { constant?: string; 'ignore-case'?: boolean; 'require-non-empty'?: boolean };
  number?: object;
  boolean?: object;
  null?: object;
  'one-of'?: string[];
  'allowed-values'?: string[];
}

export interface WorkflowSchema {
  root: string;
  get(name: string): SchemaDef | undefined;
}

let cache: WorkflowSchema | undefined;

/**
 * Definitions whose allowed values GitHub does not enforce: a workflow listing an activity type the schema does
 * not know (`types: [review_submitted]`) still runs for the types it does know, so these accept any string.
 */
const LENIENT = /-activity-type$/;

function load(raw: Record<string, RawDef>): WorkflowSchema {
  const defs = new Map<string, SchemaDef>([
    ['null', { kind: 'null', context: false }],
    ['boolean', { kind: 'boolean', context: false }],
    ['number', { kind: 'number', context: false }],
    ['string', { kind: 'string', context: false, ignoreCase: false, nonEmpty: false }],
    ['non-empty-string', { kind: 'string', context: false, ignoreCase: false, nonEmpty: true }],
    ['sequence', { kind: 'sequence', context: false, item: 'any' }],
    ['sequence-of-non-empty-string', { kind: 'sequence', context: false, item: 'non-empty-string' }],
    [
      'mapping',
      { kind: 'mapping', context: false, properties: new Map(), looseKey: 'string', looseValue: 'any' },
    ],
    [
      'any',
      { kind: 'one-of', context: false, of: ['null', 'boolean', 'number', 'string', 'sequence', 'mapping'] },
    ],
  ]);
  for (const [name, d] of Object.entries(raw)) {
    const context = (d.context?.length ?? 0) > 0;
    if (d.mapping) {
      const properties = new Map<string, { type: string; required: boolean }>();
      for (const [key, p] of Object.entries(d.mapping.properties ?? {}))
        properties.set(
          key,
          typeof p === 'string' ? { type: p, required: false } : { type: p.type, required: !!p.required },
        );
      defs.set(name, {
        kind: 'mapping',
        context,
        properties,
        looseKey: d.mapping['loose-key-type'],
        looseValue: d.mapping['loose-value-type'],
      });
    } else if (d.sequence) defs.set(name, { kind: 'sequence', context, item: d.sequence['item-type'] });
    else if (d['allowed-values']) {
      if (LENIENT.test(name)) {
        defs.set(name, { kind: 'string', context, ignoreCase: false, nonEmpty: false });
        continue;
      }
      const of: string[] = [];
      for (const v of d['allowed-values']) {
        const key = `${name}-${v}`;
        defs.set(key, { kind: 'string', context: false, constant: v, ignoreCase: false, nonEmpty: false });
        of.push(key);
      }
      defs.set(name, { kind: 'one-of', context, of });
    } else if (d['one-of']) defs.set(name, { kind: 'one-of', context, of: d['one-of'] });
    else if (d.string)
      defs.set(name, {
        kind: 'string',
        context,
        constant: d.string.constant,
        ignoreCase: !!d.string['ignore-case'],
        nonEmpty: !!d.string['require-non-empty'],
      });
    else if (d.number) defs.set(name, { kind: 'number', context });
    else if (d.boolean) defs.set(name, { kind: 'boolean', context });
    else if (d.null) defs.set(name, { kind: 'null', context });
  }
  return { root: 'workflow-root-strict', get: (name) => defs.get(name) };
}

/** The schema, read on first use. */
export function workflowSchema(): WorkflowSchema {
  cache ??= load(
    (
      JSON.parse(readFileSync(packagePath('data/github-workflow-schema.json'), 'utf8')) as {
        definitions: Record<string, RawDef>;
      }
    ).definitions,
  );
  return cache;
}
