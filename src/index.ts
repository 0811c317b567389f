/** crossdock's public library API (the semver surface). */
export { main } from './cli/main.js';
export { loadConfig } from './engine/config.js';
export { parseConfig } from './engine/config-parse.js';
export { loadProject } from './engine/load.js';
export type { Rule, RuleContext, RuleMeta } from './engine/rule.js';
export { check, runRules } from './engine/run.js';
export { ConfigError, CrossdockError, ExternalToolError, InternalError, UsageError } from './errors.js';
export type { Finding, RelatedLocation, Severity } from './model/finding.js';
export { formatPlatform, type Platform, parsePlatform } from './model/platform.js';
export type { Build, ProjectModel } from './model/project.js';
export type { RunResult } from './reporters/types.js';
export { allRules } from './rules/index.js';
export { VERSION } from './version.js';
