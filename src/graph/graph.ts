import { containerImage } from '../engine/link.js';
import { formatPlatform, type Platform } from '../model/platform.js';
import type { Build, ProjectModel } from '../model/project.js';
import { locate } from '../model/source.js';
import type { Origin, Unknown, Value } from '../model/value.js';

/**
 * The build graph as crossdock understood it: every build (Dockerfile, context, platforms, tags, where defined)
 * and every deployment with the build its image resolves to. Every derived value is either known, with where it
 * came from, or unknown, with why. `crossdock graph --format json` prints this shape (version 2,
 * docs/graph-format.md).
 */

/** A derived value: `{ value, from }` or `{ unknown, kind, at?, candidates? }`. */
export type GraphValue<T> =
  | { value: T; from: string }
  | { unknown: string; kind: string; at: string | null; candidates?: string[] };

export interface GraphBuild {
  id: string;
  origin: Build['origin'];
  definedAt: string;
  /** Something in the repository builds it (false for a Dockerfile nothing builds). */
  reached: boolean;
  dockerfile: GraphValue<string>;
  context: GraphValue<string>;
  platforms: GraphValue<string[]>;
  tags: string[];
  push: boolean;
  target: string | null;
  job: string | null;
  runner: string[] | null;
  qemu: boolean;
  /** Stages' base images, with the build's arguments applied. */
  bases: { stage: string; image: GraphValue<string> }[];
}

export interface GraphDeployment {
  kind: string;
  name: string;
  namespace: string | null;
  origin: 'kubernetes' | 'compose' | 'kustomize' | 'helm';
  definedAt: string;
  image: GraphValue<string> | null;
  imageAt: string | null;
  build: string | null;
  archConstraint: string | null;
  replicas: number | null;
}

export interface Graph {
  version: 2;
  root: string;
  targets: { platforms: string[]; source: string; declared: boolean };
  builds: GraphBuild[];
  deployments: GraphDeployment[];
  /** Every unknown value above, once per root cause, with what would resolve it. */
  unknowns: { kind: string; reason: string; at: string | null; help: string | null }[];
}

function where(
  site:
    | { file: { path: string; position(o: number): { line: number } }; span: { start: number } }
    | undefined,
): string | null {
  return site ? `${site.file.path}:${site.file.position(site.span.start).line}` : null;
}

function from(o: Origin): string {
  const at = where(o.site);
  return [o.kind, o.detail, at ? `at ${at}` : undefined].filter(Boolean).join(', ');
}

