import { createRule } from '../engine/rule.js';
import { heavyNode, heavyPython } from '../knowledge/heavy-deps.js';
import { runnerArchitecture } from '../knowledge/runners.js';
import type { Build, ProjectModel } from '../model/project.js';

function inside(context: string, path: string): boolean {
  return context === '.' || path.startsWith(`${context}/`);
}

/** Heavy native dependencies a build installs: requirements/pyproject/package.json in its context. */
function heavyDependencies(model: ProjectModel, b: Build): string[] {
  const out = new Set<string>();
  for (const r of model.python.requirements)
    if (inside(b.context, r.path))
      for (const q of r.requirements) if (q.name && heavyPython(q.name, q.specifier ?? '')) out.add(q.name);
  for (const p of model.python.pyprojects)
    if (inside(b.context, p.path))
      for (const q of p.dependencies) if (q.name && heavyPython(q.name, q.specifier ?? '')) out.add(q.name);
  for (const p of model.node.packageJsons)
    if (inside(b.context, p.path))
      for (const d of p.dependencies) if (!d.dev && heavyNode(d.name)) out.add(d.name);
  return [...out].sort();
}

export default createRule<'emulated' | 'noQemu'>({
  meta: {
    id: 'emulated-build',
    severity: 'warning',
    category: 'platform',
    summary:
      'A CI build for a platform that is not native to its runner (arm64 on ubuntu-latest): emulated under QEMU, or failing without it. Raised when heavy native dependencies compile from source.',
    messages: {
      emulated:
        'job "{{job}}" builds {{platforms}} on [{{runner}}] ({{runnerArch}}): it runs under QEMU emulation, 5–20× slower{{heavy}}',
      noQemu:
        'job "{{job}}" builds {{platforms}} on [{{runner}}] ({{runnerArch}}) without setting up QEMU: RUN steps fail with "exec format error"',
    },
    hint: 'build each platform on a native runner (matrix with `ubuntu-24.04-arm` for arm64, then merge the digests with `docker buildx imagetools create`), or build amd64 on every push and arm64 only on tags',
  },
  check(ctx) {
    const { model } = ctx;
    const seen = new Set<string>();
    for (const b of model.builds) {
      if (!b.job) continue;
      for (const set of b.runsOn ?? b.job.job.runsOn) {
        const arch = runnerArchitecture(set.labels);
        if (!arch) continue;
        const foreign = b.platforms.filter((p) => p.architecture !== arch);
        if (foreign.length === 0) continue;
        // Without `--platform` / `platforms:`, buildx builds the runner's own platform: nothing is emulated.
        const site = b.sites?.platforms;
        if (!site) continue;
        const key = `${site.file.path}:${site.span.start}:${set.labels.join(',')}`;
        if (seen.has(key)) continue;
        seen.add(key);
        const heavy = heavyDependencies(model, b);
        const data = {
          job: b.job.job.id,
          platforms: foreign.map((p) => `${p.os}/${p.architecture}`).join(', '),
          runner: set.labels.join(', '),
          runnerArch: arch,
          heavy: heavy.length
            ? `, and ${heavy.slice(0, 4).join(', ')}${heavy.length > 4 ? '…' : ''} compile from source there (hours, full disks)`
            : '',
        };
        if (!b.qemu)
          ctx.report({ messageId: 'noQemu', severity: 'error', data, file: site.file, span: site.span });
        else
          ctx.report({
            messageId: 'emulated',
            severity: heavy.length ? 'error' : 'warning',
            data,
            file: site.file,
            span: site.span,
          });
      }
    }
  },
});
