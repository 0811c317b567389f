import {
  type Document,
  isAlias,
  isMap,
  isScalar,
  isSeq,
  LineCounter,
  type Node,
  parseAllDocuments,
} from 'yaml';
import type { Site } from '../../model/deploy.js';
import type { SourceFile, Span } from '../../model/source.js';

/**
 * A read-only view of a YAML node that keeps where it was written. Aliases are followed and `<<` merge keys are
 * honoured on lookup, so rules see what Kubernetes or compose would see, with positions into the file.
 */
export class Y {
  readonly file: SourceFile;
  readonly node: Node;
  private readonly doc: Document;

  constructor(file: SourceFile, node: Node, doc: Document) {
    this.file = file;
    this.doc = doc;
    this.node = node;
  }

  private wrap(node: unknown): Y | undefined {
    let n = node;
    for (let hops = 0; isAlias(n) && hops < 32; hops++) n = n.resolve(this.doc);
    if (!n || isAlias(n)) return undefined;
    return new Y(this.file, n as Node, this.doc);
  }

  get span(): Span {
    const r = this.node.range;
    return r ? { start: r[0], end: r[1] } : { start: 0, end: 0 };
  }

  get site(): Site {
    return { file: this.file, span: this.span };
  }

  get isMap(): boolean {
    return isMap(this.node);
  }

  get isSeq(): boolean {
    return isSeq(this.node);
  }

  /** Map entries in order, merge keys expanded (own keys win), with the site of each key. */
  entries(): { key: string; value: Y | undefined; keySite: Site }[] {
    this.cachedEntries ??= this.computeEntries();
    return this.cachedEntries;
  }

  private cachedEntries: { key: string; value: Y | undefined; keySite: Site }[] | undefined;

  private computeEntries(): { key: string; value: Y | undefined; keySite: Site }[] {
    if (!isMap(this.node)) return [];
    const own: { key: string; value: Y | undefined; keySite: Site }[] = [];
    const merged: { key: string; value: Y | undefined; keySite: Site }[] = [];
    for (const pair of this.node.items) {
      const k = pair.key;
      const keyText = isScalar(k) ? String(k.value) : undefined;
      if (keyText === undefined) continue;
      const keyRange = (k as Node).range;
      const keySite = {
        file: this.file,
        span: keyRange ? { start: keyRange[0], end: keyRange[1] } : this.span,
      };
      if (keyText === '<<') {
        const v = this.wrap(pair.value);
        const sources = v?.isSeq ? v.items() : v ? [v] : [];
        for (const src of sources) merged.push(...src.entries());
        continue;
      }
      own.push({ key: keyText, value: this.wrap(pair.value), keySite });
    }
    const seen = new Set(own.map((e) => e.key));
    return [...own, ...merged.filter((e) => !seen.has(e.key))];
  }

  get(key: string): Y | undefined {
    return this.entries().find((e) => e.key === key)?.value;
  }

  /** Follows a path of keys. */
  at(...keys: string[]): Y | undefined {
    let cur: Y | undefined = this;
    for (const k of keys) cur = cur?.get(k);
    return cur;
  }

  items(): Y[] {
    if (!isSeq(this.node)) return [];
    const out: Y[] = [];
    for (const item of this.node.items) {
      const y = this.wrap(item);
      if (y) out.push(y);
    }
    return out;
  }

  /** A scalar as text (numbers and booleans included); undefined for maps, sequences and null. */
  str(): string | undefined {
    if (!isScalar(this.node)) return undefined;
    const v = this.node.value;
    if (v === null || v === undefined) return undefined;
    return typeof v === 'object' ? undefined : String(v);
  }

  num(): number | undefined {
    const s = this.str();
    if (s === undefined || !/^-?\d+(\.\d+)?$/.test(s.trim())) return undefined;
    return Number(s);
  }

  bool(): boolean | undefined {
    if (!isScalar(this.node)) return undefined;
    const v = this.node.value;
    if (typeof v === 'boolean') return v;
    if (v === 'true') return true;
    if (v === 'false') return false;
    return undefined;
  }

  /** Plain JavaScript value (aliases and merges resolved). */
  toJS(): unknown {
    try {
      return this.node.toJS(this.doc, { maxAliasCount: 1000 });
    } catch {
      return undefined;
    }
  }

  /** String map (labels, annotations, selectors): non-scalar values skipped. */
  stringMap(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const e of this.entries()) {
      const v = e.value?.str();
      if (v !== undefined) out[e.key] = v;
    }
    return out;
  }
}

export interface YamlParse {
  docs: Y[];
  problems: { message: string; span: Span }[];
}

/** Parses every document of a YAML stream. Errors become problems with positions; never throws. */
export function parseYaml(file: SourceFile): YamlParse {
  const problems: YamlParse['problems'] = [];
  const docs: Y[] = [];
  let parsed: Document.Parsed[];
  try {
    parsed = parseAllDocuments(file.text, {
      lineCounter: new LineCounter(),
      uniqueKeys: false,
    }) as Document.Parsed[];
  } catch (e) {
    problems.push({ message: `YAML: ${(e as Error).message}`, span: { start: 0, end: 0 } });
    return { docs, problems };
  }
  if (!Array.isArray(parsed)) parsed = [parsed];
  for (const doc of parsed) {
    const error = doc.errors[0];
    if (error) {
      const message = error.message.split('\n')[0] ?? error.message;
      problems.push({ message: `YAML: ${message}`, span: { start: error.pos[0], end: error.pos[1] } });
      continue;
    }
    if (doc.contents) docs.push(new Y(file, doc.contents as Node, doc));
  }
  return { docs, problems };
}

/**
 * File offset of every character of a scalar's value, so a shell script inside a YAML block (`run: |`) reports
 * positions in the YAML file. Literal blocks map exactly; other scalars map from their first character.
 */
export function scalarOffsets(y: Y, value: string): number[] {
  const text = y.file.text;
  const { start, end } = y.span;
  const raw = text.slice(start, end);
  const offsets: number[] = [];
  if (raw.startsWith('|') || raw.startsWith('>')) {
    // Header line, then content lines with a common indentation.
    let pos = text.indexOf('\n', start);
    if (pos < 0) pos = end;
    else pos += 1;
    const lines: { at: number; text: string }[] = [];
    while (pos < end) {
      let nl = text.indexOf('\n', pos);
      if (nl < 0 || nl > end) nl = end;
      lines.push({ at: pos, text: text.slice(pos, nl).replace(/\r$/, '') });
      pos = nl + 1;
    }
    const indent = Math.min(
      ...lines.filter((l) => l.text.trim() !== '').map((l) => l.text.length - l.text.trimStart().length),
    );
    let li = 0;
    for (const valueLine of value.split('\n')) {
      const src = lines[li];
      const base = src ? src.at + (Number.isFinite(indent) ? Math.min(indent, src.text.length) : 0) : end;
      for (let c = 0; c < valueLine.length; c++) offsets.push(base + c);
      offsets.push(base + valueLine.length);
      li++;
    }
    return offsets;
  }
  const quoted = raw.startsWith('"') || raw.startsWith("'") ? 1 : 0;
  for (let c = 0; c <= value.length; c++)
    offsets.push(Math.min(start + quoted + c, Math.max(start, end - 1)));
  return offsets;
}
