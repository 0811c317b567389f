import { loadProject } from '../../engine/load.js';
import { buildGraph, graphDot, graphText } from '../../graph/graph.js';
import { UsageError } from '../../errors.js';
import { formatOpt, writeReport } from '../output.js';
import type { Command } from '../types.js';
import { stringOpt } from '../types.js';

export const graphCommand: Command = {
  name: 'graph',
  summary: 'Print the build graph: every build and every deployment with the build its image resolves to.',
  usage: 'crossdock graph [dir] [--format text|json|dot]',
  options: [
    { name: 'format', type: 'string', valueName: 'FORMAT', description: 'text (default), json or dot' },
    { name: 'output', type: 'string', short: 'o', valueName: 'FILE', description: 'write the graph to FILE' },
    {
      name: 'config',
      type: 'string',
      short: 'c',
      valueName: 'FILE',
      description: 'config file (default: crossdock.yaml in dir)',
    },
  ],
  async run(args, io) {
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
  },
};
