import balena, { type Ignore } from '@balena/dockerignore';
import type { DockerIgnore } from '../../model/dockerfile.js';

/**
 * `.dockerignore` with Docker's own matching (Go filepath.Match patterns, `**`, `!` exceptions, leading `/`
 * and `./` cleaned), through @balena/dockerignore, which ports Docker's fileutils semantics.
 */
// The package is CommonJS (`module.exports = factory`, with `factory.default = factory`) while its types declare
// an ES default export, which TypeScript (NodeNext) types as `module.exports.default`: that property is the same
// function, so this works under node, tsx and esbuild alike (and esbuild can bundle it, unlike a createRequire).
const dockerignore: (options?: { ignorecase?: boolean }) => Ignore = balena.default;

/** Longest pattern handed to the library (real ones are a few dozen characters). */
const MAX_PATTERN = 4096;

/**
 * Whether the library can match a pattern in bounded time. It compiles each pattern to a backtracking regular
 * expression and passes `( ) { } | +` through as regex syntax: `*a*a*a*a*a*a*ab` took 70 s on one 61-character
 * path, and 10,000 `(` made V8 abort the process compiling it. Patterns with such syntax (Docker rejects them
 * too), more than two `*` in one path segment, or more than three `**` are dropped.
 */
function tractable(pattern: string): boolean {
  if (pattern.length > MAX_PATTERN) return false;
  let doubleStars = 0;
  for (const segment of pattern.split('/')) {
    let stars = 0;
    for (let i = 0; i < segment.length; i++) {
      const c = segment[i] ?? '';
      if (c === '\\') i++;
      else if ('(){}|+'.includes(c)) return false;
      else if (c === '*' && segment[i + 1] === '*') {
        doubleStars++;
        i++;
      } else if (c === '*') stars++;
    }
    if (stars > 2) return false;
  }
  return doubleStars <= 3;
}

export function parseDockerignore(path: string, text: string): DockerIgnore {
  const patterns = text
    .split(/\r?\n|\r/)
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'))
    .filter(tractable)
    // The library turns patterns into JS regular expressions without escaping every metacharacter (a `(` throws);
    // such a pattern is dropped rather than taking the whole run down.
    .filter((pattern) => {
      try {
        dockerignore({ ignorecase: false }).add(pattern).ignores('probe/path');
        return true;
      } catch {
        return false;
      }
    });
  const matcher = dockerignore({ ignorecase: false }).add(patterns);
  return {
    path,
    ignores(relativePath: string): boolean {
      let p = relativePath.replace(/^(\.\/)+/, '').replace(/^\/+/, '');
      while (p.endsWith('/')) p = p.slice(0, -1);
      if (p === '' || p === '.') return false;
      try {
        return matcher.ignores(p);
      } catch {
        return false;
      }
    },
  };
}
