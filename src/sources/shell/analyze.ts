import type {
  CommandFacts,
  InstallerKind,
  Masking,
  PipInvocation,
  ShellCommand,
  ShellFacts,
  ShellScript,
  ShellWord,
} from '../../model/shell.js';
import { trimTrailingSlashes } from '../../model/text.js';
import { basename, effectiveArgv } from './words.js';

/**
 * What the commands of a shell script do, as far as can be told without running them: which install packages
 * (and whether from the network), what paths they create, which run programs whose effects are unknown, and
 * whose failure is swallowed by what follows. Pure; the Dockerfile and workflow loaders store the result in the
 * model so rules never parse shell.
 */

/** pip options that take a value in the next word. */
const PIP_VALUE_OPTS = new Set([
  '-r',
  '--requirement',
  '-c',
  '--constraint',
  '-e',
  '--editable',
  '-i',
  '--index-url',
  '--extra-index-url',
  '-f',
  '--find-links',
  '--trusted-host',
  '-t',
  '--target',
  '--prefix',
  '--root',
  '--timeout',
  '--default-timeout',
  '--retries',
  '--only-binary',
  '--no-binary',
  '--platform',
  '--python-version',
  '--implementation',
  '--abi',
  '--cache-dir',
  '--src',
  '--progress-bar',
  '--upgrade-strategy',
  '--log',
  '--proxy',
  '--cert',
  '--client-cert',
  '--python',
  '-w',
  '--wheel-dir',
  '-d',
  '--dest',
  '--report',
  '-p',
]);

const PIP_VERBS = new Set(['install', 'wheel', 'download']);

/**
 * Options of pip and `uv pip` that take no value. An option in neither this set nor PIP_VALUE_OPTS is taken to
 * consume the next word when that word is not an option: a word that may be an option's value is never taken
 * for a package (uv has many options pip lacks: `--index-strategy unsafe-best-match`, `--python-preference`).
 */
const PIP_FLAG_OPTS = new Set([
  '-U',
  '--upgrade',
  '--no-deps',
  '--user',
  '--force-reinstall',
  '--ignore-installed',
  '-I',
  '--no-cache-dir',
  '--no-cache',
  '-n',
  '-q',
  '--quiet',
  '-v',
  '--verbose',
  '--pre',
  '--prerelease',
  '--no-build-isolation',
  '--require-hashes',
  '--no-index',
  '--compile',
  '--no-compile',
  '--compile-bytecode',
  '--no-warn-script-location',
  '--disable-pip-version-check',
  '--isolated',
  '--break-system-packages',
  '--no-input',
  '--use-pep517',
  '--no-use-pep517',
  '--check-build-dependencies',
  '--ignore-requires-python',
  '--dry-run',
  '--no-clean',
  '--no-color',
  '--prefer-binary',
  '--system',
  '--no-python-downloads',
  '--no-build',
  '--strict',
  '--reinstall',
  '--no-progress',
  '--offline',
  '--native-tls',
  '--no-sources',
  '--all-extras',
  '--exact',
  '--no-verify-hashes',
  '--verify-hashes',
  '--no-config',
  '--managed-python',
  '--no-managed-python',
  '--preview',
  '--no-binary-package',
  '--upgrade-all',
]);

/** Aliases: uv spells some options in the plural. */
const PIP_ALIASES: Record<string, string> = {
  '--requirements': '--requirement',
  '--constraints': '--constraint',
  '--overrides': '--constraint',
};

/** `git clone` options that take a separate value (`--depth 10`, `-b main`). */
const GIT_CLONE_VALUE_FLAGS = new Set([
  '-b',
  '--branch',
  '--depth',
  '-o',
  '--origin',
  '-c',
  '--config',
  '--reference',
  '--reference-if-able',
  '--separate-git-dir',
  '-j',
  '--jobs',
  '--filter',
  '--template',
  '-u',
  '--upload-pack',
  '--shallow-since',
  '--shallow-exclude',
  '--server-option',
  '--bundle-uri',
]);

/** The verb index of a pip command, or -1: `pip install`, `pip3.11 wheel`, `python -m pip download`, `uv pip install`. */
function pipVerbIndex(argv: ShellWord[]): number {
  const name = basename(argv[0]?.value ?? '');
  if (/^pip(3(\.\d+)?)?$/.test(name)) {
    // Global options may precede the verb (`pip --no-cache-dir install`).
    for (let i = 1; i < argv.length; i++) {
      const v = argv[i]?.value ?? '';
      if (PIP_VERBS.has(v)) return i;
      if (!v.startsWith('-')) return -1;
    }
    return -1;
  }
  if (/^python(3(\.\d+)?)?$/.test(name) || /\/python(3(\.\d+)?)?$/.test(argv[0]?.value ?? '')) {
    const m = argv.findIndex((w) => w.value === '-m');
    if (m > 0 && argv[m + 1]?.value === 'pip' && PIP_VERBS.has(argv[m + 2]?.value ?? '')) return m + 2;
    return -1;
  }
  if (name === 'uv' && argv[1]?.value === 'pip' && argv[2]?.value === 'install') return 2;
  return -1;
}

