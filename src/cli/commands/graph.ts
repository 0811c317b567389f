import { loadProject } from '../../engine/load.js';
import { buildGraph, graphDot, graphText } from '../../graph/graph.js';
import { UsageError } from '../../errors.js';
import { formatOpt, writeReport } from '../output.js';
import type { Io, ParsedArgs } from '../types.js';
import { stringOpt } from '../types.js';

export async function graphCommand(args: ParsedArgs, io: Io): Promise<number> {
  if (args.positionals.length > 1)
    throw new UsageError(`graph takes one directory, got ${args.positionals.length}`, {
      hint: 'crossdock graph [dir]',
    });
  const format = formatOpt(args, ['text', 'json', 'dot'] as const, 'text');
  const model = await loadProject({
    root: args.positionals[0] ?? '.',
    cwd: io.cwd,
    configPath: stringOpt(args, 'config'),
  });
  const graph = buildGraph(model);
  const text =
    format === 'json'
      ? JSON.stringify(graph, null, 2)
      : format === 'dot'
        ? graphDot(graph)
        : graphText(graph);
  await writeReport(io, args, text);
  return 0;
}
