import type { Container, ImageUse, Kustomization, Site, Workload } from '../../model/deploy.js';
import type { DfInstruction, Dockerfile } from '../../model/dockerfile.js';
import { buildProducing } from '../../engine/build-graph.js';
import { type ImageRef, parseBuildTag, parseImageRef, repositoryKey } from '../../model/image-ref.js';
import type { Build, ProjectModel } from '../../model/project.js';
import type { SourceFile } from '../../model/source.js';
import { envDecls, stageArgs, substituteArgs } from '../../sources/dockerfile/parse.js';
import { finalStage, stageChain } from './dockerfile.js';

/** Shared helpers for deployment rules: which build and Dockerfile a container runs, what that image declares. */

export function buildById(model: ProjectModel, id: string | undefined): Build | undefined {
  return id ? model.builds.find((b) => b.id === id) : undefined;
}

/** Builds whose tags name the same repository as `ref` (any tag, variables in the tag included). */
export function buildsOfRepository(model: ProjectModel, ref: ImageRef): Build[] {
  const key = repositoryKey(ref);
  return model.builds.filter((b) =>
    b.tags.some((t) => {
      const p = parseBuildTag(t);
      return !!p && repositoryKey(p) === key;
    }),
  );
}

/** The kustomization `images:` entry for an image (kustomize matches the name without tag or digest), if any. */
export function kustomizeOverride(
  model: ProjectModel,
  image: string,
): Kustomization['images'][number] | undefined {
  const name = image.replace(/@.*$/, '').replace(/:[^:/]*$/, '');
  for (const k of model.deployments.kustomizations) {
    const o = k.images.find((i) => i.name === name);
    if (o) return o;
  }
  return undefined;
}

/** A kustomization gives containers using `image` another tag or digest: the manifest's own tag is not what runs. */
export function kustomizeRetag(model: ProjectModel, image: string): boolean {
  const o = kustomizeOverride(model, image);
  const p = o ? parseImageRef(o.ref) : undefined;
  return !!p?.ok && (!!p.ref.tag || !!p.ref.digest);
}

/**
 * An image use whose tag is written elsewhere: Helm values without a tag (charts default it to the chart's
 * appVersion), kustomize `images:` that only rename (the manifest's tag is kept). Not `latest`.
 */
export function tagFromElsewhere(use: ImageUse): boolean {
  if (use.origin !== 'helm' && use.origin !== 'kustomize') return false;
  const p = parseImageRef(use.ref);
  return p.ok && !p.ref.tag && !p.ref.digest;
}

/** The build producing a container's image: compose `build:`, an exact tag, or (when unique) its repository. */
export function containerBuild(model: ProjectModel, c: Container): Build | undefined {
  return buildById(model, c.buildId) ?? (c.image ? buildProducing(model.builds, c.image.value) : undefined);
}

export function dockerfileOf(model: ProjectModel, build: Build | undefined): Dockerfile | undefined {
  return build ? model.dockerfiles.find((d) => d.path === build.dockerfile) : undefined;
}

/** The stage a build produces: its `--target`, else the last stage. */
export function builtStage(df: Dockerfile, build: Build | undefined) {
  const t = build?.target?.toLowerCase();
  return (t ? df.stages.find((s) => s.name === t) : undefined) ?? finalStage(df);
}

export interface DeclaredPort {
  port: number;
  ins: DfInstruction;
}

/** Ports the built image declares: EXPOSE (ARGs substituted, build args applied) and `ENV PORT=`. */
export function declaredPorts(df: Dockerfile, build: Build | undefined): DeclaredPort[] {
  const stage = builtStage(df, build);
  if (!stage) return [];
  const out: DeclaredPort[] = [];
  for (const s of stageChain(df, stage)) {
    for (const ins of s.instructions) {
      if (ins.keyword !== 'EXPOSE' && ins.keyword !== 'ENV') continue;
      const vars = stageArgs(df, s.index, ins);
      for (const [k, v] of Object.entries(build?.buildArgs ?? {})) if (vars.has(k)) vars.set(k, v);
      if (ins.keyword === 'EXPOSE') {
        for (const w of ins.words) {
          const text = substituteArgs(w.value, vars);
          const m = text ? /^(\d+)(?:-\d+)?(?:\/(tcp|udp))?$/.exec(text) : null;
          if (m) out.push({ port: Number(m[1]), ins });
        }
      } else {
        for (const e of envDecls(ins)) {
          if (e.name !== 'PORT') continue;
          const v = substituteArgs(e.value, vars);
          if (v && /^\d+$/.test(v)) out.push({ port: Number(v), ins });
        }
      }
    }
  }
  return out;
}

/** The final USER of the built image (the base image's user is unknown: undefined means none set here). */
export function finalUser(
  df: Dockerfile,
  build: Build | undefined,
): { user: string; ins: DfInstruction } | undefined {
  const stage = builtStage(df, build);
  if (!stage) return undefined;
  let found: { user: string; ins: DfInstruction } | undefined;
  for (const s of stageChain(df, stage)) {
    for (const ins of s.instructions) {
      if (ins.keyword !== 'USER') continue;
      const vars = stageArgs(df, s.index, ins);
      const v = substituteArgs(ins.args.trim(), vars) ?? ins.args.trim();
      found = { user: v, ins };
    }
  }
  return found;
}

/** The line just above a site, or the site's own line, carries a `#` comment (a written justification). */
export function commentedNear(site: Site): boolean {
  const file: SourceFile = site.file;
  const line = file.position(site.span.start).line;
  if (/#\s*\S/.test(file.lineText(line).slice(file.position(site.span.end).column))) return true;
  for (let l = line - 1; l >= Math.max(1, line - 2); l--) {
    const t = file.lineText(l).trim();
    if (t.startsWith('#') && t.length > 2 && !/crossdock-ignore/.test(t)) return true;
    if (t && !t.startsWith('#')) break;
  }
  return false;
}

export function workloadLabel(w: Workload): string {
  return w.origin === 'compose' ? `compose service "${w.name}"` : `${w.kind} "${w.name}"`;
}