function parsePip(argv: ShellWord[], verb: number): PipInvocation {
  const out: PipInvocation = {
    verb: (argv[verb]?.value ?? 'install') as PipInvocation['verb'],
    requirementFiles: [],
    constraintFiles: [],
    editables: [],
    packages: [],
    noIndex: false,
    noDeps: false,
    requireHashes: false,
    networkOptions: false,
    outputs: [],
    binaryOptions: [],
  };
  const args = argv.slice(verb + 1);
  for (let i = 0; i < args.length; i++) {
    const w = args[i] as ShellWord;
    const v = w.value;
    const eq = v.startsWith('--') ? v.indexOf('=') : -1;
    const short = /^-(r|c|e|t|w|d|f|i)(.+)$/.exec(v);
    const spelled = eq > 0 ? v.slice(0, eq) : short ? `-${short[1]}` : v;
    const name = PIP_ALIASES[spelled] ?? spelled;
    let value: ShellWord | undefined;
    if (eq > 0) value = { ...w, value: v.slice(eq + 1) };
    else if (short) value = { ...w, value: short[2] ?? '' };
    else if (PIP_VALUE_OPTS.has(name)) {
      value = args[i + 1];
      i++;
    } else if (v.startsWith('-') && !PIP_FLAG_OPTS.has(v) && !(args[i + 1]?.value ?? '-').startsWith('-')) {
      // An option crossdock does not know: its next word may be its value, so it is neither package nor file.
      i++;
      continue;
    }
    if (name === '--no-index') out.noIndex = true;
    else if (name === '--no-deps') out.noDeps = true;
    else if (name === '--require-hashes') out.requireHashes = true;
    else if (name === '--timeout' || name === '--default-timeout' || name === '--retries')
      out.networkOptions = true;
    if (value === undefined) {
      if (!v.startsWith('-')) out.packages.push(w);
      continue;
    }
    if (name === '-r' || name === '--requirement') out.requirementFiles.push(value);
    else if (name === '-c' || name === '--constraint') out.constraintFiles.push(value);
    else if (name === '-e' || name === '--editable') out.editables.push(value);
    else if (['-t', '--target', '--prefix', '--root', '-w', '--wheel-dir', '-d', '--dest'].includes(name))
      out.outputs.push(value.value);
    else if (name === '--only-binary' || name === '--no-binary')
      out.binaryOptions.push({
        flag: name,
        value: value.value,
        span: { start: w.span.start, end: value.span.end },
      });
  }
  return out;
}

/** A local path or file requirement (`.`, `./pkg`, `/wheels/x.whl`, `file:…`), not a name from an index. */
export function isLocalRequirement(text: string): boolean {
  return /^(\.{1,2}(\/|$)|\/|file:|~)/.test(text) || /\.(whl|tar\.gz|zip)$/.test(text);
}

/** Options of package managers that take the next word as their value when it is not attached (`-o X=Y`). */
const PACKAGE_VALUE_OPTIONS: Record<string, Set<string>> = {
  'apt-get': new Set(['-o', '-c', '-t', '--option', '--config-file', '--target-release']),
  apt: new Set(['-o', '-c', '-t', '--option', '--config-file', '--target-release']),
  aptitude: new Set(['-o', '-t', '--target-release']),
  apk: new Set([
    '-X',
    '-p',
    '--repository',
    '--root',
    '--arch',
    '--cache-dir',
    '--keys-dir',
    '--repositories-file',
  ]),
  dnf: new Set([
    '-c',
    '--config',
    '--installroot',
    '--releasever',
    '--setopt',
    '--repo',
    '--enablerepo',
    '--disablerepo',
    '-x',
    '--exclude',
  ]),
  yum: new Set([
    '-c',
    '--config',
    '--installroot',
    '--releasever',
    '--setopt',
    '--enablerepo',
    '--disablerepo',
    '-x',
    '--exclude',
  ]),
  microdnf: new Set([
    '--config',
    '--installroot',
    '--releasever',
    '--setopt',
    '--enablerepo',
    '--disablerepo',
  ]),
  tdnf: new Set([
    '-c',
    '--config',
    '--installroot',
    '--releasever',
    '--setopt',
    '--enablerepo',
    '--disablerepo',
  ]),
  conda: new Set(['-n', '--name', '-p', '--prefix', '-c', '--channel']),
  mamba: new Set(['-n', '--name', '-p', '--prefix', '-c', '--channel']),
  micromamba: new Set(['-n', '--name', '-p', '--prefix', '-c', '--channel', '-r', '--root-prefix']),
};

/**
 * A package manager's subcommand: the first word after the program that is not an option, so that
 * `apt-get --yes purge x` and `apk --no-cache add x` are read as `purge` and `add`. Other programs: the word after
 * the program, as written.
 */
function subcommandOf(name: string | undefined, argv: ShellWord[]): string | undefined {
  const values = name ? PACKAGE_VALUE_OPTIONS[name] : undefined;
  if (!values) return argv[1]?.value;
  for (let i = 1; i < argv.length; i++) {
    const w = argv[i]?.value ?? '';
    if (!w.startsWith('-') || w === '-') return w;
    if (values.has(w)) i++;
  }
  return undefined;
}

function installerOf(name: string | undefined, argv: ShellWord[]): InstallerKind | undefined {
  if (pipVerbIndex(argv) >= 0) return name === 'uv' ? 'uv' : 'pip';
  const sub = subcommandOf(name, argv);
  if (name === 'npm' && (sub === 'install' || sub === 'ci' || sub === 'i')) return 'npm';
  if (name === 'yarn' && (sub === undefined || sub === 'install' || sub === 'add')) return 'yarn';
  if (name === 'pnpm' && (sub === 'install' || sub === 'i' || sub === 'add')) return 'pnpm';
  if ((name === 'apt-get' || name === 'apt' || name === 'aptitude') && sub === 'install') return 'apt';
  if (name === 'apk' && sub === 'add') return 'apk';
  if ((name === 'dnf' || name === 'yum' || name === 'microdnf' || name === 'tdnf') && sub === 'install')
    return 'dnf';
  if ((name === 'conda' || name === 'mamba' || name === 'micromamba') && sub === 'install') return 'conda';
  if (name === 'uv' && sub === 'sync') return 'uv';
  return undefined;
}

/**
 * Programs that create nothing a later instruction or step could copy, run or read: they read and print, change
 * files in place (`chmod`, `sed -i`), remove files, or change the shell's or the system's settings. Output
 * redirections are recorded for every command; `sort -o` and `uniq IN OUT` are recorded by `createdBy`.
 */
