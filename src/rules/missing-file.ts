import { createRule, type RuleContext } from '../engine/rule.js';
import type { Site } from '../model/deploy.js';
import type { DockerIgnore } from '../model/dockerfile.js';
import { resolveWord } from '../model/eval.js';
import type { Build, ImageView, ProjectModel } from '../model/project.js';
import type { Span } from '../model/source.js';
import { dirname, globRegExp, joinPath, pathStatus, present, relativeTo, within } from '../model/repo.js';
import { unknown } from '../model/value.js';
import { buildSite, builtStages, generatedBefore } from './lib/dockerfile.js';

type Status = 'absent' | 'untracked' | 'ignored';
type MessageId =
  | 'absent'
  | 'absentEvery'
  | 'untracked'
  | 'ignored'
  | 'dockerignored'
  | 'noMatch'
  | 'noMatchEvery'
  | 'wrongContext'
  | 'envTemplate'
  | 'envUser'
  | `ref${Capitalize<Status>}`;

/**
 * Whether `.dockerignore` keeps a path out of the context, as the engine decides it: a file by its own path; a
 * folder only when every committed file below it is excluded (a pattern's `!` exception re-includes files).
 */
function excluded(model: ProjectModel, ignore: DockerIgnore, context: string, path: string): boolean {
  const rel = relativeTo(context, path);
  if (model.inventory.files.has(path)) return ignore.ignores(rel);
  const below = [...model.inventory.files.keys()].filter(
    (f) => within(path, f) && present(model.inventory, f),
  );
  return below.length > 0 && below.every((f) => ignore.ignores(relativeTo(context, f)));
}

function ignoreFileFor(model: ProjectModel, view: ImageView, context: string): DockerIgnore | undefined {
  // BuildKit reads `<Dockerfile>.dockerignore` next to the Dockerfile first, then the context's `.dockerignore`.
  return model.dockerignores.get(view.dockerfile.path) ?? model.dockerignores.get(context);
}

/** Files named by build definitions, compose, workflows and kustomizations: path, what it is, where. */
interface Referenced {
  path: string;
  what: string;
  site: Site;
  build?: Build;
  /** The committed example env file next to it (an env_file's template). */
  example?: string;
  userCreated?: boolean;
}

function referencedFiles(model: ProjectModel): Referenced[] {
  const out: Referenced[] = [];
  for (const b of model.builds) {
    // Only a build definition names files (a Dockerfile nothing builds has no definition, hence no sites).
    if (!b.sites) continue;
    if (b.context.known)
      out.push({
        path: b.context.value,
        what: 'the build context',
        site: b.sites.context ?? b.sites.definition,
        build: b,
      });
    if (b.dockerfile.known && b.context.known && pathStatus(model.inventory, b.context.value) !== 'absent')
      out.push({
        path: b.dockerfile.value,
        what: 'the Dockerfile',
        site: b.sites.dockerfile ?? b.sites.definition,
        build: b,
      });
  }
  for (const c of model.compose)
    for (const e of c.envFiles)
      if (!e.value.includes('$'))
        out.push({
          path: e.value,
          what: 'an env_file',
          site: e.site,
          ...(c.example && dirname(c.example.file.path) === dirname(e.value)
            ? { example: c.example.file.path }
            : {}),
          // Nothing in the repository runs this compose file: whoever runs it provides the file.
          userCreated: !model.composeRuns.has(c.file.path),
        });
  for (const k of model.deployments.kustomizations)
    for (const r of k.resources)
      if (r.path) out.push({ path: r.path, what: 'a kustomize resource', site: r.entry.site });
  return out;
}

