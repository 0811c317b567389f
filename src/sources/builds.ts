import { runnerArchitecture } from '../knowledge/runners.js';
import type { Site } from '../model/deploy.js';
import { parsePlatform, type Platform } from '../model/platform.js';
import type { Build } from '../model/project.js';
import { type Inventory, pathStatus } from '../model/repo.js';
import { locate } from '../model/source.js';
import { known, type Origin, unknown, type Value } from '../model/value.js';
import { type BuildCommand, outsideWhy, resolvePathIn } from './scripts/scan.js';

/** A comma- or newline-separated platform list; unknown when an item is not a platform. */
export function platformList(text: string, origin: Origin): Value<Platform[]> {
  const items = text
    .split(/[\n,]/)
    .map((s) => s.trim())
    .filter(Boolean);
  const out: Platform[] = [];
  for (const item of items) {
    const p = item.includes('/') ? parsePlatform(item) : undefined;
    if (!p) return unknown('expression', `\`${item}\` is not a platform (os/arch)`, origin.site);
    if (!out.some((o) => o.architecture === p.architecture && o.variant === p.variant)) out.push(p);
  }
  return out.length ? known(out, origin) : unknown('expression', 'no platform is named', origin.site);
}

/** What a build that names no platform builds: its builder's own platform, when the builder is known. */
export function nativePlatform(
  arch: string | undefined,
  site: Site | undefined,
  runner: string,
): Value<Platform[]> {
  if (arch)
    return known([{ os: 'linux', architecture: arch }], {
      kind: 'convention',
      site,
      detail: `no --platform: the ${runner}'s own platform`,
    });
  return unknown(
    'no-build-site',
    `the build names no platform, so it builds its builder's own platform, and the ${runner} is not known`,
    site,
    'set the platforms on the build (`--platform`, `platforms:`) or in crossdock.yaml',
  );
}

/**
 * What a build that names no platform builds on the runners it runs on (the label sets of a job, one per matrix
 * combination): the runners' own platform when they share one; unknown when one runner is not known, or when
 * they differ (a runner matrix builds a different platform on each).
 */
export function runnersNative(
  runsOn: Build['runsOn'],
  site: Site | undefined,
  machine: string,
): Value<Platform[]> {
  const first = runsOn?.[0];
  if (!first) return nativePlatform(undefined, site, machine);
  const label = (r: { labels: string[] }) => `runner [${r.labels.join(', ')}]`;
  const archs = (runsOn ?? []).map((r) => runnerArchitecture(r.labels));
  const unknownAt = archs.indexOf(undefined);
  if (unknownAt >= 0) {
    const r = runsOn?.[unknownAt] ?? first;
    return nativePlatform(undefined, r.site, label(r));
  }
  if (archs.every((a) => a === archs[0])) return nativePlatform(archs[0], first.site, label(first));
  return unknown(
    'branch',
    `the build names no platform and runs on several runners (${(runsOn ?? []).map((r) => `[${r.labels.join(', ')}]`).join(', ')}) of different architectures; it builds ${[...new Set(archs)].join(' or ')} depending on the matrix combination`,
    first.site,
    "set the platform on the build (`--platform`, `platforms:`), or tag each runner's image apart",
  );
}

/** Whether two builds are the same but for the runners they run on (one build step of a runner matrix). */
function sameButRunner(a: Build, b: Build): boolean {
  const v = (x: Value<unknown>) => (x.known ? x.value : `?${x.reason}`);
  const key = (x: Build) =>
    JSON.stringify([
      x.definedAt,
      x.origin,
      v(x.dockerfile),
      v(x.context),
      x.platformsExplicit ? v(x.platforms) : '-',
      x.tags,
      Object.entries(x.buildArgs).map(([k, a]) => [k, v(a)]),
      x.target ? v(x.target) : '-',
      x.push,
      x.namedContexts,
      x.job?.workflow.file.path,
      x.job?.job.id,
    ]);
  return key(a) === key(b);
}

/**
 * Adds a build to a list. The same build run on other runners (a runner matrix, a script each combination runs)
 * is merged into one build on all of them: its native platform is then the runners' shared one, or unknown. A
 * different build under an id already taken gets the id with a number.
 */
export function addBuild(builds: Build[], b: Build): void {
  const same = builds.find((x) => sameButRunner(x, b));
  if (same) {
    const labels = (r: { labels: string[] }) => r.labels.join('\0');
    const more = (b.runsOn ?? []).filter((r) => !(same.runsOn ?? []).some((s) => labels(s) === labels(r)));
    if (!more.length || !same.runsOn) return;
    same.runsOn = [...same.runsOn, ...more];
    if (!same.platformsExplicit)
      same.platforms = runnersNative(same.runsOn, same.sites?.definition, 'machine running it');
    return;
  }
  let id = b.id;
  for (let n = 2; builds.some((x) => x.id === id); n++) id = `${b.id}~${n}`;
  builds.push(id === b.id ? b : { ...b, id });
}

export interface CommandBuildOptions {
  id: string;
  origin: Build['origin'];
  inventory: Inventory;
  native: Value<Platform[]>;
  job?: Build['job'];
  runsOn?: Build['runsOn'];
  qemu?: boolean;
  before?: Build['before'];
}

/**
 * A Build from a shell build command. `-f` and the context are resolved against the command's working
 * directory; when that is one of several candidates, the candidates where the Dockerfile exists decide.
 */
