/**
 * Renderers of a `crossdock deps` report (pure: report → text) and its exit-code policy. The JSON form is the
 * report itself, version 1 (docs/deps-json.md, docs/schemas/crossdock-deps-v1.json).
 */
import { mdCell } from '../reporters/markdown.js';
import type { DepsPackageResult, DepsReport, PlatformVerdict } from './types.js';

/** What makes `crossdock deps` exit 1, from the narrowest to the widest. */
export const FAIL_ON = ['missing', 'emulated-sdist', 'sdist', 'never'] as const;
export type FailOn = (typeof FAIL_ON)[number];

/**
 * How bad one package × platform cell is, worst first: nothing installable, a compile under emulation (compiler
 * needed, or not known), a fact not known, a compile on a native builder, then everything that installs as is
 * (an sdist known to need no compiler included).
 */
export type Problem = 'missing' | 'emulated-sdist' | 'unknown' | 'sdist' | 'ok';
const RANK: Record<Problem, number> = { missing: 0, 'emulated-sdist': 1, unknown: 2, sdist: 3, ok: 4 };

/** Platforms built under emulation by some image that installs the package. */
function emulatedFor(report: DepsReport, pkg: DepsPackageResult): Set<string> {
  const out = new Set<string>();
  for (const i of report.images) if (pkg.images.includes(i.name)) for (const p of i.emulated) out.add(p);
  return out;
}

/** The problem a verdict is, on a platform that is (or is not) built under emulation. */
export function problemOf(v: PlatformVerdict, emulated: boolean): Problem {
  if (v.status === 'missing') return 'missing';
  if (v.status === 'unknown') return 'unknown';
  // An sdist known to need no compiler builds quickly anywhere: shown in the matrix, not a problem.
  if (v.status === 'sdist' && v.needsCompiler !== false) return emulated ? 'emulated-sdist' : 'sdist';
  return 'ok';
}

export interface Cell {
  pkg: DepsPackageResult;
  platform: string;
  verdict: PlatformVerdict;
  emulated: boolean;
  problem: Problem;
}

/** Every cell of the matrix, with its problem. */
export function cellsOf(report: DepsReport): Cell[] {
  const out: Cell[] = [];
  for (const pkg of report.packages) {
    const emulated = emulatedFor(report, pkg);
    for (const [platform, verdict] of Object.entries(pkg.platforms)) {
      const e = emulated.has(platform);
      out.push({ pkg, platform, verdict, emulated: e, problem: problemOf(verdict, e) });
    }
  }
  return out;
}

/** Packages with their worst problem first, then by name and source. */
export function sortedPackages(report: DepsReport): DepsPackageResult[] {
  const worst = new Map<DepsPackageResult, number>();
  for (const c of cellsOf(report)) worst.set(c.pkg, Math.min(worst.get(c.pkg) ?? RANK.ok, RANK[c.problem]));
  return [...report.packages].sort(
    (a, b) =>
      (worst.get(a) ?? RANK.ok) - (worst.get(b) ?? RANK.ok) ||
      (a.name < b.name ? -1 : a.name > b.name ? 1 : 0) ||
      (a.source.file < b.source.file
        ? -1
        : a.source.file > b.source.file
          ? 1
          : a.source.line - b.source.line),
  );
}

/**
 * The exit code for `--fail-on`: `missing` fails on a package with nothing installable for a target platform;
 * `emulated-sdist` (the default) also on one pip compiles under emulation with a compiler needed or not known;
 * `sdist` also on one it compiles anywhere (a compiler needed or not known); `never` never fails.
 */
export function exitCodeFor(report: DepsReport, failOn: FailOn): 0 | 1 {
  if (failOn === 'never') return 0;
  const failing = (c: Cell) =>
    c.problem === 'missing' ||
    (failOn !== 'missing' && c.problem === 'emulated-sdist') ||
    (failOn === 'sdist' && c.problem === 'sdist' && c.verdict.needsCompiler !== false);
  return cellsOf(report).some(failing) ? 1 : 0;
}

export interface Summary {
  packages: number;
  platforms: number;
  missing: number;
  emulatedSdist: number;
  sdist: number;
  unknown: number;
}

export function summaryOf(report: DepsReport): Summary {
  const cells = cellsOf(report);
  const count = (p: Problem) => cells.filter((c) => c.problem === p).length;
  return {
    packages: report.packages.length,
    platforms: platformsOf(report).length,
    missing: count('missing'),
    emulatedSdist: count('emulated-sdist'),
    sdist: count('sdist'),
    unknown: count('unknown'),
  };
}