export default createRule<MessageId>({
  meta: {
    id: 'missing-file',
    severity: 'error',
    category: 'context',
    summary:
      'A file the build needs is not in a clean clone of its context: absent, untracked, ignored by git, or excluded by .dockerignore.',
    messages: {
      absent:
        '`{{src}}` does not exist in the build context `{{context}}` ({{contextWhy}}): the build fails with "not found"',
      absentEvery:
        '`{{src}}` does not exist under any folder this Dockerfile can be built from ({{contexts}}): every build of it fails with "not found"',
      untracked:
        '`{{src}}` exists on this machine but is not committed (untracked), so a clean CI checkout lacks it and the build fails there',
      ignored:
        '`{{src}}` is ignored by git (.gitignore), so a clean CI checkout lacks it and the build fails there',
      dockerignored:
        '`{{src}}` is excluded from the build context by {{dockerignore}}, so COPY finds nothing',
      noMatch:
        '`{{src}}` matches no committed file in the build context `{{context}}`: BuildKit copies nothing and the image lacks what this COPY was written for (the classic builder fails)',
      noMatchEvery:
        '`{{src}}` matches no committed file under any folder this Dockerfile can be built from ({{contexts}}): BuildKit copies nothing and the image lacks what this COPY was written for (the classic builder fails)',
      wrongContext:
        'this build sends context `{{context}}`, which does not contain {{list}} that {{dockerfile}} copies ({{where}}): the build fails with "not found"',
      envUser:
        '`{{path}}` (an env_file) is not in the repository: nothing here runs this compose file, so whoever runs `docker compose up` must create it first',
      envTemplate:
        '`{{path}}` (an env_file) is not committed; {{example}} is the template to copy: `docker compose up` on a fresh checkout fails until it is created',
      refAbsent: '`{{path}}` ({{what}}) does not exist in the repository: a clean CI checkout fails here',
      refUntracked:
        '`{{path}}` ({{what}}) exists on this machine but is not committed, so a clean CI checkout lacks it',
      refIgnored: '`{{path}}` ({{what}}) is ignored by git, so a clean CI checkout lacks it',
    },
    hint: 'commit the file (`git add`), fix the path, or adjust .gitignore/.dockerignore; for secrets use a committed example (e.g. `.env.example`) or a build secret',
  },
  check(ctx) {
    const { model } = ctx;
    for (const ref of referencedFiles(model)) {
      const status = pathStatus(model.inventory, ref.path);
      if (status === 'tracked' || status === 'plain') continue;
      const gen = ref.build ? generatedBefore(ref.build, ref.path) : undefined;
      if (gen && !gen.known) {
        ctx.unknown(gen.unknown, `whether ${ref.path} exists when the build runs`);
        continue;
      }
      if (gen) continue;
      if (ref.userCreated && status === 'absent' && !ref.example) {
        ctx.report({
          messageId: 'envUser',
          severity: 'info',
          data: { path: ref.path },
          file: ref.site.file,
          span: ref.site.span,
        });
        continue;
      }
      if (ref.example) {
        ctx.report({
          messageId: 'envTemplate',
          severity: 'info',
          data: { path: ref.path, example: ref.example },
          file: ref.site.file,
          span: ref.site.span,
        });
        continue;
      }
      ctx.report({
        messageId: status === 'absent' ? 'refAbsent' : status === 'untracked' ? 'refUntracked' : 'refIgnored',
        data: { path: ref.path, what: ref.what },
        file: ref.site.file,
        span: ref.site.span,
      });
    }
    // Workflow steps that copy a file (`cp .env.example .env`): absent unless an earlier step may create it.
    for (const wf of model.workflows)
      for (const job of wf.jobs) {
        // Steps with unknown effects make later paths unknown; steps with known outputs only create those.
        let opaque: Site | undefined;
        const created: string[] = [];
        for (const step of job.steps) {
          for (const cp of step.run?.copies ?? []) {
            const path = cp.value; // resolved against the step's working directory, normalised
            const status = pathStatus(model.inventory, path);
            if (status === 'tracked' || status === 'plain') continue;
            if (created.some((c) => within(c, path))) continue;
            if (opaque) {
              ctx.unknown(
                unknown(
                  'effects',
                  'an earlier step of this job runs a program that may create files',
                  opaque,
                ),
                `whether ${path} exists when this step runs`,
              );
              continue;
            }
            ctx.report({
              messageId:
                status === 'absent' ? 'refAbsent' : status === 'untracked' ? 'refUntracked' : 'refIgnored',
              data: { path, what: 'copied by this step' },
              file: cp.site.file,
              span: cp.site.span,
            });
          }
          const cwd = joinPath('.', step.workingDirectory ?? '.') ?? '.';
          for (const c of step.run?.facts.commands ?? [])
            for (const p of c.creates) created.push(joinPath(cwd, p) ?? p);
          const effects = step.uses
            ? !/^(actions\/(checkout|setup-[\w-]+|cache)|docker\/)/.test(step.uses.action)
            : (step.run?.facts.commands ?? []).some((c) => c.unknownEffects);
          if (effects) opaque ??= step.uses?.site ?? step.run?.site ?? step.site;
        }
      }
    for (const view of model.images) checkView(ctx, model, view);
  },
});

