import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

/**
 * Every regular expression literal in src/ is checked for super-linear backtracking with recheck (an
 * automaton-based ReDoS checker; fuzzing only for patterns automata cannot model, with a fixed seed and step
 * limits instead of time limits, so the verdict does not depend on the machine). A flagged pattern fails the
 * test unless the line above it or its own line says why it is safe: `// redos-safe: <why>` (e.g. the input is
 * capped). A marker on a pattern the checker finds safe fails too, so markers do not outlive their reason.
 *
 * recheck takes about a minute for all patterns, so its verdicts are kept in redos-verdicts.json, for one
 * recheck version and these options, keyed by the literal (source and flags). A pattern missing there is checked
 * now (the test says the file is stale, and stays correct); `CROSSDOCK_REDOS_UPDATE=1` writes the file anew. An
 * entry for a pattern no longer in src/ fails the test, so the file does not keep verdicts nobody needs.
 */

const root = fileURLToPath(new URL('../../', import.meta.url));
const MARKER = /\/\/\s*redos-safe:\s*(\S.{8,})$/;
const CACHE = join(root, 'test/meta/redos-verdicts.json');
const OPTIONS = {
  randomSeed: 20261124,
  timeout: null,
  attackTimeout: null,
  incubationTimeout: null,
  seedingTimeout: null,
};

interface VerdictCache {
  recheck: string;
  options: typeof OPTIONS;
  /** Literal (`/source/flags`) → `safe`, the complexity recheck found, or `not checkable (<why>)`. */
  verdicts: Record<string, string>;
}

interface Literal {
  file: string;
  line: number;
  text: string;
  source: string;
  flags: string;
  marker: string | undefined;
}

function tsFiles(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) tsFiles(path, out);
    else if (name.endsWith('.ts')) out.push(path);
  }
  return out;
}

function literals(): Literal[] {
  const out: Literal[] = [];
  for (const path of tsFiles(join(root, 'src'))) {
    const text = readFileSync(path, 'utf8');
    const lines = text.split('\n');
    const sf = ts.createSourceFile(path, text, ts.ScriptTarget.Latest, true);
    const visit = (n: ts.Node): void => {
      if (n.kind === ts.SyntaxKind.RegularExpressionLiteral) {
        const literal = n.getText(sf);
        const slash = literal.lastIndexOf('/');
        const line = sf.getLineAndCharacterOfPosition(n.getStart(sf)).line;
        // The marker sits on the pattern's line or in the comment block right above it.
        let marker = MARKER.exec(lines[line] ?? '')?.[1];
        for (let k = line - 1; marker === undefined && k >= 0 && /^\s*\/\//.test(lines[k] ?? ''); k--) {
          marker = MARKER.exec(lines[k] ?? '')?.[1];
        }
        out.push({
          file: relative(root, path),
          line: line + 1,
          text: literal,
          source: literal.slice(1, slash),
          flags: literal.slice(slash + 1),
          marker,
        });
      }
      ts.forEachChild(n, visit);
    };
    visit(sf);
  }
  return out;
}

/**
 * Whether a pattern has a quantifier without an upper bound (`*`, `+`, `{n,}`) outside character classes. One
 * without can try only boundedly many paths at each start position, so it is linear and needs no checker.
 */
export function hasUnboundedQuantifier(source: string): boolean {
  let inClass = false;
  for (let i = 0; i < source.length; i++) {
    const c = source[i];
    if (c === '\\') {
      i++;
      continue;
    }
    if (inClass) {
      if (c === ']') inClass = false;
      continue;
    }
    if (c === '[') inClass = true;
    else if (c === '*' || c === '+') return true;
    else if (c === '{' && /^\{\d+,\}/.test(source.slice(i, i + 12))) return true;
  }
  return false;
}

test('the bounded-quantifier pre-filter sees through escapes and classes', { timeout: 2000 }, () => {
  assert.equal(hasUnboundedQuantifier('^a\\+b[*+]c{2,5}$'), false);
  assert.equal(hasUnboundedQuantifier('a{2,}'), true);
  assert.equal(hasUnboundedQuantifier('[\\]*]x*'), true);
  assert.equal(hasUnboundedQuantifier('(?:ab)+'), true);
});

function recheckVersion(): string {
  const pkg = JSON.parse(readFileSync(join(root, 'node_modules/recheck/package.json'), 'utf8')) as {
    version: string;
  };
  return pkg.version;
}

