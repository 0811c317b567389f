import { containerImage, deployedImages } from '../../engine/link.js';
import type { Container, ImageUse, Site, Workload } from '../../model/deploy.js';
import type { DfInstruction } from '../../model/dockerfile.js';
import { envDeclarations, resolveWord, stageVars } from '../../model/eval.js';
import { parseImageRef } from '../../model/image-ref.js';
import type { Build, DeploymentUnit, ImageView, ProjectModel } from '../../model/project.js';
import { basename, within } from '../../model/repo.js';
import type { SourceFile } from '../../model/source.js';
import { bracedAt, closingBrace, nameEnd, replaceMatches, scanDollars } from '../../model/text.js';
import { known, unknown, type Value } from '../../model/value.js';

/** Shared helpers for deployment rules: which build and image view a container runs, what that image declares. */

export function buildById(model: ProjectModel, id: string | undefined): Build | undefined {
  return id ? firstBy(model.builds, (b) => b.id).get(id) : undefined;
}

const indexes = new WeakMap<object, { length: number; map: Map<unknown, unknown> }>();

/**
 * The first element of `list` for each key, as `list.find` would find it: rules ask for builds by id and views by
 * build once per container and image pair (100 images × 150 workloads in the benchmark repository). Made again
 * when the list has grown.
 */
function firstBy<T, K>(list: readonly T[], key: (t: T) => K): Map<K, T> {
  let index = indexes.get(list);
  if (!index || index.length !== list.length) {
    const map = new Map<unknown, unknown>();
    for (const t of list) {
      const k = key(t);
      if (!map.has(k)) map.set(k, t);
    }
    index = { length: list.length, map };
    indexes.set(list, index);
  }
  return index.map as Map<K, T>;
}

/**
 * The build producing a container's image: compose `build:`, or the link phase's tag match; unknown when several
 * builds produce it differently. Undefined when nothing in the repository builds it.
 */
export function containerBuild(model: ProjectModel, c: Container): Value<Build> | undefined {
  if (c.buildUnknown) return c.buildUnknown;
  const b = buildById(model, c.buildId ?? c.repositoryBuildId);
  return b ? known(b, { kind: 'literal', site: b.sites?.definition }) : undefined;
}

/** The image view of a container's build (unknown as its build is). */
export function containerView(model: ProjectModel, c: Container): Value<ImageView> | undefined {
  const b = containerBuild(model, c);
  if (!b?.known) return b;
  const view = firstBy(model.images, (v) => v.build).get(b.value);
  return view ? known(view, b.origin) : undefined;
}

/**
 * Every kustomization deploying the workload gives its `image` another tag or digest: the manifest's own tag is
 * not what runs.
 */
export function kustomizeRetag(model: ProjectModel, w: Workload, image: string): boolean {
  return deployedImages(model, w, image).every(({ override: o }) => {
    const p = o ? parseImageRef(o.ref) : undefined;
    return !!p?.ok && (!!p.ref.tag || !!p.ref.digest);
  });
}

/**
 * An image use whose tag is written elsewhere: Helm values without a tag (charts default it to the chart's
 * appVersion), kustomize `images:` that only rename (the manifest's tag is kept). Not `latest`.
 */
export function tagFromElsewhere(use: ImageUse): boolean {
  if (use.origin !== 'helm' && use.origin !== 'kustomize') return false;
  const p = parseImageRef(use.ref);
  return p.ok && !p.ref.tag && !p.ref.digest;
}

export { containerImage, deployedImages };

/** The final USER of the built image; unknown when no USER is set and the base image's user is not known. */
export function finalUser(view: ImageView): Value<{ user: string; ins: DfInstruction | undefined }> {
  const stage = view.target;
  const sv = stage ? view.stages[stage.index] : undefined;
  if (!stage || !sv) return unknown('no-build-site', 'the image has no stage');
  let found: { user: string; ins: DfInstruction } | undefined;
  for (const s of sv.chain)
    for (const ins of s.instructions) {
      if (ins.keyword !== 'USER') continue;
      const v = resolveWord(view, s, ins, ins.args.trim());
      if (!v.known) return { ...v, site: v.site ?? { file: view.file, span: ins.span } };
      found = { user: v.value, ins };
    }
  if (found) return known(found, { kind: 'literal' });
  // No USER: the base image's user (root for the official images).
  const base = sv.base;
  if (
    base.known &&
    /^(docker\.io\/)?(library\/)?(python|node|debian|ubuntu|alpine|busybox|golang|rust)(:|@|$)|^scratch$/.test(
      base.value,
    )
  )
    return known(
      { user: 'root', ins: undefined },
      { kind: 'convention', detail: `${base.value} runs as root` },
    );
  return unknown(
    'image-contents',
    base.known ? `the user ${base.value} runs as is not known` : 'the base image is not known',
    { file: view.file, span: (sv.chain[0] ?? stage).imageSpan },
  );
}

