import { createRule } from '../engine/rule.js';
import type { Site } from '../model/deploy.js';
import {
  hasUnresolved,
  type ImageRef,
  parseBuildTag,
  parseImageRef,
  placeholderIn,
  repositoryKey,
} from '../model/image-ref.js';
import type { Build, ProjectModel } from '../model/project.js';
import { SourceFile } from '../model/source.js';
import { type Unknown, unknown } from '../model/value.js';
import { splitAround, variableSpans } from '../model/text.js';
import { containerImage, deployedImages, tagFromElsewhere } from './lib/deploy.js';

/** Builds whose tags name the same repository as `ref` (any tag, variables in the tag included). */
function buildsOfRepository(model: ProjectModel, ref: ImageRef): Build[] {
  const key = repositoryKey(ref);
  return model.builds.filter((b) =>
    b.tags.some((t) => {
      const p = parseBuildTag(t);
      return !!p && repositoryKey(p) === key;
    }),
  );
}

/**
 * A build tag with variables (`app:${TAG}`, `app:v$1`, `app:${{ github.sha }}`) as a pattern over tags: each
 * variable, a script's positional parameters included, may be any text, empty too.
 */
function tagPattern(tag: string): RegExp {
  const parts = splitAround(tag, variableSpans(tag, true));
  return new RegExp(`^${parts.map((p) => p.replace(/[\\^$.|?*+()[\]{}]/g, '\\$&')).join('.*')}$`);
}

/** The tag of a reference as written (`latest` when it has none). */
function tagOf(t: string): string {
  const colon = t.lastIndexOf(':');
  return (colon > t.lastIndexOf('/') ? t.slice(colon + 1) : '') || 'latest';
}

/** A tag as written (literal, or a pattern with variables) may be `tag`. */
function tagMatches(written: string, tag: string): boolean {
  return written === tag || (hasUnresolved(written) && tagPattern(written).test(tag));
}

/** A reference with variables may carry `tag`: its written tag matches, or a variable ends it (`$IMAGE`). */
function mayBeTag(ref: string, tag: string): boolean {
  const colon = ref.lastIndexOf(':');
  const slash = ref.lastIndexOf('/');
  if (colon > slash) return tagMatches(ref.slice(colon + 1), tag);
  return hasUnresolved(ref.slice(slash + 1)) || tag === 'latest';
}

/** A build tag as said to the user: a computed tag by its shape (`ghcr.io/acme/api:sha-<7 hex>`). */
function shown(b: Build, i: number, t: string): string {
  const shape = b.tagShapes?.[i];
  return shape && !('known' in shape) ? `${t.slice(0, t.lastIndexOf(':'))}:${shape.text}` : t;
}

/** Actions crossdock reads (their builds are in the model) or that build nothing. */
const READ_ACTIONS =
  /^(docker\/(build-push-action|bake-action|setup-[a-z-]+|login-action|metadata-action)|depot\/(build-push-action|setup-action)|actions\/.+)$/;

/**
 * What may push images that crossdock cannot read: a workflow step using an action that builds or publishes
 * images (by its name), and release programs in other languages that run `docker build`/`push`.
 */
function opaqueProducers(model: ProjectModel): { site: Site; what: string }[] {
  const out = [...model.opaqueBuilders];
  for (const wf of model.workflows)
    for (const job of wf.jobs)
      for (const step of job.steps) {
        const a = step.uses?.action;
        if (!a || READ_ACTIONS.test(a)) continue;
        if (/docker|image|container|build|push|publish|release|kaniko|buildah|ko-build/i.test(a))
          out.push({ site: step.uses?.site ?? step.site, what: `the step using ${a}` });
      }
  return out;
}

