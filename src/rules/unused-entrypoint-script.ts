import { entryFiles } from '../engine/link.js';
import { NO_ENTRYPOINT_BASE } from '../knowledge/images.js';
import { createRule } from '../engine/rule.js';
import type { Container, Site, Workload } from '../model/deploy.js';
import type { DfInstruction } from '../model/dockerfile.js';
import { imageFileSource, normalize, workdirAt } from '../model/eval.js';
import type { ImageView, ProjectModel } from '../model/project.js';
import { basename, dirname, within } from '../model/repo.js';
import type { SourceFile } from '../model/source.js';
import { type Unknown, unknown } from '../model/value.js';
import { containerView, envReferences, imageProcess, workloadLabel } from './lib/deploy.js';
import { buildSite } from './lib/dockerfile.js';
import { executableWrappers, instructionRunning, supervisorIn, type Wrapper } from './lib/wrapper.js';

/** Programs that run code from the repository: the entry file they run must be read to know what it reads. */
const INTERPRETERS =
  /^(python[\d.]*|gunicorn|uvicorn|hypercorn|daphne|celery|flask|uwsgi|streamlit|fastapi|waitress-serve|node|deno|bun)$/;

/** Programs known to read no application variables from their environment. */
const PLAIN_PROGRAMS = new Set([
  'nginx',
  'httpd',
  'redis-server',
  'memcached',
  'sleep',
  'tail',
  'cat',
  'echo',
  'true',
]);

/** Variables read by runtimes, servers, libraries or the shell itself, not only by a wrapper script. */
const CONVENTIONAL =
  /^(PATH|HOME|USER|HOSTNAME|SHELL|TERM|TZ|LANG|LANGUAGE|PWD|PORT|HOST|DEBUG|WEB_CONCURRENCY|LC_\w+|PYTHON\w*|PIP_\w+|NODE_\w+|NPM_\w+|JAVA_\w+|GUNICORN_\w+|UVICORN_\w+|FLASK_\w+|DJANGO_\w+|CELERY_\w+|HTTPS?_PROXY|NO_PROXY|ALL_PROXY|AWS_\w+|GOOGLE_\w+|AZURE_\w+|OTEL_\w+|SSL_\w+|REQUESTS_CA_BUNDLE|CURL_CA_BUNDLE|LD_\w+|MALLOC_\w+|GO\w+|RUST_\w+|KUBERNETES_\w+)$/i;

