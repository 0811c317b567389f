import semver from 'semver';

/**
 * Interpreter-version matching. Python: PEP 440 specifiers restricted to release versions (what
 * `requires-python` holds in practice: `>=3.10`, `~=3.9`, `==3.11.*`, `!=3.12.0`, `<4`), written by hand because
 * only release segments are ever compared here. Node: `engines.node` ranges through the `semver` package.
 *
 * A version given as a line (`3.11`, `18`) means "some release of that line": it satisfies a specifier when the
 * line's latest release would, e.g. 3.9 satisfies `>=3.9` but not `>=3.10`, and 3.11 satisfies `>=3.11.4`.
 */

function parseRelease(v: string): number[] | undefined {
  const m = /^v?(\d+(?:\.\d+)*)/.exec(v.trim());
  return m ? (m[1] ?? '').split('.').map(Number) : undefined;
}

function cmp(a: number[], b: number[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

/** Checks one clause for an exact release. */
function clause(version: number[], op: string, target: string): boolean | undefined {
  const wildcard = target.endsWith('.*');
  const t = parseRelease(wildcard ? target.slice(0, -2) : target);
  if (!t) return undefined;
  const prefix = version.slice(0, t.length);
  switch (op) {
    case '==':
    case '===':
      return wildcard ? cmp(prefix, t) === 0 : cmp(version, t) === 0;
    case '!=':
      return wildcard ? cmp(prefix, t) !== 0 : cmp(version, t) !== 0;
    case '>=':
      return cmp(version, t) >= 0;
    case '<=':
      return cmp(version, t) <= 0;
    case '>':
      return cmp(version, t) > 0;
    case '<':
      return cmp(version, t) < 0;
    case '~=': {
      if (t.length < 2) return undefined;
      const upper = t.slice(0, -1);
      return cmp(version, t) >= 0 && cmp(version.slice(0, upper.length), upper) === 0;
    }
    default:
      return undefined;
  }
}

function satisfiesRelease(version: number[], specifier: string): boolean | undefined {
  const parts = specifier
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (parts.length === 0) return true;
  for (const p of parts) {
    const m = /^(===|==|!=|~=|>=|<=|>|<)\s*(\S+)$/.exec(p);
    if (!m) return undefined;
    const r = clause(version, m[1] ?? '', m[2] ?? '');
    if (r === undefined) return undefined;
    if (!r) return false;
  }
  return true;
}

/** Does Python `version` (a line like `3.11` or a release like `3.11.4`) satisfy a PEP 440 specifier? */
export function pythonSatisfies(version: string, specifier: string): boolean | undefined {
  const v = parseRelease(version);
  if (!v) return undefined;
  if (v.length >= 3) return satisfiesRelease(v, specifier);
  // A line: try its first and a very late release, so both `>=3.11.4` and `<3.11.5` can be met by some release.
  const first = satisfiesRelease([...v, 0, 0].slice(0, 3), specifier);
  const late = satisfiesRelease([...v, 99].slice(0, 3), specifier);
  if (first === undefined || late === undefined) return undefined;
  return first || late;
}

/** Does Node `version` (`20`, `20.11`, `20.11.1`) satisfy an npm semver range? A line means any release of it. */
export function nodeSatisfies(version: string, range: string): boolean | undefined {
  const v = parseRelease(version);
  if (!v || semver.validRange(range) === null) return undefined;
  if (v.length >= 3) return semver.satisfies(v.slice(0, 3).join('.'), range);
  const line = v.length === 1 ? `${v[0]}.x` : `${v[0]}.${v[1]}.x`;
  return semver.intersects(line, range);
}

/** `3.11.4` → `3.11`. */
export function minorOf(version: string): string {
  const v = parseRelease(version);
  return v ? v.slice(0, 2).join('.') : version;
}
