import { allRules } from '../../rules/index.js';
import type { Io, ParsedArgs } from '../types.js';
import { boolOpt } from '../types.js';

export async function rulesCommand(args: ParsedArgs, io: Io): Promise<number> {
  const rules = allRules();
  if (boolOpt(args, 'json')) {
    const list = rules.map((r) => ({
      id: r.meta.id,
      severity: r.meta.severity,
      category: r.meta.category,
      summary: r.meta.summary,
      online: r.meta.online === true,
      docs: `docs/rules/${r.meta.id}.md`,
    }));
    io.stdout.write(`${JSON.stringify({ version: 1, rules: list }, null, 2)}\n`);
    return 0;
  }
  const width = Math.max(...rules.map((r) => r.meta.id.length));
  for (const r of rules) {
    const tag = r.meta.online ? ' (online)' : '';
    io.stdout.write(
      `${r.meta.id.padEnd(width)}  ${r.meta.severity.padEnd(7)}  ${r.meta.category.padEnd(10)}  ${r.meta.summary}${tag}\n`,
    );
  }
  io.stdout.write(`${rules.length} rules; \`crossdock explain <id>\` prints one rule's documentation.\n`);
  return 0;
}
