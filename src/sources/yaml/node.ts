import {
  type Alias,
  Composer,
  type CST,
  type Document,
  isAlias,
  isCollection,
  isMap,
  isPair,
  isScalar,
  isSeq,
  LineCounter,
  type Node,
  Parser,
  type YAMLMap,
} from 'yaml';
import type { Site } from '../../model/deploy.js';
import type { SourceFile, Span } from '../../model/source.js';

/**
 * Limits that keep a hostile YAML file from costing more than a real one. A document past either limit is not
 * read; it becomes a problem at the node that crossed it.
 */
export const YAML_LIMITS = {
  /** Collections nested in one another, counted through aliases (what a reader recursing over the tree sees). */
  depth: 256,
  /** Nodes that aliases add to a document when expanded as a tree (a "billion laughs" needs millions). */
  aliasNodes: 100_000,
};

type Entry = { key: string; value: Y | undefined; keySite: Site };

/**
 * What every `Y` of one document shares: where each alias points and each map's entries with merge keys
 * applied, both computed once per node by `inspect` (an alias used a thousand times is resolved once).
 */
class DocIndex {
  readonly targets = new Map<Alias, Node>();
  private readonly cache = new Map<Node, Entry[]>();
  private readonly computing = new Set<Node>();

  constructor(
    readonly file: SourceFile,
    readonly doc: Document,
  ) {}

  /** The node an alias stands for (the node itself when it is no alias); undefined when the anchor is missing. */
  resolve(node: unknown): Node | undefined {
    if (isAlias(node)) return this.targets.get(node);
    return isNode(node) ? node : undefined;
  }

  entriesOf(node: Node): Entry[] {
    const cached = this.cache.get(node);
    if (cached) return cached;
    // Only reached for a node `inspect` did not see; a merge cycle then reads as no entries.
    if (!isMap(node) || this.computing.has(node)) return [];
    this.computing.add(node);
    const entries = this.mapEntries(node);
    this.computing.delete(node);
    this.cache.set(node, entries);
    return entries;
  }

  private mapEntries(map: YAMLMap): Entry[] {
    const own: Entry[] = [];
    const merged: Entry[] = [];
    for (const pair of map.items) {
      const k = pair.key;
      if (!isScalar(k)) continue;
      const keyText = String(k.value);
      if (keyText === '<<') {
        const v = this.resolve(pair.value);
        const sources = isSeq(v) ? v.items.map((i) => this.resolve(i)) : [v];
        for (const src of sources) if (isMap(src)) for (const e of this.entriesOf(src)) merged.push(e);
        continue;
      }
      const keySpan = k.range ? { start: k.range[0], end: k.range[1] } : nodeSpan(map);
      const value = this.resolve(pair.value);
      own.push({
        key: keyText,
        value: value ? new Y(this.file, value, this.doc, this) : undefined,
        keySite: { file: this.file, span: keySpan },
      });
    }
    const seen = new Set(own.map((e) => e.key));
    for (const e of merged) {
      if (seen.has(e.key)) continue;
      seen.add(e.key);
      own.push(e);
    }
    return own;
  }
}

function isNode(x: unknown): x is Node {
  return isScalar(x) || isCollection(x) || isAlias(x);
}

function nodeSpan(n: Node): Span {
  return n.range ? { start: n.range[0], end: n.range[1] } : { start: 0, end: 0 };
}

/** The nodes directly under a node, in document order (a pair's key, then its value). */
function children(n: Node): Node[] {
  if (!isCollection(n)) return [];
  const out: Node[] = [];
  for (const item of n.items as unknown[]) {
    if (isPair(item)) {
      if (isNode(item.key)) out.push(item.key);
      if (isNode(item.value)) out.push(item.value);
    } else if (isNode(item)) out.push(item);
  }
  return out;
}

type Problem = { message: string; span: Span };

/** Where a document's syntax nests collections past the limit (found without recursion), or undefined. */
function tooDeep(doc: CST.Document): Span | undefined {
  const stack: { token: CST.Token | undefined; depth: number }[] = [{ token: doc.value, depth: 0 }];
  while (stack.length > 0) {
    const { token, depth } = stack.pop()!;
    if (!token) continue;
    if (token.type !== 'block-map' && token.type !== 'block-seq' && token.type !== 'flow-collection')
      continue;
    if (depth + 1 > YAML_LIMITS.depth) return { start: token.offset, end: token.offset + 1 };
    for (const item of token.items) {
      if ('key' in item) stack.push({ token: item.key ?? undefined, depth: depth + 1 });
      stack.push({ token: item.value, depth: depth + 1 });
    }
  }
  return undefined;
}

/**
 * One pass over a document, without recursion: binds every alias to its anchor (the last one before it, as the
 * yaml library does), measures nesting and what aliases add when expanded, and applies merge keys, each map
 * after its children so merged maps are ready. Returns the first limit crossed, or undefined.
 */
