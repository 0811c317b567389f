import { createRule } from '../engine/rule.js';
import { ENV_EXAMPLES } from '../model/deploy.js';
import { basename, pathStatus } from '../model/repo.js';

/** Variables every shell environment has: never "undeclared". */
const ALWAYS_SET = new Set([
  'HOME',
  'PWD',
  'USER',
  'PATH',
  'HOSTNAME',
  'SHELL',
  'UID',
  'GID',
  'LANG',
  'TERM',
]);

export default createRule<'undeclared' | 'exampleMissing'>({
  meta: {
    id: 'env-undeclared',
    severity: 'warning',
    category: 'ci',
    summary:
      'A compose `${VAR}` without default that the committed example env file does not declare; a workflow step copying an example env file that is not committed.',
    messages: {
      undeclared:
        '`${{{name}}}` has no default and {{example}} does not declare it: a fresh checkout gets an empty value (compose warns "variable is not set")',
      exampleMissing:
        'this step copies `{{path}}`, which is {{status}}: the job fails with "No such file or directory" on a clean checkout',
    },
    hint: 'declare the variable in the example env file (or give it a default: `${VAR:-value}`); commit the example env file the workflow copies',
  },
  check(ctx) {
    const { model } = ctx;
    for (const c of model.compose) {
      if (!c.example) continue;
      for (const [name, sites] of c.variables) {
        if (c.example.names.has(name) || c.dotenv?.names.has(name) || ALWAYS_SET.has(name)) continue;
        const site = sites[0];
        if (site)
          ctx.report({
            messageId: 'undeclared',
            data: { name, example: c.example.file.path },
            file: site.file,
            span: site.span,
          });
      }
    }
    for (const wf of model.workflows)
      for (const job of wf.jobs)
        for (const step of job.steps)
          for (const cp of step.run?.copies ?? []) {
            const path = cp.value.replace(/^\.\//, '');
            if (
              !ENV_EXAMPLES.includes(basename(path)) &&
              !/\.env\.(example|sample|template|dist)$/.test(path)
            )
              continue;
            const status = pathStatus(model.inventory, path);
            if (status === 'tracked' || status === 'plain') continue;
            ctx.report({
              messageId: 'exampleMissing',
              severity: 'error',
              data: {
                path,
                status: status === 'absent' ? 'not in the repository' : `${status} (not committed)`,
              },
              file: cp.site.file,
              span: cp.site.span,
            });
          }
  },
});
