import { CrossdockError } from '../errors.js';

/** A registry refused, failed, or returned something unusable. Exit code 2, with what and how to fix. */
export class RegistryError extends CrossdockError {
  /** HTTP status when the error came from a response. */
  readonly status: number | undefined;
  /** True for failures worth retrying (429, 5xx, connection resets, timeouts). */
  readonly transient: boolean;
  constructor(
    message: string,
    options: { hint?: string; status?: number; transient?: boolean; cause?: unknown } = {},
  ) {
    super(message, { exitCode: 2, hint: options.hint, cause: options.cause });
    this.status = options.status;
    this.transient = options.transient ?? false;
  }
}