/** Every platform of the report, in the images' order. */
export function platformsOf(report: DepsReport): string[] {
  const out: string[] = [];
  for (const i of report.images)
    for (const t of i.targets) if (!out.includes(t.platform)) out.push(t.platform);
  for (const p of report.packages)
    for (const k of Object.keys(p.platforms)) if (!out.includes(k)) out.push(k);
  return out;
}

/** A cell in words: `wheel`, `pure`, `sdist: compiles`, `MISSING`, `unknown`, `-` (not required there). */
export function cellText(v: PlatformVerdict | undefined, emulated: boolean): string {
  if (!v) return '';
  const under = emulated ? ' (emulated)' : '';
  switch (v.status) {
    case 'pure':
    case 'wheel':
      return v.status;
    case 'sdist':
      return `sdist: ${v.needsCompiler === true ? 'compiles' : v.needsCompiler === false ? 'no compiler' : 'may compile'}${under}`;
    case 'missing':
      return 'MISSING';
    case 'unknown':
      return 'unknown';
    case 'not-required':
      return '-';
  }
}

function versionText(pkg: DepsPackageResult): string {
  const versions = [
    ...new Set(Object.values(pkg.platforms).flatMap((v) => (v.version === undefined ? [] : [v.version]))),
  ];
  return versions.length ? versions.join(' / ') : (pkg.version ?? '?');
}

function libcText(libc: DepsReport['images'][number]['targets'][number]['libc']): string {
  return libc ? `${libc.kind} ${libc.version}` : 'libc ?';
}

const PROBLEM_WORDS: Record<Exclude<Problem, 'ok'>, string> = {
  missing: 'nothing installable: pip fails',
  'emulated-sdist': 'compiles from source under emulation',
  unknown: 'not known',
  sdist: 'compiles from source',
};

function cellLine(c: Cell): string {
  const v = c.verdict;
  const what = PROBLEM_WORDS[c.problem as Exclude<Problem, 'ok'>];
  const detail = [
    v.status === 'sdist' && v.needsCompiler === null ? 'whether it needs a compiler is not known' : undefined,
    v.file,
    v.reason,
  ].filter(Boolean);
  return `${c.pkg.requirement} on ${c.platform}${v.version ? ` (${v.version})` : ''}: ${what}${detail.length ? ` — ${detail.join('; ')}` : ''} [${c.pkg.source.file}:${c.pkg.source.line}]`;
}

function pad(s: string, n: number): string {
  return s.length >= n ? s : s + ' '.repeat(n - s.length);
}

const ANSI: Record<Exclude<Problem, 'ok'>, string> = {
  missing: '\u001b[31m',
  'emulated-sdist': '\u001b[33m',
  unknown: '\u001b[35m',
  sdist: '\u001b[36m',
};

