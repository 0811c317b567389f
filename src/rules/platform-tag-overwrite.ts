import { createRule } from '../engine/rule.js';
import { runnerArchitecture, unresolvedLabels } from '../knowledge/runners.js';
import type { Site, WorkflowJob, WorkflowStep } from '../model/deploy.js';
import { hasUnresolved, parseImageRef } from '../model/image-ref.js';
import { formatPlatform, type Platform } from '../model/platform.js';
import type { Build, ProjectModel } from '../model/project.js';
import { type Unknown, unknown } from '../model/value.js';

/** One build of one platform in one place (a matrix leg, a job, a command) that pushes its tags. */
interface Leg {
  build: Build;
  /** The workflow job (undefined for a script nothing runs). */
  job?: WorkflowJob;
  /** Known platforms, or why they are not known. */
  platforms: Platform[] | Unknown;
  /** Where the platform is decided: the `platforms` value (a matrix value), else the runner. */
  site: Site;
}

/** A leg whose one platform is known. */
type Known = Leg & { platform: string };

/** A condition that may select some matrix legs and not others. */
const PER_LEG = /\b(matrix|runner|strategy)\./;

/** `registry/repository:tag` normalised; undefined for a digest reference or text that is not a reference. */
function tagKey(text: string): string | undefined {
  if (hasUnresolved(text)) return undefined;
  const p = parseImageRef(text);
  if (!p.ok || p.ref.digest) return undefined;
  return `${p.ref.registry}/${p.ref.repository}:${p.ref.tag ?? 'latest'}`;
}

function contains(outer: Site, inner: Site): boolean {
  return (
    outer.file === inner.file && outer.span.start <= inner.span.start && inner.span.end <= outer.span.end
  );
}

/** Where a runner label set (or a platform) is written: the matrix value that names it, else `fallback`. */
function labelSite<T extends Site | undefined>(job: WorkflowJob, labels: string[], fallback: T): Site | T {
  for (const values of Object.values(job.matrix))
    for (const v of values) if (labels.includes(v.value)) return v.site;
  return fallback;
}

/**
 * The step runs `at` on every leg of its job whenever the job runs: it has no per-leg condition, its `push:` input
 * does not depend on the leg, and a `run:` command is at the top level of its script (not in a branch, a loop or a
 * function, and not after `&&`/`||`).
 */
function runsOnEveryLeg(step: WorkflowStep, at: Site): boolean {
  if (step.if && PER_LEG.test(step.if.value)) return false;
  if (step.uses) {
    const push = step.with.get('push')?.value ?? '';
    const outputs = step.with.get('outputs')?.value ?? '';
    return !PER_LEG.test(push) && !PER_LEG.test(outputs);
  }
  const cmds = step.run?.script.commands ?? [];
  const i = cmds.findIndex((c) => c.span.start <= at.span.start && at.span.start < c.span.end);
  const cmd = cmds[i];
  if (!cmd || cmd.depth > 0) return false;
  const prev = cmds[i - 1]?.next;
  return prev !== '&&' && prev !== '||';
}

/**
 * The legs a build pushes from, one per platform-deciding place, and the group its pushes race in (the workflow
 * run, or the script run on its own); undefined when it pushes no tag, or may not run on every leg.
 */
function legsOf(model: ProjectModel, b: Build): { group: string; legs: Leg[]; def: Site } | undefined {
  const def = b.sites?.definition;
  // Arguments crossdock cannot read (`"$@"`) may add a `--platform` or a `--tag` of their own.
  if (!def || !b.push || b.pushByDigest || b.onBranch || b.otherArgs) return undefined;
  const scriptFile = b.origin === 'script' && !def.file.path.endsWith('package.json');
  // A script nothing in the repository runs: its top-level commands all run, one after the other.
  if (scriptFile && b.standalone && !b.job) {
    const site = b.sites?.platforms ?? def;
    return {
      group: def.file.path,
      legs: [{ build: b, platforms: b.platforms.known ? b.platforms.value : b.platforms, site }],
      def,
    };
  }
  const job = b.job?.job;
  const workflow = b.job?.workflow;
  const at = b.origin === 'workflow' ? def : scriptFile ? b.invokedAt : undefined;
  if (!job || !workflow || !at) return undefined;
  const step = job.steps.find((s) => contains(s.site, at));
  if (!step || !runsOnEveryLeg(step, at)) return undefined;
  const group = workflow.file.path;
  if (b.platformsExplicit) {
    const one = b.platforms.known && b.platforms.value.length === 1 ? b.platforms.value[0] : undefined;
    // `--platform ${{ matrix.platform }}`, `./build.sh ${{ matrix.platform }}`: the matrix value is the leg's.
    const fromMatrix = one ? labelSite(job, [formatPlatform(one)], undefined) : undefined;
    return {
      group,
      legs: [
        {
          build: b,
          job,
          platforms: b.platforms.known ? b.platforms.value : b.platforms,
          site: fromMatrix ?? b.sites?.platforms ?? def,
        },
      ],
      def,
    };
  }
  // No platform named: each runner builds its own, unless a builder on other machines builds it.
  const remote = model.remoteBuilders.find((r) => job.steps.some((s) => contains(s.site, r.site)));
  const legs = (b.runsOn ?? job.runsOn).map((set): Leg => {
    const arch = runnerArchitecture(set.labels);
    const site = labelSite(job, set.labels, set.site);
    const platforms: Platform[] | Unknown = remote
      ? unknown(
          'environment',
          `${remote.what} sets up a builder on other machines, whose platform is not known`,
          remote.site,
        )
      : arch
        ? [{ os: 'linux', architecture: arch }]
        : unknown(
            unresolvedLabels(set.labels) ? 'expression' : 'environment',
            `the architecture of runner [${set.labels.join(', ')}] is not known`,
            set.site,
            'add an architecture label (`x64`, `arm64`) to self-hosted runners',
          );
    return { build: b, job, platforms, site };
  });
  return { group, legs, def };
}

