import { satisfies, valid } from '@renovatebot/pep440';
import type { TargetEnv } from './types.js';

/**
 * PEP 508 environment markers, evaluated for one target with three-valued logic: a comparison that needs a fact
 * crossdock does not know (the Python version of an image whose base is unknown, the kernel release of the build
 * host) is `unknown`, and `and`/`or` only decide where the known parts decide (`false and unknown` is false).
 */
export type Tri = boolean | 'unknown';

export interface MarkerResult {
  value: Tri;
  /** For `unknown`: which facts were missing, or why the marker could not be read. */
  reason?: string;
}

type Node =
  | { kind: 'and' | 'or'; left: Node; right: Node }
  | { kind: 'cmp'; left: Operand; op: string; right: Operand };

type Operand = { kind: 'var'; name: string } | { kind: 'str'; value: string };

const VARIABLES = new Set([
  'os_name',
  'sys_platform',
  'platform_machine',
  'platform_python_implementation',
  'platform_release',
  'platform_system',
  'platform_version',
  'python_version',
  'python_full_version',
  'implementation_name',
  'implementation_version',
  'extra',
  'dependency_groups',
]);

/** Docker platform (`linux/arm64`, `linux/arm/v7`) → `platform.machine()` inside a container of it. */
export function machineOf(platform: string): string | undefined {
  const [os, arch, variant] = platform.split('/');
  if (os !== 'linux') return undefined;
  switch (arch) {
    case 'amd64':
      return 'x86_64';
    case 'arm64':
      return 'aarch64';
    case 'arm':
      return variant === 'v6' ? 'armv6l' : variant === 'v7' || variant === undefined ? 'armv7l' : undefined;
    case '386':
      return 'i686';
    case 'ppc64le':
    case 's390x':
    case 'riscv64':
      return arch;
    default:
      return undefined;
  }
}

class MarkerSyntaxError extends Error {}

function tokenize(text: string): string[] {
  const tokens: string[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i] as string;
    if (c === ' ' || c === '\t') {
      i++;
    } else if (c === '(' || c === ')') {
      tokens.push(c);
      i++;
    } else if (c === '"' || c === "'") {
      const end = text.indexOf(c, i + 1);
      if (end < 0) throw new MarkerSyntaxError(`unclosed quote at column ${i + 1}`);
      tokens.push(text.slice(i, end + 1));
      i = end + 1;
    } else if ('<>=!~'.includes(c)) {
      let j = i;
      while (j < text.length && '<>=!~'.includes(text[j] as string)) j++;
      tokens.push(text.slice(i, j));
      i = j;
    } else {
      let j = i;
      while (j < text.length && !' \t()"\'<>=!~'.includes(text[j] as string)) j++;
      tokens.push(text.slice(i, j));
      i = j;
    }
  }
  return tokens;
}

const OPS = new Set(['<', '<=', '==', '!=', '>=', '>', '~=', '===', 'in', 'not in']);

/** Parses a PEP 508 marker; throws MarkerSyntaxError on anything it does not understand. */
function parse(text: string): Node {
  const t = tokenize(text);
  let p = 0;
  const operand = (): Operand => {
    const tok = t[p++];
    if (tok === undefined) throw new MarkerSyntaxError('the marker ends too early');
    if (tok.startsWith('"') || tok.startsWith("'")) return { kind: 'str', value: tok.slice(1, -1) };
    const name = tok === 'platform.python_implementation' ? 'platform_python_implementation' : tok;
    if (!VARIABLES.has(name)) throw new MarkerSyntaxError(`unknown marker variable \`${tok}\``);
    return { kind: 'var', name };
  };
  const expr = (): Node => {
    if (t[p] === '(') {
      p++;
      const inner = orExpr();
      if (t[p++] !== ')') throw new MarkerSyntaxError('a parenthesis is not closed');
      return inner;
    }
    const left = operand();
    let op = t[p++];
    if (op === 'not' && t[p] === 'in') {
      p++;
      op = 'not in';
    }
    if (op === undefined || !OPS.has(op)) throw new MarkerSyntaxError(`\`${op ?? ''}\` is not a comparison`);
    const right = operand();
    return { kind: 'cmp', left, op, right };
  };
  const andExpr = (): Node => {
    let left = expr();
    while (t[p] === 'and') {
      p++;
      left = { kind: 'and', left, right: expr() };
    }
    return left;
  };
  const orExpr = (): Node => {
    let left = andExpr();
    while (t[p] === 'or') {
      p++;
      left = { kind: 'or', left, right: andExpr() };
    }
    return left;
  };
  const node = orExpr();
  if (p !== t.length) throw new MarkerSyntaxError(`unexpected \`${t[p]}\``);
  return node;
}

interface Facts {
  values: Record<string, string | undefined>;
  /** Why a variable is unknown. */
  why: Record<string, string>;
  /** Python `X.Y` (for python_full_version, known only to the minor version). */
  python: string | undefined;
}

