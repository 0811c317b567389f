import { createRequire } from 'node:module';
import type { Ignore } from '@balena/dockerignore';
import type { DockerIgnore } from '../../model/dockerfile.js';

/**
 * `.dockerignore` with Docker's own matching (Go filepath.Match patterns, `**`, `!` exceptions, leading `/`
 * and `./` cleaned), through @balena/dockerignore, which ports Docker's fileutils semantics.
 */
// The package is CommonJS (`module.exports = factory`) while its types declare an ES default export.
const dockerignore: (options?: { ignorecase?: boolean }) => Ignore = createRequire(import.meta.url)(
  '@balena/dockerignore',
);

export function parseDockerignore(path: string, text: string): DockerIgnore {
  const patterns = text
    .split(/\r?\n|\r/)
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'))
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
