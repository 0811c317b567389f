import { SMOKE_CHECK_IDS, type SmokeContract, type SmokePlatformResult, type SmokeStatus } from './types.js';

/**
 * The three renderings of a smoke run: a text matrix (check × platform) and the failures with their evidence,
 * the JSON document (version 1, docs/smoke.md, docs/schemas/crossdock-smoke-v1.json) and Markdown for job
 * summaries. Pure: the run in, a string out.
 */
export interface SmokeRun {
  image: { reference: string; digest: string | undefined };
  contract: SmokeContract;
  platforms: SmokePlatformResult[];
  durationMs: number;
}

/** One `crossdock smoke` invocation: an image against one contract per deployment that uses it. */
export interface SmokeReport {
  tool: { name: string; version: string };
  image: { reference: string; digest: string | undefined };
  runs: { contract: SmokeContract; platforms: SmokePlatformResult[] }[];
  durationMs: number;
}

export type SmokeOutcome = 'pass' | 'fail' | 'error';

/** error (exit 2): a platform's image or container could not be obtained; fail (1): a check failed. */
export function outcome(platforms: SmokePlatformResult[]): SmokeOutcome {
  if (platforms.some((p) => p.error !== undefined)) return 'error';
  if (platforms.some((p) => p.runner.kind === 'not-runnable' || p.checks.some((c) => c.status === 'fail')))
    return 'fail';
  return 'pass';
}

export function exitCode(o: SmokeOutcome): number {
  return o === 'pass' ? 0 : o === 'fail' ? 1 : 2;
}

const MARK: Record<SmokeStatus, string> = { pass: '✓', fail: '✗', 'not-applicable': '–', 'not-run': '?' };

function runnerText(p: SmokePlatformResult): string {
  const r = p.runner;
  return r.kind === 'not-runnable'
    ? `not runnable: ${r.reason}`
    : `${r.kind === 'qemu' ? 'QEMU' : 'native'}, ${r.engine}`;
}

function matrix(platforms: SmokePlatformResult[], mark: (s: SmokeStatus | undefined) => string): string[][] {
  return SMOKE_CHECK_IDS.map((id) => [
    id,
    ...platforms.map((p) => mark(p.checks.find((c) => c.id === id)?.status)),
  ]);
}

