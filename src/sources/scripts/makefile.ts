import type { Site } from '../../model/deploy.js';
import type { SourceFile, Span } from '../../model/source.js';
import { isLineTerminator } from '../../model/text.js';
import { known, type Unknown, unknown, type Value } from '../../model/value.js';

/** A rule of a Makefile: where its header starts (file offset), its targets and prerequisites. */
export interface MakeRule {
  header: number;
  targets: string[];
  prerequisites: string[];
}

/** A variable assignment of a Makefile, as written. */
export interface MakeVar {
  name: string;
  op: string;
  /** The value as written (make references not expanded). */
  value: string;
  /** Inside an `ifeq`/`ifneq`/`ifdef`/`ifndef` block: assigned only when the condition holds. */
  conditional: boolean;
  span: Span;
}

/**
 * `NAME op value` with op `?=`, `:=`, `::=`, `=` or `+=`, the value without the blanks before it, as
 * `/^([A-Za-z_][A-Za-z0-9_]*)\s*(\?=|:=|::=|=|\+=)\s*(.*)$/` matched it: the value must then hold no line
 * terminator (a `\r` inside a line), since `.` does not match one. Trimmed by hand: the blanks before the value
 * were matched by both `\s*` and `.*`, which made a line of blanks ending in a line terminator quadratic.
 */
export function makeAssignment(line: string): { name: string; op: string; value: string } | undefined {
  const m = /^([A-Za-z_][A-Za-z0-9_]*)\s*(\?=|:=|::=|=|\+=)/.exec(line);
  if (!m) return undefined;
  const value = line.slice(m[0].length).trimStart();
  for (const c of value) if (isLineTerminator(c)) return undefined;
  return { name: m[1] ?? '', op: m[2] ?? '', value };
}

/** Automatic variables (`$@`, `$<`, …; also `$(@D)`, `$(*F)`): the names their unknown values go by in recipes. */
const AUTOMATIC: Record<string, string> = {
  '@': '__make_target',
  '<': '__make_prerequisite',
  '^': '__make_prerequisites',
  '?': '__make_newer_prerequisites',
  '*': '__make_stem',
  '+': '__make_all_prerequisites',
  '|': '__make_order_only_prerequisites',
  '%': '__make_member',
};

const SHELL_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** A make variable name as a reference writes it: letters, digits, `_`, `.`, `-` (not a function call). */
function isMakeName(s: string): boolean {
  if (!s) return false;
  for (const c of s)
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || '_.-'.includes(c)))
      return false;
  return true;
}

/** A make reference at `i` (a `$`): its end, and the variable it names (undefined for a function call). */
function referenceAt(text: string, i: number): { end: number; name: string | undefined } {
  const open = text[i + 1];
  if (open !== '(' && open !== '{') return { end: i + 2, name: open };
  const close = open === '(' ? ')' : '}';
  let depth = 0;
  let j = i + 1;
  for (; j < text.length; j++) {
    if (text[j] === open) depth++;
    else if (text[j] === close && --depth === 0) break;
  }
  const inner = text.slice(i + 2, j);
  return {
    end: Math.min(j + 1, text.length),
    name: isMakeName(inner) || automatic(inner) ? inner : undefined,
  };
}

/** The automatic variable a reference names (`@`, `@D`, `*F`), if it is one. */
function automatic(name: string): string | undefined {
  const c = name[0] ?? '';
  return (name.length === 1 || (name.length === 2 && (name[1] === 'D' || name[1] === 'F'))) && AUTOMATIC[c]
    ? AUTOMATIC[c]
    : undefined;
}

function automaticUnknown(name: string): Unknown {
  return unknown(
    'parameter',
    `\`$${name.length > 1 ? `(${name})` : name}\` is an automatic variable: make sets it for each target when it runs the recipe`,
  );
}

