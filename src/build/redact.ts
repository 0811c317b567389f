/**
 * Keeping secret values out of what crossdock prints and writes: the plan, the progress output, the engine logs
 * (--log-dir), the run record. Build args whose names look secret are redacted by name; the values of
 * `--secret`s and of those build args are also removed wherever an engine echoes them.
 */
export const REDACTED = '[redacted]';

/** Names that look like they hold a secret: *TOKEN*, *PASSWORD*, *SECRET*, *KEY* (any case). */
const SECRET_NAME = /TOKEN|PASSWORD|SECRET|KEY/i;

export function isSecretName(name: string): boolean {
  return SECRET_NAME.test(name);
}

/** Values shorter than this are not searched for (redacting `1` or `yes` everywhere would garble the logs). */
const MIN_VALUE = 4;

/** Replaces every occurrence of the given values with REDACTED. */
export class Redactor {
  private readonly values: string[];

  constructor(values: Iterable<string>) {
    // Longest first, so a value that contains another is removed whole.
    this.values = [...new Set([...values].map((v) => v.trim()).filter((v) => v.length >= MIN_VALUE))].sort(
      (a, b) => b.length - a.length,
    );
  }

  get empty(): boolean {
    return this.values.length === 0;
  }

  apply(text: string): string {
    let out = text;
    for (const v of this.values) if (out.includes(v)) out = out.split(v).join(REDACTED);
    return out;
  }
}

/** The build args as shown to people: secret-looking names get REDACTED for a value. */
export function shownBuildArgs(args: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(args).map(([k, v]) => [k, isSecretName(k) ? REDACTED : v]));
}
