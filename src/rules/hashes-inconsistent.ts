import { createRule } from '../engine/rule.js';
import { requirementInstalls } from './lib/python.js';

export default createRule<'mixed' | 'required' | 'unused'>({
  meta: {
    id: 'hashes-inconsistent',
    severity: 'error',
    category: 'python',
    summary:
      'Requirements that mix hashed and unhashed lines, `--require-hashes` over unhashed lines, or a hashed lock file no install uses.',
    messages: {
      mixed:
        '`{{req}}` has no --hash while other lines in this file do: pip switches to hash-checking mode and refuses the whole install',
      required: '`{{req}}` has no --hash but {{where}} requires hashes: pip refuses the install',
      unused:
        'this hashed lock file is not installed by any Dockerfile, which install {{others}} instead: the pinned, verified set never reaches the image',
    },
    hint: 'regenerate the file with hashes for every line (`pip-compile --generate-hashes`, `uv pip compile --generate-hashes`), and install the lock file, not the loose requirements',
  },
  check(ctx) {
    const { files: installed, unknowns } = requirementInstalls(ctx.model);
    const requireHashes = new Set<string>();
    for (const [path, uses] of installed)
      if (uses.some((u) => u.command.pip?.requireHashes)) requireHashes.add(path);
    for (const req of ctx.model.python.requirements) {
      const file = ctx.model.sources.get(req.path);
      if (!file) continue;
      const lines = req.requirements.filter((r) => !r.editable);
      const hashed = lines.filter((r) => r.hashes.length > 0);
      const unhashed = lines.filter((r) => r.hashes.length === 0);
      const optionRequires = req.options.some((o) => o.name === '--require-hashes');
      for (const r of unhashed) {
        const text = file.text.slice(r.span.start, r.span.end).split(/\s/)[0] ?? '';
        if (hashed.length > 0) ctx.report({ messageId: 'mixed', data: { req: text }, file, span: r.span });
        else if (optionRequires || requireHashes.has(req.path))
          ctx.report({
            messageId: 'required',
            data: {
              req: text,
              where: optionRequires
                ? '--require-hashes in this file'
                : "the Dockerfile's `pip install --require-hashes`",
            },
            file,
            span: r.span,
          });
      }
      if (hashed.length > 0 && unhashed.length === 0 && !installed.has(req.path) && installed.size > 0) {
        // An install whose -r file is not known may be of this lock.
        if (unknowns.length) {
          for (const u of unknowns) ctx.unknown(u, `whether ${req.path} is installed by a Dockerfile`);
          continue;
        }
        const others = [...installed.keys()].slice(0, 3).join(', ');
        ctx.report({
          messageId: 'unused',
          data: { others },
          file,
          span: { start: 0, end: 0 },
          severity: 'info',
        });
      }
    }
  },
});
