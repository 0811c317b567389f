import { PYTHON_STDLIB } from '../../knowledge/python-packages.js';
import type { PyImports } from '../../model/python.js';
import { scanImports } from '../../sources/python/imports.js';
import { afterWrappers, programName } from './entry-command.js';

/**
 * What a container's command line runs, for telling servers from batch programs: the words after `sh -c` and
 * wrappers, a batch program it is known to be (a migration, `echo`), or a server it starts. Pure functions of
 * the words; a form they do not know gives nothing.
 */

export { NO_ENTRYPOINT_BASE } from '../../knowledge/images.js';

const PYTHON = /^python(\d+(\.\d+)?)?$/;
const SHELL = /^(ba|da)?sh$/;

/** Splits simple shell text into words (quotes honoured); undefined when it holds more than one plain command. */
function simpleShellWords(text: string): string[] | undefined {
  if (/[;&|<>`$(){}\n\\*?]/.test(text.replace(/'[^']*'/g, "''"))) return undefined;
  const words = text.match(/"[^"]*"|'[^']*'|\S+/g)?.map((w) => w.replace(/^["']|["']$/g, '')) ?? [];
  return words;
}

/**
 * The words of the one program a command line runs: `sh -c "<one simple command>"` read as that command, a
 * leading `exec` dropped, inits and `env` skipped. Undefined when that is not one known program (a shell list,
 * a variable, an option the wrapper form does not know).
 */
export function programWords(argv: string[]): string[] | undefined {
  let words = argv;
  for (let guard = 0; guard < 4; guard++) {
    if (words[0] === 'exec') words = words.slice(1);
    const at = afterWrappers(words);
    if (at === undefined) return undefined;
    words = words.slice(at);
    if (!SHELL.test(programName(words[0] ?? ''))) break;
    if (words[1] !== '-c' || words.length !== 3) return undefined;
    const inner = simpleShellWords(words[2] ?? '');
    if (!inner) return undefined;
    words = inner;
  }
  if (!words.length || SHELL.test(programName(words[0] ?? '')) || words.some((w) => w.includes('$')))
    return undefined;
  return words;
}

/** A batch program a command line is known to be: what it runs and why it exits. */
export interface Batch {
  kind: 'migration' | 'print' | 'inline' | 'module';
  /** The command as a user reads it (`alembic upgrade head`). */
  text: string;
  /** The repository file a `module` runs. */
  file?: string;
}

/**
 * The command is a program that exits when done: a migration (`alembic upgrade`, `manage.py migrate`,
 * `flask db upgrade`, `django-admin migrate`), `echo`/`printf`/`true`, or `python -c` code that runs to
 * completion (`local`: the top-level names the working directory may shadow modules with; undefined when not
 * known). Python entry modules are judged by the caller, which reads them.
 */
export function batchProgram(words: string[], local: Set<string> | undefined): Batch | undefined {
  const name = programName(words[0] ?? '');
  const text = words.join(' ');
  if (name === 'echo' || name === 'printf' || name === 'true' || name === ':') return { kind: 'print', text };
  if (name === 'alembic' && words.some((w) => w === 'upgrade' || w === 'downgrade' || w === 'stamp'))
    return { kind: 'migration', text };
  if (name === 'django-admin' && words[1] === 'migrate') return { kind: 'migration', text };
  if (name === 'flask') {
    const db = words.indexOf('db');
    if (db > 0 && (words[db + 1] === 'upgrade' || words[db + 1] === 'migrate'))
      return { kind: 'migration', text };
  }
  if (PYTHON.test(name)) {
    const script = words.findIndex((w, i) => i > 0 && !w.startsWith('-'));
    const w = words[script] ?? '';
    if (script > 0 && programName(w) === 'manage.py' && words[script + 1] === 'migrate')
      return { kind: 'migration', text };
    // `python -c CODE`: the code itself, under the same rules as an entry module.
    if (words[1] === '-c' && words[2] !== undefined && words.length === 3 && local) {
      const code = words[2];
      if (runsToCompletion(code, scanImports(code), local)) return { kind: 'inline', text };
    }
  }
  return undefined;
}

/** Server programs (a word that is the program, or `-m <it>`). */
const SERVERS = /^(gunicorn|uvicorn|hypercorn|daphne|waitress-serve|uwsgi|granian|nginx|httpd)$/;

/**
 * A command a deployment runs starts a server: what it runs, or undefined. Inits and `env` are skipped; a `sh -c`
 * list is searched command by command.
 */
export function serverIn(argv: string[], depth = 0): string | undefined {
  let words = argv[0] === 'exec' ? argv.slice(1) : argv;
  const at = afterWrappers(words);
  if (at === undefined) return undefined;
  words = words.slice(at);
  const name = programName(words[0] ?? '');
  if (SHELL.test(name) && words[1] === '-c' && depth < 3) {
    for (const part of (words[2] ?? '').split(/&&|\|\||;|\n|\||&/)) {
      const inner = part
        .trim()
        .match(/"[^"]*"|'[^']*'|\S+/g)
        ?.map((w) => w.replace(/^["']|["']$/g, ''));
      const found = inner ? serverIn(inner, depth + 1) : undefined;
      if (found) return found;
    }
    return undefined;
  }
  const text = words.join(' ');
  if (SERVERS.test(name)) return text;
  if (PYTHON.test(name)) {
    const m = words.indexOf('-m');
    if (m > 0 && (SERVERS.test(words[m + 1] ?? '') || words[m + 1] === 'http.server')) return text;
    if (words.some((w, i) => programName(w) === 'manage.py' && words[i + 1] === 'runserver')) return text;
  }
  if (name === 'flask' && words.includes('run')) return text;
  if (name === 'streamlit' && words[1] === 'run') return text;
  return undefined;
}

/** Standard-library modules that serve, wait, loop, run other programs or load code by name. */
const SERVING_STDLIB = new Set([
  'asyncio',
  'asynchat',
  'asyncore',
  'cmd',
  'code',
  'concurrent',
  'http',
  'importlib',
  'multiprocessing',
  'pdb',
  'pty',
  'runpy',
  'sched',
  'select',
  'selectors',
  'signal',
  'smtpd',
  'socket',
  'socketserver',
  'subprocess',
  'threading',
  '_thread',
  'tkinter',
  'turtle',
  'wsgiref',
  'xmlrpc',
]);

/** Libraries that start no server, loop or thread of their own (clients, data, configuration). */
const BATCH_LIBRARIES = new Set([
  'alembic',
  'boto3',
  'botocore',
  'certifi',
  'dateutil',
  'dotenv',
  'httpx',
  'jinja2',
  'numpy',
  'pandas',
  'psycopg',
  'psycopg2',
  'pymysql',
  'pytz',
  'requests',
  'sqlalchemy',
  'tabulate',
  'toml',
  'tomli',
  'urllib3',
  'yaml',
]);

/**
 * Code that serves, waits, loops or runs other code: a loop, a sleep, a server or event-loop call, threads, a
 * blocking read, another program, code loaded by name.
 */
const MAY_RUN_ON =
  /\bwhile\b|\bsleep\s*\(|\bserve\w*\s*\(|\.run\s*\(|run_app|\blisten\s*\(|\baccept\s*\(|Thread|\bexec\s*\(|\beval\s*\(|\binput\s*\(|\bpause\s*\(|\bwait\s*\(|\b(system|execv\w*|execl\w*|spawn\w*|popen|fork)\s*\(|\b(count|cycle|repeat)\s*\(|\biter\w*\s*\(|__import__|import_module|\bstdin\b|\bjoin\s*\(\s*\)|forever/;

/**
 * A Python module (or `-c` code) that runs to completion as far as its own text shows: it imports only the
 * standard library (not the parts that serve, loop or run other code) and a few client and data libraries, none
 * shadowed by a local module of that name (`local`), loads nothing by name, and has no loop, sleep, server call,
 * thread or blocking read. Anything else may run on, and is not claimed.
 */
export function runsToCompletion(text: string, imports: PyImports, local: Set<string>): boolean {
  if (imports.dynamic.length) return false;
  for (const i of imports.imports) {
    if (i.relative) return false;
    const top = i.module.split('.')[0] ?? '';
    if (local.has(top)) return false;
    const stdlib = PYTHON_STDLIB.has(top) && !SERVING_STDLIB.has(top);
    if (!stdlib && !BATCH_LIBRARIES.has(top)) return false;
  }
  // Functions the module calls are defined in its own text (its imports are known), so the whole text is read.
  const code = text
    .split('\n')
    .filter((line) => !line.trimStart().startsWith('#'))
    .join('\n');
  return !MAY_RUN_ON.test(code);
}
