import { createRule } from '../engine/rule.js';
import type { Site } from '../model/deploy.js';
import { hasUnresolved, parseImageRef, placeholderIn } from '../model/image-ref.js';

export default createRule<'invalid' | 'repositoryCase' | 'repositoryCaseHere'>({
  meta: {
    id: 'invalid-image-reference',
    severity: 'error',
    category: 'registry',
    summary:
      'An image reference that is not a valid OCI reference: uppercase repository paths, bad tag or digest syntax; or `${{ github.repository }}` used without lowercasing.',
    messages: {
      invalid: '`{{ref}}` is not a valid image reference: {{problem}}',
      repositoryCase:
        '`{{ref}}` builds its name from `${{ github.{{field}} }}`, which keeps the owner\'s capitals ("My-Org/app"): docker fails with "repository name must be lowercase" for such owners (forks included)',
      repositoryCaseHere:
        '`{{ref}}` builds its name from `${{ github.{{field}} }}`, which is "{{value}}" for this repository: docker fails with "repository name must be lowercase"',
    },
    hint: 'lowercase the repository path (in workflows: docker/metadata-action, or `${GITHUB_REPOSITORY,,}` in a run step); tags are [A-Za-z0-9_.-], digests sha256:<64 hex>',
  },
  check(ctx) {
    const { model } = ctx;
    const refs: { ref: string; site: Site; written?: string }[] = [];
    for (const b of model.builds)
      b.tags.forEach((t, i) => {
        const site = b.sites?.tags[i];
        if (site) refs.push({ ref: t, site, written: b.tagsWritten?.[i] });
      });
    for (const w of model.deployments.workloads)
      for (const c of w.containers)
        if (c.image && !c.imageFilledBy) refs.push({ ref: c.image.value, site: c.image.site });
    for (const i of model.deployments.images) refs.push({ ref: i.ref, site: i.site });
    for (const { ref: evaluated, site, written } of refs) {
      // `github.repository` is resolved from the origin remote when lowercase; the tag as written says it is used.
      const gh = /\$\{\{\s*github\.(repository|repository_owner|actor)\s*\}\}/.exec(written ?? evaluated);
      const ref = gh && written ? written : evaluated;
      if (gh) {
        // The origin remote says what the expression is for this repository: capitals there fail every run;
        // otherwise it fails only for owners (forks) with capitals, which is hygiene.
        const field = gh[1] ?? '';
        const here = model.inventory.github;
        const value =
          field === 'actor' || !here ? undefined : field === 'repository' ? here : here.split('/')[0];
        if (value !== undefined && value !== value.toLowerCase())
          ctx.report({
            messageId: 'repositoryCaseHere',
            data: { ref, field, value },
            file: site.file,
            span: site.span,
          });
        else
          ctx.report({
            messageId: 'repositoryCase',
            severity: 'info',
            data: { ref, field },
            file: site.file,
            span: site.span,
          });
        continue;
      }
      // Contexts whose shape is known whatever their value: a commit sha is 40 hex digits, run numbers are digits.
      const shaped = ref
        .replace(/\$\{\{\s*github\.sha\s*\}\}/g, '0'.repeat(40))
        .replace(/\$\{\{\s*github\.run_(?:number|id|attempt)\s*\}\}/g, '1');
      if (hasUnresolved(shaped) || placeholderIn(shaped)) continue;
      const parsed = parseImageRef(shaped);
      if (!parsed.ok)
        ctx.report({
          messageId: 'invalid',
          data: { ref, problem: parsed.problem.replaceAll('0'.repeat(40), '${{ github.sha }}') },
          file: site.file,
          span: site.span,
        });
    }
  },
});
