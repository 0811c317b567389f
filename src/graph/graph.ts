import { formatPlatform } from '../model/platform.js';
import type { Build, ProjectModel } from '../model/project.js';
import { locate } from '../model/source.js';

/**
 * The build graph as crossdock understood it: every build (Dockerfile, context, platforms, tags, where defined)
 * and every deployment with the build its image resolves to. `crossdock graph --format json` prints this shape
 * (version 1, documented in docs/graph-format.md).
 */
export interface GraphBuild {
  id: string;
  origin: Build['origin'];
  dockerfile: string;
  context: string;
  contextSource: Build['contextSource'];
  platforms: string[];
  platformsSource: string;
  tags: string[];
  push: boolean;
  target: string | null;
  definedAt: string;
  job: string | null;
  runner: string[] | null;
  qemu: boolean;
}

export interface GraphDeployment {
  kind: string;
  name: string;
  namespace: string | null;
  origin: 'kubernetes' | 'compose' | 'kustomize' | 'helm';
  definedAt: string;
  image: string | null;
  imageAt: string | null;
  build: string | null;
  archConstraint: string | null;
  replicas: number | null;
}

export interface Graph {
  version: 1;
  root: string;
  targets: { platforms: string[]; source: string };
  builds: GraphBuild[];
  deployments: GraphDeployment[];
}

function at(file: { path: string }, line: number): string {
  return `${file.path}:${line}`;
}

export function buildGraph(model: ProjectModel): Graph {
  const builds: GraphBuild[] = model.builds.map((b) => ({
    id: b.id,
    origin: b.origin,
    dockerfile: b.dockerfile,
    context: b.context,
    contextSource: b.contextSource,
    platforms: b.platforms.map(formatPlatform),
    platformsSource: b.platformsSource,
    tags: b.tags,
    push: b.push,
    target: b.target ?? null,
    definedAt: `${b.definedAt.file}:${b.definedAt.line}`,
    job: b.job ? `${b.job.workflow.file.path}#${b.job.job.id}` : null,
    runner: (b.runsOn ?? b.job?.job.runsOn)?.[0]?.labels ?? null,
    qemu: b.qemu === true,
  }));
  const byTag = new Map<string, string>();
  for (const b of model.builds) for (const t of b.tags) byTag.set(t, b.id);
  const deployments: GraphDeployment[] = [];
  for (const w of model.deployments.workloads) {
    const arch = w.pod.archConstraint;
    for (const c of w.containers) {
      const pos = c.image ? c.image.site.file.position(c.image.site.span.start) : undefined;
      deployments.push({
        kind: w.kind,
        name: w.containers.length > 1 ? `${w.name}/${c.name}` : w.name,
        namespace: w.namespace ?? null,
        origin: w.origin,
        definedAt: at(w.site.file, w.site.file.position(w.site.span.start).line),
        image: c.image?.value ?? null,
        imageAt: c.image && pos ? at(c.image.site.file, pos.line) : null,
        build: c.buildId ?? (c.image ? (byTag.get(c.image.value) ?? null) : null),
        archConstraint: arch ? `${arch.operator} ${arch.values.join(',')}` : null,
        replicas: w.replicas?.value ?? null,
      });
    }
  }
  for (const i of model.deployments.images) {
    const loc = locate(i.site.file, i.site.span);
    deployments.push({
      kind: i.origin === 'helm' ? 'helm-values' : 'kustomize-image',
      name: i.ref,
      namespace: null,
      origin: i.origin,
      definedAt: `${loc.file}:${loc.line}`,
      image: i.ref,
      imageAt: `${loc.file}:${loc.line}`,
      build: byTag.get(i.ref) ?? null,
      archConstraint: null,
      replicas: null,
    });
  }
  return {
    version: 1,
    root: model.root,
    targets: { platforms: model.targets.platforms.map(formatPlatform), source: model.targets.source },
    builds,
    deployments,
  };
}

export function graphText(g: Graph): string {
  const lines = [
    `targets: ${g.targets.platforms.join(', ')} (${g.targets.source})`,
    '',
    `builds (${g.builds.length}):`,
  ];
  for (const b of g.builds) {
    lines.push(`  ${b.dockerfile}  context ${b.context} (${b.contextSource})  [${b.origin}] ${b.definedAt}`);
    lines.push(`    platforms: ${b.platforms.join(', ')} (${b.platformsSource})`);
    if (b.tags.length) lines.push(`    tags: ${b.tags.join(', ')}${b.push ? '  (pushed)' : ''}`);
    if (b.job)
      lines.push(`    job: ${b.job} on [${(b.runner ?? []).join(', ')}]${b.qemu ? ' with QEMU' : ''}`);
  }
  lines.push('', `deployments (${g.deployments.length}):`);
  for (const d of g.deployments) {
    lines.push(`  ${d.kind} ${d.name}  [${d.origin}] ${d.definedAt}`);
    lines.push(`    image: ${d.image ?? '(none)'} → ${d.build ?? 'no build in this repository'}`);
    if (d.archConstraint) lines.push(`    kubernetes.io/arch ${d.archConstraint}`);
  }
  return `${lines.join('\n')}\n`;
}

function dotId(s: string): string {
  return JSON.stringify(s);
}

export function graphDot(g: Graph): string {
  const lines = ['digraph crossdock {', '  rankdir=LR;', '  node [shape=box, fontname="monospace"];'];
  for (const b of g.builds) {
    lines.push(`  ${dotId(b.id)} [label=${dotId(`${b.dockerfile}\\n${b.platforms.join(' ')}`)}];`);
    for (const t of b.tags) lines.push(`  ${dotId(b.id)} -> ${dotId(`image:${t}`)};`);
  }
  for (const d of g.deployments) {
    const id = `deploy:${d.kind}:${d.name}:${d.definedAt}`;
    lines.push(`  ${dotId(id)} [shape=ellipse, label=${dotId(`${d.kind} ${d.name}`)}];`);
    if (d.image) lines.push(`  ${dotId(`image:${d.image}`)} -> ${dotId(id)};`);
  }
  lines.push('}');
  return `${lines.join('\n')}\n`;
}
