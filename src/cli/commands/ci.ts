import { relative, resolve } from 'node:path';
import { loadBuildConfig } from '../../build/config.js';
import { renderGithub } from '../../ci/github.js';
import { ciImages } from '../../ci/images.js';
import { makePipeline, parseRunner, type Policy } from '../../ci/model.js';
import { loadProject } from '../../engine/load.js';
import { UsageError } from '../../errors.js';
import { VERSION } from '../../version.js';
import { writeReport } from '../output.js';
import type { Io, ParsedArgs } from '../types.js';
import { listOpt, stringOpt } from '../types.js';

const POLICIES: Policy[] = ['native', 'amd64-first'];

/** `crossdock ci github [dir]`: writes the GitHub Actions workflow that builds every image natively per platform. */
export async function ciCommand(args: ParsedArgs, io: Io): Promise<number> {
  const [system, dir, ...rest] = args.positionals;
  if (system !== 'github')
    throw new UsageError(
      system ? `crossdock ci ${system}: only github is supported` : 'crossdock ci needs a CI system',
      { hint: 'crossdock ci github [dir] --output .github/workflows/images.yml' },
    );
  if (rest.length)
    throw new UsageError(`ci github takes one directory, got ${rest.length + 1}`, {
      hint: 'crossdock ci github [dir]',
    });
  const policyText = stringOpt(args, 'policy') ?? 'native';
  const policy = POLICIES.find((p) => p === policyText);
  if (!policy)
    throw new UsageError(`--policy ${policyText} is not supported`, { hint: `use ${POLICIES.join(' or ')}` });
  const branch = stringOpt(args, 'branch') ?? 'main';
  if (!/^[A-Za-z0-9][A-Za-z0-9_./-]*$/.test(branch) || branch.includes('..'))
    throw new UsageError(`--branch ${branch} is not a branch name crossdock writes into a workflow`, {
      hint: 'e.g. --branch main',
    });
  const runners = new Map<string, string[]>();
  for (const r of listOpt(args, 'runner')) {
    const [platform, labels] = parseRunner(r);
    if (runners.has(platform)) throw new UsageError(`--runner ${platform} is given twice`);
    runners.set(platform, labels);
  }
  const root = resolve(io.cwd, dir ?? '.');
  const model = await loadProject({ root: dir ?? '.', cwd: io.cwd });
  const bc = await loadBuildConfig(root);
  const { images, notes, source } = ciImages(model, bc, {
    only: listOpt(args, 'image'),
    registry: stringOpt(args, 'registry'),
  });
  const pipeline = makePipeline(images, {
    policy,
    branch,
    runners,
    command: commandLine(args, root, io.cwd),
    source,
    crossdockVersion: VERSION,
    defaults: bc.defaults,
  });
  for (const n of notes) io.stderr.write(`note: ${n}\n`);
  await writeReport(io, args, renderGithub(pipeline));
  const out = stringOpt(args, 'output');
  if (out)
    io.stderr.write(
      `wrote ${out}: ${images.length} image(s), ${pipeline.jobs.filter((j) => j.role === 'build').length} platform job(s)\n`,
    );
  return 0;
}

/** The command that regenerates the file, run from the repository root: options in a fixed order, no folder. */
function commandLine(args: ParsedArgs, root: string, cwd: string): string {
  const parts = ['crossdock', 'ci', 'github'];
  const out = stringOpt(args, 'output');
  if (out) {
    const rel = relative(root, resolve(cwd, out));
    parts.push('--output', rel.startsWith('..') ? out : rel);
  }
  for (const i of listOpt(args, 'image')) parts.push('--image', i);
  for (const r of listOpt(args, 'runner')) parts.push('--runner', r);
  const policy = stringOpt(args, 'policy');
  if (policy && policy !== 'native') parts.push('--policy', policy);
  const registry = stringOpt(args, 'registry');
  if (registry) parts.push('--registry', registry);
  const branch = stringOpt(args, 'branch');
  if (branch && branch !== 'main') parts.push('--branch', branch);
  return parts.join(' ');
}
