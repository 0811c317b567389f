import type {
  ComposeHealthcheck,
  ComposeProject,
  Container,
  Located,
  Site,
  Workload,
} from '../../model/deploy.js';
import { parseGoDuration } from '../../model/duration.js';
import type { Build } from '../../model/project.js';
import { dirname, joinPath } from '../../model/repo.js';
import { locate } from '../../model/source.js';
import { bracedAt, closingBrace, nameEnd, replaceMatches, scanDollars } from '../../model/text.js';
import { known, type Unknown, unknown, type Value } from '../../model/value.js';
import { platformList } from '../builds.js';
import type { Y } from '../yaml/node.js';

/**
 * The interpolations in a text, in order: `$$` (no name), `$X`, `${X}`, `${X<op>word}` (op `:-`, `:?`, `:+`, `-`,
 * `?`, `+`). What `/\$\$|\$\{(NAME)(?:(:?[-?+])([^}]*))?\}|\$(NAME)/g` found, scanned by hand (see
 * model/text.ts).
 */
export function interpolations(
  text: string,
): { start: number; end: number; name: string; op?: string; word?: string }[] {
  const close = closingBrace(text);
  return scanDollars(text, (i): { end: number; name: string; op?: string; word?: string } | undefined => {
    if (text[i + 1] === '$') return { end: i + 2, name: '' };
    if (text[i + 1] === '{') return bracedAt(text, i, [':-', ':?', ':+', '-', '?', '+'], close);
    const n = nameEnd(text, i + 1);
    return n > i + 1 ? { end: n, name: text.slice(i + 1, n) } : undefined;
  });
}

const NO_VARS: ReadonlyMap<string, string> = new Map();

/**
 * Compose interpolation: `$$`, `${X}`, `${X:-d}`, `${X-d}`, `${X:+v}`, `${X:?e}`, `$X`, with `vars` (the `.env`
 * file next to the compose file) set. A variable it does not set takes its `-` default (CI view); otherwise it is
 * missing (`onMissing`): its value comes from the environment of whoever runs compose, unknown, not empty.
 */
export function interpolate(
  text: string,
  onMissing?: (name: string, written: string) => void,
  vars: ReadonlyMap<string, string> = NO_VARS,
): string {
  return replaceMatches(text, interpolations(text), ({ name, op, word }, whole) => {
    if (whole === '$$') return '$';
    const raw = vars.get(name);
    // A `.env` value that itself refers to variables (`DOCKERFILE=${DIR}/Dockerfile`) is not read further: missing.
    if (raw?.includes('$')) {
      onMissing?.(name, whole);
      return whole;
    }
    const value = raw;
    const set = value !== undefined && (value !== '' || !op?.startsWith(':'));
    if (op?.endsWith('-')) return set ? value : interpolate(word ?? '', onMissing, vars);
    if (op?.endsWith('+') && value !== undefined) return set ? interpolate(word ?? '', onMissing, vars) : '';
    if (value !== undefined && !op?.endsWith('+')) return value;
    onMissing?.(name, whole);
    // Unset in a clean CI run; kept as written so rules can tell an unresolved value from an empty one.
    return whole;
  });
}

function str(
  y: Y | undefined,
  missing?: (name: string) => void,
  vars?: ReadonlyMap<string, string>,
): Located<string> | undefined {
  const s = y?.str();
  return s === undefined || !y ? undefined : { value: interpolate(s, missing, vars), site: y.site };
}

/** Container-side port of a compose `ports` entry (short or long syntax); undefined for ranges. */
function containerPort(y: Y): number | undefined {
  if (y.isMap) return y.get('target')?.num();
  const s = y.str();
  if (!s) return undefined;
  const noProto = s.replace(/\/(tcp|udp|sctp)$/, '');
  const last = noProto.slice(noProto.lastIndexOf(':') + 1);
  return /^\d+$/.test(last) ? Number(last) : undefined;
}