export function commandBuild(cmd: BuildCommand, o: CommandBuildOptions): Build {
  const site = cmd.site;
  const cwds = cmd.cwd.known ? [cmd.cwd.path] : cmd.cwd.candidates;
  const defaultName =
    cmd.tool === 'podman' || cmd.tool === 'buildah' ? ['Containerfile', 'Dockerfile'] : ['Dockerfile'];
  const pairs: { cwd: string; context: string | 'outside'; dockerfile: string | 'outside' }[] = [];
  const ctxExpr = cmd.context;
  const dfExpr = cmd.dockerfile;
  let blocked: Value<string> | undefined;
  if (ctxExpr && !ctxExpr.known) blocked = ctxExpr;
  else if (dfExpr && !dfExpr.known) blocked = dfExpr;
  if (!blocked) {
    for (const cwd of cwds) {
      const context = ctxExpr?.known ? resolvePathIn(cwd, ctxExpr.value) : cwd;
      let dockerfile: string | 'outside';
      if (dfExpr?.known) dockerfile = resolvePathIn(cwd, dfExpr.value);
      else if (context === 'outside') dockerfile = 'outside';
      else {
        const names = defaultName.map((n) => (context === '.' ? n : `${context}/${n}`));
        dockerfile =
          names.find((n) => pathStatus(o.inventory, n) !== 'absent') ?? (names[names.length - 1] as string);
      }
      pairs.push({ cwd, context, dockerfile });
    }
  }
  let context: Build['context'];
  let dockerfile: Build['dockerfile'];
  const ctxSite = ctxExpr?.site ?? site;
  const dfSite = dfExpr?.site ?? ctxSite;
  if (blocked) {
    // A path written with a value that cannot be resolved (`-f $1`, `${{ inputs.dockerfile }}`).
    const why = { ...blocked, site: blocked.known ? site : (blocked.site ?? site) } as Build['context'];
    context = ctxExpr && !ctxExpr.known ? { ...ctxExpr, site: ctxExpr.site } : why;
    dockerfile = dfExpr && !dfExpr.known ? { ...dfExpr, site: dfExpr.site } : why;
  } else {
    const existing = pairs.filter(
      (p) => p.dockerfile !== 'outside' && pathStatus(o.inventory, p.dockerfile) !== 'absent',
    );
    // Paths the script computes from its own location (`$(dirname "$0")/..`) are the same from every folder.
    const same =
      pairs.length > 1 &&
      pairs.every((p) => p.context === pairs[0]?.context && p.dockerfile === pairs[0]?.dockerfile);
    const chosen = cmd.cwd.known ? pairs : same ? pairs.slice(0, 1) : existing.length === 1 ? existing : [];
    const one = chosen[0];
    if (one && chosen.length === 1) {
      const origin: Origin =
        cmd.cwd.known || same
          ? { kind: 'literal', site: ctxSite }
          : {
              kind: 'convention',
              site: ctxSite,
              detail: `the only folder it can run from for ${one.dockerfile} to exist`,
            };
      context =
        one.context === 'outside'
          ? outsideWhy(ctxExpr?.known ? ctxExpr.value : undefined, 'build context', ctxSite)
          : known(one.context, origin);
      dockerfile =
        one.dockerfile === 'outside'
          ? one.context === 'outside'
            ? outsideWhy(ctxExpr?.known ? ctxExpr.value : undefined, 'build context', ctxSite)
            : outsideWhy(dfExpr?.known ? dfExpr.value : undefined, 'Dockerfile', dfSite)
          : known(one.dockerfile, { ...origin, site: dfSite });
    } else {
      const why = cmd.cwd.known
        ? unknown('working-directory', 'the folder this command runs in is not known', site)
        : cmd.cwd.why;
      const candidates = pairs.map((p) => p.context).filter((c): c is string => c !== 'outside');
      context = { ...why, site: why.site ?? site, candidates: [...new Set(candidates)] };
      const dfCandidates = (existing.length ? existing : pairs)
        .map((p) => p.dockerfile)
        .filter((c): c is string => c !== 'outside');
      dockerfile = { ...why, site: why.site ?? site };
      if (new Set(dfCandidates).size === 1 && dfCandidates[0] !== undefined)
        dockerfile = known(dfCandidates[0], {
          kind: 'convention',
          site: dfSite,
          detail: 'the same under every candidate folder',
        });
    }
  }
  let platforms: Value<Platform[]> = o.native;
  if (cmd.platforms) {
    platforms = cmd.platforms.known
      ? platformList(cmd.platforms.value, { kind: cmd.platforms.origin.kind, site: cmd.platforms.site })
      : { ...cmd.platforms, site: cmd.platforms.site };
  }
  return {
    id: o.id,
    origin: o.origin,
    definedAt: locate(site.file, site.span),
    dockerfile,
    context,
    platforms,
    platformsExplicit: cmd.platforms !== undefined,
    tags: cmd.tags.map((t) => t.value),
    buildArgs: cmd.buildArgs,
    ...(cmd.otherArgs ? { otherArgs: cmd.otherArgs } : {}),
    target: cmd.target,
    push: cmd.push,
    ...(cmd.pushByDigest ? { pushByDigest: true } : {}),
    ...(cmd.onBranch ? { onBranch: true as const } : {}),
    namedContexts: cmd.namedContexts,
    sites: {
      definition: site,
      dockerfile: dfExpr?.site,
      context: ctxExpr?.site,
      platforms: cmd.platforms?.site,
      tags: cmd.tags.map((t) => t.site),
    },
    job: o.job,
    runsOn: o.runsOn,
    qemu: o.qemu,
    before: o.before ?? [],
  };
}
