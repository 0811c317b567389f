import { createRule } from '../engine/rule.js';
import type { Located, Site, WorkflowJob } from '../model/deploy.js';
import { minorOf, pythonSatisfies } from '../knowledge/versions.js';
import { stageNamed } from '../model/eval.js';
import { buildSite, commandsOf } from './lib/dockerfile.js';
import { joinPath } from '../model/repo.js';
import {
  constraintIn,
  installedProject,
  type StagePython,
  stagePython,
  type VersionConstraint,
} from './lib/python.js';

const PYTHON_ENV_PATH = /site-packages|dist-packages|venv|\/install\b|\.local|\/wheels?\b/;

/**
 * A version written as a plain YAML number whose text the number changes (`3.10` is the float 3.1): the written
 * text and what setup-python receives, or undefined when the scalar is quoted or keeps its text.
 */
function floatTrap(value: string, site: Site): { written: string; read: string } | undefined {
  const written = site.file.text.slice(site.span.start, site.span.end);
  // `3.0` reads as 3, which setup-python resolves to the newest 3.x: another claim, not made here.
  if (value === written || String(Number(written)) !== value || !value.includes('.')) return undefined;
  return { written, read: value };
}

/**
 * The versions a setup-python `python-version` names: one per line, or the values of the matrix entry it reads
 * (`${{ matrix.py }}`), each where it is written.
 */
function versionsOf(input: { value: string; valueSite: Site }, job: WorkflowJob): Located<string>[] {
  const key = /^\$\{\{\s*matrix\.([\w-]+)\s*\}\}$/.exec(input.value.trim())?.[1];
  if (key !== undefined) return job.matrix[key] ?? [];
  return input.value.split(/\n/).map((v) => ({ value: v.trim(), site: input.valueSite }));
}

