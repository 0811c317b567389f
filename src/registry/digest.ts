import { createHash, type Hash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import { RegistryError } from './errors.js';

/**
 * Content addressing: every byte crossdock reads from a registry is checked against the digest and size that
 * named it before anything uses it. One message for every mismatch, saying that crossdock's own check found it.
 */
export function digestMismatch(what: string, expected: string, got: string, bytes: number): RegistryError {
  return new RegistryError(
    `${what}: content does not match its digest: crossdock's check computed ${got} over the ${bytes} bytes read, expected ${expected}`,
    {
      hint: 'the registry or something between it and crossdock returned corrupt or different content; crossdock refuses to use it',
    },
  );
}

function algorithm(digest: string, what: string): 'sha256' | 'sha512' {
  if (digest.startsWith('sha256:')) return 'sha256';
  if (digest.startsWith('sha512:')) return 'sha512';
  throw new RegistryError(`${what}: unsupported digest algorithm in ${digest}`, {
    hint: 'crossdock verifies sha256 and sha512 digests',
  });
}

/**
 * A pass-through that hashes and counts what flows, fails as soon as more than `size` bytes arrive, and at the end
 * (`check()`) throws when the count or the digest is not the expected one.
 */
export class DigestCheck extends Transform {
  private readonly hash: Hash;
  private readonly algo: 'sha256' | 'sha512';
  protected n = 0;

  constructor(
    private readonly digest: string,
    protected readonly size: number,
    protected readonly what: string,
    private readonly onBytes?: (n: number) => void,
  ) {
    super({ highWaterMark: 1024 * 1024 });
    this.algo = algorithm(digest, what);
    this.hash = createHash(this.algo);
  }

  get bytes(): number {
    return this.n;
  }

  /** Counts and hashes a chunk; the error when it goes past the descriptor's size. */
  protected admit(chunk: Buffer): RegistryError | undefined {
    this.n += chunk.length;
    if (this.n > this.size)
      return new RegistryError(
        `${this.what}: the registry sent more than the ${this.size} bytes its descriptor says; crossdock stopped reading`,
        { hint: 'the content does not match the manifest that references it' },
      );
    this.hash.update(chunk);
    this.onBytes?.(this.n);
    return undefined;
  }

  /** The error when fewer than `size` bytes went through. */
  protected short(): RegistryError | undefined {
    return this.n === this.size
      ? undefined
      : new RegistryError(`${this.what}: the response was cut short (${this.n} of ${this.size} bytes)`, {
          transient: true,
        });
  }

  /** The error when the digest of what went through is not the expected one. Once, after the last byte. */
  protected verdict(): RegistryError | undefined {
    const got = `${this.algo}:${this.hash.digest('hex')}`;
    return got === this.digest ? undefined : digestMismatch(this.what, this.digest, got, this.n);
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    const error = this.admit(chunk);
    if (error) done(error);
    else done(null, chunk);
  }

  /** Throws unless exactly `size` bytes with the expected digest went through. Call once, after the end. */
  check(): void {
    const error = this.short() ?? this.verdict();
    if (error) throw error;
  }
}

/** Checks bytes held in memory against a digest. */
export function verifyBytes(bytes: Buffer, digest: string, what: string): void {
  const algo = algorithm(digest, what);
  const got = `${algo}:${createHash(algo).update(bytes).digest('hex')}`;
  if (got !== digest) throw digestMismatch(what, digest, got, bytes.length);
}

/**
 * The check for content uploaded while it is read (copy streams a blob from one registry into another): hashes and
 * counts in the same pass, and holds back the last chunk until exactly `size` bytes have arrived and their digest
 * is the expected one. Whatever reads it (the PUT of an upload, whose Content-Length is `size`) never gets the
 * whole content unless it passed, so an upload of content that fails crossdock's check cannot complete: the
 * stream fails first, with crossdock's own message, before its last byte is passed on.
 */
export class HeldBackCheck extends DigestCheck {
  private held: Buffer | undefined;

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    const error = this.admit(chunk);
    if (error) {
      done(error);
      return;
    }
    const previous = this.held;
    this.held = chunk;
    if (this.n === this.size) {
      // Everything is here: checked before the last chunk goes on.
      const got = this.verdict();
      if (got) {
        done(got);
        return;
      }
      this.held = undefined;
      if (previous) this.push(previous);
      done(null, chunk);
      return;
    }
    done(null, previous);
  }

  override _flush(done: TransformCallback): void {
    // Only an empty blob reaches the end unchecked.
    done(this.short() ?? (this.size === 0 ? this.verdict() : null));
  }
}
