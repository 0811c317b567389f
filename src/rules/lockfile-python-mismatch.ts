import { createRule } from '../engine/rule.js';
import { minorOf } from '../knowledge/versions.js';
import { isPipInstall, runCommands } from './lib/dockerfile.js';
import { pipTargets, resolveRequirementFile, stagePython } from './lib/python.js';

export default createRule<'mismatch'>({
  meta: {
    id: 'lockfile-python-mismatch',
    severity: 'error',
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
    for (const df of ctx.model.dockerfiles) {
      const file = ctx.model.sources.get(df.path);
      if (!file) continue;
      for (const stage of df.stages) {
        const py = stagePython(df, stage);
        if (!py) continue;
        for (const ins of stage.instructions) {
          for (const cmd of runCommands(ins)) {
            if (!isPipInstall(cmd)) continue;
            for (const w of pipTargets(cmd).requirementFiles) {
              const req = resolveRequirementFile(ctx.model, df, w.value);
              const lock = req?.compiled;
              if (!req || !lock?.pythonVersion || minorOf(lock.pythonVersion) === minorOf(py.version))
                continue;
              const reqFile = ctx.model.sources.get(req.path);
              ctx.report({
                messageId: 'mismatch',
                data: {
                  file: req.path,
                  lockVersion: lock.pythonVersion,
                  tool: lock.tool,
                  version: py.version,
                  tag: minorOf(py.version).replace('.', ''),
                },
                file,
                span: w.span,
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