function readCache(version: string): { verdicts: Map<string, string>; note?: string } {
  if (!existsSync(CACHE)) return { verdicts: new Map(), note: 'test/meta/redos-verdicts.json is missing' };
  const cache = JSON.parse(readFileSync(CACHE, 'utf8')) as VerdictCache;
  if (cache.recheck !== version)
    return { verdicts: new Map(), note: `the verdicts are for recheck ${cache.recheck}, this is ${version}` };
  if (JSON.stringify(cache.options) !== JSON.stringify(OPTIONS))
    return { verdicts: new Map(), note: 'the verdicts were found with other recheck options' };
  return { verdicts: new Map(Object.entries(cache.verdicts)) };
}

test('every regular expression in src/ is linear, or says why it is safe', {
  timeout: 180_000,
}, async (t) => {
  const started = Date.now();
  const version = recheckVersion();
  const cache = readCache(version);
  const update = process.env.CROSSDOCK_REDOS_UPDATE === '1';
  const all = literals();
  const verdicts = new Map<string, string>();
  /** Verdicts recheck gave (cached or now), by literal: what the cache file holds. */
  const checked = new Map<string, string>();
  const computed: string[] = [];
  let prefiltered = 0;
  let checkSync: typeof import('recheck').checkSync | undefined;
  for (const r of all) {
    if (verdicts.has(r.text)) continue;
    if (!hasUnboundedQuantifier(r.source)) {
      verdicts.set(r.text, 'safe');
      prefiltered++;
      continue;
    }
    let verdict = cache.verdicts.get(r.text);
    if (verdict === undefined) {
      if (!checkSync) {
        process.env.RECHECK_BACKEND ??= 'auto';
        checkSync = (await import('recheck')).checkSync;
      }
      const d = checkSync(r.source, r.flags, OPTIONS);
      verdict =
        d.status === 'safe'
          ? 'safe'
          : d.status === 'vulnerable'
            ? d.complexity.summary
            : `not checkable (${d.error.kind})`;
      computed.push(r.text);
    }
    verdicts.set(r.text, verdict);
    checked.set(r.text, verdict);
  }
  const unused = [...cache.verdicts.keys()].filter((k) => !checked.has(k));
  if (update && (computed.length || unused.length || cache.note)) {
    const file: VerdictCache = {
      recheck: version,
      options: OPTIONS,
      verdicts: Object.fromEntries([...checked].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))),
    };
    writeFileSync(CACHE, `${JSON.stringify(file, null, 2)}\n`);
    t.diagnostic(`redos: wrote test/meta/redos-verdicts.json (${checked.size} verdicts)`);
  } else if (computed.length) {
    t.diagnostic(
      `redos: the verdict cache is stale${cache.note ? ` (${cache.note})` : ''}: ${computed.length} pattern(s) ` +
        'checked by recheck now; run with CROSSDOCK_REDOS_UPDATE=1 to store their verdicts',
    );
  }
  const flagged = all.filter((r) => verdicts.get(r.text) !== 'safe');
  const unexplained = flagged.filter((r) => !r.marker);
  const stale = all.filter((r) => r.marker && verdicts.get(r.text) === 'safe');
  console.log(
    `redos: ${all.length} literals (${verdicts.size} distinct) in src/, ${prefiltered} linear by construction, ` +
      `${checked.size} checked by recheck (${computed.length} now, the rest cached), ${flagged.length} flagged, ` +
      `${flagged.filter((r) => r.marker).length} marked safe; ${Math.round((Date.now() - started) / 100) / 10} s`,
  );
  for (const r of flagged.filter((x) => x.marker))
    console.log(`  marked ${r.file}:${r.line} ${r.text}: ${r.marker}`);
  assert.deepEqual(
    unexplained.map((r) => `${r.file}:${r.line} ${r.text} — ${verdicts.get(r.text)}`),
    [],
    'super-linear patterns: rewrite them (split and trim lines), or add `// redos-safe: <why>` above',
  );
  assert.deepEqual(
    stale.map((r) => `${r.file}:${r.line} ${r.text}`),
    [],
    'markers on patterns the checker finds linear',
  );
  if (!update)
    assert.deepEqual(
      unused,
      [],
      'verdicts in test/meta/redos-verdicts.json for patterns no longer in src/: run with CROSSDOCK_REDOS_UPDATE=1',
    );
});
