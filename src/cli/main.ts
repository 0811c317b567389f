import { parseArgs } from 'node:util';
import { CrossdockError, ExternalToolError, UsageError } from '../errors.js';
import { VERSION } from '../version.js';
import { COMMANDS } from './commands/index.js';
import type { Command, Io, OptionSpec, ParsedArgs } from './types.js';

export { COMMANDS };

function optionLine(o: OptionSpec): string {
  const flag = `${o.short ? `-${o.short}, ` : '    '}--${o.name}${o.type === 'string' ? ` ${o.valueName ?? 'VALUE'}` : ''}`;
  return `  ${flag.padEnd(30)} ${o.description}${o.multiple ? ' (repeatable)' : ''}`;
}

export function commandHelp(c: Command): string {
  const lines = [`Usage: ${c.usage}`, '', c.summary, ''];
  if (c.options.length) lines.push('Options:', ...c.options.map(optionLine));
  lines.push(optionLine({ name: 'help', type: 'boolean', short: 'h', description: 'show this help' }));
  return `${lines.join('\n')}\n`;
}

export function mainHelp(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return [
    `crossdock ${VERSION}: multi-architecture container delivery that works the first time`,
    '',
    'Usage: crossdock <command> [options]',
    '',
    'Commands:',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'Run `crossdock <command> --help` for its options. Exit codes: 0 ok, 1 findings, 2 usage/config/tool errors.',
    '',
  ].join('\n');
}

function parseCommandArgs(c: Command, argv: string[]): ParsedArgs | 'help' {
  const options: Record<string, { type: 'string' | 'boolean'; short?: string; multiple?: boolean }> = {
    help: { type: 'boolean', short: 'h' },
  };
  for (const o of c.options) {
    options[o.name] = {
      type: o.type,
      ...(o.short ? { short: o.short } : {}),
      ...(o.multiple ? { multiple: true } : {}),
    };
  }
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (e) {
    const msg =
      e instanceof Error ? e.message.replace(/\. To specify a positional argument.*$/s, '') : String(e);
    throw new UsageError(`${c.name}: ${msg}`, { hint: `see \`crossdock ${c.name} --help\`` });
  }
  if (parsed.values.help === true) return 'help';
  return { values: parsed.values, positionals: parsed.positionals };
}

/** Runs crossdock with argv (without node and script) and returns the exit code. Never throws. */
export async function main(argv: string[], io: Io): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.stdout.write(mainHelp());
    return name === undefined ? 2 : 0;
  }
  if (name === '--version' || name === '-V') {
    io.stdout.write(`${VERSION}\n`);
    return 0;
  }
  const command = COMMANDS.find((c) => c.name === name);
  if (!command) {
    io.stderr.write(`crossdock: unknown command "${name}"\n${mainHelp()}`);
    return 2;
  }
  try {
    const args = parseCommandArgs(command, rest);
    if (args === 'help') {
      io.stdout.write(commandHelp(command));
      return 0;
    }
    return await command.run(args, io);
  } catch (error) {
    return reportError(error, io);
  }
}

/** The one place typed errors become text and exit codes. */
export function reportError(error: unknown, io: Io): number {
  if (error instanceof CrossdockError) {
    io.stderr.write(`crossdock: error: ${error.message}\n`);
    if (error instanceof ExternalToolError) io.stderr.write(`  command: ${error.argv.join(' ')}\n`);
    if (error.hint) io.stderr.write(`  hint: ${error.hint}\n`);
    return error.exitCode;
  }
  const message = error instanceof Error ? error.message : String(error);
  io.stderr.write(`crossdock: internal error: ${message}\n`);
  if (io.env.CROSSDOCK_DEBUG && error instanceof Error && error.stack) io.stderr.write(`${error.stack}\n`);
  io.stderr.write(
    '  This is a bug in crossdock. Please report it with the command you ran (CROSSDOCK_DEBUG=1 adds details).\n',
  );
  return 2;
}
