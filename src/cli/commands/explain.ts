import { promises as fs } from 'node:fs';
import { UsageError } from '../../errors.js';
import { packagePath } from '../../paths.js';
import { allRules, findRule } from '../../rules/index.js';
import type { Io, ParsedArgs } from '../types.js';

/** docs/ ships in the package beside src/, dist/ and bundle/. */
export function docsPath(id: string): string {
  return packagePath(`docs/rules/${id}.md`);
}

export async function explainCommand(args: ParsedArgs, io: Io): Promise<number> {
  const id = args.positionals[0];
  if (!id || args.positionals.length > 1)
    throw new UsageError('explain takes one rule id', { hint: 'crossdock explain missing-file' });
  const rule = findRule(id);
  if (!rule) {
    const near = allRules()
      .map((r) => r.meta.id)
      .filter((r) => r.includes(id) || id.includes(r.split('-')[0] ?? ''))
      .slice(0, 3);
    throw new UsageError(`no rule "${id}"`, {
      hint: near.length
        ? `did you mean ${near.join(', ')}? \`crossdock rules\` lists all`
        : '`crossdock rules` lists all rules',
    });
  }
  const text = await fs.readFile(docsPath(id), 'utf8');
  io.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
  return 0;
}
