import { createRule } from '../engine/rule.js';
import { minorOf, pythonSatisfies } from '../knowledge/versions.js';
import { finalStage, fromStage, isPipInstall, runCommands } from './lib/dockerfile.js';
import { constraintIn, pythonConstraint, stagePython } from './lib/python.js';

const PYTHON_ENV_PATH = /site-packages|dist-packages|venv|\/install\b|\.local|\/wheels?\b/;

export default createRule<'base' | 'stages' | 'setupPython'>({
  meta: {
    id: 'python-version-mismatch',
    severity: 'error',
    category: 'python',
    summary:
      "The image's Python is outside the project's `requires-python` / `python_requires` / `.python-version`, or stages disagree.",
    messages: {
      setupPython:
        'job "{{job}}" sets up Python {{version}} (actions/setup-python), but {{what}} in {{file}} requires "{{spec}}": installing the project fails in CI',
      base: 'this stage runs Python {{version}} ({{how}}), but {{what}} in {{file}} requires "{{spec}}": pip refuses to install the project ("requires a different Python")',
      stages:
        'stage "{{from}}" builds with Python {{fromVersion}} and this stage runs Python {{toVersion}}: the copied packages and compiled extensions (cpython-{{fromTag}}) are not importable here',
    },
    hint: 'use a base image whose Python satisfies the constraint (e.g. `python:3.12-slim`), or change the constraint; keep builder and runtime stages on the same Python minor version',
  },
  check(ctx) {
    const project = constraintIn(ctx.model, ['.']);
    for (const wf of project ? ctx.model.workflows : []) {
      for (const job of wf.jobs) {
        for (const step of job.steps) {
          if (step.uses?.action !== 'actions/setup-python' || !project) continue;
          const input = step.with.get('python-version');
          if (!input) continue;
          const m = /^\$\{\{\s*matrix\.([\w-]+)\s*\}\}$/.exec(input.value.trim());
          const values = m
            ? (job.matrix[m[1] ?? ''] ?? []).map((v) => ({ value: v.value, site: v.site }))
            : input.value
                .split(/\n/)
                .map((v) => v.trim())
                .filter(Boolean)
                .map((v) => ({ value: v, site: input.valueSite }));
          for (const v of values) {
            const version = /^\d+\.\d+(\.\d+)?$/.exec(v.value)?.[0];
            if (!version || pythonSatisfies(version, project.value) !== false) continue;
            ctx.report({
              messageId: 'setupPython',
              data: {
                job: job.id,
                version,
                what: project.what,
                file: project.file.path,
                spec: project.value,
              },
              file: v.site.file,
              span: v.site.span,
              related: [
                {
                  file: project.file,
                  span: project.span,
                  message: `${project.what} is "${project.value}" here`,
                },
              ],
            });
          }
        }
      }
    }
    for (const df of ctx.model.dockerfiles) {
      const file = ctx.model.sources.get(df.path);
      if (!file) continue;
      const constraint = pythonConstraint(ctx.model, df);
      const last = finalStage(df);
      for (const stage of df.stages) {
        const usesPython =
          stage === last || stage.instructions.some((i) => runCommands(i).some(isPipInstall));
        const py = stagePython(df, stage);
        if (constraint && usesPython && py && pythonSatisfies(py.version, constraint.value) === false) {
          ctx.report({
            messageId: 'base',
            data: {
              version: py.version,
              how: py.how,
              what: constraint.what,
              file: constraint.file.path,
              spec: constraint.value,
            },
            file,
            span: py.span,
            related: [
              {
                file: constraint.file,
                span: constraint.span,
                message: `${constraint.what} is "${constraint.value}" here`,
              },
            ],
          });
        }
        if (!py) continue;
        for (const ins of stage.instructions) {
          const from = ins.keyword === 'COPY' ? ins.flags.find((f) => f.name === 'from')?.value : undefined;
          if (!from) continue;
          const src = fromStage(df, from, stage.index);
          if (!src || !ins.words.slice(0, -1).some((w) => PYTHON_ENV_PATH.test(w.value))) continue;
          const srcPy = stagePython(df, src);
          if (!srcPy || minorOf(srcPy.version) === minorOf(py.version)) continue;
          ctx.report({
            messageId: 'stages',
            data: {
              from: src.name ?? String(src.index),
              fromVersion: srcPy.version,
              toVersion: py.version,
              fromTag: minorOf(srcPy.version).replace('.', ''),
            },
            file,
            span: ins.span,
            related: [
              {
                file,
                span: srcPy.span,
                message: `stage "${src.name ?? src.index}" gets Python ${srcPy.version} here`,
              },
            ],
          });
        }
      }
    }
  },
});