export function renderText(run: SmokeRun): string {
  const o = outcome(run.platforms);
  const lines = [
    `crossdock smoke ${run.image.reference}${run.image.digest ? ` (${run.image.digest.slice(0, 19)}…)` : ''}`,
    `contract: ${run.contract.name}, ${run.contract.lifecycle}`,
    '',
  ];
  const rows = [
    ['check', ...run.platforms.map((p) => p.platform)],
    ...matrix(run.platforms, (s) => (s ? MARK[s] : ' ')),
  ];
  const widths = (rows[0] ?? []).map((_c, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  for (const r of rows)
    lines.push(
      r
        .map((c, i) => c.padEnd(widths[i] ?? 0))
        .join('  ')
        .trimEnd(),
    );
  lines.push('', ...run.platforms.map((p) => `${p.platform}: ${runnerText(p)}`));
  const failures = run.platforms.flatMap((p) =>
    p.checks.filter((c) => c.status === 'fail').map((c) => ({ p, c })),
  );
  const errors = run.platforms.filter((p) => p.error !== undefined || p.runner.kind === 'not-runnable');
  if (failures.length || errors.length) lines.push('', 'Failures:');
  for (const p of errors) {
    if (p.runner.kind === 'not-runnable')
      lines.push(`  ${p.platform}: not runnable: ${p.runner.reason}`, `    fix: ${p.runner.fix}`);
    else lines.push(`  ${p.platform}: ${p.error}`);
  }
  for (const { p, c } of failures) {
    lines.push(`  ${p.platform} ${c.id}: ${c.summary}`);
    for (const e of c.evidence) lines.push(`    ${e}`);
  }
  for (const e of run.contract.envNotProvided)
    lines.push(
      `note: ${e.name ?? e.what} is not provided (${e.what}, ${e.source.file}${e.source.line ? `:${e.source.line}` : ''})`,
    );
  lines.push(
    '',
    `${o === 'pass' ? 'passed' : o === 'fail' ? 'failed' : 'could not run'} in ${(run.durationMs / 1000).toFixed(1)} s (✓ pass, ✗ fail, – not applicable, ? not run)`,
  );
  return `${lines.join('\n')}\n`;
}

function escapeCell(s: string): string {
  return s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

export function renderMarkdown(run: SmokeRun): string {
  const o = outcome(run.platforms);
  const icon: Record<SmokeStatus, string> = {
    pass: '✅',
    fail: '❌',
    'not-applicable': '–',
    'not-run': '❔',
  };
  const lines = [
    `### crossdock smoke: ${o === 'pass' ? 'passed' : o === 'fail' ? 'failed' : 'could not run'}`,
    '',
    `\`${escapeCell(run.image.reference)}\`, contract **${escapeCell(run.contract.name)}** (${run.contract.lifecycle})`,
    '',
    `| check | ${run.platforms.map((p) => p.platform).join(' | ')} |`,
    `|---|${run.platforms.map(() => '---').join('|')}|`,
    ...matrix(run.platforms, (s) => (s ? icon[s] : '')).map((r) => `| ${r.join(' | ')} |`),
  ];
  const failures = run.platforms.flatMap((p) =>
    p.checks.filter((c) => c.status === 'fail').map((c) => ({ p, c })),
  );
  if (failures.length || run.platforms.some((p) => p.error || p.runner.kind === 'not-runnable'))
    lines.push('', '#### Failures', '');
  for (const p of run.platforms) {
    if (p.runner.kind === 'not-runnable')
      lines.push(`- **${p.platform}**: not runnable: ${p.runner.reason} (fix: ${p.runner.fix})`);
    else if (p.error) lines.push(`- **${p.platform}**: ${escapeCell(p.error)}`);
  }
  for (const { p, c } of failures) {
    lines.push(`- **${p.platform} ${c.id}**: ${escapeCell(c.summary)}`);
    for (const e of c.evidence) lines.push(`  - \`${e.replace(/`/g, "'")}\``);
  }
  return `${lines.join('\n')}\n`;
}

/** The contract as published: env names only (values may be secrets), everything else as derived. */
function contractJson(c: SmokeContract): Record<string, unknown> {
  return {
    name: c.name,
    image: c.image ?? null,
    lifecycle: c.lifecycle,
    entrypoint: c.entrypoint ?? null,
    cmd: c.cmd ?? null,
    envNames: Object.keys(c.env).sort(),
    envNotProvided: c.envNotProvided.map((e) => ({ name: e.name ?? null, what: e.what, source: e.source })),
    user: c.user,
    workingDir: c.workingDir ?? null,
    ports: c.ports,
    probes: c.probes,
    terminationGracePeriodSeconds: c.terminationGracePeriodSeconds,
    expectExit: c.expectExit ?? null,
    pythonImports: c.pythonImports,
    sources: c.sources,
  };
}

/** The worst outcome over every run (error > fail > pass). */
export function reportOutcome(report: SmokeReport): SmokeOutcome {
  const all = report.runs.map((r) => outcome(r.platforms));
  return all.includes('error') ? 'error' : all.includes('fail') ? 'fail' : 'pass';
}

function runsOf(report: SmokeReport): SmokeRun[] {
  return report.runs.map((r) => ({
    image: report.image,
    contract: r.contract,
    platforms: r.platforms,
    durationMs: report.durationMs,
  }));
}

export function renderReport(report: SmokeReport, format: 'text' | 'json' | 'markdown'): string {
  if (format === 'json') return renderJson(report);
  return runsOf(report)
    .map((r) => (format === 'markdown' ? renderMarkdown(r) : renderText(r)))
    .join('\n');
}

export function renderJson(report: SmokeReport): string {
  const o = reportOutcome(report);
  const doc = {
    version: 1,
    tool: report.tool,
    command: 'smoke',
    image: { reference: report.image.reference, digest: report.image.digest ?? null },
    result: o,
    exitCode: exitCode(o),
    runs: report.runs.map((r) => ({
      contract: contractJson(r.contract),
      result: outcome(r.platforms),
      platforms: r.platforms,
    })),
    durationMs: report.durationMs,
  };
  return `${JSON.stringify(doc, null, 2)}\n`;
}
