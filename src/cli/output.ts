import { promises as fs } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { ConfigError, UsageError } from '../errors.js';
import type { Io, ParsedArgs } from './types.js';
import { stringOpt } from './types.js';

export const REPORT_FORMATS = ['text', 'json', 'sarif', 'markdown'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

export function formatOpt<T extends string>(args: ParsedArgs, allowed: readonly T[], fallback: T): T {
  const v = stringOpt(args, 'format');
  if (v === undefined) return fallback;
  const found = allowed.find((a) => a === v);
  if (!found)
    throw new UsageError(`--format ${v} is not supported`, { hint: `use one of: ${allowed.join(', ')}` });
  return found;
}

/** Writes a report to --output FILE (creating folders) or to stdout. */
export async function writeReport(io: Io, args: ParsedArgs, text: string): Promise<void> {
  const out = stringOpt(args, 'output');
  const body = text.endsWith('\n') ? text : `${text}\n`;
  if (!out) {
    io.stdout.write(body);
    return;
  }
  const path = resolve(io.cwd, out);
  try {
    await fs.mkdir(dirname(path), { recursive: true });
    await fs.writeFile(path, body);
  } catch (e) {
    throw new ConfigError(`cannot write --output ${out}: ${(e as NodeJS.ErrnoException).code ?? e}`, {
      hint: 'choose a writable path',
    });
  }
}

/** Colour only on a TTY, never with NO_COLOR, always with FORCE_COLOR. */
export function useColor(io: Io, args: ParsedArgs): boolean {
  if (args.values['no-color'] === true) return false;
  if (io.env.FORCE_COLOR && io.env.FORCE_COLOR !== '0') return true;
  if (io.env.NO_COLOR) return false;
  return io.stdout.isTTY === true && stringOpt(args, 'output') === undefined;
}
