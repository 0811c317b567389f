import { DEFAULT_PLATFORMS, formatPlatform, parsePlatform, type Platform } from '../model/platform.js';
import type { CrossdockConfig, Targets } from '../model/project.js';
import type { SourceFile } from '../model/source.js';

/** Files where target platforms are commonly declared. */
export function mayDeclarePlatforms(path: string): boolean {
  const base = path.slice(path.lastIndexOf('/') + 1);
  return (
    /^\.github\/workflows\/[^/]+\.ya?ml$/.test(path) ||
    /\.gitlab-ci\.ya?ml$/.test(path) ||
    /^docker-bake\.(hcl|json)$/.test(base) ||
    /\.sh$/.test(base) ||
    base === 'Makefile' ||
    /^(docker-)?compose[^/]*\.ya?ml$/.test(base)
  );
}

const PATTERNS: RegExp[] = [
  // --platform linux/amd64,linux/arm64  |  --platform=linux/arm64
  /--platform[= ]\s*["']?([A-Za-z0-9_/.,-]+)/g,
  // platforms: linux/amd64,linux/arm64 (workflows)  |  platforms = ["linux/amd64", "linux/arm64"] (bake)
  /\bplatforms\s*[:=]\s*\[?\s*((?:["']?[a-z0-9]+\/[a-z0-9]+(?:\/v\d)?["']?\s*,?\s*)+)\]?/g,
];

/**
 * Target platforms: crossdock.yaml, else the union of what scripts/workflows/bake files build for, else the
 * default linux/amd64 + linux/arm64. `source` says which.
 */
export function resolveTargets(config: CrossdockConfig, files: SourceFile[], override?: Platform[]): Targets {
  if (override?.length) return { platforms: override, source: 'command line (--platform)' };
  if (config.platforms?.length)
    return { platforms: config.platforms, source: config.path ?? 'crossdock.yaml' };
  const found: Platform[] = [];
  const sources: string[] = [];
  for (const file of files) {
    if (!mayDeclarePlatforms(file.path)) continue;
    for (const pattern of PATTERNS) {
      pattern.lastIndex = 0;
      for (let m = pattern.exec(file.text); m; m = pattern.exec(file.text)) {
        const list = (m[1] ?? '').split(/[\s,"']+/).filter(Boolean);
        let any = false;
        for (const item of list) {
          if (item.includes('$')) continue;
          const p = parsePlatform(item);
          if (!p || !item.includes('/')) continue;
          any = true;
          if (!found.some((f) => formatPlatform(f) === formatPlatform(p))) found.push(p);
        }
        if (any) {
          const pos = file.position(m.index);
          sources.push(`${file.path}:${pos.line}`);
        }
      }
    }
  }
  if (found.length) {
    const more = sources.length > 3 ? ` and ${sources.length - 3} more` : '';
    return { platforms: found, source: `inferred from ${sources.slice(0, 3).join(', ')}${more}` };
  }
  return { platforms: [...DEFAULT_PLATFORMS], source: 'default' };
}
