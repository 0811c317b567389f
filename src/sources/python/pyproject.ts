import { parseTOML } from 'toml-eslint-parser';
import type { PyProject, PyRequirement } from '../../model/python.js';
import type { SourceFile, Span } from '../../model/source.js';
import { parseRequirementText } from './pep508.js';

/** Minimal structural view of toml-eslint-parser's AST nodes: only what is read here. */
interface TomlNode {
  type: string;
  range: [number, number];
  resolvedKey?: (string | number)[];
  key?: { keys: { name?: string; value?: string }[] };
  value?: TomlNode;
  body?: TomlNode[];
  elements?: TomlNode[];
  kind?: string;
}

function isTomlNode(x: unknown): x is TomlNode {
  return typeof x === 'object' && x !== null && 'type' in x && 'range' in x;
}

function keyOf(n: TomlNode): string[] {
  return (n.key?.keys ?? []).map((k) => String(k.name ?? k.value ?? ''));
}

function stringValue(n: TomlNode | undefined, text: string): { value: string; span: Span } | undefined {
  if (n?.type !== 'TOMLValue' || n.kind?.includes('string') !== true) return undefined;
  const raw = text.slice(n.range[0], n.range[1]);
  const q = raw.startsWith('"""') || raw.startsWith("'''") ? 3 : 1;
  const inner = raw.slice(q, raw.length - q);
  return {
    value: raw.startsWith("'") ? inner : inner.replace(/\\"/g, '"').replace(/\\\\/g, '\\'),
    span: { start: n.range[0], end: n.range[1] },
  };
}

function requirementList(n: TomlNode | undefined, text: string): PyRequirement[] {
  const out: PyRequirement[] = [];
  for (const el of n?.elements ?? []) {
    const s = stringValue(el, text);
    if (!s) continue;
    const r = parseRequirementText(s.value, s.span);
    if (r) out.push(r);
  }
  return out;
}

/** Poetry's `^3.10` / `~3.10` / `3.10.*` → a PEP 440 specifier. */
export function poetryToPep440(range: string): string {
  return range
    .split(',')
    .map((part) => {
      const p = part.trim();
      const caret = /^\^(\d+)(?:\.(\d+))?(?:\.(\d+))?$/.exec(p);
      if (caret) {
        const [maj, min] = [Number(caret[1]), caret[2]];
        const upper = maj > 0 ? `${maj + 1}.0` : `0.${Number(min ?? 0) + 1}`;
        return `>=${p.slice(1)},<${upper}`;
      }
      const tilde = /^~(\d+)(?:\.(\d+))?/.exec(p);
      if (tilde)
        return `>=${p.slice(1)},<${tilde[2] === undefined ? Number(tilde[1]) + 1 : `${tilde[1]}.${Number(tilde[2]) + 1}`}`;
      if (/^\d/.test(p)) return `==${p}`;
      return p;
    })
    .join(',');
}

export function parsePyproject(file: SourceFile): PyProject {
  const out: PyProject = {
    path: file.path,
    name: undefined,
    requiresPython: undefined,
    dependencies: [],
    optionalDependencies: {},
    project: false,
    dynamic: [],
    poetry: false,
    problems: [],
  };
  let ast: unknown;
  try {
    ast = parseTOML(file.text);
  } catch (e) {
    const index =
      typeof e === 'object' && e !== null && 'index' in e && typeof e.index === 'number' ? e.index : 0;
    const message = e instanceof Error ? e.message : String(e);
    out.problems.push({ message: `invalid TOML: ${message}`, span: { start: index, end: index + 1 } });
    return out;
  }
  const top = isTomlNode(ast) ? ast.body?.[0] : undefined;
  for (const table of top?.body ?? []) {
    if (table.type !== 'TOMLTable') continue;
    const tkey = (table.resolvedKey ?? []).map(String).join('.');
    if (tkey === 'project' || tkey.startsWith('project.')) out.project = true;
    if (tkey === 'tool.poetry.dependencies') out.poetry = true;
    for (const kv of table.body ?? []) {
      if (kv.type !== 'TOMLKeyValue') continue;
      const key = [tkey, ...keyOf(kv)].filter(Boolean).join('.');
      if (key.startsWith('tool.poetry.dependencies')) out.poetry = true;
      if (key === 'project.name') out.name = stringValue(kv.value, file.text)?.value;
      else if (key === 'project.requires-python') out.requiresPython = stringValue(kv.value, file.text);
      else if (key === 'project.dependencies') out.dependencies = requirementList(kv.value, file.text);
      else if (key === 'project.dynamic')
        out.dynamic = (kv.value?.elements ?? []).flatMap((e) => {
          const v = stringValue(e, file.text)?.value;
          return v === undefined ? [] : [v];
        });
      else if (tkey === 'project.optional-dependencies') {
        out.optionalDependencies[keyOf(kv).join('.')] = requirementList(kv.value, file.text);
      } else if (
        key === 'tool.poetry.dependencies.python' ||
        (tkey === 'tool.poetry.dependencies' && keyOf(kv)[0] === 'python')
      ) {
        const s = stringValue(kv.value, file.text);
        if (s && !out.requiresPython) out.requiresPython = { value: poetryToPep440(s.value), span: s.span };
      }
    }
  }
  return out;
}