const NO_FILE_EFFECTS = new Set([
  // The shell's own state.
  'true',
  ':',
  'false',
  'echo',
  'printf',
  'test',
  '[',
  '[[',
  'set',
  'shopt',
  'export',
  'unset',
  'cd',
  'pushd',
  'popd',
  'exit',
  'return',
  'local',
  'declare',
  'typeset',
  'readonly',
  'shift',
  'trap',
  'wait',
  'umask',
  'ulimit',
  'read',
  'let',
  'alias',
  'unalias',
  'hash',
  'break',
  'continue',
  'type',
  // Reading and printing.
  'ls',
  'cat',
  'grep',
  'egrep',
  'fgrep',
  'which',
  'id',
  'whoami',
  'groups',
  'sleep',
  'env',
  'printenv',
  'head',
  'tail',
  'wc',
  'sort',
  'uniq',
  'cut',
  'tr',
  'basename',
  'dirname',
  'realpath',
  'readlink',
  'pwd',
  'date',
  'uname',
  'nproc',
  'arch',
  'diff',
  'cmp',
  'du',
  'df',
  'stat',
  'file',
  'base64',
  'sha1sum',
  'sha256sum',
  'sha512sum',
  'md5sum',
  'cksum',
  'jq',
  'envsubst',
  'seq',
  'expr',
  'getent',
  'hostname',
  'ps',
  'kill',
  'free',
  'ldd',
  'locale',
  'lsb_release',
  'apt-cache',
  'dpkg-query',
  'gpgconf',
  // Changing or removing files that exist.
  'chmod',
  'chown',
  'chgrp',
  'rm',
  'rmdir',
  'unlink',
  'sed',
  'strip',
  'setcap',
  // System databases.
  'update-ca-certificates',
  'ldconfig',
  'locale-gen',
  'groupadd',
  'groupmod',
  'groupdel',
  'addgroup',
  'userdel',
  'passwd',
  'chpasswd',
  'apt-mark',
]);

/** Subcommands (the first word after the program) that create nothing new, for programs whose others may. */
const NO_FILE_SUBCOMMANDS: Record<string, string[]> = {
  'apt-get': ['update', 'clean', 'autoclean', 'remove', 'purge', 'autoremove', 'check'],
  apt: ['update', 'clean', 'autoclean', 'remove', 'purge', 'autoremove', 'list', 'show', 'search'],
  apk: ['update', 'del', 'info', 'search', 'version', '--version'],
  dnf: ['clean', 'remove', 'erase', 'makecache', 'check-update', 'info', 'list', 'search'],
  yum: ['clean', 'remove', 'erase', 'makecache', 'check-update', 'info', 'list', 'search'],
  microdnf: ['clean', 'remove'],
  tdnf: ['clean', 'remove', 'erase', 'makecache', 'check-update', 'info', 'list', 'search'],
  conda: ['clean', 'info', 'list', 'remove', 'uninstall', '--version'],
  mamba: ['clean', 'info', 'list', 'remove', 'uninstall', '--version'],
  micromamba: ['clean', 'info', 'list', 'remove', 'uninstall', '--version'],
  pip: ['list', 'show', 'freeze', 'check', 'uninstall', 'cache', 'help', '--version', '-V'],
  npm: ['cache', 'prune', 'ls', 'list', 'view', 'whoami', 'ping', 'help', '--version', '-v'],
  yarn: ['cache', 'info', 'list', 'why', '--version', '-v'],
  pnpm: ['store', 'list', 'ls', 'why', '--version', '-v'],
  node: ['--version', '-v'],
  go: ['version', 'env', 'list', 'vet', 'doc'],
  cargo: ['version', 'metadata', 'tree', '--version', '-V'],
  uv: ['cache', 'tree', '--version', '-V'],
  git: [
    'rev-parse',
    'describe',
    'log',
    'status',
    'diff',
    'show',
    'ls-files',
    'ls-remote',
    'rev-list',
    'cat-file',
    'name-rev',
    'for-each-ref',
    'symbolic-ref',
    'shortlog',
    'config',
    'remote',
    'fetch',
    'push',
    'tag',
    'branch',
    'add',
    'commit',
    'version',
    '--version',
  ],
  dpkg: [
    '--print-architecture',
    '--print-foreign-architectures',
    '--add-architecture',
    '--compare-versions',
    '--get-selections',
    '-l',
    '--list',
    '-L',
    '--listfiles',
    '-s',
    '--status',
    '-S',
    '--search',
  ],
  docker: [
    'login',
    'logout',
    'push',
    'pull',
    'tag',
    'images',
    'image',
    'ps',
    'inspect',
    'manifest',
    'version',
    'info',
    'rm',
    'rmi',
    'stop',
    'kill',
    'logs',
    'network',
    'volume',
    'system',
    'context',
    'load',
    'start',
    'restart',
    'wait',
  ],
  kubectl: [
    'apply',
    'create',
    'delete',
    'get',
    'describe',
    'rollout',
    'scale',
    'set',
    'patch',
    'label',
    'annotate',
    'wait',
    'version',
    'logs',
    'config',
    'cluster-info',
    'top',
    'auth',
    'diff',
    'replace',
    'expose',
    'autoscale',
    'kustomize',
  ],
  helm: [
    'install',
    'upgrade',
    'uninstall',
    'delete',
    'list',
    'ls',
    'status',
    'lint',
    'repo',
    'registry',
    'version',
    'push',
    'history',
    'rollback',
    'test',
    'get',
    'search',
    'show',
    'env',
  ],
  aws: ['ecr', 'sts', '--version'],
};

/** `python`, `python3`, `python3.12`, `pip3.11` → `python`, `pip`. */
function family(name: string): string {
  const m = /^(python|pip)(3(\.\d+)?)?$/.exec(name);
  return m ? (m[1] ?? name) : name;
}

