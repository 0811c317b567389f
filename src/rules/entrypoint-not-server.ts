import { createRule } from '../engine/rule.js';
import type { Container, Site, Workload } from '../model/deploy.js';
import type { DfInstruction } from '../model/dockerfile.js';
import { imageFileSource, normalize, workdirAt } from '../model/eval.js';
import type { ImageView, ProjectModel } from '../model/project.js';
import { relativeTo, within } from '../model/repo.js';
import { scanImports } from '../sources/python/imports.js';
import {
  type Batch,
  batchProgram,
  NO_ENTRYPOINT_BASE,
  programWords,
  runsToCompletion,
  serverIn,
} from './lib/batch-command.js';
import { composeBindMount } from './lib/compose-mounts.js';
import { containerView, imageProcess, workloadLabel } from './lib/deploy.js';
import { programName } from './lib/entry-command.js';
import { contextPython } from './lib/python-imports.js';

/** Workloads Kubernetes or compose keep running: a process that exits is restarted. */
const LONG_RUNNING = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'compose-service']);

const WHAT: Record<Batch['kind'], string> = {
  migration: 'a database migration',
  print: 'a command that prints and exits',
  inline: 'inline `python -c` code with no server call, loop or thread',
  module: 'a script with no server call, loop or thread',
};

/** A command line a container runs, and where it comes from. */
interface Command {
  argv: string[];
  /** The workload's own `command`/`args` (compose `entrypoint`/`command`), or the image's. */
  override: boolean;
}

interface Group {
  command: Command;
  batch: Batch;
  runs: { w: Workload; c: Container }[];
}

export default createRule<'batch'>({
  meta: {
    id: 'entrypoint-not-server',
    severity: 'warning',
    category: 'deploy',
    summary:
      'A long-running workload with ports or probes runs a command that exits when done (a migration, `echo`, a script with no server call): it restarts in a loop and never listens.',
    messages: {
      batch:
        '{{workloads}} {{verb}} long-running with {{expects}}, but {{source}} runs `{{command}}`, {{what}}: {{consequence}}{{evidence}}',
    },
    hint: "start the server in the image's CMD (or the workload's `command`/`args`), and run migrations and one-off commands as a Job, an init container or a one-shot compose service",
  },
  check(ctx) {
    const { model } = ctx;
    for (const view of model.images) {
      if (!view.target) continue;
      const runs = deployedContainers(model, view);
      if (!runs.length) continue;
      const servers = runs.flatMap(({ w, c }) => {
        if (!c.command && !c.args) return [];
        const cmd = commandOf(view, c);
        const text = cmd ? serverIn(cmd.argv) : undefined;
        return text ? [{ w, c, text }] : [];
      });
      const groups = new Map<string, Group>();
      for (const { w, c } of runs) {
        if (!LONG_RUNNING.has(w.kind) || !expectsServer(c) || initContainer(w, c)) continue;
        const command = commandOf(view, c);
        if (!command) continue;
        const key = `${command.override}\0${command.argv.join('\0')}`;
        const group = groups.get(key);
        if (group) {
          group.runs.push({ w, c });
          continue;
        }
        const words = programWords(command.argv);
        if (!words) continue;
        const batch = batchProgram(words, localNames(model, view)) ?? moduleBatch(model, view, words);
        if (batch) groups.set(key, { command, batch, runs: [{ w, c }] });
      }
      for (const g of groups.values()) {
        const first = g.runs[0];
        if (!first) continue;
        // Another workload starting a server from this image: the image's own command is certainly not it.
        const evidence = g.command.override ? [] : servers;
        const own = lastProcessInstruction(view);
        const labels = g.runs.map((r) => workloadLabel(r.w));
        ctx.report({
          messageId: 'batch',
          ...(evidence.length ? { severity: 'error' as const } : {}),
          data: {
            workloads: listed([...new Set(labels)]),
            verb: new Set(labels).size > 1 ? 'are' : 'is',
            expects: expects(g.runs.map((r) => r.c)),
            source: g.command.override ? 'its command' : "the image's ENTRYPOINT/CMD",
            command: g.batch.text,
            consequence: g.runs.some((r) => r.w.origin === 'kubernetes')
              ? 'the container exits, Kubernetes restarts it in a loop (CrashLoopBackOff) and nothing ever listens'
              : g.runs.some((r) => restartsAlways(r.c))
                ? 'the container exits, compose restarts it in a loop and nothing ever listens'
                : 'the container exits when done and nothing listens',
            what: g.batch.file ? `${WHAT[g.batch.kind]} (\`${g.batch.file}\`)` : WHAT[g.batch.kind],
            evidence: evidence.length
              ? `; ${evidence[0] ? workloadLabel(evidence[0].w) : ''} runs the same image with \`${evidence[0]?.text}\`, so the image's own command is not the server`
              : '',
          },
          ...siteOf(first),
          sites: g.runs.slice(1).map(siteOf),
          related: [
            ...(!g.command.override && own
              ? [{ file: view.file, span: own.span, message: `the image's ${own.keyword}` }]
              : []),
            ...evidence.map((e) => ({
              ...((e.c.args ?? e.c.command)?.site ?? siteOf(e)),
              message: `${workloadLabel(e.w)} starts the server: \`${e.text}\``,
            })),
          ],
        });
      }
    }
  },
});