function undefinedUnknown(name: string): Unknown {
  return unknown(
    'environment',
    `\`$(${name})\` is not set in the Makefile: it comes from the environment or the make command line`,
    undefined,
    `set it in the Makefile (\`${name} ?= value\`), or pass it where make is called (\`make … ${name}=value\`)`,
  );
}

type Entry = { kind: 'recursive'; raw: string; def: MakeVar } | { kind: 'value'; value: Value<string> };

/**
 * The values of a Makefile's variables when make runs it with `commandLine` variables (`make image X=v`, they
 * override every assignment) in `environment` (it is overridden by `=` and `:=`, and overrides `?=`). Recursive
 * variables (`=`) expand when used, simple ones (`:=`) where assigned. A variable assigned inside a conditional
 * block to a value other than the one it had is unknown; so is one whose value calls a function (`$(shell …)`).
 * Variables the Makefile does not set are absent: what they hold comes from outside. `environmentKnown`: the
 * caller is known and `environment` is all it sets; otherwise a `?=` default may be overridden by it (unknown).
 */
export function makeVariables(
  defs: MakeVar[],
  commandLine: Map<string, Value<string>> = new Map(),
  environment: Map<string, Value<string>> = new Map(),
  file?: SourceFile,
  environmentKnown = true,
): Map<string, Value<string>> {
  const at = (d: MakeVar): Site | undefined => (file ? { file, span: d.span } : undefined);
  const state = new Map<string, Entry>();
  for (const [k, v] of environment) state.set(k, { kind: 'value', value: v });
  const resolve = (name: string, depth: number): Value<string> | undefined => {
    const auto = automatic(name);
    if (auto) return automaticUnknown(name);
    const e = state.get(name);
    if (!e) return undefined;
    if (e.kind === 'value') return e.value;
    return depth > 16
      ? unknown(
          'branch',
          `make variable \`${name}\` expands through more than 16 variables, or refers to itself`,
        )
      : expand(e.raw, depth + 1, e.def);
  };
  const expand = (raw: string, depth: number, def: MakeVar): Value<string> => {
    let out = '';
    for (let i = 0; i < raw.length; ) {
      if (raw[i] !== '$') {
        out += raw[i];
        i++;
        continue;
      }
      if (raw[i + 1] === '$') {
        out += '$';
        i += 2;
        continue;
      }
      const ref = referenceAt(raw, i);
      if (ref.name === undefined)
        return unknown(
          'command-substitution',
          `make variable \`${def.name}\` calls \`${raw.slice(i, Math.min(ref.end, i + 40))}\`, computed when make runs`,
          at(def),
        );
      const v = resolve(ref.name, depth) ?? undefinedUnknown(ref.name);
      if (!v.known) return v;
      out += v.value;
      i = ref.end;
    }
    return known(out.trim(), {
      kind: def.op === '?=' ? 'default' : 'variable',
      detail: `make variable ${def.name}`,
    });
  };
  const same = (a: Entry | undefined, b: Entry | undefined) =>
    !!a &&
    !!b &&
    ((a.kind === 'recursive' && b.kind === 'recursive' && a.raw === b.raw) ||
      (a.kind === 'value' &&
        b.kind === 'value' &&
        a.value.known &&
        b.value.known &&
        a.value.value === b.value.value));
  for (const d of defs) {
    if (commandLine.has(d.name)) continue;
    const prev = state.get(d.name);
    let next: Entry;
    if (d.op === '?=')
      next =
        prev ??
        (environmentKnown
          ? { kind: 'recursive', raw: d.value, def: d }
          : {
              kind: 'value',
              value: unknown(
                'environment',
                `make variable \`${d.name}\` may be set by the environment of whoever runs make; \`${d.value.length > 30 ? `${d.value.slice(0, 30)}…` : d.value}\` is only its default`,
                at(d),
                `pass it where make is called (\`make … ${d.name}=value\`), or assign it with \`=\``,
              ),
            });
    else if (d.op === '=') next = { kind: 'recursive', raw: d.value, def: d };
    else if (d.op === '+=') {
      if (!prev) next = { kind: 'recursive', raw: d.value, def: d };
      else if (prev.kind === 'recursive') next = { ...prev, raw: `${prev.raw} ${d.value}`.trim() };
      else {
        const add = expand(d.value, 0, d);
        next = {
          kind: 'value',
          value:
            prev.value.known && add.known
              ? known(`${prev.value.value} ${add.value}`.trim(), prev.value.origin)
              : prev.value.known
                ? add
                : prev.value,
        };
      }
    } else next = { kind: 'value', value: expand(d.value, 0, d) };
    if (d.conditional && !same(prev, next))
      next = {
        kind: 'value',
        value: unknown(
          'branch',
          `make variable \`${d.name}\` is set inside a conditional block (ifeq/ifdef), to a value it does not always have`,
          at(d),
        ),
      };
    state.set(d.name, next);
  }
  for (const [k, v] of commandLine) state.set(k, { kind: 'value', value: v });
  const out = new Map<string, Value<string>>();
  for (const k of state.keys()) out.set(k, resolve(k, 0) as Value<string>);
  return out;
}

