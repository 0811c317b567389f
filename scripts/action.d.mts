// Types of scripts/action.mjs (plain JavaScript, so the action runs on a runner's Node with nothing installed).
export function splitArgs(text: string): string[];
export function rebaseSarif<T>(sarif: T, prefix: string, workspaceUri: string | undefined): T;
export function runAction(env?: Record<string, string | undefined>, log?: (s: string) => void): number;
