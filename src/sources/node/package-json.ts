import { isMap, isScalar, parseDocument } from 'yaml';
import type { Nvmrc, PackageJson } from '../../model/node.js';
import type { SourceFile } from '../../model/source.js';
import { firstValueLine } from '../python/version-file.js';

/** package.json with positions: validity by JSON.parse (exact error offset), positions from yaml's JSON-compatible AST. */
export function parsePackageJson(file: SourceFile): PackageJson {
  const out: PackageJson = {
    path: file.path,
    name: undefined,
    enginesNode: undefined,
    dependencies: [],
    scripts: [],
    problems: [],
  };
  try {
    JSON.parse(file.text);
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    const pos = Number(/position (\d+)/.exec(msg)?.[1] ?? 0);
    out.problems.push({ message: `invalid JSON: ${msg}`, span: { start: pos, end: pos + 1 } });
    return out;
  }
  const doc = parseDocument(file.text);
  const root = doc.contents;
  if (!isMap(root)) return out;
  for (const pair of root.items) {
    const key = isScalar(pair.key) ? String(pair.key.value) : '';
    const value = pair.value;
    if (key === 'name' && isScalar(value)) out.name = String(value.value);
    if (key === 'scripts' && isMap(value))
      for (const e of value.items)
        if (isScalar(e.key) && isScalar(e.value) && typeof e.value.value === 'string' && e.value.range)
          out.scripts.push({
            name: String(e.key.value),
            command: e.value.value,
            span: { start: e.value.range[0] + 1, end: e.value.range[1] - 1 },
          });
    if (key === 'engines' && isMap(value)) {
      for (const e of value.items) {
        if (isScalar(e.key) && e.key.value === 'node' && isScalar(e.value) && e.value.range) {
          out.enginesNode = {
            value: String(e.value.value),
            span: { start: e.value.range[0], end: e.value.range[1] },
          };
        }
      }
    }
    if (
      (key === 'dependencies' || key === 'devDependencies' || key === 'optionalDependencies') &&
      isMap(value)
    ) {
      for (const d of value.items) {
        if (!isScalar(d.key) || !d.key.range) continue;
        out.dependencies.push({
          name: String(d.key.value),
          range: isScalar(d.value) ? String(d.value.value) : '',
          dev: key === 'devDependencies',
          span: {
            start: d.key.range[0],
            end: isScalar(d.value) && d.value.range ? d.value.range[1] : d.key.range[1],
          },
        });
      }
    }
  }
  return out;
}

/** `.nvmrc` / `.node-version`: first non-comment line (`20`, `v20.11.1`, `lts/iron`). */
export function parseNvmrc(file: SourceFile): Nvmrc | undefined {
  const line = firstValueLine(file.text);
  if (!line) return undefined;
  return { path: file.path, version: line.value.replace(/^v/, ''), span: line.span };
}