/** Ports the built image documents with EXPOSE (ARGs substituted, build args applied). */
export function exposedPorts(view: ImageView): { port: number; ins: DfInstruction }[] {
  const stage = view.target;
  const sv = stage ? view.stages[stage.index] : undefined;
  if (!sv) return [];
  const out: { port: number; ins: DfInstruction }[] = [];
  for (const s of sv.chain)
    for (const ins of s.instructions) {
      if (ins.keyword !== 'EXPOSE') continue;
      for (const w of ins.words) {
        const v = resolveWord(view, s, ins, w.value);
        const m = v.known ? /^(\d+)(?:-\d+)?(?:\/(tcp|udp))?$/.exec(v.value) : null;
        if (m) out.push({ port: Number(m[1]), ins });
      }
    }
  return out;
}

/** The image's ENTRYPOINT, CMD and ENV as the target stage leaves them. */
export function imageProcess(view: ImageView): {
  entrypoint: string[] | undefined;
  cmd: string[] | undefined;
  env: Map<string, string>;
  shell: boolean;
} {
  const stage = view.target;
  const sv = stage ? view.stages[stage.index] : undefined;
  const env = new Map<string, string>();
  let entrypoint: string[] | undefined;
  let cmd: string[] | undefined;
  let shell = false;
  for (const s of sv?.chain ?? []) {
    for (const ins of s.instructions) {
      if (ins.keyword === 'ENV') {
        const vars = stageVars(view, s, ins);
        for (const e of envDeclarations(ins)) {
          const v = vars.get(e.name);
          if (v && v !== 'unset' && v.known) env.set(e.name, v.value);
          const after = stageVars(view, s);
          const a = after.get(e.name);
          if (a && a !== 'unset' && a.known) env.set(e.name, a.value);
        }
      }
      if (ins.keyword === 'ENTRYPOINT') {
        entrypoint = ins.exec ?? ['/bin/sh', '-c', ins.args.slice(ins.shellStart).trim()];
        shell = ins.form === 'shell';
        cmd = undefined; // ENTRYPOINT resets an inherited CMD
      }
      if (ins.keyword === 'CMD') cmd = ins.exec ?? ['/bin/sh', '-c', ins.args.slice(ins.shellStart).trim()];
    }
  }
  return { entrypoint, cmd, env, shell };
}

export interface Listening {
  port: number;
  /** How it was found, said to the user (`--port 8000 in the image's CMD`). */
  how: string;
  site: Site | undefined;
}

const DEFAULT_PORTS: Record<string, number> = { uvicorn: 8000, gunicorn: 8000, hypercorn: 8000, flask: 5000 };

/** Splits shell text into words (quotes honoured), for `sh -c "…"` commands. */
function shellWords(text: string): string[] {
  return text.match(/"[^"]*"|'[^']*'|\S+/g)?.map((w) => w.replace(/^["']|["']$/g, '')) ?? [];
}

/**
 * The environment references in a word, in order: `$(VAR)` (Kubernetes), `$VAR`, `${VAR}`, `${VAR:-d}` and
 * `${VAR-d}` (with the default as `word`). What `/\$\((NAME)\)|\$\{(NAME)(?::?-([^}]*))?\}|\$(NAME)/g` found,
 * scanned by hand (see model/text.ts).
 */
export function envReferences(text: string): { start: number; end: number; name: string; word?: string }[] {
  const close = closingBrace(text);
  return scanDollars(text, (i): { end: number; name: string; word?: string } | undefined => {
    if (text[i + 1] === '(') {
      const n = nameEnd(text, i + 2);
      return n > i + 2 && text[n] === ')' ? { end: n + 1, name: text.slice(i + 2, n) } : undefined;
    }
    if (text[i + 1] === '{') return bracedAt(text, i, [':-', '-'], close);
    const n = nameEnd(text, i + 1);
    return n > i + 1 ? { end: n, name: text.slice(i + 1, n) } : undefined;
  });
}

