import { promises as fs } from 'node:fs';
import { DiskRepoFs } from '../engine/repo-fs.js';
import { heavyNode, heavyPython } from '../knowledge/heavy-deps.js';
import { SourceFile } from '../model/source.js';
import { parsePackageJson } from '../sources/node/package-json.js';
import { parsePyproject } from '../sources/python/pyproject.js';
import { parseRequirements } from '../sources/python/requirements.js';

/** What the top of a build context says about the cost of emulating its build. */
export interface EmulationCost {
  /** Dependencies known offline to compile from source (or to be heavy native Node packages), sorted. */
  heavy: string[];
  /** Python requirements declared (any): whether they have wheels for the platform is the index's to say. */
  python: number;
}

/**
 * Dependencies declared at the top of a build context (requirements*.txt, pyproject.toml, package.json): those
 * known offline to compile from source (see knowledge/heavy-deps.ts), which is what makes an emulated build take
 * hours, and how many Python requirements there are, whose wheels only the index knows. Used to put a cost on an
 * emulated platform before the build starts.
 */
export async function emulationCostIn(context: string): Promise<EmulationCost> {
  let names: string[];
  try {
    names = await fs.readdir(context);
  } catch {
    return { heavy: [], python: 0 };
  }
  const found = new Set<string>();
  let python = 0;
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
        for (const q of parseRequirements(await read(name)).requirements) {
          if (q.name) python++;
          if (q.name && heavyPython(q.name, q.specifier ?? '')) found.add(q.name);
        }
      } else if (name === 'pyproject.toml') {
        for (const q of parsePyproject(await read(name)).dependencies) {
          if (q.name) python++;
          if (q.name && heavyPython(q.name, q.specifier ?? '')) found.add(q.name);
        }
      } else if (name === 'package.json') {
        for (const d of parsePackageJson(await read(name)).dependencies)
          if (!d.dev && heavyNode(d.name)) found.add(d.name);
      }
    } catch {
      // An unreadable or malformed file is `crossdock check`'s business; the estimate just leaves it out.
    }
  }
  return { heavy: [...found].sort(), python };
}

/** The dependencies of emulationCostIn known to compile from source (or heavy native Node packages). */
export async function heavyDependenciesIn(context: string): Promise<string[]> {
  return (await emulationCostIn(context)).heavy;
}