export default createRule<'base' | 'stages' | 'setupPython' | 'float'>({
  meta: {
    id: 'python-version-mismatch',
    severity: 'error',
    category: 'python',
    summary:
      'A stage installs the project with a Python outside its `requires-python` / `python_requires`, copies packages built for another Python, or setup-python gets a version YAML read as a number (`3.10` is 3.1).',
    messages: {
      float:
        '`{{written}}` is a YAML number, read as {{read}}: actions/setup-python looks for Python {{read}}, which does not exist, and the job fails; quote it ("{{written}}")',
      setupPython:
        'job "{{job}}" sets up Python {{version}} (actions/setup-python) and installs the project, but {{what}} in {{file}} requires "{{spec}}": pip refuses to install it',
      base: 'this stage installs the project with Python {{version}} ({{how}}), but {{what}} in {{file}} requires "{{spec}}": pip refuses to install it ("requires a different Python")',
      stages:
        'stage "{{from}}" builds with Python {{fromVersion}} and this stage runs Python {{toVersion}}: the copied packages and compiled extensions (cpython-{{fromTag}}) are not importable here',
    },
    hint: 'use a base image whose Python satisfies the constraint (e.g. `python:3.12-slim`), or change the constraint; keep builder and runtime stages on the same Python minor version',
  },
  check(ctx) {
    const { model } = ctx;
    for (const wf of model.workflows) {
      for (const job of wf.jobs) {
        const versions = job.steps.flatMap((s) => {
          const input = s.uses?.action === 'actions/setup-python' ? s.with.get('python-version') : undefined;
          return input ? [versionsOf(input, job)] : [];
        });
        // A job without setup-python is not checked, and its installs are not looked at (nor noted).
        if (versions.length === 0) continue;
        // The YAML float trap, whatever the project requires: `python-version: 3.10`, or a matrix `[3.9, 3.10]`.
        const reported = new Set<string>();
        for (const values of versions) {
          for (const v of values) {
            const trap = floatTrap(v.value, v.site);
            const key = `${v.site.file.path}:${v.site.span.start}`;
            if (!trap || reported.has(key)) continue;
            reported.add(key);
            ctx.report({ messageId: 'float', data: trap, file: v.site.file, span: v.site.span });
          }
        }
        // Only a job that installs a project meets pip's check (`pip install .`, `-e ./svc`, poetry install, uv
        // sync): the project is the folder the command names, from where it runs (working-directory, `cd`).
        const projects = new Map<string, VersionConstraint>();
        for (const step of job.steps) {
          const run = step.run;
          if (!run) continue;
          for (const c of run.facts.commands) {
            // pip takes an argument with a `/` or a leading `.` for a path; a wheel, an archive or a URL names no
            // folder with a project file.
            const targets =
              c.pip && c.pip.verb !== 'download'
                ? [...c.pip.editables, ...c.pip.packages]
                    .map((w) => (w.value.includes('[') ? w.value.slice(0, w.value.indexOf('[')) : w.value))
                    .filter((v) => /^\.|\//.test(v))
                : (c.name === 'poetry' && c.argv[1]?.value === 'install') ||
                    (c.name === 'uv' && c.argv[1]?.value === 'sync')
                  ? ['.']
                  : [];
            if (targets.length === 0) continue;
            // The folder the scanner followed the command to (working-directory, `cd`); none, no claim.
            const cwd = run.cwdAt.get(c.command.span.start);
            if (!cwd) continue;
            if (!cwd.known) {
              ctx.unknown(
                { ...cwd, site: cwd.site ?? { file: run.site.file, span: c.command.span } },
                'which project this job installs, against its setup-python version',
              );
              continue;
            }
            for (const t of targets) {
              const dir = joinPath(cwd.value, t);
              const constraint = dir === undefined ? undefined : constraintIn(model, dir);
              if (constraint?.enforced) projects.set(constraint.file.path, constraint);
            }
          }
        }
        for (const project of projects.values())
          for (const values of versions) {
            for (const v of values) {
              // A float-trapped value is reported as such above: one root cause, one finding.
              if (floatTrap(v.value, v.site)) continue;
              // `3.9`, `3.9.7`, and what starts with one (`3.9-dev`, `3.9.x`): that Python.
              const version = /^\d\.\d+(\.\d+)?/.exec(v.value)?.[0];
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
    for (const view of model.images) {
      for (const sv of view.stages) {
        if (!sv.built) continue;
        const stagePy = stagePython(model, view, sv);
        for (const ins of sv.stage.instructions) {
          for (const c of commandsOf(ins)) {
            const dir = installedProject(model, view, sv, ins, c);
            if (!dir) continue;
            if (!dir.known) {
              ctx.unknown(
                { ...dir, site: dir.site ?? { file: view.file, span: ins.span } },
                'which project this pip install installs',
              );
              continue;
            }
            const constraint = constraintIn(model, dir.value);
            if (!constraint?.enforced) continue;
            // `python3.11 -m pip install` / `pip3.11 install` (`python3.11-dbg`, …) names its interpreter: that version,
            // not the stage's.
            const named = /^(?:python|pip)(\d\.\d+)/.exec(c.name ?? '')?.[1];
            let py: StagePython;
            if (named) py = { version: named, how: `${c.name} named by this command`, span: c.command.span };
            else if (stagePy.known) py = stagePy.value;
            else {
              ctx.unknown(
                { ...stagePy, site: stagePy.site ?? { file: view.file, span: sv.stage.imageSpan } },
                `the Python of this stage against ${constraint.what} "${constraint.value}"`,
              );
              continue;
            }
            if (pythonSatisfies(py.version, constraint.value) !== false) continue;
            ctx.report({
              messageId: 'base',
              // A floating tag's version is an assumption (what it meant when crossdock was written).
              severity: py.floating ? 'warning' : 'error',
              data: {
                version: py.version,
                how: py.how,
                what: constraint.what,
                file: constraint.file.path,
                spec: constraint.value,
              },
              file: view.file,
              span: py.span,
              sites: buildSite(view),
              related: [
                {
                  file: constraint.file,
                  span: constraint.span,
                  message: `${constraint.what} is "${constraint.value}" here`,
                },
                { file: view.file, span: c.command.span, message: 'the project is installed here' },
              ],
            });
          }
        }
        const py = stagePy;
        if (!py.known) continue;
        for (const ins of sv.stage.instructions) {
          // Only COPY takes --from (Docker refuses it on ADD).
          const from = ins.flags.find((f) => f.name === 'from')?.value;
          if (!from) continue;
          const src = stageNamed(view.dockerfile, from, sv.stage.index);
          const srcView = src && view.stages[src.index];
          if (!srcView || !ins.words.slice(0, -1).some((w) => PYTHON_ENV_PATH.test(w.value))) continue;
          const name = srcView.stage.name ?? String(srcView.stage.index);
          const srcPy = stagePython(model, view, srcView);
          if (!srcPy.known || minorOf(srcPy.value.version) === minorOf(py.value.version)) continue;
          // Wheels (pure-Python ones install fine) and floating tags: likely, not certain, breakage.
          const wheelsOnly = ins.words.slice(0, -1).every((w) => /\/wheels?\b/.test(w.value));
          ctx.report({
            messageId: 'stages',
            severity: wheelsOnly || srcPy.value.floating || py.value.floating ? 'warning' : 'error',
            data: {
              from: name,
              fromVersion: srcPy.value.version,
              toVersion: py.value.version,
              fromTag: minorOf(srcPy.value.version).replace('.', ''),
            },
            file: view.file,
            span: ins.span,
            sites: buildSite(view),
            related: [
              {
                file: view.file,
                span: srcPy.value.span,
                message: `stage "${name}" gets Python ${srcPy.value.version} here`,
              },
            ],
          });
        }
      }
    }
  },
});
