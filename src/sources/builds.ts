import type { Site } from '../model/deploy.js';
import { parsePlatform, type Platform } from '../model/platform.js';
import type { Build } from '../model/project.js';
import { type Inventory, pathStatus } from '../model/repo.js';
import { locate } from '../model/source.js';
import { known, type Origin, unknown, type Value } from '../model/value.js';
import { type BuildCommand, resolvePathIn } from './scripts/scan.js';

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
    const chosen = cmd.cwd.known ? pairs : existing.length === 1 ? existing : [];
    const one = chosen[0];
    if (one && chosen.length === 1) {
      const origin: Origin = cmd.cwd.known
        ? { kind: 'literal', site: ctxSite }
        : {
            kind: 'convention',
            site: ctxSite,
            detail: `the only folder it can run from for ${one.dockerfile} to exist`,
          };
      context =
        one.context === 'outside'
          ? unknown('outside-repository', 'the build context is outside the repository', ctxSite)
          : known(one.context, origin);
      dockerfile =
        one.dockerfile === 'outside'
          ? unknown('outside-repository', 'the Dockerfile is outside the repository', dfSite)
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