/** `$(VAR)` (Kubernetes), `$VAR`, `${VAR}` with the container's environment. */
function expandEnv(
  word: string,
  env: Map<string, string>,
  elsewhere?: (name: string) => unknown,
): string | undefined {
  let failed = false;
  const out = replaceMatches(word, envReferences(word), (m) => {
    const v = env.get(m.name);
    if (v !== undefined) return v;
    if (elsewhere?.(m.name)) {
      failed = true;
      return '';
    }
    if (m.word !== undefined) return m.word;
    failed = true;
    return '';
  });
  return failed ? undefined : out;
}

function portOf(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const m = /(?:^|:)(\d{1,5})$/.exec(text.trim());
  return m ? Number(m[1]) : undefined;
}

/**
 * The port the container's program listens on, when it is known: from the effective command (server flags such
 * as `--port`, `-b host:port`, `busybox httpd -p`), the environment (`PORT` where the server reads it), or a
 * literal in the entry module the image runs. EXPOSE is documentation and never decides.
 */
export function listeningPort(model: ProjectModel, c: Container, view: ImageView): Value<Listening> {
  const img = imageProcess(view);
  // A name the literal `env` does not set may come from `envFrom` or `valueFrom`: its value is unknown.
  const elsewhere = (name: string) =>
    c.env[name] ? undefined : c.envElsewhere?.find((e) => !e.names || e.names.includes(name));
  const env = new Map(img.env);
  for (const name of [...env.keys()]) if (elsewhere(name)) env.delete(name);
  for (const [k, v] of Object.entries(c.env)) env.set(k, v.value);
  /** An unknown when `name`, which the server reads, may be set from elsewhere. */
  const setElsewhere = (...names: string[]) => {
    for (const name of names) {
      const e = elsewhere(name);
      if (e)
        return unknown(
          'environment',
          `${name} may be set by ${e.what}`,
          e.site,
          `set ${name} with a literal \`env\` value, or pass the port on the command line`,
        );
    }
    return undefined;
  };
  const entrypoint = c.command?.value ?? img.entrypoint ?? [];
  const cmd = c.args?.value ?? (c.command ? [] : (img.cmd ?? []));
  let argv = [...entrypoint, ...cmd];
  const where = c.command || c.args ? 'the container command' : "the image's CMD/ENTRYPOINT";
  const site = (c.args ?? c.command)?.site;
  // `sh -c "exec gunicorn …"`, `exec`, and wrappers.
  const shIdx = argv.findIndex((w, i) => /(^|\/)(ba)?sh$/.test(w) && argv[i + 1] === '-c');
  if (shIdx >= 0) argv = shellWords(argv[shIdx + 2] ?? '');
  argv = argv.filter(
    (w) => !['exec', 'tini', '--', 'dumb-init', '/usr/bin/tini', '/tini', '/sbin/tini'].includes(w),
  );
  const words = argv.map((w) => expandEnv(w, env, elsewhere));
  const names = argv.map((w) => w.slice(w.lastIndexOf('/') + 1));
  const serverAt = names.findIndex(
    (n, i) =>
      n in DEFAULT_PORTS ||
      (n === 'httpd' && names[i - 1] === 'busybox') ||
      n === 'httpd' ||
      n === 'flask' ||
      n === 'daphne' ||
      n === 'waitress-serve',
  );
  const server = serverAt >= 0 ? names[serverAt] : names[names.indexOf('-m') + 1];
  const flag = (...flags: string[]): string | undefined | null => {
    for (let i = 0; i < argv.length; i++) {
      const w = argv[i] ?? '';
      for (const f of flags) {
        if (w === f) return words[i + 1] ?? null;
        if (f.startsWith('--') && w.startsWith(`${f}=`))
          return expandEnv(w.slice(f.length + 1), env, elsewhere) ?? null;
      }
    }
    return undefined;
  };
  const known_ = (port: number, how: string) => known({ port, how, site }, { kind: 'literal', site });
  const blocked = (what: string) => unknown('environment', `${what} in ${where} is set at run time`, site);
  if (server === 'uvicorn' || server === 'hypercorn' || server === 'gunicorn' || server === 'daphne') {
    if (flag('--uds', '--fd') !== undefined)
      return unknown('effects', 'the server listens on a socket', site);
    const p =
      server === 'gunicorn' || server === 'hypercorn'
        ? flag('-b', '--bind')
        : server === 'daphne'
          ? flag('-p', '--port', '-b')
          : flag('--port');
    if (p === null) return blocked('the port');
    if (p !== undefined) {
      const n = portOf(p);
      return n !== undefined
        ? known_(n, `\`${p}\` in ${where}`)
        : unknown('expression', `\`${p}\` is not a port`, site);
    }
    if (server === 'gunicorn' && (flag('-c', '--config') !== undefined || env.has('GUNICORN_CMD_ARGS')))
      return unknown(
        'effects',
        'gunicorn reads its bind address from a config file',
        site,
        'pass `-b 0.0.0.0:PORT` on the command line',
      );
    // gunicorn also reads `gunicorn.conf.py` from its working directory when no `-c` is given.
    const conf =
      server === 'gunicorn'
        ? [...model.inventory.files.keys()].find(
            (f) =>
              basename(f) === 'gunicorn.conf.py' &&
              (!view.build.context.known || within(view.build.context.value, f)),
          )
        : undefined;
    if (conf)
      return unknown(
        'effects',
        `gunicorn reads its bind address from ${conf} when it runs where that file is copied`,
        site,
        'pass `-b 0.0.0.0:PORT` on the command line',
      );
    const blockedBy =
      server === 'gunicorn'
        ? setElsewhere('GUNICORN_CMD_ARGS', 'PORT')
        : server === 'uvicorn'
          ? setElsewhere('UVICORN_PORT')
          : undefined;
    if (blockedBy) return blockedBy;
    if (server === 'gunicorn' && env.has('PORT'))
      return known_(Number(env.get('PORT')), 'gunicorn binds $PORT');
    if (server === 'uvicorn' && env.has('UVICORN_PORT'))
      return known_(Number(env.get('UVICORN_PORT')), 'UVICORN_PORT');
    return known_(DEFAULT_PORTS[server] ?? 8000, `${server}'s default port`);
  }
  if (server === 'flask') {
    const p = flag('-p', '--port');
    if (p === null) return blocked('the port');
    if (p !== undefined && portOf(p) !== undefined) return known_(portOf(p) as number, `\`--port ${p}\``);
    const blockedBy = p === undefined ? setElsewhere('FLASK_RUN_PORT') : undefined;
    if (blockedBy) return blockedBy;
    if (env.has('FLASK_RUN_PORT')) return known_(Number(env.get('FLASK_RUN_PORT')), 'FLASK_RUN_PORT');
    return known_(5000, "flask run's default port");
  }
  if (server === 'httpd') {
    const p = flag('-p');
    if (p === null) return blocked('the port');
    const n = portOf(p ?? '80');
    return n !== undefined
      ? known_(n, p ? `\`httpd -p ${p}\`` : "httpd's default port")
      : unknown('expression', 'httpd port', site);
  }
  if (server === 'waitress-serve') {
    const p = flag('--port', '--listen');
    if (p === null) return blocked('the port');
    const n = portOf(p ?? '8080');
    return n !== undefined
      ? known_(n, p ? `\`${p}\`` : "waitress's default port")
      : unknown('expression', 'waitress port', site);
  }
  // An entry module in the repository that reads a literal (python app.py, python -m pkg, node server.js).
  return (
    modulePort(model, view, argv, env, setElsewhere('PORT')) ??
    unknown(
      'effects',
      `which port ${argv.slice(0, 3).join(' ') || 'the program'} listens on is not known`,
      site,
    )
  );
}

