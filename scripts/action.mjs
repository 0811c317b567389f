#!/usr/bin/env node
// The GitHub Action's logic (action.yml runs it; test/action/action.test.ts runs it the same way, locally).
// Reads the inputs from INPUT_* variables (action.yml maps them), runs `crossdock check` on INPUT_PATH and:
// - writes SARIF to $RUNNER_TEMP/crossdock/crossdock.sarif, file URIs relative to $GITHUB_WORKSPACE so code
//   scanning finds them even when the path checked is a subfolder;
// - appends the markdown report to $GITHUB_STEP_SUMMARY;
// - prints the report in INPUT_FORMAT (text by default) to the log;
// - writes the outputs sarif-file, findings and exit-code to $GITHUB_OUTPUT;
// - exits with crossdock's exit code: 1 when a finding is at or above INPUT_FAIL_ON, 2 on a usage or config error.
// action.yml runs this step with continue-on-error, uploads the SARIF, then fails the job with that code.
// Node builtins only: the action runs it before anything is installed.
import { spawnSync } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const actionRoot = resolve(here, '..');

/** Splits INPUT_ARGS like a shell would for plain words and '…' / "…" quoting (no expansion). */
export function splitArgs(text) {
  const out = [];
  let word;
  let quote;
  for (const c of text) {
    if (quote) {
      if (c === quote) quote = undefined;
      else word += c;
    } else if (c === '"' || c === "'") {
      quote = c;
      word ??= '';
    } else if (/\s/.test(c)) {
      if (word !== undefined) out.push(word);
      word = undefined;
    } else word = (word ?? '') + c;
  }
  if (quote) throw new Error(`args: unterminated ${quote} quote`);
  if (word !== undefined) out.push(word);
  return out;
}

/** How to run crossdock: the bundle shipped next to this script (release refs, this repository), else npm's. */
function crossdockCommand(env) {
  if (env.CROSSDOCK_ACTION_BIN) return [process.execPath, env.CROSSDOCK_ACTION_BIN];
  if (existsSync(join(actionRoot, 'bundle', 'crossdock.js')))
    return [process.execPath, join(actionRoot, 'bin', 'crossdock.js')];
  const { version } = JSON.parse(readFileSync(join(actionRoot, 'package.json'), 'utf8'));
  return ['npx', '--yes', `crossdock@${version}`];
}

function bool(value, name) {
  const v = (value ?? '').trim().toLowerCase();
  if (v === '' || v === 'false') return false;
  if (v === 'true') return true;
  throw new Error(`${name}: "${value}" is not true or false`);
}

/** SARIF URIs relative to the checked folder, made relative to the workspace (what code scanning resolves). */
export function rebaseSarif(sarif, prefix, workspaceUri) {
  for (const run of sarif.runs ?? []) {
    if (workspaceUri) run.originalUriBaseIds = { '%SRCROOT%': { uri: workspaceUri } };
    const visit = (node) => {
      if (Array.isArray(node)) node.forEach(visit);
      else if (node && typeof node === 'object') {
        const loc = node.artifactLocation;
        if (loc && typeof loc.uri === 'string' && loc.uriBaseId === '%SRCROOT%' && prefix)
          loc.uri = `${encodeURI(prefix)}/${loc.uri}`;
        for (const [k, v] of Object.entries(node)) if (k !== 'artifactLocation') visit(v);
      }
    };
    visit(run.results);
    visit(run.artifacts);
  }
  return sarif;
}

export function runAction(env = process.env, log = (s) => process.stdout.write(s)) {
  const workspace = resolve(env.GITHUB_WORKSPACE || process.cwd());
  const path = resolve(workspace, env.INPUT_PATH || '.');
  const format = env.INPUT_FORMAT || 'text';
  const failOn = env.INPUT_FAIL_ON || 'error';
  const online = bool(env.INPUT_ONLINE, 'online');
  const extra = splitArgs(env.INPUT_ARGS ?? '');
  const outDir = join(env.RUNNER_TEMP || tmpdir(), 'crossdock');
  mkdirSync(outDir, { recursive: true });
  const sarifFile = join(outDir, 'crossdock.sarif');
  const summaryFile = join(outDir, 'summary.md');
  const [cmd, ...pre] = crossdockCommand(env);
  const base = ['check', path, ...(online ? ['--online'] : []), ...extra];
  const run = (args, stdio) => {
    const r = spawnSync(cmd, [...pre, ...base, ...args], {
      cwd: workspace,
      env: { ...env, NO_COLOR: '1' },
      encoding: 'utf8',
      stdio,
      timeout: Number(env.CROSSDOCK_ACTION_TIMEOUT_MS) || 20 * 60_000,
    });
    if (r.error) throw r.error;
    return r.status ?? 2;
  };
  const output = (name, value) =>
    env.GITHUB_OUTPUT && appendFileSync(env.GITHUB_OUTPUT, `${name}=${value}\n`);

  // The report the job fails on, in the log: its exit code is the step's.
  log(`crossdock check ${relative(workspace, path) || '.'} (fail-on ${failOn})\n`);
  const code = run(['--format', format, '--fail-on', failOn], ['ignore', 'inherit', 'inherit']);
  output('exit-code', code);
  if (code > 1) return code; // usage or config error: crossdock said what and how to fix it, on stderr
  if (run(['--format', 'sarif', '--output', sarifFile, '--fail-on', 'never'], 'inherit') !== 0) return 2;
  if (run(['--format', 'markdown', '--output', summaryFile, '--fail-on', 'never'], 'inherit') !== 0) return 2;

  const prefix = relative(workspace, path).split(sep).join('/');
  const sarif = rebaseSarif(
    JSON.parse(readFileSync(sarifFile, 'utf8')),
    prefix.startsWith('..') ? '' : prefix,
    pathToFileURL(workspace).href.replace(/\/?$/, '/'),
  );
  writeFileSync(sarifFile, `${JSON.stringify(sarif, null, 2)}\n`);
  const findings = (sarif.runs ?? []).reduce((n, r) => n + (r.results?.length ?? 0), 0);
  output('sarif-file', sarifFile);
  output('findings', findings);
  if (env.GITHUB_STEP_SUMMARY)
    appendFileSync(env.GITHUB_STEP_SUMMARY, `${readFileSync(summaryFile, 'utf8')}\n`);
  return code;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    process.exitCode = runAction();
  } catch (e) {
    process.stderr.write(`crossdock action: ${e instanceof Error ? e.message : e}\n`);
    process.exitCode = 2;
  }
}
