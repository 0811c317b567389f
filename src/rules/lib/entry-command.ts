/**
 * What a container's command line runs, read from its words: the wrappers in front (inits, `env`), and what an
 * interpreter loads (`python app.py`, `python -m pkg.mod`, `gunicorn pkg.wsgi:app`, `uvicorn pkg.main:app`,
 * `node dist/server.js`). Pure functions of the words; a form they do not know gives nothing.
 */

/** Something an interpreter loads: a file (relative to the working directory) or a Python module. */
export interface EntryTarget {
  kind: 'file' | 'module';
  /** The path as written, or the dotted module name. */
  value: string;
  /** Index of the word that names it. */
  index: number;
  /** For modules: the folders searched before installed packages, as written (`.` is the working directory). */
  roots: string[];
  /** For modules: PYTHONPATH is searched too (not under `-E`/`-I`). */
  pythonPath: boolean;
  /** The command that loads it, for messages (`python -m`, `gunicorn`, `node`). */
  runner: string;
}

const INIT_OPTS_WITH_VALUE: Record<string, Set<string>> = {
  tini: new Set(['-e', '-p']),
  'dumb-init': new Set(['-r', '--rewrite']),
  catatonit: new Set(),
};

/** `/usr/bin/python3.12` → `python3.12`. */
export function programName(word: string): string {
  return word.slice(word.lastIndexOf('/') + 1);
}

/**
 * The index of the command an init or `env` runs (`tini -- x`, `dumb-init x`, `gosu user x`, `env A=b x`), or
 * `start` when the word there is no wrapper; undefined when the wrapper's form is not known (`env -S`).
 */
export function afterWrappers(words: string[], start = 0): number | undefined {
  let i = start;
  for (let guard = 0; guard < 8 && i < words.length; guard++) {
    const name = programName(words[i] ?? '');
    const opts = INIT_OPTS_WITH_VALUE[name];
    if (opts) {
      let j = i + 1;
      while (j < words.length && (words[j] ?? '').startsWith('-')) {
        const w = words[j] ?? '';
        j++;
        if (w === '--') break;
        if (opts.has(w)) j++;
      }
      i = j;
    } else if (name === 'gosu' || name === 'su-exec') i += 2;
    else if (name === 'env') {
      let j = i + 1;
      while (j < words.length) {
        const w = words[j] ?? '';
        if (w === '-u' || w === '--unset') j += 2;
        else if (w === '-i' || w === '-' || w === '--ignore-environment' || /^[A-Za-z_]\w*=/.test(w)) j++;
        else if (w.startsWith('-')) return undefined;
        else break;
      }
      i = j;
    } else return i;
  }
  return i < words.length ? i : undefined;
}

const PYTHON = /^python(\d+(\.\d+)?)?$/;
const DOTTED = /^[A-Za-z_]\w*(\.[A-Za-z_]\w*)*$/;

/** gunicorn options that take no value (every other option takes one). */
const GUNICORN_FLAGS = new Set([
  '--reload',
  '--spew',
  '--check-config',
  '--print-config',
  '--preload',
  '--no-sendfile',
  '--reuse-port',
  '-D',
  '--daemon',
  '-R',
  '--enable-stdio-inheritance',
  '--capture-output',
  '--proxy-protocol',
  '--suppress-ragged-eofs',
  '--do-handshake-on-connect',
  '--strip-header-spaces',
  '--version',
  '-v',
  '--help',
  '-h',
]);

/** uvicorn options that take no value. */
const UVICORN_FLAGS = new Set([
  '--reload',
  '--factory',
  '--use-colors',
  '--no-use-colors',
  '--access-log',
  '--no-access-log',
  '--proxy-headers',
  '--no-proxy-headers',
  '--server-header',
  '--no-server-header',
  '--date-header',
  '--no-date-header',
  '--version',
  '--help',
]);

/** node options whose value is the next word. */
const NODE_OPTS_WITH_VALUE = new Set([
  '-r',
  '--require',
  '--import',
  '--loader',
  '--experimental-loader',
  '-C',
  '--conditions',
  '--input-type',
  '--title',
  '--env-file',
  '--stack-size',
]);

/** A server's positional arguments and the values of its options; undefined when a config file may change them. */
function serverArgs(
  words: string[],
  from: number,
  flags: Set<string>,
  bail: Set<string>,
): { positional: number[]; values: Map<string, string> } | undefined {
  const positional: number[] = [];
  const values = new Map<string, string>();
  for (let i = from; i < words.length; i++) {
    const w = words[i] ?? '';
    if (!w.startsWith('-') || w === '-') {
      positional.push(i);
      continue;
    }
    const eq = w.indexOf('=');
    const opt = eq > 0 ? w.slice(0, eq) : w;
    if (bail.has(opt)) return undefined;
    if (eq > 0) values.set(opt, w.slice(eq + 1));
    else if (!flags.has(w)) {
      values.set(opt, words[i + 1] ?? '');
      i++;
    }
  }
  return { positional, values };
}

