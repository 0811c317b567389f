import type { Site } from './deploy.js';

/**
 * Values the model derives are either known, with where they came from, or unknown, with why. A rule never
 * asserts a claim that depends on an unknown value; it reports the unknown instead (`ctx.unknown`), and the
 * engine turns the unknowns that blocked a check into one `unresolved-value` note per root cause.
 */

/** How a known value was obtained. */
export type OriginKind =
  /** Written as is at `site`. */
  | 'literal'
  /** A default: an ARG default, a compose `${X:-d}`, the Dockerfile name a build tool assumes. */
  | 'default'
  /** Passed by a build site (`--build-arg`, compose `args`, bake `args`, build-push `build-args`). */
  | 'build-arg'
  /** A shell, make or workflow variable resolved from its assignment. */
  | 'variable'
  /** A matrix value of a workflow job. */
  | 'matrix'
  /** A workflow step output (`echo "name=value" >> "$GITHUB_OUTPUT"`). */
  | 'step-output'
  /** crossdock.yaml or a command-line flag. */
  | 'config'
  /** A documented behaviour of a tool (a build without --platform builds its runner's platform). */
  | 'convention';

export interface Origin {
  kind: OriginKind;
  site?: Site;
  /** Short human detail, e.g. `--build-arg at scripts/build.sh:5`. */
  detail?: string;
}

export interface Known<T> {
  known: true;
  value: T;
  origin: Origin;
}

/** Why a value is not known. The kind groups root causes; the reason is said to the user. */
export type UnknownKind =
  /** `ARG X` without a default, and no build site passes it. */
  | 'arg-no-default'
  /** `$1`, `$@`, function parameters. */
  | 'parameter'
  /** `$(command)` or backticks. */
  | 'command-substitution'
  /** A variable set by the environment (CI secrets, the caller's shell). */
  | 'environment'
  /** A `${{ }}` expression that cannot be evaluated statically. */
  | 'expression'
  /** A path that leaves the repository (`/tmp/x`, `../../outside`). */
  | 'outside-repository'
  /** A relative path that climbs above the repository root (`../other`, `$(dirname "$0")/../..` one level deep). */
  | 'climbs-out'
  /** A placeholder filled in later (`<IMAGE>`, `__IMAGE__`, envsubst, kustomize replacements). */
  | 'placeholder'
  /** A Dockerfile no build site builds: its context and platforms are not known. */
  | 'no-build-site'
  /** Where a script runs from is not known (no `cd`, nothing in the repository runs it). */
  | 'working-directory'
  /** What a program does is not known (a script not in the repository, an archive, a package). */
  | 'effects'
  /** An image crossdock knows nothing about (private, or built elsewhere). */
  | 'image-contents'
  /** One of several values, depending on a branch taken at run time. */
  | 'branch';

export interface Unknown {
  known: false;
  kind: UnknownKind;
  /** What could not be resolved, said to the user ("ARG BASE_IMAGE has no default and no build site passes it"). */
  reason: string;
  /** Where the unresolved thing is written. */
  site?: Site;
  /** How to help crossdock resolve it. */
  help?: string;
}

export type Value<T> = Known<T> | Unknown;

export function known<T>(value: T, origin: Origin): Known<T> {
  return { known: true, value, origin };
}

export function unknown(kind: UnknownKind, reason: string, site?: Site, help?: string): Unknown {
  return { known: false, kind, reason, ...(site ? { site } : {}), ...(help ? { help } : {}) };
}

export function isKnown<T>(v: Value<T> | undefined): v is Known<T> {
  return v !== undefined && v.known;
}

/** The value, or undefined when unknown. */
export function knownOr<T>(v: Value<T> | undefined): T | undefined {
  return v?.known ? v.value : undefined;
}

/** Maps a known value; unknown stays unknown. */
export function mapValue<T, U>(v: Value<T>, f: (t: T) => U): Value<U> {
  return v.known ? { known: true, value: f(v.value), origin: v.origin } : v;
}

/**
 * A stable key for the root cause of an unknown: its kind, where it is written and why (one place can leave several
 * things unknown, e.g. the context and the platforms of a Dockerfile nothing builds).
 */
export function unknownKey(u: Unknown): string {
  const s = u.site;
  return `${u.kind}\0${s ? `${s.file.path}:${s.span.start}` : ''}\0${u.reason}`;
}
