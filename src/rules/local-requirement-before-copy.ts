import { createRule } from '../engine/rule.js';
import type { DfInstruction } from '../model/dockerfile.js';
import { copyMappings, normalize, workdirAt } from '../model/eval.js';
import { knownFiles } from '../knowledge/images.js';
import type { ImageView, ProjectModel, StageView } from '../model/project.js';
import { type Unknown, unknown, type Value } from '../model/value.js';
import { ARCHIVE, buildOfImage, buildSite, commandsOf } from './lib/dockerfile.js';
import { pipPath, requirementFile } from './lib/python.js';

interface Present {
  paths: string[];
  trees: string[];
  /** A RUN with unknown effects ran before (or an earlier command of this one): anything may be there. */
  opaque: Unknown | undefined;
  /** The image the chain starts from may hold anything (a private image, an unknown ARG). */
  base: Unknown | undefined;
  /** Something landed under a WORKDIR crossdock does not know: it may be any path. */
  workdir: Unknown | undefined;
}

/**
 * Folders and files that exist in the image when a RUN starts (or that an earlier command of it creates); without
 * `ins`, at the end of the stage. The base image is followed when it is built in this repository; an official
 * language or distro image holds no application files; any other base may hold anything.
 */
function presentBefore(
  model: ProjectModel,
  view: ImageView,
  sv: StageView,
  ins: DfInstruction | undefined,
  upToCommand: number,
  depth = 0,
): Present {
  const out: Present = { paths: [], trees: [], opaque: undefined, base: undefined, workdir: undefined };
  const effects = (i: DfInstruction, why: string) =>
    unknown('effects', `this RUN's effects are not known: ${why}`, { file: view.file, span: i.span });
  /** A folder an instruction fills with what crossdock cannot list; relative to the WORKDIR, if that is known. */
  const fill = (i: DfInstruction, wd: Value<string>, p: string) => {
    if (p.startsWith('/') || wd.known) out.trees.push(normalize(wd.known ? wd.value : '/', p));
    else out.workdir ??= { ...wd, site: wd.site ?? { file: view.file, span: i.span } };
  };
  for (const m of copyMappings(view, sv.stage, ins)) (m.tree ? out.trees : out.paths).push(m.dest);
  for (const s of sv.chain) {
    for (const i of s.instructions) {
      if (i === ins) break;
      const wd = workdirAt(view, s, i);
      if (i.keyword === 'COPY' || i.keyword === 'ADD') {
        const sources = i.words.slice(0, -1);
        const dest = i.words.at(-1)?.value;
        if (dest === undefined) continue;
        if (
          i.flags.some((f) => f.name === 'from') ||
          sources.some((w) => w.value.includes('$') || /[*?[]/.test(w.value)) ||
          // `ADD https://…/x.whl /tmp/x.whl` downloads to its destination; `ADD x.tar.gz /src/` unpacks into it.
          (i.keyword === 'ADD' &&
            sources.some((w) => /^[a-z][a-z0-9+.-]*:\/\/|^git@/i.test(w.value) || ARCHIVE.test(w.value)))
        )
          fill(i, wd, dest);
        // copyMappings lists the other sources where the destination is known; under an unknown WORKDIR it is not.
        else if (!dest.startsWith('/') && !wd.known) fill(i, wd, dest);
      }
      for (const c of commandsOf(i)) {
        if (c.unknownEffects) out.opaque ??= effects(i, c.unknownEffects);
        for (const p of c.creates) fill(i, wd, p);
      }
    }
  }
  if (ins) {
    const wd = workdirAt(view, sv.stage, ins);
    for (const c of commandsOf(ins).slice(0, upToCommand)) {
      if (c.unknownEffects) out.opaque ??= effects(ins, c.unknownEffects);
      for (const p of c.creates) fill(ins, wd, p);
    }
    // A mount's target (a bind mount of the context or of another stage, a cache, a secret) holds what it mounts.
    for (const f of ins.flags) {
      if (f.name !== 'mount') continue;
      const t = /(?:^|,)(?:target|dst|destination)=([^,]+)/.exec(f.value ?? '')?.[1];
      if (t) fill(ins, wd, t);
    }
  }
  const root = sv.chain[0] ?? sv.stage;
  const site = { file: view.file, span: root.imageSpan };
  const base = sv.base;
  const files = base.known ? knownFiles(base.value) : undefined;
  if (!base.known) out.base = { ...base, site: base.site ?? site };
  else if (files) out.trees.push(...files.trees);
  else {
    const build = depth < 4 ? buildOfImage(model, base.value) : undefined;
    const baseView = build ? model.images.find((v) => v.build === build) : undefined;
    const target = baseView?.target ? baseView.stages[baseView.target.index] : undefined;
    if (baseView && target) {
      const inner = presentBefore(model, baseView, target, undefined, 0, depth + 1);
      out.paths.push(...inner.paths);
      out.trees.push(...inner.trees);
      out.opaque ??= inner.opaque;
      out.workdir ??= inner.workdir;
      out.base = inner.base;
    } else
      out.base = unknown(
        'image-contents',
        `crossdock does not know what ${base.value} contains`,
        site,
        'if the image is built in this repository, let crossdock see its build (a script, workflow or crossdock.yaml images:)',
      );
  }
  return out;
}

function covered(p: string, have: { paths: string[]; trees: string[] }): boolean {
  // A glob may match anything below the folder before its first globbed segment (`/wheels-*/x.whl`: below `/`).
  const g = p.search(/[*?[]/);
  const dir = g === -1 ? p : p.slice(0, p.lastIndexOf('/', g));
  const globbed = dir !== p;
  return (
    have.paths.some((x) => x === p || (globbed && x.startsWith(`${dir}/`))) ||
    have.trees.some(
      (t) =>
        // `dir` is `p` itself unless it has a glob.
        t === dir || p.startsWith(`${t === '/' ? '' : t}/`) || (globbed && t.startsWith(`${dir}/`)),
    )
  );
}

export default createRule<'notCopied' | 'viaFile'>({
  meta: {
    id: 'local-requirement-before-copy',
    severity: 'error',
    category: 'python',
    summary:
      'A local path (`-e ./pkg`, `.`, `-r requirements.txt`, `pkg @ file:./pkg`) is installed before it is copied into the image.',
    messages: {
      notCopied:
        '`pip install {{what}}` runs before `{{path}}` is copied into the image: pip fails with "does not appear to be a Python project" / "No such file"',
      viaFile: '`{{file}}` installs the local path `{{local}}`, which is not in the image yet at this point',
    },
    hint: 'COPY the path (or the whole project) before this RUN; to keep dependency layers cached, copy only what the install needs first (pyproject.toml + the local packages)',
  },
  check(ctx) {
    const { model } = ctx;
    for (const view of model.images) {
      for (const sv of view.stages) {
        if (!sv.built) continue;
        for (const ins of sv.stage.instructions) {
          commandsOf(ins).forEach((c, k) => {
            if (!c.pip || c.pip.verb === 'download') return;
            const have = presentBefore(model, view, sv, ins, k);
            // What may be there without crossdock knowing: files a RUN with unknown effects made, or the base image's.
            const unsure = have.opaque ?? have.base ?? have.workdir;
            const locals = [
              ...c.pip.editables,
              ...c.pip.packages.filter((w) => /^(\.{1,2}(\/|$|\[)|\/|file:)/.test(w.value)),
            ];
            for (const w of locals) {
              const p = pipPath(view, sv, ins, w);
              if (!p.known) continue;
              // A project folder counts as present once its project file is (`COPY pyproject.toml .` then `pip install .`);
              // setup.cfg alone is not one: pip wants pyproject.toml or setup.py.
              const project = ['pyproject.toml', 'setup.py'].some((n) =>
                covered(`${p.value === '/' ? '' : p.value}/${n}`, have),
              );
              if (covered(p.value, have) || project) continue;
              if (unsure) {
                ctx.unknown(unsure, `whether \`${w.value}\` is in the image before this pip install`);
                continue;
              }
              ctx.report({
                messageId: 'notCopied',
                data: { what: w.value, path: p.value },
                file: view.file,
                span: w.span,
                sites: buildSite(view),
              });
            }
            for (const w of c.pip.requirementFiles) {
              const p = pipPath(view, sv, ins, w);
              if (!p.known) continue;
              if (!covered(p.value, have)) {
                if (unsure) {
                  ctx.unknown(unsure, `whether \`-r ${w.value}\` is in the image before this pip install`);
                  continue;
                }
                ctx.report({
                  messageId: 'notCopied',
                  data: { what: `-r ${w.value}`, path: p.value },
                  file: view.file,
                  span: w.span,
                  sites: buildSite(view),
                });
                continue;
              }
              const req = requirementFile(model, view, sv, ins, w);
              if (!req.known) continue;
              const wd = workdirAt(view, sv.stage, ins);
              if (!wd.known) continue;
              for (const r of req.value.requirements) {
                if (!r.localPath) continue;
                const lp = normalize(wd.value, r.localPath);
                if (covered(lp, have)) continue;
                if (unsure) {
                  ctx.unknown(unsure, `whether \`${r.localPath}\` is in the image before this pip install`);
                  continue;
                }
                ctx.report({
                  messageId: 'viaFile',
                  data: { file: w.value, local: r.localPath },
                  file: view.file,
                  span: w.span,
                  sites: buildSite(view),
                });
              }
            }
          });
        }
      }
    }
  },
});