/**
 * A Kubernetes container listed under `initContainers:` (it is meant to exit): the nearest enclosing
 * `containers:`/`initContainers:` key above its `image:` line, read from the manifest's text.
 */
function initContainer(w: Workload, c: Container): boolean {
  if (w.origin !== 'kubernetes' || !c.image) return false;
  const file = c.image.site.file;
  const line = file.position(c.image.site.span.start).line;
  const indent = (t: string) => t.length - t.trimStart().length;
  let limit = indent(file.lineText(line));
  for (let l = line - 1; l >= 1; l--) {
    const t = file.lineText(l);
    if (!t.trim() || t.trimStart().startsWith('#')) continue;
    const i = indent(t);
    if (i >= limit) continue;
    limit = i;
    const key = /^\s*(initContainers|containers)\s*:/.exec(t)?.[1];
    if (key) return key === 'initContainers';
  }
  return false;
}

function siteOf(r: { w: Workload; c: Container }): Site {
  return r.c.image?.site ?? r.w.site;
}

/** `a`, `a and b`, `a, b and c`. */
function listed(items: string[]): string {
  return items.length > 1 ? `${items.slice(0, -1).join(', ')} and ${items.at(-1)}` : (items[0] ?? '');
}

/** `port 8000 and a readiness probe`: what the workloads expect of the process. */
function expects(cs: Container[]): string {
  const ports = [...new Set(cs.flatMap((c) => c.ports.map((p) => p.port)))].sort((a, b) => a - b);
  const probes = [
    ...new Set(
      cs.flatMap((c) => [...c.probes.map((p) => p.kind), ...(c.healthcheck ? ['healthcheck'] : [])]),
    ),
  ];
  const restarts = [...new Set(cs.flatMap((c) => (restartsAlways(c) ? [c.restart?.value] : [])))];
  const parts = [
    ...(ports.length ? [`port${ports.length > 1 ? 's' : ''} ${listed(ports.map(String))}`] : []),
    ...probes.map((p) => (p === 'healthcheck' ? 'a healthcheck' : `a ${p} probe`)),
    ...restarts.map((r) => `\`restart: ${r}\``),
  ];
  return listed(parts);
}

/** Compose restarts the container whatever its exit code (`on-failure` leaves a clean exit alone). */
function restartsAlways(c: Container): boolean {
  return c.restart?.value === 'always' || c.restart?.value === 'unless-stopped';
}

/** The workload expects a process that keeps running: ports, probes, a compose healthcheck or restart policy. */
function expectsServer(c: Container): boolean {
  return c.ports.length > 0 || c.probes.length > 0 || !!c.healthcheck || restartsAlways(c);
}

