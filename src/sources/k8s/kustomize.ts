import type { Deployments, ImageUse, Kustomization, KustomizePatch } from '../../model/deploy.js';
import { dirname, joinPath } from '../../model/repo.js';
import type { Y } from '../yaml/node.js';

/** Reads a kustomization: resources (files, folders, remote), `namePrefix`, and `images:` overrides. */
export function readKustomization(doc: Y, out: Deployments): Kustomization | undefined {
  if (!doc.isMap) return undefined;
  const dir = dirname(doc.file.path);
  const k: Kustomization = {
    file: doc.file,
    resources: [],
    namePrefix: doc.get('namePrefix')?.str(),
    images: [],
    patches: [],
    replacements: (doc.get('replacements') ?? doc.get('vars'))?.site,
    replicas: [],
  };
  for (const item of doc.get('replicas')?.items() ?? []) {
    const name = item.get('name')?.str();
    const count = item.get('count');
    const n = count?.num();
    if (name && count && n !== undefined) k.replicas.push({ name, count: n, site: count.site });
  }
  for (const key of ['patches', 'patchesStrategicMerge', 'patchesJson6902']) {
    for (const item of doc.get(key)?.items() ?? []) {
      const path = item.isMap ? item.get('path')?.str() : item.str();
      const inline = item.isMap ? item.get('patch')?.str() : undefined;
      const isInline = !item.isMap && path !== undefined && isInlinePatch(path);
      const target = item.isMap ? item.get('target') : undefined;
      k.patches.push({
        path: path && !isInline ? joinPath(dir, path) : undefined,
        inline: isInline ? path : inline,
        site: item.site,
        target: target?.isMap
          ? {
              kind: target.get('kind')?.str(),
              name: target.get('name')?.str(),
              selector: !!(target.get('labelSelector') ?? target.get('annotationSelector')),
            }
          : undefined,
      });
    }
  }
  for (const key of ['resources', 'bases', 'components']) {
    for (const item of doc.get(key)?.items() ?? []) {
      const v = item.str();
      if (!v) continue;
      const remote = /^(https?:|git@|github\.com\/|ssh:)/.test(v) || v.includes('?ref=');
      k.resources.push({
        entry: { value: v, site: item.site },
        path: remote ? undefined : joinPath(dir, v),
        remote,
      });
    }
  }
  for (const item of doc.get('images')?.items() ?? []) {
    const name = item.get('name')?.str();
    if (!name) continue;
    const newName = item.get('newName')?.str() ?? name;
    const digest = item.get('digest')?.str();
    const tag = item.get('newTag')?.str();
    const ref = digest ? `${newName}@${digest}` : tag ? `${newName}:${tag}` : newName;
    const site = (item.get('newTag') ?? item.get('newName') ?? item).site;
    k.images.push({ name, ref, site });
    const use: ImageUse = { ref, site, origin: 'kustomize' };
    out.images.push(use);
  }
  out.kustomizations.push(k);
  return k;
}

/** Helm values: every `image:` block with `repository` (+ `registry`, `tag`) and every `image: "ref"` string. */
export function readHelmValues(doc: Y, out: Deployments): void {
  const visit = (y: Y | undefined, depth: number) => {
    if (!y || depth > 20) return;
    if (y.isSeq) {
      for (const i of y.items()) visit(i, depth + 1);
      return;
    }
    if (!y.isMap) return;
    const repo = y.get('repository');
    const repoText = repo?.str();
    if (repo && repoText && !repo.isMap) {
      const registry = y.get('registry')?.str();
      const tagY = y.get('tag') ?? y.get('version');
      const tag = tagY?.str();
      const digest = y.get('digest')?.str();
      const base = registry ? `${registry}/${repoText}` : repoText;
      const ref = digest ? `${base}@${digest}` : tag ? `${base}:${tag}` : base;
      const policy = y.get('pullPolicy');
      const pv = policy?.str();
      out.images.push({
        ref,
        site: (tagY ?? repo).site,
        origin: 'helm',
        pullPolicy: policy && pv ? { value: pv, site: policy.site } : undefined,
      });
      return;
    }
    for (const e of y.entries()) {
      const s = e.value?.str();
      if (e.key === 'image' && s && e.value && /[/:]/.test(s))
        out.images.push({ ref: s, site: e.value.site, origin: 'helm' });
      else visit(e.value, depth + 1);
    }
  };
  visit(doc, 0);
}

/** A strategic-merge patch document: which object it targets, whether it deletes it, a replica count. */
/**
 * A `patches` entry written as a string is the patch itself, not a path, when it spans lines or a line starts
 * (after blanks) with `apiVersion:`, `kind:`, `$patch:` or `- op:`. The blanks stay on the key's line: `^\s*`
 * crossed line ends, so every line start tried every blank line below it; a key after blank lines still starts a
 * line of its own, so the answer is the same.
 */
export function isInlinePatch(text: string): boolean {
  return /\n|^[^\S\n\r\u2028\u2029]*(?:apiVersion|kind|\$patch|-\s*op):/m.test(text);
}

export function readPatch(doc: Y): KustomizePatch | undefined {
  if (!doc.isMap) return undefined;
  const keys = doc.entries().map((e) => e.key);
  const spec = doc.get('spec');
  const specKeys = spec?.isMap ? spec.entries().map((e) => e.key) : [];
  const replicas = doc.at('spec', 'replicas');
  const n = replicas?.num();
  const directive = doc.get('$patch')?.str();
  const annotations = doc.at('metadata', 'annotations');
  const tls = doc.at('spec', 'tls');
  return {
    kind: doc.get('kind')?.str(),
    name: doc.at('metadata', 'name')?.str(),
    delete: directive === 'delete',
    replicas: replicas && n !== undefined ? { value: n, site: replicas.site } : undefined,
    annotations: annotations?.isMap
      ? Object.fromEntries(
          annotations.entries().map((e) => {
            const v = e.value?.str();
            return [e.key, v !== undefined && e.value ? { value: v, site: e.value.site } : null];
          }),
        )
      : undefined,
    // Ingress spec.tls is an atomic list: a patch replaces it whole.
    tls: !tls
      ? undefined
      : tls.items().length > 0 || tls.isMap
        ? { value: tls.toJS(), site: tls.site }
        : null,
    opaque: (directive !== undefined && directive !== 'delete') || hasDirective(doc.toJS(), true),
    // Anything beyond kind/metadata/$patch and spec.replicas changes fields crossdock reads as written.
    other:
      keys.some((k) => !['apiVersion', 'kind', 'metadata', '$patch', 'spec'].includes(k)) ||
      specKeys.some((k) => k !== 'replicas'),
    site: doc.site,
  };
}

/** A strategic-merge directive (`$patch`, `$retainKeys`, `$setElementOrder/…`, `$deleteFromPrimitiveList/…`) below the top. */
function hasDirective(v: unknown, top: boolean): boolean {
  if (Array.isArray(v)) return v.some((x) => hasDirective(x, false));
  if (typeof v !== 'object' || v === null) return false;
  return Object.entries(v).some(([k, x]) => (k.startsWith('$') && !top) || hasDirective(x, false));
}
