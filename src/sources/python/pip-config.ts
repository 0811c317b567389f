import { getStaticTOMLValue, parseTOML } from 'toml-eslint-parser';
import type { SourceFile, Span } from '../../model/source.js';

/** Index settings of a pip (`pip.conf`, `pip.ini`) or uv (`uv.toml`) configuration file, where each is written. */
export interface IndexConfig {
  path: string;
  tool: 'pip' | 'uv';
  indexUrl: { value: string; span: Span } | undefined;
  extraIndexUrls: { value: string; span: Span }[];
  /** `only-binary = :all:` (pip), `no-build = true` or `only-binary = [":all:"]` (uv). */
  onlyBinary: { span: Span } | undefined;
  problems: { message: string; span: Span }[];
}

const SECTION = /^\[([^\]]+)\]\s*$/;
const KEY = /^([A-Za-z0-9_-]+)\s*[=:]\s*/;

/**
 * pip's INI configuration: the `[global]`, `[install]` and `[download]` sections' `index-url`, `extra-index-url`
 * (blank- or line-separated, continued on indented lines) and `only-binary`. Other keys are left alone.
 */
export function parsePipConf(file: SourceFile): IndexConfig {
  const out: IndexConfig = {
    path: file.path,
    tool: 'pip',
    indexUrl: undefined,
    extraIndexUrls: [],
    onlyBinary: undefined,
    problems: [],
  };
  let section = '';
  let key = '';
  let offset = 0;
  for (const line of file.text.split('\n')) {
    const start = offset;
    offset += line.length + 1;
    const text = line.replace(/\r$/, '');
    const trimmed = text.trim();
    if (trimmed === '' || trimmed.startsWith('#') || trimmed.startsWith(';')) continue;
    const s = SECTION.exec(trimmed);
    if (s) {
      section = (s[1] ?? '').trim().toLowerCase();
      key = '';
      continue;
    }
    if (!['global', 'install', 'download'].includes(section)) continue;
    const lead = text.length - text.trimStart().length;
    const span = { start: start + lead, end: start + text.length };
    let values: string;
    const k = lead === 0 ? KEY.exec(trimmed) : null;
    if (k) {
      key = (k[1] ?? '').toLowerCase().replace(/_/g, '-');
      values = trimmed.slice(k[0].length);
    } else if (lead > 0 && key) values = trimmed;
    else continue;
    for (const v of values.split(/\s+/).filter(Boolean)) {
      if (key === 'index-url' || key === 'i') out.indexUrl = { value: v, span };
      else if (key === 'extra-index-url') out.extraIndexUrls.push({ value: v, span });
      else if (key === 'only-binary' && v === ':all:') out.onlyBinary = { span };
    }
  }
  return out;
}

function record(x: unknown): Record<string, unknown> | undefined {
  return typeof x === 'object' && x !== null && !Array.isArray(x)
    ? (x as Record<string, unknown>)
    : undefined;
}

function strings(x: unknown): string[] {
  if (typeof x === 'string') return [x];
  return Array.isArray(x) ? x.filter((v): v is string => typeof v === 'string') : [];
}

/**
 * uv's `uv.toml` (and the same keys of `[tool.uv]`): `index-url`/`extra-index-url` at the top or under `[pip]`,
 * `[[index]]` tables (the one with `default = true` replaces the default index, the others are extra), `no-build`
 * and `only-binary = [":all:"]`. Positions are the key's first occurrence in the file.
 */
export function parseUvToml(file: SourceFile): IndexConfig {
  const out: IndexConfig = {
    path: file.path,
    tool: 'uv',
    indexUrl: undefined,
    extraIndexUrls: [],
    onlyBinary: undefined,
    problems: [],
  };
  const spanOf = (needle: string): Span => {
    const at = Math.max(0, file.text.indexOf(needle));
    const end = file.text.indexOf('\n', at);
    return { start: at, end: end < 0 ? file.text.length : end };
  };
  let value: Record<string, unknown> | undefined;
  try {
    value = record(getStaticTOMLValue(parseTOML(file.text)));
  } catch (e) {
    out.problems.push({
      message: `${file.path} is not valid TOML: ${e instanceof Error ? e.message : String(e)}`,
      span: { start: 0, end: 0 },
    });
    return out;
  }
  for (const table of [value, record(value?.pip)]) {
    const index = strings(table?.['index-url'])[0];
    if (index !== undefined) out.indexUrl = { value: index, span: spanOf('index-url') };
    for (const u of strings(table?.['extra-index-url']))
      out.extraIndexUrls.push({ value: u, span: spanOf('extra-index-url') });
    if (table?.['no-build'] === true) out.onlyBinary = { span: spanOf('no-build') };
    if (strings(table?.['only-binary']).includes(':all:')) out.onlyBinary = { span: spanOf('only-binary') };
  }
  const indexes = Array.isArray(value?.index) ? value.index : [];
  for (const entry of indexes) {
    const t = record(entry);
    const url = typeof t?.url === 'string' ? t.url : undefined;
    if (!url) continue;
    if (t?.default === true) out.indexUrl = { value: url, span: spanOf(url) };
    else out.extraIndexUrls.push({ value: url, span: spanOf(url) });
  }
  return out;
}

/** A pip or uv configuration file, by name: `pip.conf`, `pip.ini`, `uv.toml`. */
export function isIndexConfigPath(path: string): boolean {
  return /(^|\/)(pip\.conf|pip\.ini|uv\.toml)$/.test(path);
}
