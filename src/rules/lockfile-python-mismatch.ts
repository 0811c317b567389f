import { createRule } from '../engine/rule.js';
import { minorOf } from '../knowledge/versions.js';
import { buildSite, commandsOf } from './lib/dockerfile.js';
import { requirementFile, stagePython } from './lib/python.js';

export default createRule<'mismatch'>({
  meta: {
    id: 'lockfile-python-mismatch',
    severity: 'warning',
    category: 'python',
    summary:
      'A compiled requirements file (pip-compile/uv) made for another Python version than the image runs.',
    messages: {
      mismatch:
        '`{{file}}` was compiled for Python {{lockVersion}} ({{tool}}) but this stage runs Python {{version}}: pins and markers were resolved for the wrong interpreter (missing backports, wheels that do not exist for cp{{tag}})',
    },
    hint: "recompile the lock file with the image's Python (`pip-compile` under that Python, or `uv pip compile --python-version X.Y`), or change the base image",
  },
  check(ctx) {
    const { model } = ctx;
    for (const view of model.images) {
      for (const sv of view.stages) {
        if (!sv.built) continue;
        for (const ins of sv.stage.instructions) {
          for (const c of commandsOf(ins)) {
            if (!c.pip || c.pip.verb === 'download') continue;
            for (const w of c.pip.requirementFiles) {
              const req = requirementFile(model, view, sv, ins, w);
              if (!req.known) {
                ctx.unknown(
                  { ...req, site: req.site ?? { file: view.file, span: w.span } },
                  `which file \`-r ${w.value}\` installs`,
                );
                continue;
              }
              const lock = req.value.compiled;
              if (!lock?.pythonVersion) continue;
              const py = stagePython(model, view, sv);
              if (!py.known) {
                ctx.unknown(
                  { ...py, site: py.site ?? { file: view.file, span: sv.stage.imageSpan } },
                  `the Python of this stage against ${req.value.path}`,
                );
                continue;
              }
              // The header names X.Y (`with Python 3.12`, `--python-version 3.12`).
              if (lock.pythonVersion === minorOf(py.value.version)) continue;
              const reqFile = model.sources.get(req.value.path);
              ctx.report({
                messageId: 'mismatch',
                data: {
                  file: req.value.path,
                  lockVersion: lock.pythonVersion,
                  tool: lock.tool,
                  version: py.value.version,
                  tag: minorOf(py.value.version).replace('.', ''),
                },
                file: view.file,
                span: w.span,
                sites: buildSite(view),
                related: reqFile
                  ? [
                      {
                        file: reqFile,
                        span: lock.span,
                        message: `compiled with Python ${lock.pythonVersion}`,
                      },
                    ]
                  : [],
              });
            }
          }
        }
      }
    }
  },
});