/**
 * Makefile: variables (`X ?= v`, `X := v`, `X = v`, `X += v`, also after `export`/`override`, and whether they sit
 * inside a conditional block), its rules, so that a recipe is known to run after its prerequisites' recipes and
 * not after any other; and the recipe lines (tab-indented, `\\` continued) turned into shell text, with offsets
 * into the Makefile, the way make hands them to the shell for the given variable `values`: `$$` as `$`, a
 * reference to a known value replaced by it; a reference to an unknown one (unset in the Makefile, an automatic
 * variable such as `$@` or `$*`, a conditional assignment) left as `${NAME}` and given in `env` as unknown.
 * Without `values`, the Makefile's own (every variable at its default).
 */
export function makefileRecipes(
  file: SourceFile,
  values?: Map<string, Value<string>>,
): {
  text: string;
  offsets: number[];
  vars: MakeVar[];
  rules: MakeRule[];
  env: Map<string, Value<string>>;
} {
  const defs: MakeVar[] = [];
  const header = new Map<string, string>();
  const rules: MakeRule[] = [];
  const recipe: { body: string; lineStart: number; col: number }[] = [];
  const text = file.text;
  const lines = text.split('\n');
  let pos = 0;
  let continuing = false;
  let depth = 0;
  let includes = false;
  for (const raw of lines) {
    const lineStart = pos;
    pos += raw.length + 1;
    const line = raw.replace(/\r$/, '');
    if (!continuing && !line.startsWith('\t')) {
      const word = line.trimStart().split(/\s/)[0] ?? '';
      const paren = word.indexOf('(');
      const keyword = paren < 0 ? word : word.slice(0, paren);
      if (keyword === 'ifeq' || keyword === 'ifneq' || keyword === 'ifdef' || keyword === 'ifndef') {
        depth++;
        continue;
      }
      if (keyword === 'endif') {
        depth = Math.max(0, depth - 1);
        continue;
      }
      if (keyword === 'else') continue;
      // `include f.mk`: the included file may assign any variable (read below: all are then unknown).
      if (keyword === 'include' || keyword === '-include' || keyword === 'sinclude') {
        includes = true;
        continue;
      }
      let decl = line;
      for (const prefix of ['export ', 'override ', 'private '])
        if (decl.startsWith(prefix)) decl = decl.slice(prefix.length).trimStart();
      const assign = makeAssignment(decl);
      if (assign) {
        const { name, op, value } = assign;
        defs.push({
          name,
          op,
          value,
          conditional: depth > 0,
          span: { start: lineStart, end: lineStart + line.length },
        });
        if (depth === 0) {
          const expanded = value
            .replace(/\$[({]([A-Za-z_][A-Za-z0-9_]*)[)}]/g, (w, n: string) => header.get(n) ?? w)
            .trim();
          if (op === '+=') header.set(name, `${header.get(name) ?? ''} ${expanded}`.trim());
          else if (op !== '?=' || !header.has(name)) header.set(name, expanded);
        }
        continue;
      }
      // `targets: prerequisites` (not `:=`; a `#` starts a comment).
      const code = line.split('#')[0] ?? '';
      const colon = code.indexOf(':');
      if (colon > 0 && code[colon + 1] !== '=' && !/^\s/.test(code)) {
        // `target: VAR = value` (a target-specific variable): the value while that target's recipes run, so
        // for the others it is one of two values (read as a conditional assignment).
        const rest = code.slice(colon + 1).replace(/^:/, '');
        let target = rest.trimStart();
        for (const prefix of ['export ', 'override ', 'private '])
          if (target.startsWith(prefix)) target = target.slice(prefix.length).trimStart();
        const scoped = makeAssignment(target);
        if (scoped) {
          defs.push({
            ...scoped,
            conditional: true,
            span: { start: lineStart, end: lineStart + line.length },
          });
          continue;
        }
        const words = (t: string) =>
          t
            .replace(/\$[({]([A-Za-z_][A-Za-z0-9_]*)[)}]/g, (w, n: string) => header.get(n) ?? w)
            .split(/\s+/)
            .filter(Boolean);
        rules.push({
          header: lineStart,
          targets: words(code.slice(0, colon)),
          prerequisites: words(
            code
              .slice(colon + 1)
              .replace(/^:/, '')
              .split(';')[0] ?? '',
          ),
        });
      }
      continue;
    }
    let body: string = continuing ? line : line.slice(1);
    let col = continuing ? 0 : 1;
    // Recipe prefixes @, -, + are make's, not the shell's.
    while (!continuing && /^[@+-]/.test(body)) {
      body = body.slice(1);
      col++;
    }
    continuing = body.endsWith('\\');
    recipe.push({ body, lineStart, col });
  }
  if (includes) for (const d of defs) d.conditional = true;
  const vals = values ?? makeVariables(defs, undefined, undefined, file);
  const env = new Map<string, Value<string>>();
  let out = '';
  const offsets: number[] = [];
  const emit = (s: string, at: number) => {
    out += s;
    for (let k = 0; k < s.length; k++) offsets.push(at);
  };
  for (const { body, lineStart, col } of recipe) {
    // Char by char so offsets stay true for the text as written.
    for (let i = 0; i < body.length; ) {
      const at = lineStart + col + i;
      if (body[i] !== '$') {
        emit(body[i] as string, at);
        i++;
        continue;
      }
      if (body[i + 1] === '$') {
        emit('$', at);
        i += 2;
        continue;
      }
      const ref = referenceAt(body, i);
      const name = ref.name;
      const written = body.slice(i, ref.end);
      const auto = name === undefined ? undefined : automatic(name);
      let v: Value<string> | undefined;
      let as: string | undefined;
      if (name !== undefined && auto) {
        v = automaticUnknown(name);
        as = auto;
      } else if (name !== undefined) {
        v = vals.get(name) ?? undefinedUnknown(name);
        as = SHELL_NAME.test(name) ? name : undefined;
      }
      if (v?.known) emit(v.value, at);
      else if (v && as) {
        env.set(as, v);
        emit(`\${${as}}`, at);
      }
      // A function call (`$(shell …)`, `$(X:.c=.o)`) or an unknown value under a name the shell cannot hold:
      // left as written, a command substitution to the shell (unknown).
      else for (let k = 0; k < written.length; k++) emit(written[k] as string, at + k);
      i = ref.end;
    }
    out += '\n';
    offsets.push(lineStart + col + body.length);
  }
  return { text: out, offsets, vars: defs, rules, env };
}