/**
 * Why what a command creates is not known, or undefined when it is: it creates nothing new, or `creates` lists
 * all it makes (an installer's own folders — site-packages, node_modules, bin — aside). Called for commands that
 * run no script, code or system package install (those have their own reasons).
 */
function effectsNotKnown(name: string, argv: ShellWord[], cmd: ShellCommand): string | undefined {
  const sub = subcommandOf(name, argv);
  const fam = family(name);
  const not = (what = name) => `\`${what}\` may create files crossdock does not know of`;
  if (NO_FILE_EFFECTS.has(name)) return undefined;
  // `command -v x` (effectiveArgv drops the `command` wrapper) only looks the program up.
  const raw = cmd.argv[0] ? basename(cmd.argv[0].value) : undefined;
  if (raw === 'command' && /^-[vV]$/.test(cmd.argv[1]?.value ?? '')) return undefined;
  if (NO_FILE_SUBCOMMANDS[fam]?.includes(sub ?? '')) return undefined;
  switch (fam) {
    // Creators: `createdBy` lists every path they write.
    case 'cp':
    case 'mv':
    case 'install':
    case 'rsync':
    case 'ln':
    case 'mkdir':
    case 'touch':
    case 'tee':
    case 'curl':
    case 'wget':
    case 'unzip':
    case 'virtualenv':
    case 'dd':
    case 'adduser':
      return undefined;
    case 'tar': {
      const mode = tarMode(argv);
      return mode === undefined ? not() : undefined;
    }
    case 'gpg':
    case 'gpg2':
      // `--output` is recorded; `--verify` reads; anything else may write the keyring.
      return argv.some((w) => /^(-o|--output)(=|$)/.test(w.value) || w.value === '--verify')
        ? undefined
        : not();
    case 'useradd':
      // `-m` creates the home (recorded); `-M` and system accounts (`-r`) get none whatever login.defs says;
      // otherwise CREATE_HOME in the image's /etc/login.defs decides.
      return argv.some(
        (w) =>
          (/^-[a-zA-Z]+$/.test(w.value) && /[mMr]/.test(w.value)) ||
          /^--(create-home|no-create-home|system)$/.test(w.value),
      )
        ? undefined
        : "useradd creates the home folder when the image's /etc/login.defs sets CREATE_HOME";
    case 'find': {
      // `-exec rm {} +` and the like run a program: known when that program creates nothing.
      if (argv.some((w) => /^-f(print0?|printf|ls)$/.test(w.value))) return not();
      for (let i = 1; i < argv.length; i++) {
        if (!/^-(exec|execdir|ok|okdir)$/.test(argv[i]?.value ?? '')) continue;
        const prog = basename(argv[i + 1]?.value ?? '');
        if (!NO_FILE_EFFECTS.has(prog)) return `find runs \`${prog}\`, which may create files`;
      }
      return undefined;
    }
    case 'awk':
    case 'gawk':
    case 'mawk':
      // A program that redirects (`print > "f"`), pipes or calls system() may write files.
      return argv.slice(1).some((w) => /[>|]|system/.test(w.value)) ? not() : undefined;
    case '.':
    case 'source': {
      const file = sub ?? '';
      // The OS release file and a virtualenv's activate script only set variables.
      if (file === '/etc/os-release' || /(^|\/)bin\/activate$/.test(file)) return undefined;
      return `it runs ${file || 'a sourced script'}`;
    }
    case 'python':
      if (sub === '--version' || sub === '-V') return undefined;
      if (sub === '-m' && /^(pip|venv|ensurepip|compileall|py_compile)$/.test(argv[2]?.value ?? ''))
        return undefined;
      return 'it runs python code read from its standard input';
    case 'node':
      return 'it runs node code read from its standard input';
    case 'pip':
      // install/wheel/download: the installer; their outputs are recorded.
      return pipVerbIndex(argv) >= 0 ? undefined : not(`${name} ${sub ?? ''}`.trim());
    case 'git':
      return sub === 'clone' ? undefined : not(`git ${sub ?? ''}`.trim());
    case 'go':
      return sub === 'build' && argv.some((w) => w.value === '-o' || w.value.startsWith('-o='))
        ? undefined
        : not(`go ${sub ?? ''}`.trim());
    case 'cargo':
      return sub === 'build' ? undefined : not(`cargo ${sub ?? ''}`.trim());
    case 'uv': {
      if (sub === 'venv' || sub === 'sync') return undefined;
      if (sub === 'export') return undefined;
      const s2 = argv[2]?.value;
      if (
        sub === 'pip' &&
        (s2 === 'install' ||
          s2 === 'list' ||
          s2 === 'freeze' ||
          s2 === 'show' ||
          s2 === 'check' ||
          s2 === 'uninstall' ||
          s2 === 'compile')
      )
        return undefined;
      return not(`uv ${sub ?? ''}`.trim());
    }
    case 'pip-compile':
      // Without `-o` it writes next to its input (`requirements.in` → `requirements.txt`).
      return argv.some((w) => /^(-o|--output-file)(=|$)/.test(w.value)) ? undefined : not();
    case 'npm':
    case 'yarn':
    case 'pnpm':
      // Installs are known (node_modules); anything else runs the package's scripts or tools.
      return installerOf(name, argv) ? undefined : not(`${name} ${sub ?? ''}`.trim());
    case 'docker':
      return dockerEffects(argv);
    case 'docker-compose':
      return composeEffects(argv.slice(1));
  }
  return not(NO_FILE_SUBCOMMANDS[fam] && sub ? `${name} ${sub}` : name);
}

