import { createRule } from '../engine/rule.js';

export default createRule<'noTimeout'>({
  meta: {
    id: 'job-no-timeout',
    severity: 'warning',
    category: 'ci',
    summary:
      'A workflow job that builds container images without `timeout-minutes` (the default is 6 hours).',
    messages: {
      noTimeout:
        'job "{{job}}" builds images ({{what}}) with no timeout-minutes: a hung emulated build holds the runner for 6 hours',
    },
    hint: 'set `timeout-minutes:` on the job (e.g. 60; more for emulated arm64 builds); a `timeout:` input on build-push-action does nothing',
  },
  check(ctx) {
    const { model } = ctx;
    for (const wf of model.workflows) {
      for (const job of wf.jobs) {
        if (job.timeoutMinutes) continue;
        const builds = model.builds.filter((b) => b.job?.job === job);
        if (builds.length === 0) continue;
        const first = builds[0];
        const dockerfiles = [...new Set(builds.map((b) => b.dockerfile))];
        const what = first
          ? `${dockerfiles[0]}${dockerfiles.length > 1 ? ` and ${dockerfiles.length - 1} more` : ''}`
          : '';
        ctx.report({
          messageId: 'noTimeout',
          data: { job: job.id, what },
          file: job.site.file,
          span: job.site.span,
        });
      }
    }
  },
});
