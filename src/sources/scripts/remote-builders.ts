import type { Site, WorkflowStep } from '../../model/deploy.js';
import type { RemoteBuilder } from '../../model/project.js';
import type { ShellScript } from '../../model/shell.js';
import type { SourceFile } from '../../model/source.js';

/** buildx drivers whose nodes are other machines (a BuildKit endpoint, a cluster, Docker Build Cloud). */
const REMOTE_DRIVERS = new Set(['remote', 'kubernetes', 'cloud']);
/** `docker buildx create` flags that take a value. */
const CREATE_VALUED = new Set([
  '--buildkitd-config',
  '--buildkitd-flags',
  '--config',
  '--driver',
  '--driver-opt',
  '--name',
  '--node',
  '--platform',
  '--builder',
]);

/**
 * `docker buildx create` commands whose builder runs elsewhere: a remote, kubernetes or cloud driver, or an
 * endpoint or context given as its argument. What architecture their nodes have is not known here.
 */
export function shellRemoteBuilders(script: ShellScript, file: SourceFile): RemoteBuilder[] {
  const out: RemoteBuilder[] = [];
  for (const cmd of script.commands) {
    const w = cmd.argv.map((x) => x.value);
    const i = w.findIndex((x, k) => x === 'docker' && w[k + 1] === 'buildx' && w[k + 2] === 'create');
    if (i < 0) continue;
    let driver: string | undefined;
    let endpoint = false;
    const rest = w.slice(i + 3);
    for (let k = 0; k < rest.length; k++) {
      const a = rest[k] ?? '';
      if (a === '--driver') driver = rest[k + 1];
      else if (a.startsWith('--driver=')) driver = a.slice('--driver='.length);
      if (CREATE_VALUED.has(a)) k++;
      else if (!a.startsWith('-')) endpoint = true;
    }
    if (!endpoint && !(driver && REMOTE_DRIVERS.has(driver))) continue;
    const site: Site = { file, span: cmd.span };
    out.push({
      site,
      what: `\`docker buildx create\` at ${file.path}:${file.position(cmd.span.start).line}`,
    });
  }
  return out;
}

/** A `docker/setup-buildx-action` step with an `endpoint:`, a remote driver, or appended endpoint nodes. */
export function stepRemoteBuilder(step: WorkflowStep): RemoteBuilder | undefined {
  if (step.uses?.action !== 'docker/setup-buildx-action') return undefined;
  const endpoint = step.with.get('endpoint');
  const driver = step.with.get('driver');
  const append = step.with.get('append');
  const input = endpoint?.value.trim()
    ? endpoint
    : driver && REMOTE_DRIVERS.has(driver.value.trim())
      ? driver
      : append && /\bendpoint\s*:/.test(append.value)
        ? append
        : undefined;
  if (!input) return undefined;
  const file = input.valueSite.file;
  return {
    site: input.valueSite,
    what: `\`docker/setup-buildx-action\` at ${file.path}:${file.position(input.valueSite.span.start).line}`,
  };
}
