import { promises as fs } from 'node:fs';
import { DiskRepoFs } from '../engine/repo-fs.js';
import { heavyNode, heavyPython } from '../knowledge/heavy-deps.js';
import { SourceFile } from '../model/source.js';
import { parsePackageJson } from '../sources/node/package-json.js';
import { parsePyproject } from '../sources/python/pyproject.js';
import { parseRequirements } from '../sources/python/requirements.js';

/**
 * Heavy native dependencies declared at the top of a build context (requirements*.txt, pyproject.toml,
 * package.json): the ones that compile from source where no wheel or prebuilt binary exists, which is what
 * makes an emulated build take hours. Used to put a cost on an emulated platform before the build starts.
 */
export async function heavyDependenciesIn(context: string): Promise<string[]> {
  let names: string[];
  try {
    names = await fs.readdir(context);
  } catch {
    return [];
  }
  const found = new Set<string>();
  // The context is repository content: a symlink out of it is not followed (contained reads).
  const repo = new DiskRepoFs(context);
  const read = async (name: string) => {
    const r = await repo.read(name);
    if (!r.ok) throw new Error(r.note);
    return new SourceFile(name, r.text);
  };
  for (const name of names) {
    try {
      if (/^requirements.*\.(txt|in)$/.test(name)) {
        for (const q of parseRequirements(await read(name)).requirements)
          if (q.name && heavyPython(q.name, q.specifier ?? '')) found.add(q.name);
      } else if (name === 'pyproject.toml') {
        for (const q of parsePyproject(await read(name)).dependencies)
          if (q.name && heavyPython(q.name, q.specifier ?? '')) found.add(q.name);
      } else if (name === 'package.json') {
        for (const d of parsePackageJson(await read(name)).dependencies)
          if (!d.dev && heavyNode(d.name)) found.add(d.name);
      }
    } catch {
      // An unreadable or malformed file is `crossdock check`'s business; the estimate just leaves it out.
    }
  }
  return [...found].sort();
}
