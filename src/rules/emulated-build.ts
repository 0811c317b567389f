import { createRule } from '../engine/rule.js';
import { heavyNode, heavyPython } from '../knowledge/heavy-deps.js';
import { runnerArchitecture, unresolvedLabels } from '../knowledge/runners.js';
import { formatPlatform } from '../model/platform.js';
import type { Build, ImageView, ProjectModel, RemoteBuilder } from '../model/project.js';
import { unknown } from '../model/value.js';
import { commandsOf } from './lib/dockerfile.js';
import { nodeProjectDir, viewInstallsNodeDependencies } from './lib/node.js';
import { requirementFile } from './lib/python.js';

/**
 * What the emulated stages install that bears on the cost: Python packages known offline to compile from source
 * (no Linux wheels at all, see knowledge/heavy-deps.ts), heavy native Node packages, and whether any Python
 * package is installed from an index at all (whose wheels only the index knows).
 */
function heavyDependencies(
  model: ProjectModel,
  view: ImageView,
): { compiles: string[]; node: string[]; python: boolean } {
  const compiles = new Set<string>();
  let python = false;
  for (const sv of view.stages) {
    if (!sv.built || sv.buildPlatform) continue;
    for (const ins of sv.stage.instructions)
      for (const c of commandsOf(ins)) {
        if (!c.pip || c.pip.verb === 'download' || c.pip.noIndex) continue;
        python = true;
        for (const w of c.pip.packages) {
          const name = w.value.toLowerCase().split(/[=<>~![;\s]/)[0] ?? '';
          const spec = w.value.slice(name.length);
          if (name && heavyPython(name, spec)) compiles.add(name);
        }
        for (const w of c.pip.requirementFiles) {
          const r = requirementFile(model, view, sv, ins, w);
          if (r.known)
            for (const q of r.value.requirements)
              if (q.name && heavyPython(q.name, q.specifier ?? '')) compiles.add(q.name);
        }
      }
  }
  // Node packages only when a built stage installs them, from the package.json the image copies.
  const node = new Set<string>();
  const dir = viewInstallsNodeDependencies(view) ? nodeProjectDir(model, view) : undefined;
  const pkg = dir?.known
    ? model.node.packageJsons.find(
        (p) => p.path === (dir.value === '.' ? 'package.json' : `${dir.value}/package.json`),
      )
    : undefined;
  for (const d of pkg?.dependencies ?? []) if (!d.dev && heavyNode(d.name)) node.add(d.name);
  return { compiles: [...compiles].sort(), node: [...node].sort(), python };
}

/** The first four names (sorted) and an ellipsis. */
function some(names: string[]): string {
  return `${names.slice(0, 4).join(', ')}${names.length > 4 ? '…' : ''}`;
}

/**
 * With `check --online`, the index's answers for this Dockerfile: the requirements pip compiles from source on one
 * of these platforms (an sdist needing a compiler, or not known to need none). Undefined when the index was not
 * asked about this Dockerfile.
 */
function compiledOnline(model: ProjectModel, view: ImageView, platforms: string[]): string[] | undefined {
  // No answer for this Dockerfile (offline, no index named, nothing asked): not known.
  const facts = model.wheels?.filter((f) => f.dockerfile === view.dockerfile.path) ?? [];
  if (facts.length === 0) return undefined;
  const out = new Set<string>();
  for (const f of facts)
    if (platforms.some((p) => f.platforms[p]?.status === 'sdist' && f.platforms[p]?.needsCompiler !== false))
      out.add(f.name);
  return [...out].sort();
}

/** The cost clause of the `emulated` message, and whether it makes the finding a warning. */
function costOf(
  h: ReturnType<typeof heavyDependencies>,
  online: string[] | undefined,
): { text: string; heavy: boolean } {
  const parts: string[] = [];
  if (online?.length)
    parts.push(
      `, and ${some(online)} ${online.length === 1 ? 'compiles' : 'compile'} from source there (the package index has no wheel for that platform)`,
    );
  else if (h.compiles.length && !online)
    parts.push(
      `, and ${some(h.compiles)} ${h.compiles.length === 1 ? 'compiles' : 'compile'} from source there (no Linux wheels are published)`,
    );
  if (h.node.length)
    parts.push(`, and it installs ${some(h.node)}, heavy native packages that take far longer there`);
  // Offline, whether the other Python packages have wheels for the platform is not known.
  if (!online && !h.compiles.length && h.python)
    parts.push(
      '; its Python packages may compile from source there: run `crossdock deps` or `check --online` to know',
    );
  const compiles = online ? online.length : h.compiles.length;
  return { text: parts.join(''), heavy: compiles + h.node.length > 0 };
}

/**
 * A builder set up on other machines that this build may use: one in the job's steps, or in the script or Makefile
 * that defines the build. Which builder the build picks is not read, so any of them counts.
 */
function remoteBuilderOf(model: ProjectModel, b: Build): RemoteBuilder | undefined {
  const def = b.origin === 'script' || b.origin === 'makefile' ? b.sites?.definition.file.path : undefined;
  return model.remoteBuilders.find(
    (r) =>
      r.site.file.path === def ||
      b.job?.job.steps.some(
        (s) =>
          s.site.file.path === r.site.file.path &&
          s.site.span.start <= r.site.span.start &&
          r.site.span.end <= s.site.span.end,
      ),
  );
}

export default createRule<'emulated' | 'noQemu'>({
  meta: {
    id: 'emulated-build',
    severity: 'warning',
    category: 'platform',
    summary:
      'A CI build that names a platform not native to its runner (arm64 on ubuntu-latest): emulated under QEMU, or failing without it.',
    messages: {
      emulated:
        'job "{{job}}" builds {{platforms}} on [{{runner}}] ({{runnerArch}}): every RUN of it runs under QEMU emulation, typically 5–20× slower{{heavy}}',
      noQemu:
        'job "{{job}}" builds {{platforms}} on [{{runner}}] ({{runnerArch}}) without setting up QEMU, and the Dockerfile RUNs commands for that platform: they fail with "exec format error"',
    },
    hint: 'build each platform on a native runner (matrix with `ubuntu-24.04-arm` for arm64, then merge the digests with `docker buildx imagetools create`), or build amd64 on every push and arm64 only on tags',
  },
  check(ctx) {
    const { model } = ctx;
    for (const view of model.images) {
      const b = view.build;
      if (!b.job || !b.platformsExplicit || b.remoteBuilder) continue;
      const site = b.sites?.platforms;
      if (!site) continue;
      if (!b.platforms.known) {
        ctx.unknown(
          { ...b.platforms, site: b.platforms.site ?? site },
          'whether this build is emulated on its runner',
        );
        continue;
      }
      // A builder on other machines (a buildx endpoint, a remote, kubernetes or cloud driver): what runs natively
      // depends on its nodes' architecture, which the repository does not say.
      const remote = remoteBuilderOf(model, b);
      if (remote) {
        ctx.unknown(
          unknown(
            'environment',
            `${remote.what} sets up a builder on other machines, whose architecture is not known`,
            remote.site,
            'nothing to change when the builder has a native node for each platform',
          ),
          'whether this build is emulated on its builder',
        );
        continue;
      }
      for (const set of b.runsOn ?? b.job.job.runsOn) {
        const arch = runnerArchitecture(set.labels);
        if (!arch) {
          ctx.unknown(
            unknown(
              unresolvedLabels(set.labels) ? 'expression' : 'environment',
              `the architecture of runner [${set.labels.join(', ')}] is not known`,
              set.site,
              'add an architecture label (`x64`, `arm64`) to self-hosted runners',
            ),
            'whether this build is emulated on its runner',
          );
          continue;
        }
        const foreign = b.platforms.value.filter((p) => p.architecture !== arch);
        if (foreign.length === 0) continue;
        const runs = view.stages.some(
          (sv) => sv.built && !sv.buildPlatform && sv.stage.instructions.some((i) => i.keyword === 'RUN'),
        );
        if (!runs) continue;
        const cost = costOf(
          heavyDependencies(model, view),
          compiledOnline(model, view, foreign.map(formatPlatform)),
        );
        const data = {
          job: b.job.job.id,
          platforms: foreign.map(formatPlatform).join(', '),
          runner: set.labels.join(', '),
          runnerArch: arch,
          heavy: cost.text,
        };
        if (!b.qemu)
          ctx.report({ messageId: 'noQemu', severity: 'error', data, file: site.file, span: site.span });
        // Emulation set up on purpose is slow, not broken: a warning when packages known to compile are built there.
        else
          ctx.report({
            messageId: 'emulated',
            severity: cost.heavy ? 'warning' : 'info',
            data,
            file: site.file,
            span: site.span,
          });
      }
    }
  },
});