function modulePort(
  model: ProjectModel,
  view: ImageView,
  argv: string[],
  env: Map<string, string>,
  portElsewhere: Value<Listening> | undefined,
): Value<Listening> | undefined {
  const files: SourceFile[] = [];
  for (const m of model.python.modules) {
    const rel = m.path;
    const mod = argv.find(
      (w, i) =>
        (argv[i - 1] === '-m' &&
          (rel.endsWith(`${w.replace(/\./g, '/')}.py`) ||
            rel.endsWith(`${w.replace(/\./g, '/')}/__main__.py`))) ||
        (/\.(py|js|mjs|cjs)$/.test(w) && rel.endsWith(w.replace(/^\.?\//, ''))),
    );
    if (
      mod &&
      (!view.build.context.known ||
        rel.startsWith(view.build.context.value === '.' ? '' : `${view.build.context.value}/`))
    )
      files.push(m.file);
  }
  const found = new Set<number>();
  let how = '';
  let site: Site | undefined;
  for (const file of files) {
    const text = file.text.length > 200_000 ? file.text.slice(0, 200_000) : file.text;
    for (const line of text.split('\n')) {
      if (line.length > 400) continue;
      const envDefault =
        /(?:os\.environ\.get|os\.getenv)\(\s*["']PORT["']\s*,\s*["']?(\d{2,5})|process\.env\.PORT\s*(?:\|\||\?\?)\s*["']?(\d{2,5})/.exec(
          line,
        );
      if (envDefault) {
        // The program reads PORT, which `envFrom` or `valueFrom` may set.
        if (portElsewhere) return portElsewhere;
        const n = env.has('PORT') ? Number(env.get('PORT')) : Number(envDefault[1] ?? envDefault[2]);
        found.add(n);
        how = env.has('PORT')
          ? `PORT=${env.get('PORT')} read by ${file.path}`
          : `the PORT default in ${file.path}`;
        site = { file, span: { start: text.indexOf(line), end: text.indexOf(line) + line.length } };
        continue;
      }
      const literal = literalPort(line);
      if (literal !== undefined) {
        found.add(literal);
        how = `the literal in ${file.path}`;
        site = { file, span: { start: text.indexOf(line), end: text.indexOf(line) + line.length } };
      }
    }
  }
  if (found.size !== 1) return undefined;
  const port = [...found][0] as number;
  return known({ port, how, site }, { kind: 'literal', site });
}

const PORT_ARGUMENT = /\bport\s*=\s*(\d{2,5})/g;
const PORT_KEY = /\bport\s*:\s*(\d{2,5})/g;
const LISTEN_NUMBER = /\.listen\(\s*(\d{2,5})/y;

/** The number of the last match of a global pattern in `text[from, to)`. */
function lastNumber(text: string, from: number, to: number, re: RegExp): string | undefined {
  let n: string | undefined;
  for (const m of text.slice(from, to).matchAll(re)) n = m[1];
  return n;
}

/**
 * A port literal in a line of source code: `.run(…port=N…)`, `.listen(N`, `listen({…port: N…}`,
 * `run_app(…port=N…)` (N of 2 to 5 digits; the last `port` before the call's first `)` or the object's first `}`),
 * the leftmost call deciding: what
 * `/\.run\([^)]*\bport\s*=\s*(\d{2,5})|\.listen\(\s*(\d{2,5})|\blisten\(\s*\{[^}]*\bport\s*:\s*(\d{2,5})|run_app\([^)]*\bport\s*=\s*(\d{2,5})/`
 * found. That pattern read the arguments up to the `)` again from every call before it; here a call whose
 * arguments hold no port marks that `)` (or `}`), and the calls before it are not read again.
 */
export function literalPort(line: string): number | undefined {
  let parenWithoutPort = -1;
  let braceWithoutPort = -1;
  for (let s = 0; s < line.length; s++) {
    let port: string | undefined;
    const call = line.startsWith('.run(', s) ? 5 : line.startsWith('run_app(', s) ? 8 : 0;
    if (call) {
      if (s < parenWithoutPort) continue;
      const close = line.indexOf(')', s + call);
      const to = close < 0 ? line.length : close;
      port = lastNumber(line, s + call, to, PORT_ARGUMENT);
      if (port === undefined) parenWithoutPort = to;
    } else if (line.startsWith('.listen(', s)) {
      LISTEN_NUMBER.lastIndex = s;
      port = LISTEN_NUMBER.exec(line)?.[1];
    } else if (line.startsWith('listen(', s) && !/\w/.test(line[s - 1] ?? '')) {
      let j = s + 7;
      while (/\s/.test(line[j] ?? '')) j++;
      if (line[j] !== '{' || j < braceWithoutPort) continue;
      const close = line.indexOf('}', j + 1);
      const to = close < 0 ? line.length : close;
      port = lastNumber(line, j + 1, to, PORT_KEY);
      if (port === undefined) braceWithoutPort = to;
    }
    if (port !== undefined) return Number(port);
  }
  return undefined;
}

/** The units a workload belongs to (objects applied together). */
export function unitsOf(model: ProjectModel, index: number): DeploymentUnit[] {
  return model.units.filter((u) => u.workloads.includes(index));
}

/** The line just above a site, or the site's own line, carries a `#` comment (a written justification). */
export function commentedNear(site: Site): boolean {
  const file: SourceFile = site.file;
  const line = file.position(site.span.start).line;
  if (/#\s*\S/.test(file.lineText(line).slice(file.position(site.span.end).column))) return true;
  for (let l = line - 1; l >= Math.max(1, line - 2); l--) {
    const t = file.lineText(l).trim();
    if (t.startsWith('#') && t.length > 2 && !/crossdock-ignore/.test(t)) return true;
    if (t && !t.startsWith('#')) break;
  }
  return false;
}

export function workloadLabel(w: Workload): string {
  return w.origin === 'compose' ? `compose service "${w.name}"` : `${w.kind} "${w.name}"`;
}
