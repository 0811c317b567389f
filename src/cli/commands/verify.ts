import { dirname, resolve } from 'node:path';
import { loadBuildConfig } from '../../build/config.js';
import { UsageError } from '../../errors.js';
import { policyFromConfig } from '../../registry/policy.js';
import { resolveRef } from '../../registry/reference.js';
import { VERIFY_RULES, type VerifyPolicy, verifyImage } from '../../registry/verify.js';
import { render } from '../../reporters/index.js';
import type { RunResult } from '../../reporters/types.js';
import { VERSION } from '../../version.js';
import { formatOpt, REPORT_FORMATS, useColor, writeReport } from '../output.js';
import { platformsOpt, registryClient } from '../registry-options.js';
import type { Io, ParsedArgs } from '../types.js';
import { boolOpt, listOpt, stringOpt } from '../types.js';

export async function verifyCommand(args: ParsedArgs, io: Io): Promise<number> {
  if (args.positionals.length === 0)
    throw new UsageError('verify needs at least one image reference', {
      hint: 'crossdock verify localhost:5000/team/app:1.0 --platforms linux/amd64,linux/arm64',
    });
  const format = formatOpt(args, REPORT_FORMATS, 'text');
  const started = performance.now();
  // Every option and the policy file are checked before the first request.
  const failOn = stringOpt(args, 'fail-on') ?? 'error';
  const rank = { error: 3, warning: 2, info: 1, never: 99 }[failOn];
  if (rank === undefined)
    throw new UsageError(`--fail-on ${failOn} is not supported`, {
      hint: 'use error, warning, info or never',
    });
  const policyPath = stringOpt(args, 'policy');
  const config = policyPath
    ? (await loadBuildConfig(dirname(resolve(io.cwd, policyPath)), resolve(io.cwd, policyPath))).config
    : undefined;
  const maxSize = stringOpt(args, 'max-size');
  if (maxSize !== undefined && !/^\d+(\.\d+)?$/.test(maxSize))
    throw new UsageError(`--max-size ${maxSize} is not a number of MB`);
  const maxUnpacked = stringOpt(args, 'max-unpacked');
  if (maxUnpacked !== undefined && !/^[1-9]\d{0,6}$/.test(maxUnpacked))
    throw new UsageError(`--max-unpacked ${maxUnpacked} is not a whole number of MB`, {
      hint: 'e.g. --max-unpacked 4096 for layers that unpack to up to 4 GB',
    });
  const limits = maxUnpacked ? { maxUnpackedBytes: Number(maxUnpacked) * 1024 * 1024 } : {};
  const client = await registryClient(
    args,
    io,
    args.positionals.map((p) => resolveRef(p).registry),
  );
  const findings: RunResult['findings'] = [];
  try {
    for (const text of args.positionals) {
      const ref = resolveRef(text);
      const fromConfig = config ? policyFromConfig(config.raw, text, ref.repository) : {};
      const policy: VerifyPolicy = { elf: true, ...fromConfig };
      const plats = platformsOpt(args, 'platforms');
      if (plats.length) policy.platforms = plats;
      if (boolOpt(args, 'non-root')) policy.nonRoot = 'numeric';
      if (boolOpt(args, 'init')) policy.init = true;
      if (boolOpt(args, 'healthcheck')) policy.healthcheck = true;
      if (listOpt(args, 'label').length) policy.labels = listOpt(args, 'label');
      const rev = stringOpt(args, 'revision');
      if (rev) policy.revision = rev;
      const tp = stringOpt(args, 'tag-pattern');
      if (tp) policy.tagPattern = tp;
      if (maxSize) policy.maxSizeMb = Number(maxSize);
      if (boolOpt(args, 'no-attestations')) policy.forbidAttestations = true;
      if (boolOpt(args, 'no-elf')) policy.elf = false;
      const r = await verifyImage(client, ref, policy, limits);
      findings.push(...r.findings);
    }
  } finally {
    client.close();
  }
  const summary = {
    error: 0,
    warning: 0,
    info: 0,
    files: args.positionals.length,
    durationMs: Math.round(performance.now() - started),
  };
  for (const f of findings) summary[f.severity]++;
  const result: RunResult = {
    tool: { name: 'crossdock', version: VERSION },
    command: 'verify',
    root: '',
    targets: undefined,
    findings,
    rules: VERIFY_RULES,
    notes: [],
    summary,
  };
  await writeReport(io, args, render(format, result, { color: useColor(io, args) }));
  const worst = Math.max(0, ...findings.map((f) => ({ error: 3, warning: 2, info: 1 })[f.severity]));
  return worst >= rank ? 1 : 0;
}
