import type { ShellCommand, ShellScript, ShellWord } from '../../model/shell.js';

const WRAPPERS = new Set(['sudo', 'exec', 'time', 'nice', 'nohup', 'command', 'xargs', 'stdbuf']);

/** argv without wrappers such as `sudo`, `env X=y`, `exec`, `time`: the program that really runs and its args. */
export function effectiveArgv(cmd: ShellCommand): ShellWord[] {
  let argv = cmd.argv;
  for (;;) {
    const first = argv[0];
    if (!first) return argv;
    const name = basename(first.value);
    if (name === 'env') {
      let k = 1;
      while (
        k < argv.length &&
        (/^[A-Za-z_][A-Za-z0-9_]*=/.test(argv[k]?.value ?? '') || (argv[k]?.value ?? '').startsWith('-'))
      )
        k++;
      argv = argv.slice(k);
      continue;
    }
    if (WRAPPERS.has(name)) {
      let k = 1;
      while (k < argv.length && (argv[k]?.value ?? '').startsWith('-')) k++;
      argv = argv.slice(k);
      continue;
    }
    return argv;
  }
}

export function basename(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

/** Program name of a command (basename of argv[0] after wrappers), or undefined. */
export function commandName(cmd: ShellCommand): string | undefined {
  const first = effectiveArgv(cmd)[0];
  return first ? basename(first.value) : undefined;
}

/** Commands whose program name is one of `names`. */
export function findCommands(script: ShellScript, names: string[]): ShellCommand[] {
  return script.commands.filter((c) => {
    const n = commandName(c);
    return n !== undefined && names.includes(n);
  });
}
