import type { ProjectModel } from '../model/project.js';
import type { PyContextScript, PyImports } from '../model/python.js';
import { basename, pathsWithin } from '../model/repo.js';
import { scanImports } from '../sources/python/imports.js';

/** At most this many files are read for their imports in one run; a context with more is not complete. */
export const MAX_PYTHON_SCANNED = 4000;

/** Files without an extension that are never Python scripts. */
const NOT_PYTHON = new Set([
  'Dockerfile',
  'Containerfile',
  'Makefile',
  'GNUmakefile',
  'Procfile',
  'Gemfile',
  'Jenkinsfile',
  'Vagrantfile',
  'Brewfile',
  'Pipfile',
  'Justfile',
  'justfile',
  'CODEOWNERS',
  'OWNERS',
]);

/**
 * A context file that may hold Python code or run Python programs: `.py`/`.pyw`, a shell script, or a file without
 * an extension (a script with a `python` shebang). Upper-case names without an extension (LICENSE, README) are documents.
 */
export function mayBePython(path: string): boolean {
  const base = basename(path);
  if (/\.(pyw?|sh|bash)$/.test(base)) return true;
  if (base.includes('.')) return false;
  return !NOT_PYTHON.has(base) && !/^[A-Z][A-Z0-9_-]*$/.test(base);
}

/** The build contexts of images whose Dockerfile runs Python (pip, python, a `.py` file). */
export function pythonContexts(model: ProjectModel): Set<string> {
  const contexts = new Set<string>();
  for (const view of model.images)
    if (
      view.build.context.known &&
      /\bpip3?\b|\bpython[0-9.]*\b|\.py\b|\buv\b|\bpoetry\b/.test(view.file.text)
    )
      contexts.add(view.build.context.value);
  return contexts;
}

/** Committed files of those contexts that may hold Python code, in path order, within the run's budget. */
export function pythonFilesToScan(model: ProjectModel): string[] {
  const contexts = [...pythonContexts(model)];
  if (contexts.length === 0) return [];
  const out = new Set<string>();
  for (const c of contexts)
    for (const path of pathsWithin(model.inventory, c)) {
      const status = model.inventory.files.get(path);
      if (status === 'ignored' || status === 'untracked') continue;
      if (mayBePython(path)) out.add(path);
    }
  return [...out].sort().slice(0, MAX_PYTHON_SCANNED);
}

/** The imports of a `.py` file or a `python` script; the words of any other script. */
export function scanPythonFile(path: string, text: string): PyImports | PyContextScript {
  if (/\.pyw?$/.test(path) || /^#![^\n]*\bpython/.test(text)) return scanImports(text);
  return { words: [...new Set(text.match(/[A-Za-z_][\w.-]*/g) ?? [])] };
}
