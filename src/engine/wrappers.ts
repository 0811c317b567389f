import { copyMappings } from '../model/eval.js';
import type { ProjectModel } from '../model/project.js';
import { basename, joinPath } from '../model/repo.js';

/** Names of wrapper scripts an image may run before its program (`entrypoint.sh`, `docker-entrypoint`, `start`). */
export const WRAPPER_NAME = /\.(sh|bash)$|^(docker-)?entrypoint|^start/i;

/**
 * Repository files the built stages copy one by one under a wrapper script's name: their text is read so that
 * rules can tell which variables they read (`.sh` files are read anyway; `entrypoint`, `start` are not).
 */
export function wrapperSources(model: ProjectModel): Set<string> {
  const out = new Set<string>();
  for (const view of model.images) {
    const ctx = view.build.context;
    const target = view.target;
    if (!ctx.known || !target) continue;
    for (const m of copyMappings(view, target)) {
      if (!WRAPPER_NAME.test(basename(m.source))) continue;
      const p = joinPath(ctx.value, m.source);
      if (p && model.inventory.files.has(p)) out.add(p);
    }
  }
  return out;
}
