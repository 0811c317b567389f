import type { Site } from '../model/deploy.js';
import type { RelatedLocation, Severity } from '../model/finding.js';
import type { ProjectModel } from '../model/project.js';
import type { Location, SourceFile, Span } from '../model/source.js';
import type { Unknown } from '../model/value.js';

export type RuleCategory =
  | 'context'
  | 'dockerfile'
  | 'python'
  | 'node'
  | 'git'
  | 'platform'
  | 'deploy'
  | 'ci'
  | 'registry'
  | 'meta';

export interface RuleMeta<MessageId extends string> {
  /** Stable kebab-case id; equals the rule's file name and its docs page name. */
  id: string;
  severity: Severity;
  category: RuleCategory;
  /** One sentence, shown by `crossdock rules`. */
  summary: string;
  /** Messages by id; `{{name}}` placeholders are filled from `data`. */
  messages: Record<MessageId, string>;
  /** Default fix hint, used when a report gives none. */
  hint: string;
  /** True for rules that need the network (`check --online`). */
  online?: boolean;
}

export interface Report<MessageId extends string> {
  messageId: MessageId;
  data?: Record<string, string | number>;
  /** Where: a parsed source and a span in it, or a ready location. */
  file: SourceFile;
  span: Span;
  hint?: string;
  /** Overrides the rule's default severity for this one finding (e.g. info on native platforms). */
  severity?: Severity;
  related?: { file: SourceFile; span: Span; message: string }[];
  /**
   * Other places with the same root cause (the build sites or matrix legs that reach it). Reports with the same
   * rule, position and message are merged into one finding listing all their sites.
   */
  sites?: Site[];
}

export interface RuleContext<MessageId extends string> {
  model: ProjectModel;
  report(report: Report<MessageId>): void;
  /**
   * A value this rule needs is unknown, so it makes no claim. `blocked` says what was not checked; the engine
   * reports one `unresolved-value` note per root cause, naming every check it blocked.
   */
  unknown(value: Unknown, blocked: string): void;
}

export interface Rule<MessageId extends string = string> {
  meta: RuleMeta<MessageId>;
  check(context: RuleContext<MessageId>): void | Promise<void>;
}

/** Typed constructor: a wrong message id fails to compile. */
export function createRule<MessageId extends string>(rule: Rule<MessageId>): Rule<MessageId> {
  return rule;
}

export function interpolate(template: string, data: Record<string, string | number> | undefined): string {
  if (!data) return template;
  return template.replace(/\{\{\s*(\w+)\s*\}\}/g, (whole, key: string) => {
    const v = data[key];
    return v === undefined ? whole : String(v);
  });
}

export type { Location, RelatedLocation };