/** `tar` mode: `x` extracts (into `-C`), `c`/`r`/`u` write the `-f` archive, `t` lists; undefined when unclear. */
function tarMode(argv: ShellWord[]): 'x' | 'c' | 't' | undefined {
  for (let i = 1; i < argv.length; i++) {
    const v = argv[i]?.value ?? '';
    if (v === '--extract' || v === '--get') return 'x';
    if (v === '--create' || v === '--append' || v === '--update') return 'c';
    if (v === '--list') return 't';
    // Short options grouped with a dash (`-xzf`), or the old style without one as the first word (`xzf`).
    const group = v.startsWith('-') && !v.startsWith('--') ? v.slice(1) : i === 1 ? v : '';
    if (!/^[a-zA-Z]+$/.test(group)) continue;
    if (group.includes('x')) return 'x';
    if (/[cru]/.test(group)) return 'c';
    if (group.includes('t')) return 't';
  }
  return undefined;
}

/** The archive `tar -cf FILE` writes: `--file=F`, `--file F`, `-f F`, or `f` ending a group (`-czf F`, `czf F`). */
function tarFile(argv: ShellWord[]): string[] {
  const out: string[] = [];
  for (let i = 1; i < argv.length; i++) {
    const v = argv[i]?.value ?? '';
    if (v.startsWith('--file=')) out.push(v.slice(7));
    else if (v === '--file') out.push(argv[i + 1]?.value ?? '');
    else {
      const group = v.startsWith('-') && !v.startsWith('--') ? v.slice(1) : i === 1 ? v : '';
      const at = /^[a-zA-Z]+/.test(group) ? group.indexOf('f') : -1;
      if (at < 0) continue;
      const rest = group.slice(at + 1);
      out.push(rest || (argv[i + 1]?.value ?? ''));
    }
  }
  return out.filter((f) => f !== '' && f !== '-');
}

/** `docker …`: builds write files only with `--output`/`--iidfile`/`--metadata-file`; a run with a bind mount may write through it. */
function dockerEffects(argv: ShellWord[]): string | undefined {
  const sub = argv[1]?.value ?? '';
  const sub2 = argv[2]?.value ?? '';
  const not = (what: string) => `\`docker ${what}\` may create files crossdock does not know of`;
  const writesOutput = argv.some((w) => /^(-o|--output|--iidfile|--metadata-file)(=|$)/.test(w.value));
  if (sub === 'build' || (sub === 'image' && sub2 === 'build'))
    return writesOutput ? not(sub === 'build' ? 'build --output' : 'image build --output') : undefined;
  if (sub === 'buildx') {
    if (sub2 === 'build' || sub2 === 'bake') return writesOutput ? not(`buildx ${sub2} --output`) : undefined;
    return ['create', 'use', 'inspect', 'ls', 'rm', 'stop', 'imagetools', 'prune', 'version', 'du'].includes(
      sub2,
    )
      ? undefined
      : not(`buildx ${sub2}`.trim());
  }
  if (sub === 'run')
    return argv.some((w) => /^(-v|--volume|--mount)(=|$)/.test(w.value))
      ? '`docker run` with a volume may write files through it'
      : undefined;
  if (sub === 'compose') return composeEffects(argv.slice(2));
  return NO_FILE_SUBCOMMANDS.docker?.includes(sub) ? undefined : not(sub);
}

/** `docker compose …` after `compose`: services that run may write through their volumes. */
function composeEffects(args: ShellWord[]): string | undefined {
  let i = 0;
  // Global options before the subcommand: `-f file`, `-p name`, `--profile x`, `--env-file f`.
  while (i < args.length && (args[i]?.value ?? '').startsWith('-')) {
    i += /^(-f|--file|-p|--project-name|--profile|--env-file|--project-directory)$/.test(args[i]?.value ?? '')
      ? 2
      : 1;
  }
  const sub = args[i]?.value ?? '';
  return [
    'down',
    'build',
    'push',
    'pull',
    'ps',
    'logs',
    'stop',
    'rm',
    'version',
    'ls',
    'images',
    'kill',
  ].includes(sub)
    ? undefined
    : `\`docker compose ${sub}\` may run services that write files through their volumes`;
}

/** Programs that run other code whose effects are not known from the command line. */
function runsCode(name: string, argv: ShellWord[]): string | undefined {
  const a1 = argv[1]?.value;
  if (/^(ba|da|z|k)?sh$/.test(name))
    return a1 === '-c' ? 'an inline shell script' : a1 ? `the script ${a1}` : 'a shell';
  const py = /^python(3(\.\d+)?)?$/.test(name);
  if (py && a1 === '-m' && /^(pip|venv|ensurepip|compileall|py_compile)$/.test(argv[2]?.value ?? ''))
    return undefined;
  if ((py || name === 'node') && (a1 === '--version' || a1 === '-V' || a1 === undefined)) return undefined;
  if (py || name === 'node' || name === 'ruby' || name === 'perl' || name === 'php')
    return a1 === '-c' || a1 === '-e'
      ? `inline ${name} code`
      : a1 === '-m'
        ? `${name} -m ${argv[2]?.value ?? ''}`
        : `${name} ${a1 ?? ''}`.trim();
  if (['make', 'cmake', 'ninja', 'meson', 'bazel', 'gradle', 'mvn', 'ant', 'scons'].includes(name))
    return `${name} (a build)`;
  if (name === 'npm' || name === 'yarn' || name === 'pnpm' || name === 'npx' || name === 'bun')
    return a1 === 'run' || a1 === 'exec' || name === 'npx'
      ? `${name} ${a1 ?? ''} ${argv[2]?.value ?? ''}`.trim()
      : undefined;
  if (name === 'dpkg' && (a1 === '-i' || a1 === '--install')) return 'a .deb package';
  if (name === 'rpm') return 'an .rpm package';
  if (name === 'go' && (a1 === 'run' || a1 === 'generate')) return `go ${a1}`;
  if (name === 'cargo' && (a1 === 'run' || a1 === 'install')) return `cargo ${a1}`;
  if (name === 'poetry' || name === 'pipenv' || name === 'pdm' || name === 'hatch' || name === 'tox')
    return name;
  return undefined;
}

