import type { HelmPortUse, HelmTemplate, HelmValues, Located } from '../../model/deploy.js';
import type { SourceFile } from '../../model/source.js';
import { cutAtFirst } from '../../model/text.js';
import type { Y } from '../yaml/node.js';

/**
 * What crossdock reads from a Helm chart's templates without rendering them: the object kinds, the values path of
 * the workload's image, and the ports its containers, probes and Services use, each either a number written in
 * the template or a `{{ .Values.a.b }}` reference. Only what renders whatever the values say is read: a line inside
 * an `if`/`range`/`with` block is skipped (it may not render), except the one shape whose condition is its own
 * content (`{{- with .Values.livenessProbe }} livenessProbe: {{- toYaml . | nindent N }} {{- end }}`).
 */

/** `{{ .Values.a.b }}` or `{{- .Values.a.b | int -}}`, alone in a value. */
const VALUES_REF = /^\{\{-?\s*\.Values\.([A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*)\s*(?:\|\s*int\s*)?-?\}\}$/;
const DIRECTIVE_LINE = /^\s*\{\{.*\}\}\s*$/;

interface Line {
  text: string;
  start: number;
  /** Column of the line's content (after a list item's `- `). */
  indent: number;
  /** Column of the `-` of a list item line; `indent` otherwise. */
  dash: number;
  /** Key of a `key: value` or `- key: value` line, with the value text (a plain value's comment left out). */
  key?: string;
  value?: string;
  valueStart?: number;
  item: boolean;
}

function lines(text: string): Line[] {
  const out: Line[] = [];
  let start = 0;
  for (const raw of text.split('\n')) {
    const lead = /^[ \t]*/.exec(raw)?.[0].length ?? 0;
    const dash = /^-[ \t]+/.exec(raw.slice(lead));
    const indent = lead + (dash?.[0].length ?? 0);
    const line: Line = { text: raw, start, indent, dash: lead, item: !!dash };
    const body = raw.slice(indent);
    const key = /^[A-Za-z_][\w-]*/.exec(body)?.[0];
    const after = key ? body.slice(key.length) : '';
    if (
      key &&
      after.startsWith(':') &&
      (after.length === 1 || after[1] === ' ' || after[1] === '\t' || after[1] === '\r')
    ) {
      const v = after.slice(1).trimStart();
      const valueAt = indent + key.length + 1 + (after.length - 1 - v.length);
      const hash = v.startsWith('{{') ? -1 : v.search(/[ \t]#/);
      line.key = key;
      line.value = (hash >= 0 ? v.slice(0, hash) : v).trimEnd();
      line.valueStart = start + valueAt;
    }
    out.push(line);
    start += raw.length + 1;
  }
  return out;
}

/** A port as written: a number, a port name, or a values path. */
function portOf(value: string): HelmPortUse['port'] | undefined {
  const v = value.replace(/^(["'])(.*)\1$/, '$2');
  if (/^\d+$/.test(v)) return { number: Number(v) };
  const ref = VALUES_REF.exec(v);
  if (ref?.[1]) return { values: ref[1] };
  if (/^[a-z][a-z0-9-]*$/.test(v)) return { name: v };
  return undefined;
}

/** The keys enclosing line `i`, nearest first (blank and template directive lines are not structure). */
function ancestors(ls: Line[], i: number): string[] {
  const out: string[] = [];
  let cur = ls[i]?.indent ?? 0;
  for (let j = i - 1; j >= 0 && cur > 0; j--) {
    const l = ls[j] as Line;
    if (!l.key || DIRECTIVE_LINE.test(l.text) || l.indent >= cur) continue;
    out.push(l.key);
    cur = l.item ? l.dash : l.indent;
  }
  return out;
}

export function readHelmTemplate(file: SourceFile): HelmTemplate {
  const ls = lines(file.text);
  const t: HelmTemplate = { file, kinds: [], images: [], ports: [], command: false, env: false };
  // Open blocks: `with .Values.P` remembers P; any other block is a condition crossdock does not evaluate.
  const blocks: (string | null)[] = [];
  const site = (start: number, end: number) => ({ file, span: { start, end } });
  ls.forEach((l, i) => {
    const trimmed = l.text.trim();
    if (DIRECTIVE_LINE.test(l.text)) {
      for (const piece of trimmed.split('{{').slice(1)) {
        const inner = cutAtFirst(piece, '}}').replace(/^-/, '').replace(/-$/, '').trim();
        const word = /^(?:if|with|range|define|block|else|end)\b/.exec(inner)?.[0];
        if (word === 'end') blocks.pop();
        else if (word && word !== 'else') {
          const w = /^\.Values\.([\w.]+)$/.exec(inner.slice(word.length).trim());
          blocks.push(word === 'with' && w?.[1] ? w[1] : null);
        }
      }
      return;
    }
    if (l.indent === 0 && l.key === 'kind' && l.value) t.kinds.push(l.value);
    if (!l.key) return;
    const inBlock = blocks.length > 0;
    if (l.key === 'command' || l.key === 'args') t.command = true;
    if (l.key === 'env' || l.key === 'envFrom') t.env = true;
    if (l.key === 'image') {
      const path = /\.Values\.([\w.]+)/.exec(l.value ?? '')?.[1];
      t.images.push(path?.endsWith('.repository') ? path.slice(0, -'.repository'.length) : null);
      return;
    }
    if (/^(liveness|readiness|startup)Probe$/.test(l.key) && (l.value ?? '') === '') {
      // `{{- with .Values.P }}` + `xProbe:` + `{{- toYaml . | nindent N }}`, or `{{- toYaml .Values.P | nindent N }}`.
      const next = ls.slice(i + 1).find((n) => n.text.trim() !== '');
      const inner = /^\{\{-?\s*toYaml\s+(\.|\.Values\.([\w.]+))\s*\|\s*nindent\s+\d+\s*-?\}\}$/.exec(
        next?.text.trim() ?? '',
      );
      const path = inner?.[1] === '.' ? blocks.at(-1) : inner?.[2];
      const only = inner?.[1] === '.' ? blocks.length === 1 : blocks.length === 0;
      if (path && only)
        t.ports.push({
          kind: 'probe',
          probe: l.key.replace(/Probe$/, '') as 'liveness',
          port: { probeValues: path },
          site: site(l.start + l.indent, l.start + l.text.length),
          item: undefined,
        });
      return;
    }
    if (inBlock || !l.value || l.valueStart === undefined) return;
    const kind =
      l.key === 'containerPort'
        ? 'containerPort'
        : l.key === 'targetPort'
          ? 'targetPort'
          : l.key === 'port'
            ? 'probePort'
            : undefined;
    if (!kind) return;
    const port = portOf(l.value);
    if (!port) return;
    const up = ancestors(ls, i);
    const span = site(l.valueStart, l.valueStart + l.value.length);
    if (kind === 'containerPort') {
      // The list item's `name:` (before or after the containerPort line, same item).
      t.ports.push({ kind, port, site: span, item: portName(ls, i) });
    } else if (kind === 'targetPort') {
      t.ports.push({ kind, port, site: span, item: undefined });
    } else if (
      /^(httpGet|tcpSocket|grpc)$/.test(up[0] ?? '') &&
      /^(liveness|readiness|startup)Probe$/.test(up[1] ?? '')
    ) {
      t.ports.push({
        kind: 'probe',
        probe: (up[1] ?? '').replace(/Probe$/, '') as 'liveness',
        port,
        site: span,
        item: undefined,
      });
    }
  });
  return t;
}

/** The `name:` of the port list item holding line `i`. */
function portName(ls: Line[], i: number): string | undefined {
  const me = ls[i] as Line;
  let first = i;
  for (; first >= 0; first--) {
    const l = ls[first] as Line;
    if (l.text.trim() === '' || DIRECTIVE_LINE.test(l.text) || l.indent > me.indent) continue;
    if (l.indent < me.indent) return undefined;
    if (l.item) break;
  }
  if (first < 0) return undefined;
  for (let j = first; j < ls.length; j++) {
    const l = ls[j] as Line;
    if (l.text.trim() === '' || DIRECTIVE_LINE.test(l.text) || l.indent > me.indent) continue;
    if (j > first && (l.item || l.indent < me.indent)) break;
    if (l.key === 'name' && l.value) return l.value.replace(/^(["'])(.*)\1$/, '$2');
  }
  return undefined;
}

/** Every scalar of a values file by its dotted path (`service.port`), with where it is written. */
export function readHelmValueScalars(doc: Y): HelmValues {
  const scalars = new Map<string, Located<string>>();
  const visit = (y: Y, path: string, depth: number) => {
    if (depth > 20) return;
    if (!y.isMap) {
      const s = y.str();
      if (s !== undefined && path) scalars.set(path, { value: s, site: y.site });
      else if (path && !y.isSeq) scalars.set(path, { value: '', site: y.site });
      return;
    }
    for (const e of y.entries()) if (e.value) visit(e.value, path ? `${path}.${e.key}` : e.key, depth + 1);
  };
  visit(doc, '', 0);
  return { file: doc.file, scalars };
}
