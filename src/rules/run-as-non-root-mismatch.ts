import { createRule } from '../engine/rule.js';
import { containerView, finalUser, workloadLabel } from './lib/deploy.js';

export default createRule<'noUser' | 'root' | 'nonNumeric' | 'runAsRoot'>({
  meta: {
    id: 'run-as-non-root-mismatch',
    severity: 'error',
    category: 'deploy',
    summary:
      '`runAsNonRoot: true` with an image whose final USER is absent, root, or a name (not numeric) and no runAsUser: the pod never starts.',
    messages: {
      runAsRoot:
        '{{workload}} sets runAsNonRoot together with runAsUser: 0: the kubelet refuses to start it whatever the image ("container\'s runAsUser breaks non-root policy")',
      noUser:
        '{{workload}} sets runAsNonRoot, but {{dockerfile}} sets no USER and its base image runs as root: the kubelet refuses to start it ("container has runAsNonRoot and image will run as root")',
      root: '{{workload}} sets runAsNonRoot, but {{dockerfile}} ends with `USER {{user}}` (root): the kubelet refuses to start it',
      nonNumeric:
        '{{workload}} sets runAsNonRoot, but {{dockerfile}} ends with `USER {{user}}`, a name the kubelet cannot verify ("image has non-numeric user"): the pod never starts',
    },
    hint: 'end the Dockerfile with a numeric non-root user (`USER 10001:10001`), or set `runAsUser: 10001` in the securityContext',
  },
  check(ctx) {
    const { model } = ctx;
    for (const w of model.deployments.workloads) {
      if (w.origin !== 'kubernetes') continue;
      for (const c of w.containers) {
        const nonRoot = c.securityContext.runAsNonRoot ?? w.pod.securityContext.runAsNonRoot;
        if (!nonRoot?.value) continue;
        const runAsUser = c.securityContext.runAsUser ?? w.pod.securityContext.runAsUser;
        if (runAsUser?.value === 0) {
          ctx.report({
            messageId: 'runAsRoot',
            data: { workload: workloadLabel(w) },
            file: runAsUser.site.file,
            span: runAsUser.site.span,
          });
          continue;
        }
        if (runAsUser) continue;
        const produced = containerView(model, c);
        if (!produced) continue;
        if (!produced.known) {
          ctx.unknown(
            { ...produced, site: produced.site ?? nonRoot.site },
            `the user ${workloadLabel(w)} runs as, against runAsNonRoot`,
          );
          continue;
        }
        const view = produced.value;
        const u = finalUser(view);
        if (!u.known) {
          ctx.unknown(
            { ...u, site: u.site ?? nonRoot.site },
            `the user ${workloadLabel(w)} runs as, against runAsNonRoot`,
          );
          continue;
        }
        const user = u.value;
        const data = { workload: workloadLabel(w), dockerfile: view.dockerfile.path, user: user.user };
        const related = user.ins ? [{ file: view.file, span: user.ins.span, message: 'the final USER' }] : [];
        const at = nonRoot.site;
        if (!user.ins) {
          ctx.report({
            messageId: 'noUser',
            data,
            file: at.file,
            span: at.span,
            related: [
              {
                file: view.file,
                span: view.target?.imageSpan ?? { start: 0, end: 0 },
                message: 'the base image runs as root',
              },
            ],
          });
          continue;
        }
        const name = user.user.split(':')[0] ?? '';
        if (name === 'root' || name === '0')
          ctx.report({ messageId: 'root', data, file: at.file, span: at.span, related });
        else if (!/^\d+$/.test(name))
          ctx.report({ messageId: 'nonNumeric', data, file: at.file, span: at.span, related });
      }
    }
  },
});
