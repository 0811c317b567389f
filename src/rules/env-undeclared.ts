import { createRule } from '../engine/rule.js';

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

export default createRule<'undeclared'>({
  meta: {
    id: 'env-undeclared',
    severity: 'warning',
    category: 'ci',
    summary: 'A compose `${VAR}` without default that the committed example env file does not declare.',
    messages: {
      undeclared:
        '`${{{name}}}` has no default and {{example}} does not declare it: a fresh checkout gets an empty value (compose warns "variable is not set")',
    },
    hint: 'declare the variable in the example env file (or give it a default: `${VAR:-value}`)',
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
  },
});
