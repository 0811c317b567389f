#!/usr/bin/env node
// Runs test/**/*.test.ts (or the files/folders given) with node's test runner through tsx, in a way that cannot
// hang and always tests what users run:
//
//   node scripts/run-tests.mjs [--test-timeout=MS] [--run-timeout=MS] [--no-build] [node --test flags] [paths]
//
// - dist/ (tsc -p tsconfig.build.json, the library) and bundle/ (scripts/bundle.mjs, the CLI bin/crossdock.js
//   runs) are built first when missing or older than a source file, so the CLI tests run what users run
//   (--no-build skips this; those tests then fail on a stale build, they never skip).
// - --test-timeout (default 5 min, or CROSSDOCK_TEST_TIMEOUT_MS): node 20 applies it to each test file as a
//   whole and to every test that sets no timeout of its own.
// - --run-timeout (default 45 min, or CROSSDOCK_RUN_TIMEOUT_MS): past it, the runner and everything it started
//   (its process group) is killed, and the file that was running is named.
// - Helpers that start processes (registries, dockerd) register them under a run-specific folder
//   (CROSSDOCK_TEST_RUN_DIR, see test/helpers/procs.ts); whatever is left at the end is stopped by pid. TMPDIR
//   points into that folder too, so a program still working in a test's temporary folder (an engine client in a
//   process group of its own) is found by its command line and stopped by pid.
// - The slowest 10 files are listed, then node's summary lines (`# tests N`, `# pass N`, `# fail N`, ...) close
//   the output, as CI expects.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = fileURLToPath(new URL('..', import.meta.url));
const started = Date.now();

function collect(path, out) {
  const st = statSync(path);
  if (st.isFile()) {
    out.push(path);
    return;
  }
  for (const name of readdirSync(path).sort()) {
    if (name === 'fixtures' || name === 'node_modules') continue;
    const child = join(path, name);
    if (statSync(child).isDirectory()) collect(child, out);
    else if (name.endsWith('.test.ts')) out.push(child);
  }
}

function msOption(args, name, envName, fallback) {
  const flag = args.find((a) => a.startsWith(`--${name}=`));
  const text = flag ? flag.slice(name.length + 3) : process.env[envName];
  if (text === undefined || text === '') return fallback;
  if (!/^\d+$/.test(text) || Number(text) <= 0) {
    console.error(
      `run-tests: --${name} / ${envName} must be a positive number of milliseconds, got "${text}"`,
    );
    process.exit(2);
  }
  return Number(text);
}

const seconds = (ms) => `${(ms / 1000).toFixed(1)}s`;

const args = process.argv.slice(2);
const testTimeout = msOption(args, 'test-timeout', 'CROSSDOCK_TEST_TIMEOUT_MS', 5 * 60_000);
const runTimeout = msOption(args, 'run-timeout', 'CROSSDOCK_RUN_TIMEOUT_MS', 45 * 60_000);
const noBuild = args.includes('--no-build');
const ours = (a) => a === '--no-build' || a.startsWith('--test-timeout=') || a.startsWith('--run-timeout=');
const nodeFlags = args.filter((a) => a.startsWith('--') && !ours(a));
const paths = args.filter((a) => !a.startsWith('--'));
const files = [];
for (const p of paths.length ? paths : ['test']) collect(p, files);
if (files.length === 0) {
  console.error('run-tests: no test files found');
  process.exit(2);
}

// --- build dist/ and bundle/ when missing or stale -----------------------------------------------------------
function newestSource(dir) {
  let newest = 0;
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    const st = statSync(p);
    newest = Math.max(newest, st.isDirectory() ? newestSource(p) : st.mtimeMs);
  }
  return newest;
}

/** Whether `output` exists and is newer than src/ and every file in `inputs`. */
function isFresh(output, inputs) {
  if (!existsSync(output)) return false;
  const built = statSync(output).mtimeMs;
  return (
    newestSource(join(repo, 'src')) <= built && inputs.every((f) => statSync(join(repo, f)).mtimeMs <= built)
  );
}

const steps = [
  {
    what: 'dist/ (tsc -p tsconfig.build.json)',
    fresh: () =>
      isFresh(join(repo, 'dist/cli/main.js'), ['tsconfig.json', 'tsconfig.build.json', 'package.json']),
    argv: [join(repo, 'node_modules/typescript/bin/tsc'), '-p', join(repo, 'tsconfig.build.json')],
  },
  {
    what: 'bundle/ (scripts/bundle.mjs)',
    fresh: () =>
      isFresh(join(repo, 'bundle/crossdock.js'), ['package.json', 'package-lock.json', 'scripts/bundle.mjs']),
    argv: [join(repo, 'scripts/bundle.mjs')],
  },
];

