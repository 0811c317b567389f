import { createHash } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import type { Severity } from '../model/finding.js';
import type { SourceFile } from '../model/source.js';
import type { RunResult } from './types.js';

const DOCS = 'https://github.com/crossdock/crossdock/blob/main/docs/rules/';
const LEVEL: Record<Severity, 'error' | 'warning' | 'note'> = {
  error: 'error',
  warning: 'warning',
  info: 'note',
};

/**
 * SARIF 2.1.0, one run. `partialFingerprints["crossdock/v1"]` hashes the rule id, file, the flagged line's text
 * (whitespace-normalised) and the occurrence index of that triple, so it survives lines moving up or down.
 */
export function renderSarif(result: RunResult, opts: { sources?: Map<string, SourceFile> }): string {
  const ruleIndex = new Map(result.rules.map((r, i) => [r.id, i]));
  const rules = result.rules.map((r) => ({
    id: r.id,
    name: r.id
      .split('-')
      .map((w) => (w[0] ?? '').toUpperCase() + w.slice(1))
      .join(''),
    shortDescription: { text: r.summary },
    helpUri: `${DOCS}${r.id}.md`,
    defaultConfiguration: { level: LEVEL[r.severity] },
    properties: { category: r.category },
  }));
  const seen = new Map<string, number>();
  const results = result.findings.map((f) => {
    const lineText = (f.file ? opts.sources?.get(f.file)?.lineText(f.line) : undefined) ?? f.message;
    const key = `${f.ruleId}\0${f.file}\0${lineText.replace(/\s+/g, ' ').trim()}`;
    const n = seen.get(key) ?? 0;
    seen.set(key, n + 1);
    const fingerprint = createHash('sha256').update(`${key}\0${n}`).digest('hex');
    const idx = ruleIndex.get(f.ruleId);
    return {
      ruleId: f.ruleId,
      ...(idx === undefined ? {} : { ruleIndex: idx }),
      level: LEVEL[f.severity],
      message: { text: f.hint ? `${f.message}\nFix: ${f.hint}` : f.message },
      locations: f.file
        ? [
            {
              physicalLocation: {
                artifactLocation: { uri: encodeURI(f.file), uriBaseId: '%SRCROOT%' },
                region: {
                  startLine: f.line,
                  startColumn: f.column,
                  endLine: f.endLine,
                  endColumn: f.endColumn,
                },
              },
            },
          ]
        : [],
      relatedLocations: [
        ...f.related.map((r) => ({ message: r.message, file: r.file, line: r.line, column: r.column })),
        ...(f.sites ?? []).map((s) => ({ message: 'the same problem, reached from here', ...s })),
      ].map((r, i) => ({
        id: i,
        message: { text: r.message },
        physicalLocation: {
          artifactLocation: { uri: encodeURI(r.file), uriBaseId: '%SRCROOT%' },
          region: { startLine: r.line, startColumn: r.column },
        },
      })),
      ...(f.reachable === false ? { properties: { reachable: false } } : {}),
      partialFingerprints: { 'crossdock/v1': fingerprint },
    };
  });
  const rootUri = result.root ? `${pathToFileURL(result.root).href.replace(/\/?$/, '/')}` : undefined;
  const log = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'crossdock',
            version: result.tool.version,
            semanticVersion: result.tool.version,
            informationUri: 'https://github.com/crossdock/crossdock',
            rules,
          },
        },
        ...(rootUri ? { originalUriBaseIds: { '%SRCROOT%': { uri: rootUri } } } : {}),
        results,
        invocations: [
          {
            executionSuccessful: true,
            toolExecutionNotifications: result.notes.map((n) => ({ level: 'note', message: { text: n } })),
          },
        ],
      },
    ],
  };
  return `${JSON.stringify(log, null, 2)}\n`;
}
