/**
 * The typed errors crossdock raises on purpose. The CLI maps them to exit codes and friendly text in one place
 * (cli/main.ts); anything else that escapes is an internal error (exit 2, with how to report it).
 */
export class CrossdockError extends Error {
  /** Process exit code for this error. */
  readonly exitCode: number;
  /** What the user can do about it (printed after the message). */
  readonly hint: string | undefined;
  constructor(message: string, options: { exitCode?: number; hint?: string; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.exitCode = options.exitCode ?? 2;
    this.hint = options.hint;
  }
}

/** Wrong command line: unknown flag, missing argument, bad value. */
export class UsageError extends CrossdockError {}

/** A configuration file (crossdock.yaml, policy) is invalid, or a path given does not exist. */
export class ConfigError extends CrossdockError {}

/** An external program (docker, git, skopeo, buildah) failed. */
export class ExternalToolError extends CrossdockError {
  readonly argv: readonly string[];
  readonly toolExitCode: number | null;
  readonly stderr: string;
  constructor(
    message: string,
    details: { argv: readonly string[]; exitCode: number | null; stderr: string; hint?: string },
  ) {
    super(message, { exitCode: 2, hint: details.hint });
    this.argv = details.argv;
    this.toolExitCode = details.exitCode;
    this.stderr = details.stderr;
  }
}

/** A bug in crossdock. */
export class InternalError extends CrossdockError {}