let buildMs = 0;
for (const step of noBuild ? [] : steps) {
  if (step.fresh()) continue;
  console.log(`# run-tests: building ${step.what}: the CLI tests run bin/crossdock.js as shipped`);
  const t0 = Date.now();
  const r = spawnSync(process.execPath, step.argv, { stdio: 'inherit', timeout: 10 * 60_000 });
  buildMs += Date.now() - t0;
  if (r.status !== 0) {
    console.error('run-tests: the build failed (see above); no test was run');
    process.exit(1);
  }
}

// --- run ---------------------------------------------------------------------------------------------------
const runDir = mkdtempSync(join(tmpdir(), 'crossdock-test-run-'));
const eventsFile = join(runDir, 'events.jsonl');
// Every temporary folder a test makes is under the run's folder, so every program working on one (an engine
// client crossdock started in a process group of its own, which a group kill does not reach) names it in its
// command line, and the teardown finds it.
const runTmp = join(runDir, 'tmp');
mkdirSync(runTmp);
const env = {
  ...process.env,
  TMPDIR: runTmp,
  CROSSDOCK_TEST_RUN_DIR: runDir,
  CROSSDOCK_TEST_EVENTS: eventsFile,
};
// Set by node for the files it runs; left in, a run started from inside a test would refuse to run any file.
delete env.NODE_TEST_CONTEXT;
const child = spawn(
  process.execPath,
  [
    '--import',
    'tsx',
    '--test',
    `--test-timeout=${testTimeout}`,
    '--test-reporter=tap',
    '--test-reporter-destination=stdout',
    `--test-reporter=${join(repo, 'scripts/test-events.mjs')}`,
    '--test-reporter-destination=stderr',
    ...nodeFlags,
    ...files,
  ],
  {
    // Its own process group: a timeout kills it and everything it started (dockerd, registries, CLI processes).
    detached: true,
    stdio: ['ignore', 'pipe', 'inherit'],
    env,
  },
);

// TAP passes through as it comes; node's closing block (the top-level plan line and the `# tests` ... lines) is
// held back so the slowest files can be listed before it.
const summary = [];
let holding = false;
let partial = '';
const counts = { pass: 0, fail: 0 };
function onLine(line) {
  if (!holding && /^1\.\.\d+$/.test(line)) holding = true;
  if (holding) {
    summary.push(line);
    return;
  }
  if (/^ok \d+/.test(line)) counts.pass++;
  else if (/^not ok \d+/.test(line)) counts.fail++;
  process.stdout.write(`${line}\n`);
}
child.stdout.on('data', (chunk) => {
  const parts = (partial + chunk.toString('utf8')).split('\n');
  partial = parts.pop() ?? '';
  for (const line of parts) onLine(line);
});

function readEvents() {
  const events = [];
  let text = '';
  try {
    text = readFileSync(eventsFile, 'utf8');
  } catch {
    return events;
  }
  for (const line of text.split('\n'))
    if (line.trim())
      try {
        events.push(JSON.parse(line));
      } catch {
        /* a line cut by a kill */
      }
  return events;
}

function fileTimes() {
  const open = new Map();
  const done = [];
  for (const e of readEvents()) {
    if (e.start) open.set(e.start, e.at);
    else if (e.end && open.has(e.end)) {
      done.push({ file: e.end, ms: e.at - open.get(e.end) });
      open.delete(e.end);
    }
  }
  return { done, running: [...open].map(([file, at]) => ({ file, ms: Date.now() - at })) };
}

const rel = (f) => relative(process.cwd(), resolve(f)) || f;
let timedOut = false;
let interrupted = false;

function killGroup(signal) {
  try {
    process.kill(-child.pid, signal);
  } catch {
    /* already gone */
  }
}

function stopRun() {
  killGroup('SIGTERM');
  setTimeout(() => killGroup('SIGKILL'), 5000).unref();
}

const runTimer = setTimeout(() => {
  timedOut = true;
  const { running } = fileTimes();
  const what = running.length
    ? running.map((r) => `${rel(r.file)} (running for ${seconds(r.ms)})`).join(', ')
    : 'no file (between files)';
  console.log(
    `# run-tests: the whole run exceeded ${seconds(runTimeout)} (--run-timeout); running: ${what}; killing the test runner and everything it started`,
  );
  stopRun();
}, runTimeout);
runTimer.unref();