/** Where each simple command writes (as written: absolute, or relative to the working directory). */
function createdBy(
  name: string,
  argv: ShellWord[],
  cmd: ShellCommand,
  pip: PipInvocation | undefined,
): string[] {
  const out: string[] = [];
  for (const r of cmd.redirects)
    if (/^\d*>{1,2}$|^&>$|^>\|$/.test(r.op) && r.target && !r.target.startsWith('/dev/')) out.push(r.target);
  const positional = argv.slice(1).filter((w) => !w.value.startsWith('-'));
  const flagValue = (...names: string[]): string[] => {
    const vals: string[] = [];
    for (let i = 1; i < argv.length; i++) {
      const v = argv[i]?.value ?? '';
      for (const n of names) {
        if (v === n && argv[i + 1]) vals.push(argv[i + 1]?.value ?? '');
        else if (n.startsWith('--') && v.startsWith(`${n}=`)) vals.push(v.slice(n.length + 1));
        // `-ofile` and `-o=file` (Go's flag package and others accept both).
        else if (!n.startsWith('--') && v.startsWith(n) && v.length > n.length)
          vals.push(v.slice(v[n.length] === '=' ? n.length + 1 : n.length));
      }
    }
    return vals;
  };
  // curl/wget short options grouped in one word (`-fsSLo FILE`, `-qO-`): the value follows the letter, or is the
  // next word when the letter ends the group.
  const grouped = (letter: string): string[] => {
    const vals: string[] = [];
    for (let i = 1; i < argv.length; i++) {
      const v = argv[i]?.value ?? '';
      const at = /^-[A-Za-z]{2,}/.test(v) ? v.indexOf(letter) : -1;
      if (at < 2) continue;
      const rest = v.slice(at + 1);
      vals.push(rest || (argv[i + 1]?.value ?? ''));
    }
    return vals.filter((x) => x !== '-');
  };
  switch (name) {
    case 'cp':
    case 'mv':
    case 'install':
    case 'rsync': {
      const t = flagValue('-t', '--target-directory');
      if (t.length) out.push(...t);
      else if (name === 'install' && argv.some((w) => w.value === '-d'))
        out.push(...positional.map((w) => w.value));
      else if (positional.length >= 2) out.push(positional[positional.length - 1]?.value ?? '');
      break;
    }
    case 'ln':
      if (positional.length >= 2) out.push(positional[positional.length - 1]?.value ?? '');
      break;
    // Lock and requirements exporters: `uv export -o f`, `uv pip compile -o f`, `pip-compile -o f`,
    // `poetry export -o f`, `pdm export -o f`.
    case 'uv':
    case 'pip-compile':
    case 'poetry':
    case 'pdm':
      if (
        name === 'pip-compile' ||
        argv[1]?.value === 'export' ||
        (argv[1]?.value === 'pip' && argv[2]?.value === 'compile')
      )
        out.push(...flagValue('-o', '--output-file', '--output'));
      break;
    case 'mkdir':
    case 'touch':
    case 'tee':
      out.push(...positional.map((w) => w.value));
      break;
    case 'curl':
      out.push(...flagValue('-o', '--output'), ...grouped('o'));
      if (
        argv.some(
          (w) =>
            (/^-[A-Za-z]+$/.test(w.value) && w.value.includes('O')) ||
            w.value === '--remote-name' ||
            w.value === '--remote-name-all',
        )
      ) {
        const dir = flagValue('--output-dir');
        out.push(...(dir.length ? dir : ['.']));
      }
      break;
    case 'wget': {
      const named = [
        ...flagValue('-O', '--output-document', '-P', '--directory-prefix'),
        ...grouped('O'),
        ...grouped('P'),
      ];
      out.push(...named.filter((x) => x !== '-'));
      if (!argv.some((w) => /^-[A-Za-z]*[OP]|^--(output-document|directory-prefix)/.test(w.value)))
        out.push('.');
      break;
    }
    case 'tar': {
      const mode = tarMode(argv);
      if (mode === 'x') {
        const c = flagValue('-C', '--directory');
        out.push(...(c.length ? c : ['.']));
      } else if (mode === 'c') out.push(...tarFile(argv));
      break;
    }
    case 'gpg':
    case 'gpg2':
      out.push(...flagValue('-o', '--output'));
      break;
    case 'dd':
      out.push(...argv.filter((w) => w.value.startsWith('of=')).map((w) => w.value.slice(3)));
      break;
    case 'sort':
      out.push(...flagValue('-o', '--output'));
      break;
    case 'uniq':
      if (positional.length >= 2) out.push(positional[1]?.value ?? '');
      break;
    case 'unzip':
      out.push(...(flagValue('-d').length ? flagValue('-d') : ['.']));
      break;
    case 'git':
      if (argv[1]?.value === 'clone') {
        const pos = argv
          .slice(2)
          .filter(
            (w, k, all) => !w.value.startsWith('-') && !GIT_CLONE_VALUE_FLAGS.has(all[k - 1]?.value ?? ''),
          );
        const url = pos[0]?.value ?? '';
        out.push(pos[1]?.value ?? basename(url).replace(/\.git$/, ''));
      }
      break;
    case 'virtualenv':
      if (positional[0]) out.push(positional[0].value);
      break;
    case 'useradd':
    case 'adduser':
      // `-m` alone or in a group of short flags (`-ms /bin/bash`; `-M` is --no-create-home).
      if (
        argv.some(
          (w) => (/^-[a-zA-Z]+$/.test(w.value) && w.value.includes('m')) || w.value === '--create-home',
        ) ||
        name === 'adduser'
      ) {
        const home = flagValue('-d', '--home', '--home-dir');
        const user = positional[positional.length - 1]?.value;
        out.push(...(home.length ? home : user ? [`/home/${user}`] : []));
      }
      break;
  }
  if (/^python(3(\.\d+)?)?$/.test(name) && argv[1]?.value === '-m' && argv[2]?.value === 'venv') {
    const target = argv.slice(3).filter((w) => !w.value.startsWith('-'))[0];
    if (target) out.push(target.value);
  }
  if (name === 'uv' && argv[1]?.value === 'venv')
    out.push(argv.slice(2).find((w) => !w.value.startsWith('-'))?.value ?? '.venv');
  // `uv sync` makes the project environment: `.venv` in the project, or UV_PROJECT_ENVIRONMENT (`--active`: the
  // activated one, already there).
  if (name === 'uv' && argv[1]?.value === 'sync' && !argv.some((w) => w.value === '--active')) {
    const env = cmd.assignments.find((a) => a.name === 'UV_PROJECT_ENVIRONMENT')?.value;
    const dir = argv
      .slice(2)
      .flatMap((w, k, rest) =>
        w.value === '--project' || w.value === '--directory'
          ? [rest[k + 1]?.value ?? '']
          : /^--(project|directory)=/.test(w.value)
            ? [w.value.slice(w.value.indexOf('=') + 1)]
            : [],
      )[0];
    out.push(env ?? (dir ? `${trimTrailingSlashes(dir)}/.venv` : '.venv'));
  }
  if (pip) out.push(...pip.outputs);
  if (name === 'npm' || name === 'yarn' || name === 'pnpm') {
    const sub = argv[1]?.value;
    if (sub === undefined || sub === 'install' || sub === 'ci' || sub === 'i' || sub === 'add')
      out.push('node_modules');
  }
  if (name === 'go' && argv[1]?.value === 'build') out.push(...flagValue('-o'));
  if (name === 'cargo' && argv[1]?.value === 'build') out.push('target');
  return out.filter((p) => p !== '');
}

