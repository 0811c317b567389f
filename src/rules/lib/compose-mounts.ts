import type { Site } from '../../model/deploy.js';
import type { ImageView, ProjectModel } from '../../model/project.js';

/**
 * A compose file with a service of this image's build that bind-mounts repository folders into the container
 * (`- ./src:/app`, `source: .`, `type: bind`): what the container sees at those paths is the checkout, not what
 * the image holds. Read from the file's lines (any bind mount in the file counts), which only ever silences.
 */
export function composeBindMount(model: ProjectModel, view: ImageView): Site | undefined {
  for (const w of model.deployments.workloads) {
    if (w.origin !== 'compose' || !w.containers.some((c) => c.buildId === view.build.id)) continue;
    if (w.site.file.text.split('\n').some((line) => bindMount(line.trim()))) return w.site;
  }
  return undefined;
}

/** A compose line (trimmed) that mounts a repository path: `- ./x:/y`, `source: ..`, `type: bind`. */
function bindMount(line: string): boolean {
  return (
    /^-\s*["']?\.{1,2}[/:]/.test(line) ||
    /^source:\s*["']?\.{1,2}(\/|\s|$)/.test(line) ||
    /^type:\s*["']?bind\b/.test(line)
  );
}