/**
 * Whether something may merge per-platform images under `key`: an `imagetools create` or `manifest push` writing
 * it (or writing references crossdock cannot read), a merge tool or action it does not model, or a program in
 * another language that builds or pushes images.
 */
function mayMerge(model: ProjectModel, key: string): boolean {
  if (model.opaqueBuilders.length) return true;
  for (const c of model.imageCopies) {
    if (!/imagetools create|manifest push/.test(c.what)) continue;
    if (!c.refs || c.refs.some((r) => tagKey(r) === undefined || tagKey(r) === key)) return true;
  }
  for (const wf of model.workflows)
    for (const job of wf.jobs)
      for (const step of job.steps) {
        if (step.uses && /manifest|imagetools|multi-?arch|merge|crossdock/i.test(step.uses.action))
          return true;
        if (
          step.run &&
          /\bcrossdock\s+build\b|manifest-tool|\bcrane\s+index\b|\bregctl\s+index\b/.test(step.run.text)
        )
          return true;
      }
  return false;
}

export default createRule<'overwrite'>({
  meta: {
    id: 'platform-tag-overwrite',
    severity: 'error',
    category: 'platform',
    summary:
      'Matrix legs, jobs or commands that each build one platform and push the same tag, with nothing merging their digests: the tag holds only the platform pushed last.',
    messages: {
      overwrite:
        '{{tags}} {{is}} pushed by {{count}} builds of one platform each ({{platforms}}), and nothing merges them into one manifest list: each push replaces the last, so the tag holds only the platform of whichever build pushes last',
    },
    hint: 'push each platform by digest (`outputs: type=image,name=<image>,push-by-digest=true,name-canonical=true,push=true`), upload the digests, and merge them in a job that `needs:` the builds: `docker buildx imagetools create -t <tag> <image>@<digest>…`; or build all platforms in one build (`platforms: linux/amd64,linux/arm64`)',
  },
  check(ctx) {
    const { model } = ctx;
    /** Legs by workflow file and pushed tag. */
    const byTag = new Map<string, { legs: Leg[]; tag: string; at: Site }>();
    for (const b of model.builds) {
      const found = legsOf(model, b);
      if (!found) continue;
      const { group, legs, def } = found;
      b.tags.forEach((t, i) => {
        const key = tagKey(t);
        if (!key) return;
        const k = `${group}\0${key}`;
        const entry = byTag.get(k) ?? {
          legs: [],
          tag: t,
          at: b.sites?.tags[i] ?? def,
        };
        entry.legs.push(...legs);
        byTag.set(k, entry);
      });
    }
    /** Tags overwritten by the same legs: one finding. */
    const findings = new Map<string, { tags: string[]; legs: Known[]; at: Site }>();
    for (const [k, { legs, tag, at }] of byTag) {
      if (legs.length < 2) continue;
      const blocked = legs.map((l) => l.platforms).find((p) => !Array.isArray(p));
      if (blocked && !Array.isArray(blocked)) {
        ctx.unknown(blocked, `whether the builds pushing \`${tag}\` build different platforms`);
        continue;
      }
      // One platform each: a leg pushing a manifest list is not this rule's.
      const single = legs.flatMap((l): Known[] => {
        const p = Array.isArray(l.platforms) && l.platforms.length === 1 ? l.platforms[0] : undefined;
        return p ? [{ ...l, platform: formatPlatform(p) }] : [];
      });
      if (single.length < legs.length) continue;
      if (new Set(single.map((l) => l.platform)).size < 2) continue;
      // Jobs whose own conditions differ may never run in the same workflow run.
      if (new Set(legs.map((l) => l.job?.if?.value ?? '')).size > 1) continue;
      if (mayMerge(model, k.slice(k.indexOf('\0') + 1))) continue;
      const id = legs.map((l) => `${l.build.id}@${l.site.span.start}`).join('\n');
      const f = findings.get(id) ?? { tags: [], legs: single, at };
      f.tags.push(tag);
      findings.set(id, f);
    }
    for (const f of findings.values()) {
      const platforms = [...new Set(f.legs.map((l) => l.platform))];
      ctx.report({
        messageId: 'overwrite',
        data: {
          tags: `${f.tags.length > 1 ? 'tags' : 'tag'} ${f.tags.map((t) => `\`${t}\``).join(', ')}`,
          is: f.tags.length > 1 ? 'are' : 'is',
          count: f.legs.length,
          platforms: platforms.join(', '),
        },
        file: f.at.file,
        span: f.at.span,
        sites: f.legs.map((l) => l.site),
        related: f.legs.map((l) => ({
          file: l.site.file,
          span: l.site.span,
          message: `builds only ${l.platform} and pushes the tag`,
        })),
      });
    }
  },
});
