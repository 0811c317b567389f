import { promises as fs } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { ConfigError } from '../errors.js';
import type { CrossdockConfig } from '../model/project.js';
import type { RepoFs } from '../model/repo.js';

/**
 * Where the JSON Schema of crossdock.yaml is published (docs/schemas/crossdock-config-v1.json in the package): its
 * `$id`, and what `crossdock init` puts on the `# yaml-language-server: $schema=` line.
 */
export const CONFIG_SCHEMA_URL = 'https://crossdock.dev/schemas/crossdock-config-v1.json';

export const CONFIG_FILE_NAMES = ['crossdock.yaml', 'crossdock.yml', '.crossdock.yaml', '.crossdock.yml'];

/** Top-level keys crossdock.yaml may hold; each is validated by the part of crossdock that uses it. */
export const KNOWN_CONFIG_KEYS = [
  'version',
  'platforms',
  'rules',
  'ignore',
  'runners',
  'images',
  'nodes',
  'build',
  'registries',
  'smoke',
] as const;

export function emptyConfig(): CrossdockConfig {
  return { path: undefined, platforms: undefined, rules: {}, ignore: [], raw: {} };
}

/** Finds and loads the config: an explicit path, or the first of CONFIG_FILE_NAMES in root. */
export async function loadConfig(root: string, explicit?: string): Promise<CrossdockConfig> {
  const candidates = explicit ? [explicit] : CONFIG_FILE_NAMES.map((n) => join(root, n));
  for (const file of candidates) {
    let text: string;
    try {
      text = await fs.readFile(file, 'utf8');
    } catch (e) {
      if (explicit) {
        throw new ConfigError(
          `cannot read config file ${explicit}: ${(e as NodeJS.ErrnoException).code ?? e}`,
          {
            hint: 'check the path given to --config',
          },
        );
      }
      continue;
    }
    const rel = relative(root, file) || file;
    const { parseConfig } = await import('./config-parse.js');
    return parseConfig(rel.startsWith('..') ? file : rel, text);
  }
  return emptyConfig();
}

/**
 * The config of a repository being checked: an explicit `--config` path (the user's own file), else the first of
 * CONFIG_FILE_NAMES read through the repository's contained reader (a symlink out of it is not followed).
 */
export async function loadRepoConfig(
  repo: RepoFs,
  explicit?: string,
  cwd?: string,
): Promise<CrossdockConfig> {
  if (explicit) return loadConfig(repo.root, resolve(cwd ?? process.cwd(), explicit));
  for (const name of CONFIG_FILE_NAMES) {
    const r = await repo.read(name);
    if (r.ok) {
      // The YAML parser is loaded only when there is a config file to parse.
      const { parseConfig } = await import('./config-parse.js');
      return parseConfig(name, r.text);
    }
    if (/outside the repository|not a regular file|limit/.test(r.note))
      throw new ConfigError(`${r.note}`, { hint: `make ${name} a regular file inside the repository` });
  }
  return emptyConfig();
}