export function factsFor(target: TargetEnv, extras: readonly string[] = []): Facts {
  const machine = machineOf(target.platform);
  const linux = target.platform.startsWith('linux/');
  const why: Record<string, string> = {};
  if (!target.python) {
    why.python_version = 'the Python version is not known';
    why.python_full_version = why.python_version;
    why.implementation_version = why.python_version;
  }
  if (!machine) why.platform_machine = `platform ${target.platform} has no known machine name`;
  why.platform_release = 'the kernel release of the build host is not known';
  why.platform_version = 'the kernel version of the build host is not known';
  return {
    values: {
      os_name: linux ? 'posix' : undefined,
      sys_platform: linux ? 'linux' : undefined,
      platform_system: linux ? 'Linux' : undefined,
      platform_machine: machine,
      platform_python_implementation: 'CPython',
      implementation_name: 'cpython',
      python_version: target.python,
      extra: extras.join(','),
      dependency_groups: '',
    },
    why,
    python: target.python,
  };
}

function compare(left: string, op: string, right: string): boolean {
  if (op === 'in') return right.includes(left);
  if (op === 'not in') return !right.includes(left);
  if (op === '===') return left === right;
  // PEP 508: a version comparison where both sides are versions, else a string comparison (== and != only).
  if (valid(left) && valid(right) && satisfies(left, `${op}${right}`)) return true;
  if (valid(left) && valid(right)) return false;
  if (op === '==') return left === right;
  if (op === '!=') return left !== right;
  throw new MarkerSyntaxError(`\`${left} ${op} ${right}\` compares things that are not versions`);
}

/** python_full_version when only `X.Y` is known: decided only when every X.Y.z gives the same answer. */
function fullVersionCompare(xy: string, op: string, constant: string, varOnLeft: boolean): Tri {
  const parts = constant.split('.');
  const exactPatch = parts.length >= 3 && `${parts[0]}.${parts[1]}` === xy;
  if (op === 'in' || op === 'not in' || op === '===' || (exactPatch && (op === '==' || op === '!=')))
    return 'unknown';
  const at = (v: string) => (varOnLeft ? compare(v, op, constant) : compare(constant, op, v));
  const low = at(`${xy}.0`);
  const high = at(`${xy}.999`);
  return low === high ? low : 'unknown';
}

function evaluateNode(node: Node, facts: Facts, missing: Set<string>): Tri {
  if (node.kind !== 'cmp') {
    const a = evaluateNode(node.left, facts, missing);
    const b = evaluateNode(node.right, facts, missing);
    if (node.kind === 'and')
      return a === false || b === false ? false : a === true && b === true ? true : 'unknown';
    return a === true || b === true ? true : a === false && b === false ? false : 'unknown';
  }
  const { left, op, right } = node;
  if (
    (left.kind === 'var' &&
      (left.name === 'python_full_version' || left.name === 'implementation_version')) ||
    (right.kind === 'var' &&
      (right.name === 'python_full_version' || right.name === 'implementation_version'))
  ) {
    const varOnLeft = left.kind === 'var';
    const other = varOnLeft ? right : left;
    if (other.kind === 'str' && facts.python) {
      const v = fullVersionCompare(facts.python, op, other.value, varOnLeft);
      if (v === 'unknown') missing.add(`the Python patch version (only ${facts.python} is known)`);
      return v;
    }
  }
  if ((left.kind === 'var' && left.name === 'extra') || (right.kind === 'var' && right.name === 'extra')) {
    // Extras are a set: `extra == "x"` holds when x is one of the selected extras (none by default).
    const other = left.kind === 'var' ? right : left;
    const selected = (facts.values.extra ?? '').split(',').filter(Boolean);
    if (other.kind === 'str' && (op === '==' || op === '!=')) {
      const has = selected.some((e) => normaliseExtra(e) === normaliseExtra(other.value));
      return op === '==' ? has : !has;
    }
  }
  const value = (o: Operand): string | undefined => {
    if (o.kind === 'str') return o.value;
    const v = facts.values[o.name];
    if (v === undefined) missing.add(facts.why[o.name] ?? `${o.name} is not known`);
    return v;
  };
  const l = value(left);
  const r = value(right);
  if (l === undefined || r === undefined) return 'unknown';
  return compare(l, op, r);
}

function normaliseExtra(e: string): string {
  return e.toLowerCase().replace(/[-_.]+/g, '-');
}

/** Evaluates a marker (undefined or empty: always true) for one target. */
export function evaluateMarker(
  marker: string | undefined,
  target: TargetEnv,
  extras: readonly string[] = [],
): MarkerResult {
  if (!marker?.trim()) return { value: true };
  const missing = new Set<string>();
  try {
    const value = evaluateNode(parse(marker), factsFor(target, extras), missing);
    if (value === 'unknown') return { value, reason: `marker \`${marker}\`: ${[...missing].join('; ')}` };
    return { value };
  } catch (e) {
    if (e instanceof MarkerSyntaxError)
      return { value: 'unknown', reason: `marker \`${marker}\` could not be read: ${e.message}` };
    throw e;
  }
}