/** Port a health check URL or command reaches on localhost, if it names one. */
export function healthcheckPort(text: string): number | undefined {
  const m = /(?:https?:\/\/)?(?:localhost|127\.0\.0\.1|0\.0\.0\.0|\[::1\])(?::(\d+))?/.exec(text);
  if (!m) return undefined;
  if (m[1]) return Number(m[1]);
  return /https:\/\//.test(m[0]) ? 443 : /http:\/\//.test(m[0]) ? 80 : undefined;
}

/** Variable names an env file declares (`NAME=…`, `export NAME=…`, `NAME` alone). */
export function envFileNames(text: string): Set<string> {
  const names = new Set<string>();
  for (const line of text.split(/\r?\n/)) {
    const m = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*(=|$)/.exec(line);
    if (m?.[1]) names.add(m[1]);
  }
  return names;
}

/** The variables an env file sets, as docker compose reads it (quotes removed, ` #` comments dropped; a bare `NAME` sets nothing). */
export function envFileValues(text: string): Map<string, string> {
  const vars = new Map<string, string>();
  for (const line of text.split(/\r?\n/)) {
    const m = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_.-]*)\s*(?:=(.*))?$/.exec(line);
    // `NAME` alone takes the value from the environment compose runs in: not set by the file.
    if (!m?.[1] || m[2] === undefined || line.trimStart().startsWith('#')) continue;
    let v = (m[2] ?? '').trim();
    const q = v[0];
    if ((q === '"' || q === "'") && v.length > 1 && v.indexOf(q, 1) > 0) v = v.slice(1, v.indexOf(q, 1));
    else {
      const hash = v.search(/\s#/);
      if (hash >= 0) v = v.slice(0, hash).trimEnd();
    }
    vars.set(m[1], v);
  }
  return vars;
}

/** A compose value: `${X:-d}` defaults are known; `${X}` without a default is set by whoever runs compose. */
function composeValue(text: string, site: Site, vars?: ReadonlyMap<string, string>): Value<string> {
  let missing: string | undefined;
  const v = interpolate(
    text,
    (name) => {
      missing ??= name;
    },
    vars,
  );
  if (missing)
    return unknown(
      'environment',
      `\`\${${missing}}\` has no default: its value comes from the environment or .env`,
      site,
    );
  return known(v, { kind: text.includes('$') ? 'default' : 'literal', site });
}

