import { resolve } from 'node:path';
import { cacheDisabledByEnv, checkCacheDir } from '../../engine/check-cache.js';
import { checkCached } from '../../engine/cached.js';
import { UsageError } from '../../errors.js';
import { severityRank } from '../../model/finding.js';
import { indexCaPems } from '../../pem.js';
import { parsePlatform, type Platform } from '../../model/platform.js';
import { render } from '../../reporters/index.js';
import { formatOpt, REPORT_FORMATS, useColor, writeReport } from '../output.js';
import type { Io, ParsedArgs } from '../types.js';
import { boolOpt, listOpt, stringOpt } from '../types.js';

const FAIL_ON = ['error', 'warning', 'info', 'never'] as const;

export function parsePlatformList(values: string[]): Platform[] {
  const out: Platform[] = [];
  for (const item of values.flatMap((v) => v.split(','))) {
    if (!item.trim()) continue;
    const p = parsePlatform(item);
    if (!p || !item.includes('/')) {
      throw new UsageError(`--platform ${item} is not a platform`, { hint: 'use os/arch, e.g. linux/arm64' });
    }
    out.push(p);
  }
  return out;
}

export async function checkCommand(args: ParsedArgs, io: Io): Promise<number> {
  if (args.positionals.length > 1) {
    throw new UsageError(`check takes one directory, got ${args.positionals.length}`, {
      hint: 'crossdock check [dir]',
    });
  }
  const format = formatOpt(args, REPORT_FORMATS, 'text');
  const failOnText = stringOpt(args, 'fail-on') ?? 'error';
  const failOn = FAIL_ON.find((f) => f === failOnText);
  if (!failOn)
    throw new UsageError(`--fail-on ${failOnText} is not supported`, {
      hint: `use one of: ${FAIL_ON.join(', ')}`,
    });
  const { result, sources } = await checkCached(
    {
      root: args.positionals[0] ?? '.',
      cwd: io.cwd,
      configPath: stringOpt(args, 'config'),
      platforms: parsePlatformList(listOpt(args, 'platform')),
      online: boolOpt(args, 'online'),
      registry: {
        trust: {
          caFiles: listOpt(args, 'ca-file').map((f) => resolve(io.cwd, f)),
          plainHttp: listOpt(args, 'plain-http'),
        },
        warn: (m) => io.stderr.write(`warning: ${m}\n`),
        proxyEnv: io.env,
      },
      only: listOpt(args, 'rule').length ? listOpt(args, 'rule') : undefined,
      packageIndex: {
        indexUrl: stringOpt(args, 'index-url'),
        env: io.env,
        ...(boolOpt(args, 'online') ? { ca: indexCaPems(listOpt(args, 'ca-file'), io.env, io.cwd) } : {}),
      },
      ...(boolOpt(args, 'no-cache') || cacheDisabledByEnv(io.env)
        ? {}
        : { cache: { dir: checkCacheDir(io.env) } }),
    },
    // The built-in rules are one set per build (the cache is kept per build): loaded only when the result is not
    // served whole from the cache.
    { key: 'built-in', load: async () => (await import('../../rules/index.js')).allRules() },
  );
  await writeReport(
    io,
    args,
    render(format, result, {
      color: useColor(io, args),
      sources,
      verbose: boolOpt(args, 'verbose'),
    }),
  );
  if (failOn === 'never') return 0;
  const threshold = severityRank(failOn);
  return result.findings.some((f) => severityRank(f.severity) >= threshold) ? 1 : 0;
}