export default createRule<'notBuilt'>({
  meta: {
    id: 'image-not-built',
    severity: 'error',
    category: 'registry',
    summary:
      'A deployment asks for a tag of an image this repository builds, but no build produces that tag (or tag pattern).',
    messages: {
      notBuilt:
        '`{{image}}` is deployed from {{origin}}, but the builds of `{{repository}}` in this repository push only {{tags}}: the pull fails (manifest unknown) or runs an old image',
    },
    hint: 'deploy a tag the build pushes, or add that tag to the build (`-t`, `tags:`, metadata-action)',
  },
  check(ctx) {
    const { model } = ctx;
    const uses: { ref: string; site: Site; origin: string }[] = [];
    for (const w of model.deployments.workloads)
      for (const c of w.containers) {
        const image = containerImage(c);
        if (image && !image.known) {
          ctx.unknown(image, 'whether a build in this repository produces the deployed tag');
          continue;
        }
        // Deployed as written by some unit (kustomize `images:` entries are checked as uses of their own).
        if (c.image && !c.buildId && deployedImages(model, w, c.image.value).some((d) => !d.override))
          uses.push({
            ref: c.image.value,
            site: c.image.site,
            origin: w.origin === 'compose' ? 'compose' : 'a manifest',
          });
      }
    for (const i of model.deployments.images)
      if (!tagFromElsewhere(i))
        uses.push({
          ref: i.ref,
          site: i.site,
          origin: i.origin === 'helm' ? 'Helm values' : 'kustomize images',
        });
    // Tools that rewrite image references at deploy time (Tilt, Skaffold) make the written tags placeholders.
    const rewriter = [...model.inventory.files.keys()].find((f) =>
      /(^|\/)(Tiltfile|skaffold\.ya?ml)$/.test(f),
    );
    const opaque = opaqueProducers(model);
    for (const u of uses) {
      if (hasUnresolved(u.ref) || placeholderIn(u.ref)) continue;
      const parsed = parseImageRef(u.ref);
      if (!parsed.ok || parsed.ref.digest) continue;
      const builds = buildsOfRepository(model, parsed.ref);
      if (builds.length === 0) continue;
      if (rewriter && u.origin !== 'kustomize images') {
        // One root cause: the note is at the tool's file, however many images it rewrites.
        ctx.unknown(
          unknown('placeholder', `${rewriter} replaces the images it builds in what it deploys`, {
            file: model.sources.get(rewriter) ?? new SourceFile(rewriter, ''),
            span: { start: 0, end: 0 },
          }),
          'whether a build produces the deployed tag',
        );
        continue;
      }
      // crossdock.yaml `images:` names a repository, not the tags a pipeline pushes.
      const declared = builds.find((b) => b.origin === 'config');
      if (declared) {
        ctx.unknown(
          unknown(
            'no-build-site',
            `${model.config.path ?? 'crossdock.yaml'} images."${declared.tags[0]}" names the repository, not the tags pushed`,
            declared.sites?.definition ?? u.site,
            'build and push the image from a script or workflow in the repository',
          ),
          'whether a build produces the deployed tag',
        );
        continue;
      }
      const tag = parsed.ref.tag ?? 'latest';
      const key = repositoryKey(parsed.ref);
      const tags: string[] = [];
      let ok = false;
      const pushes = (t: string) => {
        const written = tagOf(t);
        tags.push(written);
        if (tagMatches(written, tag)) ok = true;
      };
      // Tags computed when a workflow runs (docker/metadata-action): by shape, or not known.
      let computed: Unknown | undefined;
      // Builds and copies whose references cannot be read may push this tag.
      let unread: { site: Site; why: string } | undefined;
      for (const b of model.builds) {
        b.tags.forEach((t, i) => {
          const p = parseBuildTag(t);
          const shape = b.tagShapes?.[i];
          if (!p) {
            // crossdock.yaml `images:` names a repository, whatever tags are pushed to it.
            if (hasUnresolved(t) && (b.origin === 'config' || mayBeTag(t, tag)))
              unread ??= {
                site: b.sites?.tags[i] ?? b.sites?.definition ?? u.site,
                why: `the build at ${b.definedAt.file}:${b.definedAt.line} pushes ${t}, whose repository is not known`,
              };
          } else if (repositoryKey(p) !== key) return;
          else if (!shape) pushes(t);
          else if ('known' in shape) computed ??= shape;
          else {
            tags.push(shape.text);
            if (shape.pattern.test(tag)) ok = true;
          }
        });
      }
      // Retags and copies (`docker tag` + `push`, `imagetools create`, `crane`, `skopeo`, `regctl`, `oras`) push
      // tags too; one whose references cannot be read may push this one.
      for (const c of model.imageCopies) {
        if (!c.refs) {
          unread ??= { ...c, why: `${c.what} copies images to references crossdock cannot read` };
          continue;
        }
        for (const r of c.refs) {
          if (r.includes('@')) continue;
          const p = parseBuildTag(r);
          if (p && repositoryKey(p) === key) pushes(r);
          else if (!p && hasUnresolved(r) && mayBeTag(r, tag))
            unread ??= { ...c, why: `${c.what} writes ${r}, whose repository is not known` };
        }
      }
      if (ok) continue;
      if (unread) {
        ctx.unknown(
          unknown(
            'environment',
            unread.why,
            unread.site,
            'write the image reference literally, or set its variables in the same script',
          ),
          'whether a build produces the deployed tag',
        );
        continue;
      }
      if (computed) {
        ctx.unknown(computed, 'whether a build produces the deployed tag');
        continue;
      }
      // The tags pushed are known only if every producer is: a release program or action crossdock does not
      // read may push this very tag.
      const producer = opaque[0];
      if (producer) {
        ctx.unknown(
          unknown(
            'effects',
            `${producer.what}, which crossdock does not read, may build and push images`,
            producer.site,
            'build and push from a shell script, Makefile or docker/build-push-action step, which crossdock reads',
          ),
          'whether a build produces the deployed tag',
        );
        continue;
      }
      ctx.report({
        messageId: 'notBuilt',
        data: {
          image: u.ref,
          origin: u.origin,
          repository: `${parsed.ref.explicitRegistry ? `${parsed.ref.registry}/` : ''}${parsed.ref.repository}`,
          // Never empty: a build of the repository pushes a tag of it, or its tags are unknown (a note above).
          tags: [...new Set(tags)].map((t) => `\`${t}\``).join(', '),
        },
        file: u.site.file,
        span: u.site.span,
        related: builds.slice(0, 3).flatMap((b) =>
          b.sites
            ? [
                {
                  file: b.sites.definition.file,
                  span: b.sites.definition.span,
                  message: `built here: ${b.tags.map((t, i) => shown(b, i, t)).join(', ')}`,
                },
              ]
            : [],
        ),
      });
    }
  },
});
