/**
 * Replays the "facts, not guesses" regression cases (test/engine/facts.cases.ts) through a crossdock CLI given on
 * the command line, each case as a real git repository on disk, and says which cases that build gets wrong.
 * Used to show that the cases fail on an older build: `node --import tsx scripts/replay-facts.ts /old/bin/crossdock.js`.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { CASES } from '../test/engine/facts.cases.js';

const cli = process.argv[2];
if (!cli) {
  console.error('usage: replay-facts.ts <path to bin/crossdock.js>');
  process.exit(2);
}
const git = (cwd: string, ...args: string[]) =>
  spawnSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@t', ...args], { cwd, encoding: 'utf8' });
let wrong = 0;
for (const c of CASES) {
  const root = mkdtempSync(join(tmpdir(), 'crossdock-replay-'));
  try {
    const ignored = Object.keys(c.repo.ignored ?? {});
    const files: Record<string, string | Buffer> = { ...c.repo.files };
    if (ignored.length) files['.gitignore'] = `${String(files['.gitignore'] ?? '')}\n${ignored.join('\n')}\n`;
    for (const [p, t] of Object.entries(files)) {
      mkdirSync(dirname(join(root, p)), { recursive: true });
      writeFileSync(join(root, p), t);
    }
    for (const [l, t] of Object.entries(c.repo.symlinks ?? {})) {
      mkdirSync(dirname(join(root, l)), { recursive: true });
      symlinkSync(t, join(root, l));
    }
    git(root, 'init', '-q', '-b', 'main');
    git(root, 'add', '-A');
    for (const [p, sha] of Object.entries(c.repo.gitlinks ?? {}))
      git(root, 'update-index', '--add', '--cacheinfo', `160000,${sha},${p}`);
    git(root, 'commit', '-qm', 'case');
    for (const [p, t] of Object.entries({ ...c.repo.untracked, ...c.repo.ignored })) {
      mkdirSync(dirname(join(root, p)), { recursive: true });
      writeFileSync(join(root, p), t);
    }
    const r = spawnSync(process.execPath, [cli, 'check', root, '--format', 'json', '--fail-on', 'never'], {
      encoding: 'utf8',
    });
    const findings: { ruleId: string; severity: string; file: string; line: number }[] = JSON.parse(
      r.stdout || '{"findings":[]}',
    ).findings;
    const problems: string[] = [];
    for (const spec of c.absent) {
      const [head = '', where] = spec.split('@');
      const [rule, severity] = head.split('#');
      const hits = findings.filter(
        (f) =>
          f.ruleId === rule &&
          (!severity || f.severity === severity) &&
          (!where || `${f.file}:${f.line}` === where),
      );
      if (hits.length)
        problems.push(
          `reports ${hits.map((f) => `${f.ruleId} ${f.severity} ${f.file}:${f.line}`).join(', ')}`,
        );
    }
    for (const spec of c.present ?? []) {
      const [rule, severity, where] = spec.split(' ');
      if (
        !findings.some((f) => f.ruleId === rule && f.severity === severity && `${f.file}:${f.line}` === where)
      )
        problems.push(`misses ${spec}`);
    }
    if (problems.length) wrong++;
    console.log(
      `${problems.length ? 'WRONG' : 'ok   '} ${c.name}${problems.length ? `\n        ${problems.join('\n        ')}` : ''}`,
    );
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}
console.log(`\n${wrong} of ${CASES.length} cases wrong with ${cli}`);