/** The matrix: packages × platforms, problems first, then what the problems are, the images and the notes. */
export function renderDepsText(report: DepsReport, options: { color?: boolean } = {}): string {
  const platforms = platformsOf(report);
  const packages = sortedPackages(report);
  const lines: string[] = [];
  for (const i of report.images) {
    const targets = i.targets.length
      ? i.targets
          .map(
            (t) =>
              `${t.platform}${i.emulated.includes(t.platform) ? ' (emulated)' : ''} Python ${t.python ?? '?'} ${libcText(t.libc)}`,
          )
          .join(', ')
      : 'no target platform known';
    lines.push(`${i.name}: ${targets}`);
  }
  if (report.images.length) lines.push('');
  if (packages.length === 0) lines.push('No Python requirement to check.');
  else {
    const header = ['package', 'version', ...platforms, 'source'];
    const rows = packages.map((p) => {
      const emulated = emulatedFor(report, p);
      return [
        p.name,
        versionText(p),
        ...platforms.map((pl) => cellText(p.platforms[pl], emulated.has(pl))),
        `${p.source.file}:${p.source.line}`,
      ];
    });
    const problems = packages.map((p) => {
      const emulated = emulatedFor(report, p);
      return platforms.map((pl) => {
        const v = p.platforms[pl];
        return v ? problemOf(v, emulated.has(pl)) : 'ok';
      });
    });
    const widths = header.map((h, k) => Math.max(h.length, ...rows.map((r) => (r[k] ?? '').length)));
    lines.push(
      header
        .map((h, k) => pad(h, widths[k] ?? 0))
        .join('  ')
        .trimEnd(),
    );
    rows.forEach((r, n) => {
      const cells = r.map((cell, k) => {
        const padded = pad(cell, widths[k] ?? 0);
        const problem = k >= 2 && k < 2 + platforms.length ? problems[n]?.[k - 2] : undefined;
        return options.color && problem && problem !== 'ok' ? `${ANSI[problem]}${padded}\u001b[0m` : padded;
      });
      lines.push(cells.join('  ').trimEnd());
    });
  }
  const problemCells = cellsOf(report)
    .filter((c) => c.problem !== 'ok')
    .sort((a, b) => RANK[a.problem] - RANK[b.problem]);
  if (problemCells.length) {
    lines.push('', 'Problems:');
    for (const c of problemCells) lines.push(`  ${cellLine(c)}`);
  }
  const notes = [...report.notes, ...report.images.flatMap((i) => i.notes)];
  if (notes.length) {
    lines.push('', 'Notes:');
    for (const n of [...new Set(notes)]) lines.push(`  ${n}`);
  }
  const s = summaryOf(report);
  lines.push(
    '',
    `${s.packages} package${s.packages === 1 ? '' : 's'} × ${s.platforms} platform${s.platforms === 1 ? '' : 's'}: ${s.missing} missing, ${s.emulatedSdist} compiling under emulation, ${s.unknown} unknown, ${s.sdist} compiling natively`,
  );
  return `${lines.join('\n')}\n`;
}

/** Markdown for job summaries and PR comments: the same matrix, repository text escaped. */
export function renderDepsMarkdown(report: DepsReport): string {
  const platforms = platformsOf(report);
  const s = summaryOf(report);
  const lines = [
    '## crossdock deps',
    '',
    '| Packages | Platforms | Missing | Compile under emulation | Unknown | Compile natively |',
    '| ---: | ---: | ---: | ---: | ---: | ---: |',
    `| ${s.packages} | ${s.platforms} | ${s.missing} | ${s.emulatedSdist} | ${s.unknown} | ${s.sdist} |`,
    '',
  ];
  for (const i of report.images)
    lines.push(
      `- **${mdCell(i.name)}**: ${
        i.targets
          .map(
            (t) =>
              `\`${t.platform}\`${i.emulated.includes(t.platform) ? ' (emulated)' : ''} Python ${t.python ?? '?'}, ${libcText(t.libc)}`,
          )
          .join('; ') || 'no target platform known'
      }`,
    );
  if (report.images.length) lines.push('');
  const packages = sortedPackages(report);
  if (packages.length) {
    lines.push(
      `| Package | Version | ${platforms.map((p) => `\`${p}\``).join(' | ')} | Source |`,
      `| --- | --- | ${platforms.map(() => '---').join(' | ')} | --- |`,
    );
    for (const p of packages) {
      const emulated = emulatedFor(report, p);
      const cells = platforms.map((pl) => {
        const v = p.platforms[pl];
        const text = mdCell(cellText(v, emulated.has(pl)));
        const problem = v ? problemOf(v, emulated.has(pl)) : 'ok';
        return problem === 'missing' || problem === 'emulated-sdist' ? `**${text}**` : text;
      });
      lines.push(
        `| ${mdCell(p.name)} | ${mdCell(versionText(p))} | ${cells.join(' | ')} | ${mdCell(`${p.source.file}:${p.source.line}`)} |`,
      );
    }
    lines.push('');
  } else lines.push('No Python requirement to check.', '');
  const problemCells = cellsOf(report)
    .filter((c) => c.problem !== 'ok')
    .sort((a, b) => RANK[a.problem] - RANK[b.problem]);
  if (problemCells.length) {
    lines.push('<details><summary>Problems</summary>', '');
    for (const c of problemCells) lines.push(`- ${mdCell(cellLine(c))}`);
    lines.push('', '</details>', '');
  }
  const notes = [...new Set([...report.notes, ...report.images.flatMap((i) => i.notes)])];
  if (notes.length) {
    lines.push('<details><summary>Notes</summary>', '');
    for (const n of notes) lines.push(`- ${mdCell(n)}`);
    lines.push('', '</details>', '');
  }
  return `${lines.join('\n')}`;
}

/** JSON version 1: the report as it is (docs/deps-json.md). */
export function renderDepsJson(report: DepsReport): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}
