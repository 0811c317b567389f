import { resolve } from 'node:path';
import type { PlannedImage } from '../build/plan.js';
import type { PlatformSmoke, SmokeSection } from '../build/run.js';
import { loadProject } from '../engine/load.js';
import type { RegistryClient } from '../registry/client.js';
import { resolveRef } from '../registry/reference.js';
import { contractsFromRepository } from './contract.js';
import { outcome } from './report.js';
import { resolveSmokeImage, type SmokeOptions, smoke } from './run.js';
import type { SmokeContract } from './types.js';

/**
 * `crossdock build --smoke`: each pushed platform (`host/repo@digest`) runs against the contracts of the
 * repository's deployments whose containers run the image of that build (contractsFromRepository with the build's
 * id). The project model is read once; an image no deployment runs is skipped with a note. Loaded by the build
 * command only with --smoke.
 */
export async function buildSmoke(o: {
  root: string;
  cwd: string;
  configPath?: string;
  env: Record<string, string | undefined>;
  client: RegistryClient;
  options: SmokeOptions;
}): Promise<PlatformSmoke> {
  const model = await loadProject({ root: o.root, cwd: o.cwd, configPath: o.configPath });
  const root = model.root;
  const contracts = new Map<string, { contracts: SmokeContract[]; notes: string[]; builds: string[] }>();
  const contractsOf = (image: PlannedImage) => {
    const known = contracts.get(image.name);
    if (known) return known;
    // The builds of the project model this planned image is: the same Dockerfile and context.
    const dockerfile = resolve(o.root, image.dockerfile);
    const context = resolve(o.root, image.context);
    const builds = model.builds.filter(
      (b) =>
        b.dockerfile.known &&
        b.context.known &&
        resolve(root, b.dockerfile.value) === dockerfile &&
        resolve(root, b.context.value) === context,
    );
    const found = {
      contracts: [] as SmokeContract[],
      notes: [] as string[],
      builds: builds.map((b) => b.id),
    };
    for (const b of builds) {
      const derived = contractsFromRepository(model, { buildId: b.id });
      found.contracts.push(...derived.contracts);
      found.notes.push(...derived.notes);
    }
    contracts.set(image.name, found);
    return found;
  };
  return async (image, platform, ref, signal): Promise<SmokeSection> => {
    const t0 = Date.now();
    const { contracts: list, notes, builds } = contractsOf(image);
    if (!list.length)
      return {
        status: 'skipped',
        note: `no deployment in the repository runs the image of ${builds.length ? `build ${builds.join(', ')}` : `${image.dockerfile} (no build of the repository builds it)`}: nothing to smoke${notes.length ? `; ${notes.join('; ')}` : ''}`,
        durationMs: 0,
        runs: [],
      };
    const section: SmokeSection = {
      status: 'passed',
      note: notes.length ? notes.join('; ') : null,
      durationMs: 0,
      runs: [],
    };
    let smokeImage: Awaited<ReturnType<typeof resolveSmokeImage>>;
    try {
      smokeImage = await resolveSmokeImage(o.client, resolveRef(ref));
    } catch (e) {
      section.status = 'failed';
      section.runs = list.map((c) => ({
        contract: c.name,
        runner: 'none',
        error: `cannot read ${ref} back: ${e instanceof Error ? e.message : String(e)}`,
        checks: [],
      }));
      section.durationMs = Date.now() - t0;
      return section;
    }
    // A single platform manifest: the runner finds it under the platform built.
    smokeImage.platforms = smokeImage.platforms.map((p) => ({ ...p, platform }));
    for (const contract of list) {
      if (signal?.aborted) break;
      const [result] = await smoke(
        smokeImage,
        contract,
        { ...o.options, platforms: [platform] },
        { env: o.env, signal },
      );
      if (!result) continue;
      if (outcome([result]) !== 'pass') section.status = 'failed';
      const r = result.runner;
      section.runs.push({
        contract: contract.name,
        runner:
          r.kind === 'not-runnable'
            ? `not runnable: ${r.reason} (${r.fix})`
            : `${r.kind === 'qemu' ? 'QEMU' : 'native'}, ${r.engine}`,
        error: result.error ?? (r.kind === 'not-runnable' ? `not runnable: ${r.reason}; ${r.fix}` : null),
        checks: result.checks.map((c) => ({
          id: c.id,
          status: c.status,
          summary: c.summary,
          evidence: c.evidence,
          durationMs: c.durationMs,
        })),
      });
    }
    section.durationMs = Date.now() - t0;
    return section;
  };
}