for (const sig of ['SIGINT', 'SIGTERM'])
  process.on(sig, () => {
    if (interrupted) killGroup('SIGKILL');
    interrupted = true;
    console.log(`# run-tests: ${sig}: stopping the test runner and everything it started`);
    stopRun();
  });

// --- teardown: processes registered by the helpers that are still alive -----------------------------------
function procStart(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Field 22 (starttime) counted after the command name, which may hold spaces and parentheses.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

async function teardown() {
  const dir = join(runDir, 'procs');
  let entries = [];
  try {
    entries = readdirSync(dir).filter((n) => n.endsWith('.json'));
  } catch {
    entries = [];
  }
  const lines = [];
  for (const name of entries) {
    let p;
    try {
      p = JSON.parse(readFileSync(join(dir, name), 'utf8'));
    } catch {
      continue;
    }
    const same = () => p.start !== undefined && procStart(p.pid) === p.start;
    if (same()) {
      try {
        process.kill(p.pid, 'SIGTERM');
      } catch {
        /* gone */
      }
      for (let i = 0; i < 100 && same(); i++) await new Promise((r) => setTimeout(r, 100));
      if (same())
        try {
          process.kill(p.pid, 'SIGKILL');
        } catch {
          /* gone */
        }
      lines.push(
        `# run-tests: teardown: stopped ${p.what} (pid ${p.pid}) left running by ${p.file ?? 'a test'}`,
      );
    }
    if (p.bridge) spawnSync('ip', ['link', 'del', p.bridge], { stdio: 'ignore' });
    if (p.dir) rmSync(p.dir, { recursive: true, force: true, maxRetries: 2 });
  }
  // Programs still working in the run's folders: by pid, found by their command line.
  const strays = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name) || Number(name) === process.pid) continue;
    let cmd = '';
    try {
      cmd = readFileSync(`/proc/${name}/cmdline`, 'utf8');
    } catch {
      continue;
    }
    if (cmd.includes(runDir))
      strays.push({ pid: Number(name), cmd: cmd.split('\0').join(' ').trim().slice(0, 300) });
  }
  for (const p of strays) {
    try {
      process.kill(p.pid, 'SIGTERM');
    } catch {
      /* gone */
    }
  }
  const gone = (pid) => {
    try {
      process.kill(pid, 0);
      return false;
    } catch {
      return true;
    }
  };
  for (let i = 0; i < 20 && !strays.every((p) => gone(p.pid)); i++)
    await new Promise((r) => setTimeout(r, 100));
  for (const p of strays) {
    try {
      process.kill(p.pid, 'SIGKILL');
    } catch {
      /* gone */
    }
    lines.push(`# run-tests: teardown: stopped ${p.cmd} (pid ${p.pid}), still working in the run's folder`);
  }
  rmSync(runDir, { recursive: true, force: true });
  return lines;
}

child.on('exit', async (code, signal) => {
  clearTimeout(runTimer);
  if (partial) onLine(partial);
  // Whatever is still in the group (a test's server that outlived its file) goes too.
  killGroup('SIGKILL');
  const { done, running } = fileTimes();
  for (const line of await teardown()) console.log(line);
  const slowest = done.sort((a, b) => b.ms - a.ms).slice(0, 10);
  if (slowest.length) {
    console.log('# slowest test files:');
    for (const s of slowest) console.log(`#   ${seconds(s.ms).padStart(7)}  ${rel(s.file)}`);
  }
  const total = Date.now() - started;
  console.log(
    `# run-tests: ${files.length} file(s) in ${seconds(total)}${buildMs ? ` (build ${seconds(buildMs)})` : ''}`,
  );
  const complete = summary.some((l) => /^# tests \d+/.test(l)) && !timedOut && !interrupted;
  if (complete) {
    for (const l of summary) console.log(l);
    process.exit(code ?? 1);
  }
  // Killed or crashed: node wrote no summary; the counts so far, the cut-off file(s) counted as failed.
  for (const r of running) console.log(`# run-tests: ${rel(r.file)} did not finish`);
  const fail = counts.fail + Math.max(1, running.length);
  console.log(`1..${counts.pass + fail}`);
  console.log(`# tests ${counts.pass + fail}`);
  console.log('# suites 0');
  console.log(`# pass ${counts.pass}`);
  console.log(`# fail ${fail}`);
  console.log('# cancelled 0');
  console.log('# skipped 0');
  console.log('# todo 0');
  console.log(`# duration_ms ${total}`);
  process.exit(interrupted ? 130 : 1);
  void signal;
});