/** Workload containers that run this image view (their build known to be the view's). */
function deployedContainers(model: ProjectModel, view: ImageView): { w: Workload; c: Container }[] {
  const out: { w: Workload; c: Container }[] = [];
  for (const w of model.deployments.workloads)
    for (const c of w.containers) {
      const v = containerView(model, c);
      if (v?.known && v.value === view) out.push({ w, c });
    }
  return out;
}

/** The last ENTRYPOINT or CMD of the image's chain. */
function lastProcessInstruction(view: ImageView): DfInstruction | undefined {
  const sv = view.target ? view.stages[view.target.index] : undefined;
  return sv?.chain
    .flatMap((s) => s.instructions)
    .filter((i) => i.keyword === 'ENTRYPOINT' || i.keyword === 'CMD')
    .at(-1);
}

/**
 * The command line a container runs: its `command`/`args` over the image's ENTRYPOINT/CMD. Undefined when the
 * base image's ENTRYPOINT may run in front of it (a base not known to set none).
 */
function commandOf(view: ImageView, c: Container): Command | undefined {
  const img = imageProcess(view);
  if (!c.command && !img.entrypoint) {
    const sv = view.target ? view.stages[view.target.index] : undefined;
    const base = sv?.base;
    if (!base?.known || !NO_ENTRYPOINT_BASE.test(base.value)) return undefined;
  }
  const entrypoint = c.command?.value ?? img.entrypoint ?? [];
  const cmd = c.args?.value ?? (c.command ? [] : (img.cmd ?? []));
  const argv = [...entrypoint, ...cmd];
  return argv.length ? { argv, override: !!(c.command || c.args) } : undefined;
}

/**
 * Top-level module names the image's build context provides (a file or folder of that name anywhere in it):
 * undefined when the context is not fully read.
 */
function localNames(model: ProjectModel, view: ImageView): Set<string> | undefined {
  const py = contextPython(model, view);
  return py.known ? py.value.names : undefined;
}

/**
 * `python app.py` or `python -m app` whose file is copied from the repository and runs to completion (see
 * runsToCompletion). A dotted module, a package or a file not read from the repository is not claimed.
 */
function moduleBatch(model: ProjectModel, view: ImageView, words: string[]): Batch | undefined {
  if (!/^python(\d+(\.\d+)?)?$/.test(programName(words[0] ?? ''))) return undefined;
  let i = 1;
  while (/^-[uBOsSd]+$/.test(words[i] ?? '')) i++;
  const w = words[i] ?? '';
  let rel: string;
  let mod: string | undefined;
  if (w === '-m' && /^[A-Za-z_]\w*$/.test(words[i + 1] ?? '')) {
    mod = words[i + 1] ?? '';
    rel = `${mod}.py`;
  } else if (/\.py$/.test(w) && !w.startsWith('-')) rel = w;
  else return undefined;
  const target = view.target;
  const last = target?.instructions.at(-1);
  if (!target || !last) return undefined;
  const wd = workdirAt(view, target, last);
  if (!wd.known && !rel.startsWith('/')) return undefined;
  const src = imageFileSource(view, target, last, normalize(wd.known ? wd.value : '/', rel));
  if (!src.known) return undefined;
  const file = model.sources.get(src.value) ?? model.python.modules.find((m) => m.path === src.value)?.file;
  const local = localNames(model, view);
  // A bind mount of the checkout puts other files where the image's are.
  if (!file || !local || !view.build.context.known || composeBindMount(model, view)) return undefined;
  // `-m app` imports a package folder `app/` before `app.py`.
  if (mod) {
    const ctx = view.build.context.value;
    for (const p of model.inventory.files.keys())
      if (within(ctx, p) && relativeTo(ctx, p).split('/').slice(0, -1).includes(mod)) return undefined;
  }
  if (!runsToCompletion(file.text, scanImports(file.text), local)) return undefined;
  return { kind: 'module', text: words.join(' '), file: file.path };
}
