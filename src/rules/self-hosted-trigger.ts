import { createRule } from '../engine/rule.js';
import { isSelfHosted } from '../knowledge/runners.js';

const AUTOMATIC = new Set(['push', 'pull_request', 'pull_request_target', 'merge_group']);

/** `runners:` in crossdock.yaml: label sets of runners the team keeps online. */
function declaredRunners(raw: Record<string, unknown>): string[][] | undefined {
  const r = raw.runners;
  if (!Array.isArray(r)) return undefined;
  return r
    .map((x) =>
      Array.isArray(x)
        ? x
        : typeof x === 'object' && x && Array.isArray((x as { labels?: unknown }).labels)
          ? (x as { labels: unknown[] }).labels
          : [],
    )
    .map((labels) => labels.map((l) => String(l).toLowerCase()));
}

export default createRule<'mayQueue' | 'noRunner'>({
  meta: {
    id: 'self-hosted-trigger',
    severity: 'info',
    category: 'ci',
    summary:
      'A job run on push/pull_request that requires self-hosted labels: it queues forever when no such runner is online.',
    messages: {
      mayQueue:
        'job "{{job}}" runs on every {{events}} and needs a self-hosted runner with labels [{{labels}}]: with none online it queues until it is cancelled (24 h)',
      noRunner:
        'job "{{job}}" needs a self-hosted runner with labels [{{labels}}], but no runner declared in crossdock.yaml has them: it will queue forever',
    },
    hint: 'declare your runners in crossdock.yaml (`runners: [[self-hosted, linux, arm64]]`), run the job on a hosted runner (`ubuntu-24.04-arm`), or trigger it manually (workflow_dispatch)',
  },
  check(ctx) {
    const declared = declaredRunners(ctx.model.config.raw);
    for (const wf of ctx.model.workflows) {
      const events = wf.on.filter((e) => AUTOMATIC.has(e));
      if (events.length === 0) continue;
      for (const job of wf.jobs) {
        for (const set of job.runsOn) {
          if (!isSelfHosted(set.labels) || set.labels.some((l) => l.includes('${{'))) continue;
          const data = { job: job.id, events: events.join('/'), labels: set.labels.join(', ') };
          if (!declared) {
            ctx.report({ messageId: 'mayQueue', data, file: set.site.file, span: set.site.span });
            continue;
          }
          const want = set.labels.map((l) => l.toLowerCase());
          if (!declared.some((d) => want.every((l) => d.includes(l))))
            ctx.report({
              messageId: 'noRunner',
              severity: 'warning',
              data,
              file: set.site.file,
              span: set.site.span,
            });
        }
      }
    }
  },
});