/** A compose command/entrypoint: a list, or a string split like a shell would. */
function commandOf(y: Y | undefined, vars?: ReadonlyMap<string, string>): Located<string[]> | undefined {
  if (!y) return undefined;
  if (y.isSeq)
    return { value: y.items().map((i) => interpolate(i.str() ?? '', undefined, vars)), site: y.site };
  const s = y.str();
  if (s === undefined) return undefined;
  return {
    value:
      interpolate(s, undefined, vars)
        .match(/"[^"]*"|'[^']*'|\S+/g)
        ?.map((w) => w.replace(/^["']|["']$/g, '')) ?? [],
    site: y.site,
  };
}

/** A compose duration (`1m30s`) in seconds; unknown when a variable without a default or not a duration. */
function durationOf(
  y: Y | undefined,
  vars?: ReadonlyMap<string, string>,
): Located<number> | Unknown | undefined {
  const text = y?.str();
  if (!y || text === undefined) return undefined;
  const v = composeValue(text, y.site, vars);
  if (!v.known) return v;
  const seconds = parseGoDuration(v.value);
  if (seconds === undefined)
    return unknown('expression', `\`${v.value}\` is not a duration (write it as 30s, 1m30s)`, y.site);
  return { value: seconds, site: y.site };
}

/** A compose `healthcheck` as written (test, timings in seconds, `disable`). */
function healthcheckOf(h: Y, vars?: ReadonlyMap<string, string>): ComposeHealthcheck {
  const out: ComposeHealthcheck = { site: h.site };
  const test = h.get('test');
  if (test?.isSeq)
    out.test = {
      value: test.items().map((i) => interpolate(i.str() ?? '', undefined, vars)),
      site: test.site,
    };
  else if (test?.str() !== undefined && test)
    out.test = { value: ['CMD-SHELL', interpolate(test.str() ?? '', undefined, vars)], site: test.site };
  const interval = durationOf(h.get('interval'), vars);
  if (interval) out.interval = interval;
  const timeout = durationOf(h.get('timeout'), vars);
  if (timeout) out.timeout = timeout;
  const start = durationOf(h.get('start_period'), vars);
  if (start) out.startPeriod = start;
  const retries = h.get('retries');
  const rt = retries?.str();
  if (retries && rt !== undefined) {
    const v = composeValue(rt, retries.site, vars);
    out.retries = !v.known
      ? v
      : /^\d+$/.test(v.value)
        ? { value: Number(v.value), site: retries.site }
        : unknown('expression', `\`${v.value}\` is not a number of retries`, retries.site);
  }
  const disable = h.get('disable');
  if (disable?.bool() === true) out.disable = disable.site;
  return out;
}

/** Compose `environment` entries in order: literal values, and those set by whoever runs compose (unknown). */
function environmentOrder(envY: Y | undefined, vars?: ReadonlyMap<string, string>): Container['envOrder'] {
  const order: NonNullable<Container['envOrder']> = [];
  const add = (name: string, text: string | undefined, site: Site) => {
    if (text === undefined) {
      order.push({
        name,
        unset: unknown('environment', `${name} takes its value from the environment compose runs in`, site),
        site,
      });
      return;
    }
    const v = composeValue(text, site, vars);
    if (v.known) order.push({ name, value: { value: v.value, site } });
    else order.push({ name, unset: v, site });
  };
  if (envY?.isMap) for (const e of envY.entries()) add(e.key, e.value?.str(), e.value?.site ?? e.keySite);
  else
    for (const i of envY?.items() ?? []) {
      const t = i.str() ?? '';
      const eq = t.indexOf('=');
      if (eq > 0) add(t.slice(0, eq), t.slice(eq + 1), i.site);
      else if (t) add(t, undefined, i.site);
    }
  return order.length ? order : undefined;
}

export interface ComposeFacts {
  project: ComposeProject;
  builds: Build[];
  workloads: Workload[];
}

/** Reads one compose file: services become workloads (and builds where they have `build:`). */
export function readCompose(doc: Y, vars: ReadonlyMap<string, string> = NO_VARS): ComposeFacts {
  const file = doc.file;
  const dir = dirname(file.path);
  const project: ComposeProject = { file, variables: new Map(), envFiles: [], example: undefined };
  const facts: ComposeFacts = { project, builds: [], workloads: [] };
  // At the `${X}` itself when the scalar is written as is in the file (not at the start of a longer value).
  const missingAt = (site: Site) => {
    const raw = file.text.slice(site.span.start, site.span.end);
    let from = 0;
    return (name: string, written: string) => {
      const k = raw.indexOf(written, from);
      if (k >= 0) from = k + written.length;
      const list = project.variables.get(name) ?? [];
      list.push(
        k < 0
          ? site
          : { file, span: { start: site.span.start + k, end: site.span.start + k + written.length } },
      );
      project.variables.set(name, list);
    };
  };
  // Walk every scalar once for variables without defaults (anywhere in the file).
  const walk = (y: Y | undefined, depth: number) => {
    if (!y || depth > 64) return;
    if (y.isMap) for (const e of y.entries()) walk(e.value, depth + 1);
    else if (y.isSeq) for (const i of y.items()) walk(i, depth + 1);
    else {
      const s = y.str();
      if (s?.includes('$')) interpolate(s, missingAt(y.site), vars);
    }
  };
  walk(doc, 0);

  for (const svc of doc.get('services')?.entries() ?? []) {
    const y = svc.value;
    if (!y?.isMap) continue;
    const image = str(y.get('image'), undefined, vars);
    const env: Record<string, Located<string>> = {};
    const envY = y.get('environment');
    if (envY?.isMap)
      for (const e of envY.entries()) {
        const v = e.value?.str();
        if (v !== undefined && e.value)
          env[e.key] = { value: interpolate(v, undefined, vars), site: e.value.site };
      }
    else
      for (const i of envY?.items() ?? []) {
        const t = i.str() ?? '';
        const eq = t.indexOf('=');
        if (eq > 0)
          env[t.slice(0, eq)] = { value: interpolate(t.slice(eq + 1), undefined, vars), site: i.site };
      }
    const c: Container = {
      name: svc.key,
      image,
      pullPolicy: str(y.get('pull_policy'), undefined, vars),
      ports: [],
      probes: [],
      securityContext: {},
      buildId: undefined,
      command: commandOf(y.get('entrypoint'), vars),
      args: commandOf(y.get('command'), vars),
      env,
    };
    for (const p of y.get('ports')?.items() ?? []) {
      const port = containerPort(p);
      if (port !== undefined) c.ports.push({ port, site: p.site });
    }
    for (const p of y.get('expose')?.items() ?? []) {
      const port = p.num();
      if (port !== undefined) c.ports.push({ port, site: p.site });
    }
    const test = y.at('healthcheck', 'test');
    if (test) {
      const text = test.isSeq
        ? test
            .items()
            .map((i) => i.str() ?? '')
            .join(' ')
        : (test.str() ?? '');
      const port = healthcheckPort(text);
      if (port !== undefined) c.probes.push({ kind: 'healthcheck', port, site: test.site });
      if (!/^NONE\b/.test(text.trim()) && y.at('healthcheck', 'disable')?.bool() !== true)
        c.healthcheck = test.site;
    }
    const restart = str(y.get('restart'), undefined, vars);
    if (restart) c.restart = restart;
    const health = y.get('healthcheck');
    if (health?.isMap) c.composeHealthcheck = healthcheckOf(health, vars);
    const order = environmentOrder(envY, vars);
    if (order) c.envOrder = order;
    const unresolved: Located<string>[] = [];
    for (const [name, sites] of project.variables)
      for (const site of sites)
        if (site.span.start >= y.span.start && site.span.end <= y.span.end)
          unresolved.push({ value: name, site });
    if (unresolved.length) c.unresolved = unresolved.sort((a, b) => a.site.span.start - b.site.span.start);
    const workingDir = str(y.get('working_dir'), undefined, vars);
    if (workingDir) c.workingDir = workingDir;
    const privileged = y.get('privileged');
    const pv = privileged?.bool();
    if (privileged && pv !== undefined) c.securityContext.privileged = { value: pv, site: privileged.site };
    const user = str(y.get('user'), undefined, vars);
    if (user) c.user = user;
    if (user && /^\d+/.test(user.value))
      c.securityContext.runAsUser = { value: Number(/^\d+/.exec(user.value)?.[0]), site: user.site };
    const envFile = y.get('env_file');
    for (const e of envFile?.isSeq ? envFile.items() : envFile ? [envFile] : []) {
      const path = e.isMap ? e.get('path') : e;
      const required = e.isMap ? e.get('required')?.bool() !== false : true;
      const v = str(path, undefined, vars);
      if (v && required) project.envFiles.push({ value: joinPath(dir, v.value) ?? v.value, site: v.site });
      if (v) c.envFiles = [...(c.envFiles ?? []), v];
    }
    const build = y.get('build');
    if (build) {
      const ctxY = build.isMap ? build.get('context') : build;
      const ctxV =
        ctxY?.str() !== undefined && ctxY
          ? composeValue(ctxY.str() ?? '.', ctxY.site, vars)
          : known('.', { kind: 'default', site: build.site });
      let context: Build['context'];
      if (!ctxV.known) context = ctxV;
      else if (/^(https?|git):\/\/|^git@|\.git(#|$)/.test(ctxV.value))
        context = unknown(
          'outside-repository',
          `the context \`${ctxV.value}\` is a Git URL, not this checkout`,
          ctxY?.site,
        );
      else {
        const p = joinPath(dir, ctxV.value);
        context =
          p === undefined
            ? unknown('climbs-out', `\`${ctxV.value}\` leaves the repository`, ctxY?.site)
            : known(p, { ...ctxV.origin });
      }
      const dfY = build.isMap ? build.get('dockerfile') : undefined;
      const dfV = dfY ? composeValue(dfY.str() ?? 'Dockerfile', dfY.site, vars) : undefined;
      let dockerfile: Build['dockerfile'];
      if (!context.known) dockerfile = context;
      else if (dfV && !dfV.known) dockerfile = dfV;
      else {
        const p = joinPath(context.value, dfV?.known ? dfV.value : 'Dockerfile');
        dockerfile =
          p === undefined
            ? unknown('climbs-out', 'the Dockerfile leaves the repository', dfY?.site)
            : known(p, { kind: dfV ? 'literal' : 'default', site: dfY?.site ?? build.site });
      }
      const platformsY = build.isMap ? build.get('platforms') : undefined;
      const svcPlatform = str(y.get('platform'), undefined, vars);
      const platformTexts = platformsY
        ? platformsY.items().map((i) => i.str() ?? '')
        : svcPlatform
          ? [svcPlatform.value]
          : [];
      const pSite = platformsY?.site ?? svcPlatform?.site;
      const platforms: Build['platforms'] = platformTexts.length
        ? platformList(platformTexts.join(','), { kind: 'literal', site: pSite })
        : unknown(
            'no-build-site',
            'compose builds the platform of the machine it runs on, which is not known',
            build.site,
            'set `platforms:` under `build:` or in crossdock.yaml',
          );
      const args: Record<string, Value<string>> = {};
      const argsY = build.isMap ? build.get('args') : undefined;
      if (argsY?.isMap)
        for (const e of argsY.entries()) {
          const v = e.value?.str();
          if (v !== undefined && e.value) args[e.key] = composeValue(v, e.value.site, vars);
        }
      else
        for (const a of argsY?.items() ?? []) {
          const s = a.str() ?? '';
          const eq = s.indexOf('=');
          if (eq > 0) args[s.slice(0, eq)] = composeValue(s.slice(eq + 1), a.site, vars);
        }
      const namedContexts: Record<string, string> = {};
      for (const e of (build.isMap ? build.get('additional_contexts')?.entries() : undefined) ?? []) {
        const v = e.value?.str();
        if (v) namedContexts[e.key] = v;
      }
      const id = `compose:${file.path}#${svc.key}`;
      facts.builds.push({
        id,
        origin: 'compose',
        definedAt: locate(file, build.span),
        dockerfile,
        context,
        platforms,
        platformsExplicit: platformTexts.length > 0,
        tags: image ? [image.value] : [],
        buildArgs: args,
        target:
          build.isMap && build.get('target')?.str() !== undefined
            ? composeValue(build.get('target')?.str() ?? '', build.get('target')?.site ?? build.site, vars)
            : undefined,
        push: false,
        namedContexts,
        sites: {
          definition: build.site,
          context: ctxY && build.isMap ? ctxY.site : undefined,
          dockerfile: dfY?.site,
          platforms: pSite,
          tags: image ? [image.site] : [],
        },
        before: [],
      });
      c.buildId = id;
    }
    const grace = durationOf(y.get('stop_grace_period'), vars);
    facts.workloads.push({
      kind: 'compose-service',
      name: svc.key,
      namespace: undefined,
      origin: 'compose',
      site: svc.keySite,
      replicas: (() => {
        const r = y.at('deploy', 'replicas');
        const n = r?.num();
        return r && n !== undefined ? { value: n, site: r.site } : undefined;
      })(),
      containers: [c],
      pod: { securityContext: {}, claims: [], ...(grace ? { terminationGracePeriodSeconds: grace } : {}) },
      labels: {},
      annotations: {},
    });
  }
  return facts;
}