function isNoop(cmd: ShellCommand | undefined): boolean {
  if (!cmd) return false;
  const argv = effectiveArgv(cmd);
  const name = basename(argv[0]?.value ?? '');
  if (name === 'true' || name === ':') return true;
  if (
    (name === 'echo' || name === 'printf') &&
    cmd.redirects.every((r) => /^(1?>&2|>&2|2>&1)$/.test(r.op) || r.target.startsWith('/dev/'))
  )
    return true;
  return name === 'exit' && (argv[1]?.value ?? '0') === '0';
}

/** The author says a failure is acceptable: `|| echo "optional …"`, `|| echo "skipping …"`. */
function declaresOptional(cmd: ShellCommand | undefined): boolean {
  if (!cmd) return false;
  const text = cmd.argv.map((w) => w.value).join(' ');
  return /\b(optional|skip|skipping|ignore|ignoring|not available|unavailable|warn|warning|continu)/i.test(
    text,
  );
}

function failsLoudly(cmd: ShellCommand): boolean {
  const argv = effectiveArgv(cmd);
  const name = basename(argv[0]?.value ?? '');
  if (name === 'false') return true;
  return name === 'exit' && (argv[1]?.value ?? '0') !== '0';
}

/** Installs the same thing again (`pip install X || (pip install -U pip && pip install X)`): a retry. */
function sameInstall(a: CommandFacts, b: CommandFacts): boolean {
  if (!a.installer || a.installer !== b.installer) return false;
  const targets = (f: CommandFacts) =>
    f.pip
      ? [...f.pip.requirementFiles, ...f.pip.editables, ...f.pip.packages]
          .map((w) => w.value)
          .sort()
          .join(' ')
      : f.argv
          .slice(2)
          .filter((w) => !w.value.startsWith('-'))
          .map((w) => w.value)
          .sort()
          .join(' ');
  return targets(a) === targets(b) && targets(a) !== '';
}

/**
 * The last index of the unit that follows the operator ending command `j`: a simple command, a `( … )` or
 * `{ …; }` group (its deeper commands), or a pipeline of them.
 */
function unitEnd(facts: CommandFacts[], j: number): number {
  const depth = facts[j]?.command.depth ?? 0;
  let m = j + 1;
  for (;;) {
    if ((facts[m]?.command.depth ?? 0) > depth) while ((facts[m + 1]?.command.depth ?? 0) > depth) m++;
    if (facts[m]?.command.next !== '|' || m + 1 >= facts.length) return m;
    m++;
  }
}

/**
 * Masking of installer failures within one and-or list (up to `;`, a newline or `&`). The list is walked from the
 * failed install, unit by unit: `&&` skips what follows a failure, `||` runs it. A no-op that runs after the
 * failure (`true`, `:`, `echo …`, `exit 0`) swallows it, whatever ran in between (`a && b || c || true` masks a);
 * a handler that may fail on purpose (`|| exit 1`, `|| { echo …; exit 1; }`) means it is not masked; `X || (retry
 * X)` is a retry; a different install run right after the failure is a fallback.
 */