/** Code that reads the environment without naming the variable (settings classes, dotenv, a copy of environ). */
const GENERIC_ENV =
  /BaseSettings|environ\.Env\b|decouple|dotenv|os\.environ\s*[)\],]|os\.environ\.(items|keys|copy|values)|\*\*os\.environ|process\.env\s*[)\],;]|process\.env\[\s*[^'"\s]|\.\.\.process\.env|getenv\(\s*[^'"\s)]|environ\.get\(\s*[^'"\s)]|environ\[\s*[^'"\s]/;

/** Local imports: code in other files of the image runs too, and crossdock does not read it. */
const LOCAL_IMPORT_JS = /\b(?:require|import)\s*\(\s*['"]\.|\bfrom\s+['"]\./;
const PY_IMPORT = /^(?:from[ \t]+([\w.]+)[ \t]+import|import[ \t]+([\w.]+))/;

interface Candidate {
  view: ImageView;
  wrapper: Wrapper;
  /** Variable → where deployments set it. */
  names: Map<string, Site[]>;
  workloads: Set<string>;
  process: string;
  used: boolean;
  blocked: Unknown | undefined;
}

export default createRule<'unused'>({
  meta: {
    id: 'unused-entrypoint-script',
    severity: 'warning',
    category: 'dockerfile',
    summary:
      'A wrapper script copied into the image and made executable that nothing runs, while deployments set variables only that script reads.',
    messages: {
      unused:
        '`{{script}}` is copied in and made executable, but nothing runs it: the container runs `{{process}}`. {{names}}, set by {{workloads}}, {{verb}} read only by this script, so {{pronoun}} no effect',
    },
    hint: 'make the script the ENTRYPOINT (ending with `exec "$@"`) or run it from the deployment\'s command; otherwise remove the script and the variables only it reads',
  },
  check(ctx) {
    const { model } = ctx;
    const candidates = new Map<DfInstruction, Candidate>();
    for (const view of model.images) {
      if (!view.target) continue;
      const wrappers = executableWrappers(model, view);
      if (!wrappers.length) continue;
      const containers = deployedContainers(model, view);
      if (!containers.length) continue;
      const supervisor = supervisorIn(view);
      for (const wrapper of wrappers) {
        const name = basename(wrapper.path);
        let cand = candidates.get(wrapper.mapping.ins);
        if (!cand) {
          cand = {
            view,
            wrapper,
            names: new Map(),
            workloads: new Set(),
            process: '',
            used: false,
            blocked: undefined,
          };
          candidates.set(wrapper.mapping.ins, cand);
        }
        if (supervisor || instructionRunning(view, wrapper) || mentionedElsewhere(model, wrapper, name)) {
          cand.used = true;
          continue;
        }
        const reads = readNames(wrapper.file.text);
        for (const { w, c } of containers) {
          const set = Object.keys(c.env).filter((n) => reads.has(n) && !CONVENTIONAL.test(n));
          if (!set.length) continue;
          const proc = processOf(model, view, c);
          if (!proc.known) {
            cand.blocked ??= proc.why;
            continue;
          }
          const only = set.filter((n) => !proc.mentions(n));
          for (const n of only) {
            const at = c.env[n]?.site;
            if (!at) continue;
            cand.names.set(n, [...(cand.names.get(n) ?? []), at]);
            cand.workloads.add(workloadLabel(w));
            cand.process ||= proc.text;
          }
        }
      }
    }
    for (const cand of candidates.values()) {
      const script = cand.wrapper.path;
      if (cand.used) continue;
      if (cand.blocked) {
        ctx.unknown(
          {
            ...cand.blocked,
            site: cand.blocked.site ?? { file: cand.view.file, span: cand.wrapper.mapping.ins.span },
          },
          `whether the variables deployments set for \`${script}\` have any effect`,
        );
        continue;
      }
      if (!cand.names.size) continue;
      const names = [...cand.names.keys()].sort();
      ctx.report({
        messageId: 'unused',
        data: {
          script,
          process: cand.process,
          names: listed(names.map((n) => `\`${n}\``)),
          workloads: listed([...cand.workloads]),
          verb: names.length > 1 ? 'are' : 'is',
          pronoun: names.length > 1 ? 'they have' : 'it has',
        },
        file: cand.view.file,
        span: cand.wrapper.mapping.ins.span,
        sites: buildSite(cand.view),
        related: names.flatMap((n) =>
          (cand.names.get(n) ?? []).map((s) => ({
            file: s.file,
            span: s.span,
            message: `${n} is set here and only ${basename(script)} reads it`,
          })),
        ),
      });
    }
  },
});

/** `a`, `a and b`, `a, b and c`. */
function listed(items: string[]): string {
  return items.length > 1 ? `${items.slice(0, -1).join(', ')} and ${items.at(-1)}` : (items[0] ?? '');
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

/** `$NAME` and `${NAME…}` the script text reads (not `$(command)`). */
function readNames(text: string): Set<string> {
  const out = new Set<string>();
  for (const r of envReferences(text)) if (text[r.start + 1] !== '(') out.add(r.name);
  return out;
}

/**
 * Another file crossdock read (not a Dockerfile, not the script itself) names the script: it may run it. Compose
 * files and manifests are among them, so a deployment's command or args naming it counts.
 */
function mentionedElsewhere(model: ProjectModel, w: Wrapper, name: string): boolean {
  const dockerfiles = new Set(model.dockerfiles.map((d) => d.path));
  for (const [path, f] of model.sources)
    if (path !== w.file.path && !dockerfiles.has(path) && f.text.includes(name)) return true;
  return false;
}

type Process =
  | { known: true; text: string; mentions(name: string): boolean }
  | { known: false; why: Unknown };

/**
 * What the container runs and whether it may read a variable: the deployment's command/args over the image's
 * ENTRYPOINT/CMD; the entry file of an interpreter read from the repository; a program known to read none.
 */
function processOf(model: ProjectModel, view: ImageView, c: Container): Process {
  const target = view.target;
  const sv = target ? view.stages[target.index] : undefined;
  if (!target || !sv) return { known: false, why: unknown('no-build-site', 'the image has no stage') };
  const chain = sv.chain.flatMap((s) => s.instructions);
  const own = chain.filter(
    (i) => i.keyword === 'ENTRYPOINT' || i.keyword === 'CMD' || i.keyword === 'HEALTHCHECK',
  );
  const imageSpan = (sv.chain[0] ?? target).imageSpan;
  if (!c.command && !chain.some((i) => i.keyword === 'ENTRYPOINT')) {
    const base = sv.base;
    if (!base.known || !NO_ENTRYPOINT_BASE.test(base.value))
      return {
        known: false,
        why: unknown(
          'image-contents',
          base.known
            ? `the ENTRYPOINT of ${base.value} is not known (it may run the script)`
            : 'the base image, and so its ENTRYPOINT, is not known',
          { file: view.file, span: imageSpan },
        ),
      };
  }
  const img = imageProcess(view);
  const entrypoint = c.command?.value ?? img.entrypoint ?? [];
  const cmd = c.args?.value ?? (c.command ? [] : (img.cmd ?? []));
  const full = [...entrypoint, ...cmd];
  let argv = full;
  const sh = argv.findIndex((w, i) => /(^|\/)(ba)?sh$/.test(w) && argv[i + 1] === '-c');
  if (sh >= 0)
    argv =
      (argv[sh + 2] ?? '').match(/"[^"]*"|'[^']*'|\S+/g)?.map((w) => w.replace(/^["']|["']$/g, '')) ?? [];
  argv = argv.filter(
    (w) => !['exec', 'tini', '--', 'dumb-init', '/usr/bin/tini', '/tini', '/sbin/tini'].includes(w),
  );
  const text = full.join(' ');
  const written = `${text}\n${own.map((i) => i.args).join('\n')}`;
  const inCommand = (n: string) => new RegExp(`\\b${n}\\b`).test(written);
  const program = argv[0];
  const site =
    (c.args ?? c.command)?.site ??
    (own.at(-1) ? { file: view.file, span: (own.at(-1) as DfInstruction).span } : undefined);
  if (!program)
    return { known: false, why: unknown('image-contents', 'the command the image runs is not known', site) };
  const prog = basename(program);
  if (PLAIN_PROGRAMS.has(prog) && !program.includes('$')) return { known: true, text, mentions: inCommand };
  if (!INTERPRETERS.test(prog))
    return {
      known: false,
      why: unknown('effects', `what \`${prog}\` reads from its environment is not known`, site),
    };
  const files = entryTexts(model, view, argv);
  if (!files.length)
    return {
      known: false,
      why: unknown(
        'effects',
        `the program \`${argv.slice(0, 3).join(' ')}\` runs is not read from the repository`,
        site,
      ),
    };
  for (const f of files)
    if (GENERIC_ENV.test(f.text) || importsLocal(model, view, f))
      return {
        known: false,
        why: unknown(
          'effects',
          `${f.path} reads its settings through other code crossdock does not read`,
          site,
        ),
      };
  return {
    known: true,
    text,
    mentions: (n) => inCommand(n) || files.some((f) => f.text.toLowerCase().includes(n.toLowerCase())),
  };
}

/** The repository files an interpreter's command line runs (`python app.py`, `-m pkg`, `gunicorn pkg.app:app`). */
function entryTexts(model: ProjectModel, view: ImageView, argv: string[]): SourceFile[] {
  const target = view.target;
  if (!target) return [];
  const last = target.instructions.at(-1);
  if (!last) return [];
  const wd = workdirAt(view, target, last);
  const out: SourceFile[] = [];
  for (const rel of entryFiles(argv)) {
    const p = rel.startsWith('/') ? normalize('/', rel) : wd.known ? normalize(wd.value, rel) : undefined;
    const src = p ? imageFileSource(view, target, last, p) : undefined;
    const f = src?.known
      ? (model.sources.get(src.value) ?? model.python.modules.find((m) => m.path === src.value)?.file)
      : undefined;
    if (f) out.push(f);
  }
  return out;
}

/** The entry file imports code of its own (a local module, a relative import). */
function importsLocal(model: ProjectModel, view: ImageView, f: SourceFile): boolean {
  if (!f.path.endsWith('.py')) return LOCAL_IMPORT_JS.test(f.text);
  const ctx = view.build.context.known ? view.build.context.value : '.';
  for (const line of f.text.split('\n')) {
    const m = PY_IMPORT.exec(line.trimStart());
    if (!m) continue;
    const mod = m[1] ?? m[2] ?? '';
    if (mod.startsWith('.')) return true;
    const top = mod.split('.')[0] ?? '';
    for (const p of model.inventory.files.keys()) {
      if (!within(ctx, p)) continue;
      // A module file, or a package folder (with or without `__init__.py`: namespace packages count).
      if (basename(p) === `${top}.py` || (p.endsWith('.py') && dirname(p).split('/').includes(top)))
        return true;
    }
  }
  return false;
}
