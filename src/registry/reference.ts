import { UsageError } from '../errors.js';
import { parseImageRef } from '../model/image-ref.js';
import type { RepoRef } from './client.js';

/** A reference resolved for the API: repository plus the tag or digest to fetch. */
export interface ResolvedRef extends RepoRef {
  /** Tag or digest (`latest` when neither is given). */
  reference: string;
  tag: string | undefined;
  digest: string | undefined;
  /** The reference as the user wrote it. */
  text: string;
}

/** Parses a user-given image reference; a malformed one is a usage error saying what is wrong. */
export function resolveRef(text: string): ResolvedRef {
  const parsed = parseImageRef(text);
  if (!parsed.ok)
    throw new UsageError(`"${text}" is not a valid image reference: ${parsed.problem}`, {
      hint: 'write [host[:port]/]repository[:tag][@sha256:digest], e.g. localhost:5000/team/app:1.0',
    });
  const { ref } = parsed;
  return {
    registry: ref.registry,
    repository: ref.repository,
    reference: ref.digest ?? ref.tag ?? 'latest',
    tag: ref.tag,
    digest: ref.digest,
    text,
  };
}
