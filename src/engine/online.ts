import type { ProjectModel } from '../model/project.js';
import { RegistryClient, type ClientOptions } from '../registry/client.js';
import { CrossdockError } from '../errors.js';
import { resolveRef } from '../registry/reference.js';
import { formatPlatform } from '../registry/types.js';
import { hasUnresolved } from '../model/image-ref.js';

/** External base images of every stage some view builds, with the build's arguments applied. */
export function baseImages(model: ProjectModel): string[] {
  const out = new Set<string>();
  for (const view of model.images)
    for (const sv of view.stages) {
      if (!sv.built || sv.stage.baseStage !== undefined || !sv.base.known) continue;
      const raw = sv.base.value;
      if (!raw || raw === 'scratch' || raw.includes('://') || raw.startsWith('target:') || hasUnresolved(raw))
        continue;
      out.add(raw);
    }
  return [...out];
}

/**
 * `check --online`: reads, once per run, what the registries hold for the base images the Dockerfiles name.
 * Failures (no network, auth, TLS) become notes and an `{ error }` entry; the check goes on offline.
 */
export async function fetchOnlineFacts(
  model: ProjectModel,
  options: ClientOptions,
  notes: string[],
): Promise<void> {
  const client = new RegistryClient({ retries: 2, ...options });
  const facts: NonNullable<ProjectModel['online']> = new Map();
  try {
    const refs = baseImages(model);
    let next = 0;
    const worker = async () => {
      while (next < refs.length) {
        const text = refs[next++] as string;
        try {
          const ref = resolveRef(text);
          const m = await client.getManifest(ref, ref.reference);
          if (m.manifest.kind === 'index') {
            facts.set(text, {
              index: true,
              platforms: m.manifest.index.manifests.map((d) => formatPlatform(d.platform)),
            });
          } else {
            const config = await client.getBlob(ref, m.manifest.manifest.config, 8 * 1024 * 1024);
            const c = JSON.parse(config.toString('utf8')) as {
              os?: string;
              architecture?: string;
              variant?: string;
            };
            facts.set(text, {
              index: false,
              platforms: [
                formatPlatform({
                  os: c.os ?? 'unknown',
                  architecture: c.architecture ?? 'unknown',
                  variant: c.variant,
                }),
              ],
            });
          }
        } catch (e) {
          const why = e instanceof CrossdockError ? e.message : String(e);
          facts.set(text, { error: why });
          notes.push(`--online: ${text} could not be read (${why}); its platforms were not checked`);
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(4, refs.length) }, worker));
  } finally {
    client.close();
  }
  model.online = facts;
}
