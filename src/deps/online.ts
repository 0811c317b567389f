/**
 * `check --online`: asks the Python package index, once per run, what it has for each requirement the images
 * install on each target platform, and puts the answers in the model (`model.wheels`) for the rules
 * (`wheel-missing-for-platform`, `emulated-build`), which never touch the network themselves. A repository that
 * names no index, or an index that does not answer, becomes a note; the check goes on.
 */
import { CrossdockError } from '../errors.js';
import type { ProjectModel, WheelFact } from '../model/project.js';
import { decideAll } from './decide.js';
import { depsInputs, hideUserinfo } from './inputs.js';
import { indexFor } from './run.js';
import type { Decide, TargetEnv } from './types.js';

export interface WheelFactsOptions {
  /** `check --index-url`: replaces the indexes the repository names. */
  indexUrl?: string;
  extraIndexUrls?: string[];
  /** crossdock's environment (PIP_INDEX_URL, cache folder, .netrc). */
  env: Record<string, string | undefined>;
  cacheDir?: string;
  /** PEM certificates trusted for an HTTPS index besides the system's (`--ca-file`, PIP_CERT). */
  ca?: string[];
}

function targetText(t: TargetEnv): string {
  return `Python ${t.python ?? '?'}, ${t.libc ? `${t.libc.kind} ${t.libc.version}` : 'libc not known'}`;
}

export async function fetchWheelFacts(
  model: ProjectModel,
  options: WheelFactsOptions,
  notes: string[],
  decide: Decide = decideAll,
): Promise<void> {
  const facts: WheelFact[] = [];
  const run = {
    extraIndexUrls: options.extraIndexUrls ?? [],
    offline: false,
    env: options.env,
    indexUrl: options.indexUrl,
    cacheDir: options.cacheDir,
    ca: options.ca,
  };
  for (const image of depsInputs(model)) {
    if (image.queries.length === 0 || image.targets.length === 0) continue;
    const index = indexFor(image, run);
    if (!index) {
      notes.push(
        `--online: no package index is named for ${image.name} (PIP_INDEX_URL, a pip.conf/uv.toml, --index-url lines); its wheels were not checked: pass --index-url`,
      );
      continue;
    }
    let rows: Awaited<ReturnType<Decide>>;
    try {
      rows = await decide(image.queries, image.targets, index);
    } catch (e) {
      const why = e instanceof CrossdockError ? e.message : String(e);
      notes.push(
        `--online: the package index ${hideUserinfo(index.indexUrl)} could not be asked about ${image.name} (${why})`,
      );
      continue;
    }
    const targets = Object.fromEntries(image.targets.map((t) => [t.platform, targetText(t)]));
    image.queries.forEach((q, k) => {
      facts.push({
        dockerfile: image.dockerfile,
        image: image.name,
        requirement: q.requirement,
        name: q.name,
        source: q.source,
        emulated: image.emulated,
        targets,
        platforms: rows[k] ?? {},
      });
    });
    const verdicts = rows.flatMap((r) => Object.values(r));
    const unknown = verdicts.filter((v) => v.status === 'unknown');
    if (verdicts.length && unknown.length === verdicts.length)
      notes.push(
        `--online: no verdict for ${image.name} from ${hideUserinfo(index.indexUrl)}: ${unknown[0]?.reason}`,
      );
  }
  model.wheels = facts;
}
