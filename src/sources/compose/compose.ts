import { dirname } from '../../engine/classify.js';
import { joinPath } from '../../engine/build-graph.js';
import type { ComposeProject, Container, Located, Site } from '../../model/deploy.js';
import { parsePlatform, type Platform } from '../../model/platform.js';
import type { Build, ProjectModel } from '../../model/project.js';
import { locate } from '../../model/source.js';
import type { Y } from '../yaml/node.js';

/** Compose interpolation: `$$`, `${X}`, `${X:-d}`, `${X-d}`, `${X:?e}`, `$X`. Only defaults are known (CI view). */
export function interpolate(text: string, onMissing?: (name: string) => void): string {
  return text.replace(
    /\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?+])([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)/g,
    (
      whole,
      braced: string | undefined,
      op: string | undefined,
      word: string | undefined,
      bare: string | undefined,
    ) => {
      if (whole === '$$') return '$';
      const name = braced ?? bare ?? '';
      if (op?.endsWith('-')) return interpolate(word ?? '', onMissing);
      if (op?.endsWith('+')) return '';
      onMissing?.(name);
      // Unset in a clean CI run; kept as written so rules can tell an unresolved value from an empty one.
      return whole;
    },
  );
}

function str(y: Y | undefined, missing?: (name: string) => void): Located<string> | undefined {
  const s = y?.str();
  return s === undefined || !y ? undefined : { value: interpolate(s, missing), site: y.site };
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

/** Reads one compose file: services become workloads (and builds where they have `build:`). */
export function readCompose(doc: Y, model: ProjectModel): ComposeProject {
  const file = doc.file;
  const dir = dirname(file.path);
  const project: ComposeProject = { file, variables: new Map(), envFiles: [], example: undefined };
  model.compose.push(project);
  const missingAt = (site: Site) => (name: string) => {
    const list = project.variables.get(name) ?? [];
    list.push(site);
    project.variables.set(name, list);
  };
  // Walk every scalar once for variables without defaults (anywhere in the file).
  const walk = (y: Y | undefined) => {
    if (!y) return;
    if (y.isMap) for (const e of y.entries()) walk(e.value);
    else if (y.isSeq) for (const i of y.items()) walk(i);
    else {
      const s = y.str();
      if (s?.includes('$')) interpolate(s, missingAt(y.site));
    }
  };
  walk(doc);

  for (const svc of doc.get('services')?.entries() ?? []) {
    const y = svc.value;
    if (!y?.isMap) continue;
    const image = str(y.get('image'));
    const c: Container = {
      name: svc.key,
      image,
      pullPolicy: str(y.get('pull_policy')),
      ports: [],
      probes: [],
      securityContext: {},
      buildId: undefined,
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
    }
    const privileged = y.get('privileged');
    const pv = privileged?.bool();
    if (privileged && pv !== undefined) c.securityContext.privileged = { value: pv, site: privileged.site };
    const envFile = y.get('env_file');
    for (const e of envFile?.isSeq ? envFile.items() : envFile ? [envFile] : []) {
      const path = e.isMap ? e.get('path') : e;
      const required = e.isMap ? e.get('required')?.bool() !== false : true;
      const v = str(path);
      if (v && required) project.envFiles.push({ value: joinPath(dir, v.value) ?? v.value, site: v.site });
    }
    const build = y.get('build');
    if (build) {
      const ctxY = build.isMap ? build.get('context') : build;
      const ctx = str(ctxY);
      const context = joinPath(dir, ctx?.value ?? '.') ?? '.';
      const dfY = build.isMap ? build.get('dockerfile') : undefined;
      const df = str(dfY);
      const dockerfile = joinPath(context, df?.value ?? 'Dockerfile') ?? 'Dockerfile';
      const platformsY = build.isMap ? build.get('platforms') : undefined;
      const svcPlatform = str(y.get('platform'));
      const platformTexts = platformsY
        ? platformsY.items().map((i) => i.str() ?? '')
        : svcPlatform
          ? [svcPlatform.value]
          : [];
      const platforms = platformTexts.map((t) => parsePlatform(t)).filter((p): p is Platform => !!p);
      const args: Record<string, string> = {};
      const argsY = build.isMap ? build.get('args') : undefined;
      if (argsY?.isMap) for (const [k, v] of Object.entries(argsY.stringMap())) args[k] = interpolate(v);
      else
        for (const a of argsY?.items() ?? []) {
          const s = a.str() ?? '';
          const eq = s.indexOf('=');
          if (eq > 0) args[s.slice(0, eq)] = interpolate(s.slice(eq + 1));
        }
      const id = `compose:${file.path}#${svc.key}`;
      const b: Build = {
        id,
        dockerfile,
        context,
        contextSource: 'definition',
        platforms: platforms.length ? platforms : [...model.targets.platforms],
        platformsSource: platforms.length
          ? `${file.path}:${file.position((platformsY ?? y.get('platform') ?? build).span.start).line}`
          : model.targets.source,
        tags: image ? [image.value] : [],
        buildArgs: args,
        target: build.isMap ? str(build.get('target'))?.value : undefined,
        push: false,
        origin: 'compose',
        definedAt: locate(file, build.span),
        sites: {
          definition: build.site,
          context: ctx?.site,
          dockerfile: df?.site,
          platforms: platformsY?.site ?? svcPlatform?.site,
          tags: image ? [image.site] : [],
        },
      };
      model.builds.push(b);
      c.buildId = id;
    }
    model.deployments.workloads.push({
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
      pod: { securityContext: {}, claims: [] },
      labels: {},
      annotations: {},
    });
  }
  return project;
}
