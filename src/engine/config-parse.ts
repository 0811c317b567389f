import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Node } from 'yaml';
import { ConfigError } from '../errors.js';
import { parsePlatform, type Platform } from '../model/platform.js';
import type { CrossdockConfig } from '../model/project.js';
import { emptyConfig, KNOWN_CONFIG_KEYS } from './config.js';

/* crossdock.yaml parsing and validation, apart from config.ts so that finding no config file loads no YAML parser. */

const SEVERITY_VALUES = new Set(['error', 'warning', 'info', 'off']);

/** Parses crossdock.yaml text. Errors are ConfigError naming file:line:column and the fix. */
export function parseConfig(path: string, text: string): CrossdockConfig {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false });
  const where = (node: Node | null | undefined): string => {
    const offset = node?.range?.[0] ?? 0;
    const p = lineCounter.linePos(offset);
    return `${path}:${p.line}:${p.col}`;
  };
  const fail = (node: Node | null | undefined, message: string, hint: string): never => {
    throw new ConfigError(`${where(node)}: ${message}`, { hint });
  };
  const firstError = doc.errors[0];
  if (firstError) {
    const p = lineCounter.linePos(firstError.pos[0]);
    throw new ConfigError(`${path}:${p.line}:${p.col}: invalid YAML: ${firstError.message.split('\n')[0]}`, {
      hint: 'fix the YAML syntax of the crossdock config file',
    });
  }
  const config: CrossdockConfig = { ...emptyConfig(), path };
  const contents = doc.contents;
  if (contents === null || (isScalar(contents) && contents.value === null)) return config;
  if (!isMap(contents))
    return fail(contents, 'the config must be a mapping', 'start the file with keys such as `platforms:`');
  const raw = doc.toJS() as unknown;
  if (typeof raw === 'object' && raw !== null && !Array.isArray(raw)) config.raw = { ...raw };

  for (const pair of contents.items) {
    const keyNode = pair.key;
    const key = isScalar(keyNode) ? String(keyNode.value) : '';
    const value = pair.value as Node | null;
    if (!(KNOWN_CONFIG_KEYS as readonly string[]).includes(key)) {
      fail(keyNode as Node, `unknown key "${key}"`, `known keys: ${KNOWN_CONFIG_KEYS.join(', ')}`);
    }
    if (key === 'version') {
      if (!isScalar(value) || value.value !== 1)
        fail(value, 'version must be 1', 'write `version: 1` or remove the key');
    } else if (key === 'platforms') {
      if (!isSeq(value)) {
        fail(value, '`platforms` must be a list', 'write e.g. `platforms: [linux/amd64, linux/arm64]`');
        continue;
      }
      const platforms: Platform[] = [];
      for (const item of value.items) {
        const text = isScalar(item) ? String(item.value) : '';
        const platform = parsePlatform(text);
        if (!platform)
          fail(
            item as Node,
            `"${text}" is not a platform`,
            'use os/arch[/variant], e.g. linux/arm64 or linux/arm/v7',
          );
        else platforms.push(platform);
      }
      if (platforms.length === 0)
        fail(value, '`platforms` is empty', 'list at least one platform, e.g. linux/amd64');
      config.platforms = platforms;
    } else if (key === 'rules') {
      if (!isMap(value)) {
        fail(
          value,
          '`rules` must map rule ids to a severity',
          'write e.g. `rules: { unpinned-dependency: off }`',
        );
        continue;
      }
      for (const rp of value.items) {
        const id = isScalar(rp.key) ? String(rp.key.value) : '';
        const sev = isScalar(rp.value) ? String(rp.value.value) : '';
        if (!SEVERITY_VALUES.has(sev)) {
          fail(
            (rp.value ?? rp.key) as Node,
            `severity "${sev}" for rule "${id}" is not one of error, warning, info, off`,
            'use error, warning, info or off',
          );
        }
        config.rules[id] = sev as 'error' | 'warning' | 'info' | 'off';
      }
    } else if (key === 'ignore') {
      if (!isSeq(value) || !value.items.every((i) => isScalar(i) && typeof i.value === 'string')) {
        fail(
          value,
          '`ignore` must be a list of path patterns',
          'write e.g. `ignore: ["vendor/**", "legacy/"]`',
        );
        continue;
      }
      config.ignore = value.items.map((i) => String((i as { value: unknown }).value));
    } else if (key === 'runners') {
      checkRunners(value, fail);
    } else if (key === 'smoke') {
      checkSmoke(value, fail);
    }
  }
  return config;
}

const SMOKE_HINT = 'write e.g. `smoke: { pythonImports: [numpy, app.main] }`';
const PYTHON_MODULE = /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$/;

/** `smoke:`: settings of `crossdock smoke`; today `pythonImports`, modules every platform must import. */
function checkSmoke(
  value: Node | null,
  fail: (node: Node | null | undefined, message: string, hint: string) => never,
): void {
  if (!isMap(value)) fail(value, '`smoke` must be a map of smoke settings', SMOKE_HINT);
  for (const p of value.items) {
    const k = isScalar(p.key) ? String(p.key.value) : '';
    if (k !== 'pythonImports') fail(p.key as Node, `smoke: unknown key "${k}"`, SMOKE_HINT);
    const list = p.value as Node | null;
    if (!isSeq(list)) fail(list, '`smoke.pythonImports` must be a list of Python module names', SMOKE_HINT);
    for (const m of list.items)
      if (!isScalar(m) || typeof m.value !== 'string' || !PYTHON_MODULE.test(m.value))
        fail(
          m as Node,
          '`smoke.pythonImports`: each entry must be a module name like `numpy` or `app.main`',
          SMOKE_HINT,
        );
  }
}

const RUNNERS_HINT = 'write e.g. `runners: [[self-hosted, linux, arm64], { labels: [self-hosted, gpu] }]`';

/** `runners:`: label sets of the self-hosted runners kept online, each a list of labels or `{ labels: [...] }`. */
function checkRunners(
  value: Node | null,
  fail: (node: Node | null | undefined, message: string, hint: string) => never,
): void {
  const labels = (node: Node | null, what: string): void => {
    if (!isSeq(node) || node.items.length === 0)
      fail(node, `${what} must be a non-empty list of runner labels`, RUNNERS_HINT);
    for (const l of node.items)
      if (!isScalar(l) || typeof l.value !== 'string' || l.value === '')
        fail(l as Node, `${what}: a runner label must be a non-empty string`, RUNNERS_HINT);
  };
  if (!isSeq(value)) fail(value, '`runners` must be a list of runner label sets', RUNNERS_HINT);
  value.items.forEach((item, i) => {
    if (isMap(item)) {
      for (const p of item.items) {
        const k = isScalar(p.key) ? String(p.key.value) : '';
        if (k !== 'labels')
          fail(p.key as Node, `runners[${i}]: unknown key "${k}"`, 'a runner entry has one key, `labels:`');
      }
      const pair = item.items[0];
      if (!pair) fail(item, `runners[${i}] has no labels`, RUNNERS_HINT);
      labels(pair.value as Node | null, `runners[${i}].labels`);
    } else labels(item as Node | null, `runners[${i}]`);
  });
}