function checkView(ctx: RuleContext<MessageId>, model: ProjectModel, view: ImageView): void {
  const { build, file, dockerfile: df } = view;
  const contexts = build.context.known ? [build.context.value] : (build.context.candidates ?? []);
  const sites = buildSite(view);
  // Only a known context is named in a message (a Dockerfile nothing builds has none: its candidates are).
  const contextWhy =
    build.context.known && build.context.origin.kind === 'convention'
      ? (build.context.origin.detail ?? 'inferred')
      : 'as its build definition sets it';
  // Sources that exist outside the context this build sends: one finding per build definition (one root cause).
  const wrong: { src: string; found: string; line: number; span: Span }[] = [];
  for (const sv of builtStages(view)) {
    for (const ins of sv.stage.instructions) {
      if ((ins.keyword !== 'COPY' && ins.keyword !== 'ADD') || ins.flags.some((f) => f.name === 'from'))
        continue;
      for (const w of ins.words.slice(0, -1)) {
        if (
          /^[a-z][a-z0-9+.-]*:\/\//i.test(w.value) ||
          w.value.startsWith('<<') ||
          w.value.startsWith('git@')
        )
          continue;
        const src = resolveWord(view, sv.stage, ins, w.value);
        if (!src.known) {
          ctx.unknown(
            { ...src, site: src.site ?? { file, span: w.span } },
            `whether \`${w.value}\` is in the build context`,
          );
          continue;
        }
        const clean = src.value.replace(/^\/+/, '') || '.';
        if (clean.split('/').some((s) => s === '..')) continue; // copy-outside-context
        if (contexts.length === 0) {
          if (!build.context.known)
            ctx.unknown(
              { ...build.context, site: build.context.site ?? { file, span: w.span } },
              `whether \`${w.value}\` is in the build context`,
            );
          continue;
        }
        const outcomes = contexts.map((c) => judge(model, view, c, clean));
        // An `ok` under one candidate rules out every report below (each needs all outcomes to agree).
        const first = outcomes[0] as Outcome; // one outcome per context, and there is at least one
        if (first.kind === 'ok') continue;
        if (!build.context.known) {
          // Missing under every folder it could be built from: a fact whatever the context is.
          if (outcomes.every((o) => o.kind === 'noMatch'))
            ctx.report({
              messageId: 'noMatchEvery',
              severity: 'warning',
              data: { src: w.value, contexts: contexts.map((c) => `\`${c}\``).join(', ') },
              file,
              span: w.span,
              sites,
            });
          // A glob is noMatch or ok under every candidate, a plain path never noMatch: no mix of the two.
          else if (outcomes.every((o) => o.kind === 'absent'))
            ctx.report({
              messageId: 'absentEvery',
              data: { src: w.value, contexts: contexts.map((c) => `\`${c}\``).join(', ') },
              file,
              span: w.span,
              sites,
            });
          else if (
            outcomes.every((o) => o.kind === first.kind) &&
            (first.kind === 'untracked' || first.kind === 'ignored')
          )
            ctx.report({ messageId: first.kind, data: { src: w.value }, file, span: w.span, sites });
          continue;
        }
        const context = build.context.value;
        const path = joinPath(context, clean) ?? clean;
        const gen =
          first.kind === 'absent' || first.kind === 'untracked' || first.kind === 'ignored'
            ? generatedBefore(build, path)
            : undefined;
        if (gen && !gen.known) {
          ctx.unknown(gen.unknown, `whether \`${w.value}\` exists when the build runs`);
          continue;
        }
        if (gen) continue;
        const by = first.kind === 'dockerignored' ? first.by : undefined;
        const data = { src: w.value, context, contextWhy, dockerignore: by ?? '' };
        // A known context is set by a build definition (a Dockerfile nothing builds has candidates only).
        const definedBy = build.sites
          ? [
              {
                file: build.sites.definition.file,
                span: build.sites.definition.span,
                message: `the build context \`${context}\` is set here`,
              },
            ]
          : [];
        if (first.kind === 'absent' && build.sites) {
          // The file is there, but outside the context this definition sends: report the definition. (A glob
          // is never absent, only noMatch.)
          const found = [dirname(df.path), '.']
            .map((base) => joinPath(base, clean) ?? clean)
            .find((p) => pathStatus(model.inventory, p) !== 'absent');
          if (found) {
            if (!wrong.some((x) => x.src === w.value))
              wrong.push({ src: w.value, found, line: file.position(w.span.start).line, span: w.span });
            continue;
          }
        }
        const ignoreSource = by ? model.sources.get(by) : undefined;
        ctx.report({
          messageId: first.kind,
          // BuildKit copies nothing for a wildcard that matches nothing: the build goes on, so this is a warning.
          ...(first.kind === 'noMatch' ? { severity: 'warning' as const } : {}),
          data,
          file,
          span: w.span,
          sites,
          related: ignoreSource
            ? [{ file: ignoreSource, span: { start: 0, end: 0 }, message: `excluded by ${by}` }]
            : definedBy,
        });
      }
    }
  }
  const s = build.sites ? (build.sites.context ?? build.sites.definition) : undefined;
  if (s && wrong.length && build.context.known)
    ctx.report({
      messageId: 'wrongContext',
      data: {
        context: build.context.value,
        list: wrong.map((x) => `\`${x.src}\``).join(', '),
        dockerfile: df.path,
        where: wrong.map((x) => `line ${x.line}; it is at \`${x.found}\``).join(', '),
      },
      file: s.file,
      span: s.span,
      related: wrong.map((x) => ({ file, span: x.span, message: `\`${x.src}\` is copied here` })),
    });
}

type Outcome =
  | { kind: 'ok' | 'absent' | 'untracked' | 'ignored' | 'noMatch' }
  | { kind: 'dockerignored'; by: string };

/** How a context-relative COPY source stands in one context. */
function judge(model: ProjectModel, view: ImageView, context: string, clean: string): Outcome {
  const ignore = ignoreFileFor(model, view, context);
  // `clean` has no `..` segment: joined to the context, it stays in the repository.
  const path = joinPath(context, clean) ?? clean;
  if (/[*?[]/.test(clean)) {
    const re = globRegExp(path);
    const hits = [...model.inventory.files.keys()].filter((f) => re.test(f) && present(model.inventory, f));
    const kept = ignore ? hits.filter((f) => !ignore.ignores(relativeTo(context, f))) : hits;
    return kept.length ? { kind: 'ok' } : { kind: 'noMatch' };
  }
  const status = pathStatus(model.inventory, path);
  if (status === 'absent' || status === 'untracked' || status === 'ignored') return { kind: status };
  if (ignore && path !== context && excluded(model, ignore, context, path))
    return { kind: 'dockerignored', by: ignore.path };
  return { kind: 'ok' };
}