export function buildGraph(model: ProjectModel): Graph {
  const unknowns = new Map<string, Graph['unknowns'][number]>();
  const v = <T, U>(value: Value<T> & { candidates?: string[] }, map: (t: T) => U): GraphValue<U> => {
    if (value.known) return { value: map(value.value), from: from(value.origin) };
    const u = value as Unknown & { candidates?: string[] };
    const at = where(u.site);
    const key = `${u.kind}\0${at ?? u.reason}`;
    if (!unknowns.has(key)) unknowns.set(key, { kind: u.kind, reason: u.reason, at, help: u.help ?? null });
    return {
      unknown: u.reason,
      kind: u.kind,
      at,
      ...(u.candidates?.length ? { candidates: u.candidates } : {}),
    };
  };
  const builds: GraphBuild[] = model.builds.map((b) => {
    const view = model.images.find((x) => x.build === b);
    return {
      id: b.id,
      origin: b.origin,
      definedAt: `${b.definedAt.file}:${b.definedAt.line}`,
      reached: b.origin !== 'dockerfile',
      dockerfile: v(b.dockerfile, (x) => x),
      context: v(b.context, (x) => x),
      platforms: v(b.platforms, (ps: Platform[]) => ps.map(formatPlatform)),
      tags: b.tags,
      push: b.push,
      target: b.target?.known ? b.target.value : null,
      job: b.job ? `${b.job.workflow.file.path}#${b.job.job.id}` : null,
      runner: (b.runsOn ?? b.job?.job.runsOn)?.[0]?.labels ?? null,
      qemu: b.qemu === true,
      bases: (view?.stages ?? [])
        .filter((s) => s.built && s.stage.baseStage === undefined)
        .map((s) => {
          const base: Value<string> =
            s.base.known || !view
              ? s.base
              : { ...s.base, site: s.base.site ?? { file: view.file, span: s.stage.imageSpan } };
          return { stage: s.stage.name ?? String(s.stage.index), image: v(base, (x: string) => x) };
        }),
    };
  });
  const deployments: GraphDeployment[] = [];
  for (const w of model.deployments.workloads) {
    const arch = w.pod.archConstraint;
    for (const c of w.containers) {
      const image = containerImage(c);
      deployments.push({
        kind: w.kind,
        name: w.containers.length > 1 ? `${w.name}/${c.name}` : w.name,
        namespace: w.namespace ?? null,
        origin: w.origin,
        definedAt: where(w.site) ?? '',
        image: image ? v(image, (x) => x) : null,
        imageAt: where(c.image?.site),
        build: c.buildId ?? c.repositoryBuildId ?? null,
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
      image: { value: i.ref, from: `literal, at ${loc.file}:${loc.line}` },
      imageAt: `${loc.file}:${loc.line}`,
      build: model.builds.find((b) => b.tags.includes(i.ref))?.id ?? null,
      archConstraint: null,
      replicas: null,
    });
  }
  return {
    version: 2,
    root: model.root,
    targets: {
      platforms: model.targets.platforms.map(formatPlatform),
      source: model.targets.source,
      declared: model.targets.declared,
    },
    builds,
    deployments,
    unknowns: [...unknowns.values()],
  };
}

function show<T>(g: GraphValue<T>, fmt: (t: T) => string): string {
  if ('value' in g) return fmt(g.value);
  return `unknown (${g.unknown}${g.candidates?.length ? `; one of ${g.candidates.join(', ')}` : ''})`;
}

export function graphText(g: Graph): string {
  const lines = [
    `targets: ${g.targets.platforms.join(', ')} (${g.targets.source}${g.targets.declared ? '' : ': nothing declares them'})`,
    '',
    `builds (${g.builds.length}):`,
  ];
  for (const b of g.builds) {
    lines.push(
      `  ${show(b.dockerfile, (x) => x)}  context ${show(b.context, (x) => x)}  [${b.origin}] ${b.definedAt}${b.reached ? '' : '  (not built by anything in this repository)'}`,
    );
    lines.push(
      `    platforms: ${show(b.platforms, (x) => x.join(', '))}${'value' in b.platforms ? ` (${b.platforms.from})` : ''}`,
    );
    for (const base of b.bases)
      if (!('value' in base.image))
        lines.push(`    base of stage ${base.stage}: ${show<string>(base.image, (x) => x)}`);
    if (b.tags.length) lines.push(`    tags: ${b.tags.join(', ')}${b.push ? '  (pushed)' : ''}`);
    if (b.job)
      lines.push(`    job: ${b.job} on [${(b.runner ?? []).join(', ')}]${b.qemu ? ' with QEMU' : ''}`);
  }
  lines.push('', `deployments (${g.deployments.length}):`);
  for (const d of g.deployments) {
    lines.push(`  ${d.kind} ${d.name}  [${d.origin}] ${d.definedAt}`);
    lines.push(
      `    image: ${d.image ? show(d.image, (x) => x) : '(none)'} → ${d.build ?? 'no build in this repository'}`,
    );
    if (d.archConstraint) lines.push(`    kubernetes.io/arch ${d.archConstraint}`);
  }
  if (g.unknowns.length) {
    lines.push(
      '',
      `unknown (${g.unknowns.length}): what crossdock could not resolve, so checks that need it made no claim`,
    );
    for (const u of g.unknowns)
      lines.push(`  ${u.at ?? '(repository)'}: ${u.reason}${u.help ? `\n    to resolve: ${u.help}` : ''}`);
  }
  return `${lines.join('\n')}\n`;
}

function dotId(s: string): string {
  return JSON.stringify(s);
}

export function graphDot(g: Graph): string {
  const lines = ['digraph crossdock {', '  rankdir=LR;', '  node [shape=box, fontname="monospace"];'];
  for (const b of g.builds) {
    lines.push(
      `  ${dotId(b.id)} [label=${dotId(`${show(b.dockerfile, (x) => x)}\\n${show(b.platforms, (x) => x.join(' '))}`)}];`,
    );
    for (const t of b.tags) lines.push(`  ${dotId(b.id)} -> ${dotId(`image:${t}`)};`);
  }
  for (const d of g.deployments) {
    const id = `deploy:${d.kind}:${d.name}:${d.definedAt}`;
    lines.push(`  ${dotId(id)} [shape=ellipse, label=${dotId(`${d.kind} ${d.name}`)}];`);
    if (d.image && 'value' in d.image) lines.push(`  ${dotId(`image:${d.image.value}`)} -> ${dotId(id)};`);
  }
  lines.push('}');
  return `${lines.join('\n')}\n`;
}