function inspect(index: DocIndex, root: Node): Problem | undefined {
  const anchors = new Map<string, Node>();
  /** Expanded size (nodes) and height (nested collections, the node's own included) of each finished node. */
  const size = new Map<Node, number>();
  const height = new Map<Node, number>();
  const open = new Set<Node>();
  let added = 0;
  const stack: { node: Node; depth: number; exit: boolean }[] = [{ node: root, depth: 0, exit: false }];
  while (stack.length > 0) {
    const { node, depth, exit } = stack.pop()!;
    if (exit) {
      let s = 1;
      let h = 0;
      for (const c of children(node)) {
        s += size.get(c) ?? 1;
        h = Math.max(h, height.get(c) ?? 0);
      }
      size.set(node, s);
      height.set(node, h + 1);
      open.delete(node);
      if (isMap(node)) index.entriesOf(node);
      continue;
    }
    if (isAlias(node)) {
      const target = anchors.get(node.source);
      if (!target) continue; // a missing anchor: the value reads as absent
      if (open.has(target)) {
        return {
          message: `YAML: alias *${node.source} refers to a node that contains it`,
          span: nodeSpan(node),
        };
      }
      index.targets.set(node, target);
      const s = size.get(target) ?? 1;
      const h = height.get(target) ?? 0;
      added += s - 1;
      if (added > YAML_LIMITS.aliasNodes) {
        return {
          message: `YAML: aliases expand to more than ${YAML_LIMITS.aliasNodes} nodes (a YAML bomb?); the document is not read`,
          span: nodeSpan(node),
        };
      }
      if (depth + h > YAML_LIMITS.depth) {
        return {
          message: `YAML: alias *${node.source} nests collections more than ${YAML_LIMITS.depth} levels deep`,
          span: nodeSpan(node),
        };
      }
      size.set(node, s);
      height.set(node, h);
      continue;
    }
    if (node.anchor) anchors.set(node.anchor, node);
    if (!isCollection(node)) {
      size.set(node, 1);
      height.set(node, 0);
      continue;
    }
    if (depth + 1 > YAML_LIMITS.depth) {
      return {
        message: `YAML: collections nested more than ${YAML_LIMITS.depth} levels deep`,
        span: nodeSpan(node),
      };
    }
    open.add(node);
    stack.push({ node, depth, exit: true });
    const kids = children(node);
    for (let k = kids.length - 1; k >= 0; k--) stack.push({ node: kids[k]!, depth: depth + 1, exit: false });
  }
  return undefined;
}

/**
 * A read-only view of a YAML node that keeps where it was written. Aliases are followed and `<<` merge keys are
 * honoured on lookup, so rules see what Kubernetes or compose would see, with positions into the file.
 */
export class Y {
  readonly file: SourceFile;
  readonly node: Node;
  private readonly doc: Document;
  private readonly index: DocIndex;

  constructor(file: SourceFile, node: Node, doc: Document, index?: DocIndex) {
    this.file = file;
    this.doc = doc;
    this.node = node;
    this.index = index ?? new DocIndex(file, doc);
  }

  private wrap(node: unknown): Y | undefined {
    const n = this.index.resolve(node);
    return n ? new Y(this.file, n, this.doc, this.index) : undefined;
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

  /**
   * Map entries in order, merge keys applied as YAML 1.1 says: own keys first and winning, then each merged
   * map's keys not yet present (of several merged maps, the earlier wins), each key once, with its site.
   */
  entries(): Entry[] {
    return this.index.entriesOf(this.node);
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
/**
 * Called with a file's path each time `parseYaml` parses it: tests count parses through it (a YAML file crossdock
 * cannot use must never be parsed). Unset in normal runs.
 */
export const yamlParseHook: { onParse?: (path: string) => void } = {};

export function parseYaml(file: SourceFile): YamlParse {
  yamlParseHook.onParse?.(file.path);
  const problems: YamlParse['problems'] = [];
  const docs: Y[] = [];
  let parsed: Document.Parsed[];
  try {
    // The library's lexer and parser keep explicit stacks, but composing recurses per nested collection and, near
    // the stack's end, can take the whole process down; so documents nested too deeply are not composed.
    const lineCounter = new LineCounter();
    const tokens: CST.Token[] = [];
    for (const token of new Parser(lineCounter.addNewLine).parse(file.text)) {
      const deep = token.type === 'document' ? tooDeep(token) : undefined;
      if (deep === undefined) tokens.push(token);
      else
        problems.push({
          message: `YAML: collections nested more than ${YAML_LIMITS.depth} levels deep`,
          span: deep,
        });
    }
    parsed = [...new Composer({ uniqueKeys: false }).compose(tokens)] as Document.Parsed[];
  } catch (e) {
    problems.push({ message: `YAML: ${(e as Error).message}`, span: { start: 0, end: 0 } });
    return { docs, problems };
  }
  for (const doc of parsed) {
    const error = doc.errors[0];
    if (error) {
      // The library catches its own stack overflow on very deep nesting and reports it as this code.
      const message =
        error.code === 'RESOURCE_EXHAUSTION'
          ? `nested too deeply to read (the limit is ${YAML_LIMITS.depth} levels)`
          : (error.message.split('\n')[0] ?? error.message);
      problems.push({ message: `YAML: ${message}`, span: { start: error.pos[0], end: error.pos[1] } });
      continue;
    }
    if (!isNode(doc.contents)) continue;
    const index = new DocIndex(file, doc);
    const problem = inspect(index, doc.contents);
    if (problem) {
      problems.push(problem);
      continue;
    }
    docs.push(new Y(file, doc.contents, doc, index));
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
