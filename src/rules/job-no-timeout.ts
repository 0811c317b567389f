import { createRule } from '../engine/rule.js';

export default createRule<'noTimeout'>({
  meta: {
    id: 'job-no-timeout',
    severity: 'info',
    category: 'ci',
    summary:
      'A workflow job that builds container images without `timeout-minutes` (the default is 6 hours).',
    messages: {
      noTimeout:
        'job "{{job}}" builds images ({{what}}) with no timeout-minutes: a hung build holds the runner for 6 hours{{emulated}}',
    },
    hint: 'set `timeout-minutes:` on the job (e.g. 60; more for emulated arm64 builds); a `timeout:` input on build-push-action does nothing',
  },
  check(ctx) {
    const { model } = ctx;
    for (const wf of model.workflows) {
      for (const job of wf.jobs) {
        if (job.timeoutMinutes) continue;
        const views = model.images.filter((v) => v.build.job?.job === job);
        const builds = model.builds.filter((b) => b.job?.job === job);
        if (builds.length === 0) continue;
        const dockerfiles = [
          ...new Set(builds.map((b) => (b.dockerfile.known ? b.dockerfile.value : 'a Dockerfile'))),
        ];
        const what = `${dockerfiles[0]}${dockerfiles.length > 1 ? ` and ${dockerfiles.length - 1} more` : ''}`;
        // Emulated builds are the ones that hang: a warning when the job builds a platform under QEMU.
        const emulated = views.some((v) => v.emulated.known && v.emulated.value.length > 0);
        ctx.report({
          messageId: 'noTimeout',
          severity: emulated ? 'warning' : 'info',
          data: {
            job: job.id,
            what,
            emulated: emulated ? ', and it builds under QEMU emulation, where hangs are common' : '',
          },
          file: job.site.file,
          span: job.site.span,
        });
      }
    }
  },
});