/** What a command line starting at `start` (its program) makes an interpreter load. */
export function entryTargets(words: string[], start: number): EntryTarget[] {
  const name = programName(words[start] ?? '');
  if (PYTHON.test(name)) return pythonTargets(words, start);
  if (name === 'gunicorn') return gunicornTargets(words, start + 1, 'gunicorn');
  if (name === 'uvicorn') return uvicornTargets(words, start + 1, 'uvicorn');
  if (name === 'node' || name === 'nodejs') return nodeTargets(words, start);
  return [];
}

function pythonTargets(words: string[], start: number): EntryTarget[] {
  let cwd = true;
  let pythonPath = true;
  for (let i = start + 1; i < words.length; i++) {
    const w = words[i] ?? '';
    if (w === '-m') {
      const mod = words[i + 1] ?? '';
      if (mod === 'gunicorn') return gunicornTargets(words, i + 2, 'python -m gunicorn');
      if (mod === 'uvicorn') return uvicornTargets(words, i + 2, 'python -m uvicorn');
      if (!DOTTED.test(mod)) return [];
      return [
        {
          kind: 'module',
          value: mod,
          index: i + 1,
          roots: cwd ? ['.'] : [],
          pythonPath,
          runner: 'python -m',
        },
      ];
    }
    if (w === '-c' || w === '-' || w === '--') return [];
    if (w === '-W' || w === '-X' || w === '--check-hash-based-pycs') {
      i++;
      continue;
    }
    if (/^-[a-zA-Z]+$/.test(w)) {
      // Grouped short flags: `-u`, `-OO`, `-uB`. `-I` isolates (no working directory, no PYTHONPATH); `-P` drops the
      // working directory; `-E` ignores PYTHONPATH. A group ending in a flag with a value (`-um mod`) is not read.
      if (/[mcWX]/.test(w.slice(1))) return [];
      if (/[IP]/.test(w)) cwd = false;
      if (/[IE]/.test(w)) pythonPath = false;
      continue;
    }
    if (w.startsWith('-')) return [];
    return /\.py$/.test(w)
      ? [
          {
            kind: 'file',
            value: w,
            index: i,
            roots: [],
            pythonPath: false,
            runner: programName(words[start] ?? ''),
          },
        ]
      : [];
  }
  return [];
}

function appModule(word: string): string | undefined {
  const mod = word.includes(':') ? word.slice(0, word.indexOf(':')) : word;
  return DOTTED.test(mod) ? mod : undefined;
}

function gunicornTargets(words: string[], from: number, runner: string): EntryTarget[] {
  // A config file (`-c`, or ./gunicorn.conf.py, which the caller checks) or a paste app may set the folder.
  const args = serverArgs(words, from, GUNICORN_FLAGS, new Set(['-c', '--config', '--paste', '--paster']));
  const at = args?.positional[0];
  if (!args || at === undefined || args.positional.length > 1) return [];
  const mod = appModule(words[at] ?? '');
  if (!mod || /\$/.test(words[at] ?? '')) return [];
  const chdir = args.values.get('--chdir');
  const extra = (args.values.get('--pythonpath') ?? '').split(',').filter(Boolean);
  return [
    { kind: 'module', value: mod, index: at, roots: [chdir ?? '.', ...extra], pythonPath: true, runner },
  ];
}

function uvicornTargets(words: string[], from: number, runner: string): EntryTarget[] {
  const args = serverArgs(words, from, UVICORN_FLAGS, new Set());
  const at = args?.positional[0];
  if (!args || at === undefined || args.positional.length > 1) return [];
  const word = words[at] ?? '';
  const mod = word.includes(':') ? appModule(word) : undefined;
  if (!mod) return [];
  return [
    {
      kind: 'module',
      value: mod,
      index: at,
      roots: [args.values.get('--app-dir') || '.'],
      pythonPath: true,
      runner,
    },
  ];
}

function nodeTargets(words: string[], start: number): EntryTarget[] {
  for (let i = start + 1; i < words.length; i++) {
    const w = words[i] ?? '';
    if (/^(-e|--eval|-p|--print|-|--test|--run)$/.test(w) || w.startsWith('--eval=')) return [];
    if (w === '--') continue;
    if (NODE_OPTS_WITH_VALUE.has(w)) {
      i++;
      continue;
    }
    if (w.startsWith('-')) continue;
    return /\.(c|m)?js$/.test(w)
      ? [{ kind: 'file', value: w, index: i, roots: [], pythonPath: false, runner: 'node' }]
      : [];
  }
  return [];
}