function masking(facts: CommandFacts[], i: number, pipefail: boolean): Masking | undefined {
  const here = facts[i] as CommandFacts;
  const cmd = here.command;
  if (cmd.next === '|' && !pipefail) {
    const reader = facts[i + 1];
    if (reader) return { how: 'pipe', by: reader.command, declared: false };
  }
  /** The list's exit status so far, given that the install failed; `unknown` once an unknown command decides it. */
  let status: 'fail' | 'ok' | 'unknown' = 'fail';
  /** The no-op that swallowed the failure. */
  let by: ShellCommand | undefined;
  // Under pipefail the install's own pipeline fails with it.
  let j = i;
  while (facts[j]?.command.next === '|' && j + 1 < facts.length) j++;
  while (j + 1 < facts.length) {
    const op = facts[j]?.command.next;
    if (op !== '&&' && op !== '||') break;
    const end = unitEnd(facts, j);
    const unit = facts.slice(j + 1, end + 1);
    const runs: 'yes' | 'no' | 'maybe' =
      status === 'unknown' ? 'maybe' : (op === '||') === (status === 'fail') ? 'yes' : 'no';
    if (runs !== 'no') {
      if (unit.some((f) => failsLoudly(f.command))) return undefined;
      const first = unit[0] as CommandFacts;
      if (runs === 'yes' && op === '||' && first.installer) {
        if (unit.some((f) => sameInstall(here, f))) return undefined;
        return { how: 'fallback', by: first.command, declared: false };
      }
      const noop = unit.every((f) => isNoop(f.command));
      status = runs === 'yes' ? (noop ? 'ok' : 'unknown') : op === '||' && noop ? 'ok' : 'unknown';
      if (status === 'ok' && !by) by = first.command;
    }
    const group = (unit[0]?.command.depth ?? 0) > (facts[j]?.command.depth ?? 0);
    j = end;
    // `{ …; }` or `( …; )`: the `;` before the closer hides the operator after it, so the list's end is not known.
    const next = facts[j]?.command.next;
    if (group && (next === ';' || next === '\n'))
      return by ? { how: 'or', by, declared: declaresOptional(by) } : undefined;
  }
  if (by) return { how: 'or', by, declared: declaresOptional(by) };
  const next = facts[j + 1];
  const last = facts[j]?.command;
  // Under `set -e` the shell stops at the failed install: a later `; true` never runs. Without it, a `; true` that
  // ends the script decides the exit status, whatever ran between (`a || ./report.sh; true`).
  if (errexit(facts, i)) return undefined;
  if (last?.next === ';' && next && isNoop(next.command) && j + 2 >= facts.length)
    return { how: 'semicolon', by: next.command, declared: declaresOptional(next.command) };
  return undefined;
}

/** `set -e` (`set -eux`, `set -o errexit`) runs at top level before command `i`, and no `set +e` after it. */
function errexit(facts: CommandFacts[], i: number): boolean {
  let on = false;
  for (const f of facts.slice(0, i)) {
    if (f.name !== 'set' || f.command.depth > 0) continue;
    const words = f.argv.slice(1).map((w) => w.value);
    words.forEach((w, n) => {
      if (/^-[a-zA-Z]*e/.test(w) || (w === '-o' && words[n + 1] === 'errexit')) on = true;
      if (/^\+[a-zA-Z]*e/.test(w) || (w === '+o' && words[n + 1] === 'errexit')) on = false;
    });
  }
  return on;
}

/** Analyses every command of the scripts (a RUN's shell text and heredocs, a workflow `run:`, a script). */
export function analyzeShell(scripts: ShellScript[]): ShellFacts {
  const all = scripts.flatMap((s) => s.commands);
  const pipefail = all.some((c) => {
    const argv = effectiveArgv(c);
    return basename(argv[0]?.value ?? '') === 'set' && argv.some((w) => /pipefail/.test(w.value));
  });
  const out: CommandFacts[] = [];
  for (const script of scripts) {
    const facts: CommandFacts[] = script.commands.map((command) => {
      const argv = effectiveArgv(command);
      const first = argv[0]?.value;
      const name = first === undefined ? undefined : basename(first);
      const verb = pipVerbIndex(argv);
      const pip = verb >= 0 ? parsePip(argv, verb) : undefined;
      const installer = name ? installerOf(name, argv) : undefined;
      let network = false;
      if (pip) {
        const targets = [...pip.requirementFiles, ...pip.editables, ...pip.packages];
        const allLocal =
          pip.requirementFiles.length === 0 &&
          targets.length > 0 &&
          targets.every((w) => isLocalRequirement(w.value));
        network = !pip.noIndex && !allLocal;
      } else if (installer) network = true;
      else if (name === 'curl' || name === 'wget' || (name === 'git' && argv[1]?.value === 'clone'))
        network = true;
      let unknownEffects: string | undefined;
      let script: string | undefined;
      if (first && name) {
        if (
          first.includes('/') &&
          !first.startsWith('/usr/') &&
          !first.startsWith('/bin/') &&
          !first.startsWith('/sbin/') &&
          pipVerbIndex(argv) < 0
        ) {
          script = first;
          unknownEffects = `it runs ${first}`;
        } else {
          const code = runsCode(name, argv);
          if (code) {
            unknownEffects = `it runs ${code}`;
            const a1 = argv[1]?.value;
            if (a1 && !a1.startsWith('-') && /^(ba|da|z)?sh$|^python/.test(name)) script = a1;
          } else if (
            installer &&
            installer !== 'pip' &&
            installer !== 'uv' &&
            installer !== 'npm' &&
            installer !== 'yarn' &&
            installer !== 'pnpm'
          )
            unknownEffects = `it installs ${installer} packages, which may create files anywhere`;
          else if (!installer) unknownEffects = effectsNotKnown(name, argv, command);
          else if (pip && argv.some((w) => w.value === '--user'))
            unknownEffects = '`pip install --user` writes into the home folder of the user that runs it';
        }
        // `curl … | sh`: the pipe's reader runs downloaded code.
      }
      return {
        command,
        name,
        argv,
        installer,
        pip,
        network,
        creates: name ? createdBy(name, argv, command, pip) : createdBy('', [], command, undefined),
        unknownEffects,
        script,
        masked: undefined,
      };
    });
    for (let i = 0; i < facts.length; i++) {
      const f = facts[i] as CommandFacts;
      if (f.installer) f.masked = masking(facts, i, pipefail);
      // A pipe into a shell runs what was downloaded.
      const prev = facts[i - 1];
      if (prev?.command.next === '|' && f.name && /^(ba|da)?sh$/.test(f.name) && !f.argv[1])
        f.unknownEffects = 'it runs a downloaded script';
    }
    out.push(...facts);
  }
  return { commands: out, pipefail };
}
