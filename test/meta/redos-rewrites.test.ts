// biome-ignore-all lint/suspicious/noTemplateCurlyInString: the inputs are shell and Actions text, not templates
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { classifyFailure } from '../../src/build/log.js';
import { parseSize } from '../../src/build/config.js';
import { hasKubernetesKey } from '../../src/engine/families.js';
import { findDirective } from '../../src/engine/suppress.js';
import { substitutions } from '../../src/model/eval.js';
import {
  cutAtFirst,
  expressionSpans,
  firstThenOnALine,
  firstVersion,
  trimTrailingSlashes,
  variableSpans,
} from '../../src/model/text.js';
import { authParams } from '../../src/registry/auth.js';
import { pemCertificates } from '../../src/registry/tls.js';
import { envReferences, literalPort } from '../../src/rules/lib/deploy.js';
import { withoutExtras } from '../../src/rules/lib/python.js';
import { interpolations } from '../../src/sources/compose/compose.js';
import { flagAt } from '../../src/sources/dockerfile/parse.js';
import { isInlinePatch } from '../../src/sources/k8s/kustomize.js';
import { makeAssignment } from '../../src/sources/scripts/makefile.js';

/**
 * The patterns test/meta/redos.test.ts flagged were rewritten as scanners. Each is compared here with the pattern
 * it replaced: on hand-picked inputs, on the input recheck reported as an attack (repeated few enough times for
 * the old pattern to finish), and on many random strings over the characters the pattern cares about. Then the
 * scanner runs on a long attack, where the old pattern would take minutes.
 */

/** Deterministic random strings (mulberry32), so a failure names an input that fails again. */
function randomStrings(alphabet: string[], count: number, maxLength: number, seed = 20261124): string[] {
  let a = seed;
  const next = () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const out: string[] = [];
  for (let i = 0; i < count; i++) {
    let s = '';
    const n = Math.floor(next() * (maxLength + 1));
    for (let k = 0; k < n; k++) s += alphabet[Math.floor(next() * alphabet.length)];
    out.push(s);
  }
  return out;
}

/** Old and new agree on every input (deep equality), reported with the input that differs. */
function same<T>(inputs: string[], old: (s: string) => T, now: (s: string) => T): void {
  for (const s of inputs) assert.deepEqual(now(s), old(s), `input ${JSON.stringify(s)}`);
}

/** The new function is fast on a long adversarial input (linear; the old pattern needed minutes on this). */
function fast(what: string, input: string, run: (s: string) => unknown): void {
  // CPU time of this process: other work on a shared machine must not fail a linear function.
  const started = process.cpuUsage();
  run(input);
  const cpu = process.cpuUsage(started);
  const ms = (cpu.user + cpu.system) / 1000;
  assert.ok(ms < 2000, `${what}: ${Math.round(ms)} ms of CPU on ${input.length} characters`);
}

const LONG = 100_000;
const LINE_ENDS = ['\n', '\r', '\u2028'];

/** Every match of a global pattern as `[start, end, ...groups]`. */
function allMatches(re: RegExp, s: string): (string | number | undefined)[][] {
  return [...s.matchAll(re)].map((m) => [m.index, m.index + m[0].length, ...m.slice(1)]);
}

test('trailing slashes and cuts at a character: as `/\\/+$/` and `/[=<>].*$/` did', () => {
  const inputs = [
    ...randomStrings(['/', 'a', '@', '=', '<', '>', '\0', ...LINE_ENDS], 3000, 12),
    'a/b//',
    '///',
    '',
    'img@sha256:x',
    'a@b\n@c',
    'pkg>=1\nz',
  ];
  same(inputs, (s) => s.replace(/\/+$/, ''), trimTrailingSlashes);
  same(
    inputs,
    (s) => s.replace(/@.*$/, ''),
    (s) => cutAtFirst(s, '@'),
  );
  same(
    inputs,
    (s) => s.replace(/\/.*$/, ''),
    (s) => cutAtFirst(s, '/'),
  );
  same(
    inputs,
    (s) => s.replace(/[=<>].*$/, ''),
    (s) => cutAtFirst(s, '=<>'),
  );
  same(
    [...randomStrings(['[', ']', 'a', ...LINE_ENDS], 3000, 10), 'pkg[extra]', './x[a,b]', '[]', 'a[\n]'],
    (s) => s.replace(/\[.*\]$/, ''),
    withoutExtras,
  );
  same([`${'/'.repeat(2000)}\0/`], (s) => s.replace(/\/+$/, ''), trimTrailingSlashes);
  fast('trimTrailingSlashes', `${'/'.repeat(LONG)}\0/`, trimTrailingSlashes);
  fast('cutAtFirst', `${'@'.repeat(LONG)}\n@`, (s) => cutAtFirst(s, '@'));
  fast('withoutExtras', `${'['.repeat(LONG)}\n[]`, withoutExtras);
});

test('versions: the first `v?N.N.N`, and its first two numbers', () => {
  same(
    [
      ...randomStrings(['0', '1', '2', '.', 'v', 'x', ' ', '\n'], 5000, 14),
      'github.com/docker/buildx v0.12.1 542e5d8',
      'github.com/docker/buildx 0.9.1-docker ed00243',
      '1v2.3.4',
      '1.2v3.4.5.6',
      `${'0'.repeat(2000)}0\x000.0`,
    ],
    (s) => /v?\d+\.\d+\.\d+/.exec(s)?.[0],
    firstVersion,
  );
  // backends.ts reads the first two numbers of what firstVersion returned, anchored.
  same(
    randomStrings(['0', '1', '.', 'v', 'x'], 3000, 10)
      .map((s) => firstVersion(s))
      .filter((v): v is string => v !== undefined),
    (v) => /(\d+)\.(\d+)/.exec(v)?.slice(1),
    (v) => /^v?(\d+)\.(\d+)/.exec(v)?.slice(1),
  );
  fast('firstVersion', `${'0'.repeat(LONG)}0\x000.0`, firstVersion);
});

test('sizes: `5GiB`, ` 500 MB `, as the pattern with blanks on both sides of the unit read them', () => {
  const units: Record<string, number> = {
    '': 1,
    b: 1,
    kb: 1e3,
    mb: 1e6,
    gb: 1e9,
    tb: 1e12,
    kib: 1024,
    mib: 1024 ** 2,
    gib: 1024 ** 3,
    tib: 1024 ** 4,
  };
  const old = (text: string) => {
    const m = /^\s*(\d+(?:\.\d+)?)\s*([kmgt]i?b|b)?\s*$/i.exec(text);
    const unit = units[(m?.[2] ?? '').toLowerCase()];
    if (!m || unit === undefined) return undefined;
    const bytes = Math.round(Number(m[1]) * unit);
    return Number.isSafeInteger(bytes) ? bytes : undefined;
  };
  same(
    [
      ...randomStrings(['1', '5', '.', ' ', '\t', '\n', 'G', 'i', 'B', 'm', 'k'], 5000, 9),
      '5GiB',
      ' 500 MB ',
      '1073741824',
      `0\t${'\t'.repeat(2000)}\t0`,
    ],
    old,
    parseSize,
  );
  fast('parseSize', `0\t${'\t'.repeat(LONG)}\t0`, parseSize);
});

test('kustomize patch sniffing and Kubernetes keys: blanks before a key stay on its line', () => {
  const inputs = [
    ...randomStrings(
      ['kind:', 'apiVersion:', '$patch:', '- op:', '-', ' op:', ' ', '\t', ...LINE_ENDS, 'x'],
      5000,
      6,
    ),
    'patch.yaml',
    'kind: Deployment',
    '  - op: replace',
    '-\r  op: add',
    '\r\r   \rkind:',
    `${'\r'.repeat(2000)}\nop:`,
    `:${'\n\t'.repeat(1000)}r\nkind:`,
  ];
  same(inputs, (s) => /\n|^\s*(apiVersion|kind|\$patch|-\s*op):/m.test(s), isInlinePatch);
  same(inputs, (s) => /^\s*(apiVersion|kind):/m.test(s), hasKubernetesKey);
  fast('isInlinePatch', `${'\r'.repeat(LONG)}\rop:`, isInlinePatch);
  fast('hasKubernetesKey', `:${'\r\t'.repeat(LONG / 2)}r\rkind:`, hasKubernetesKey);
});

test('suppression directives: the first one whose rest has no line end', () => {
  const old = (s: string) => {
    const m = /(?:#|\/\/)\s*crossdock-ignore\b(.*)$/.exec(s);
    return m ? { index: m.index, rest: m[1] ?? '' } : undefined;
  };
  same(
    [
      ...randomStrings(['#', '/', ' ', 'crossdock-ignore', 'x', ':', '\r', '\u2028'], 5000, 7),
      '# crossdock-ignore arch-pin: pinned on purpose',
      '// crossdock-ignore a, b: why',
      '#\r crossdock-ignore x: y',
      `n${'#crossdock-ignore/s'.repeat(300)}\n`,
    ],
    old,
    findDirective,
  );
  fast('findDirective', `n${'#crossdock-ignore/s'.repeat(LONG / 20)}\r`, findDirective);
});

test('log classification: `A.*B` as a match of A followed on its line by B', () => {
  const pairs: [RegExp, RegExp, RegExp][] = [
    [/\bsegmentation fault\b.*qemu/i, /\bsegmentation fault\b/i, /qemu/i],
    [
      /qemu-[a-z0-9_]+(?:-static)?: .*(?:Segmentation|signal)/i,
      /qemu-[a-z0-9_]+(?:-static)?: /i,
      /Segmentation|signal/i,
    ],
    [
      /failed to (?:do request|copy|fetch).*(?:EOF|connection refused|reset)/i,
      /failed to (?:do request|copy|fetch)/i,
      /EOF|connection refused|reset/i,
    ],
  ];
  const inputs = [
    ...randomStrings(
      [
        'segmentation fault',
        'qemu',
        'qemu-',
        'aarch64',
        '-static',
        ': ',
        'Signal',
        'failed to copy',
        'EOF',
        ' ',
        '\n',
        'x',
      ],
      5000,
      6,
    ),
    'qemu-aarch64-static: Segmentation fault (core dumped)',
    'Segmentation fault qemu: uncaught',
    'failed to copy: httpReadSeeker: failed open: failed to do request: EOF',
    `${'ESETFAILED TO COPY'.repeat(200)}ESET\nFAILED TO COPYEOF`,
    `O${'Q\x00SEGMENTATION FAULT F'.repeat(200)}\n`,
  ];
  for (const [old, first, then] of pairs)
    same(
      inputs,
      (s) => old.test(s),
      (s) => firstThenOnALine(first, then).test(s),
    );
  assert.deepEqual(classifyFailure(['#9 ERROR: failed to copy: failed to do request: connection refused']), {
    transient: true,
    reason: 'registry connection failed',
  });
  assert.deepEqual(classifyFailure(['qemu-arm-static: signal 11']), {
    transient: true,
    reason: 'QEMU crashed',
  });
  fast('classifyFailure', `${'ESETFAILED TO COPY'.repeat(LONG / 18)}ESET\n`, (s) => classifyFailure([s]));
});

test('Makefile assignments: `NAME op value`, the value without leading blanks and without a line end', () => {
  const old = (line: string) => {
    const m = /^([A-Za-z_][A-Za-z0-9_]*)\s*(\?=|:=|::=|=|\+=)\s*(.*)$/.exec(line);
    return m ? { name: m[1], op: m[2], value: m[3] } : undefined;
  };
  same(
    [
      ...randomStrings(['A', 'b', '_', '1', ' ', '\t', '=', ':', '?', '+', '\r', '\u2028', 'x'], 8000, 9),
      'IMAGE ?= ghcr.io/acme/app',
      'TAG := $(shell git rev-parse HEAD)',
      'X::=1',
      'PLATFORMS += linux/arm64',
      `A=${'\t'.repeat(2000)}A\r`,
    ],
    old,
    makeAssignment,
  );
  fast('makeAssignment', `A=${'\t'.repeat(LONG)}A\r`, makeAssignment);
});

test('WWW-Authenticate parameters: names, quoted values with escapes, bare values', () => {
  const old = (s: string) =>
    [...s.matchAll(/(\w+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^,\s]*))/g)].map((p) => [p[1], p[2] ?? p[3]]);
  same(
    [
      ...randomStrings(['a', '_', '=', '"', '\\', ',', ' ', '\n', 'x'], 8000, 12),
      'realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/alpine:pull"',
      'realm="a \\"quoted\\" b", error=invalid_token',
      'a="x a="x a="x',
      `${'0'.repeat(2000)}""`,
    ],
    old,
    authParams,
  );
  fast('authParams', `${'0'.repeat(LONG)}""`, authParams);
});

test('PEM blocks: each BEGIN through the first END after it', () => {
  const B = '-----BEGIN CERTIFICATE-----';
  const E = '-----END CERTIFICATE-----';
  same(
    [
      ...randomStrings([B, E, 'MIIB', '\n', '-----', 'x'], 5000, 7),
      `${B}\nMIIB\n${E}\n${B}\nMIIC\n${E}\n`,
      `${B}${E}`,
      `${'ND CERTIFICATE-----BEGIN CERTIFICATE-----'.repeat(300)}ND CERTIFICATE-----`,
    ],
    (s) => s.match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g) ?? [],
    pemCertificates,
  );
  fast('pemCertificates', `${B}\n`.repeat(LONG / 28), pemCertificates);
});

test('port literals in source lines: the leftmost call, the last port before its `)` or `}`', () => {
  const old = (line: string) => {
    const m =
      /\.run\([^)]*\bport\s*=\s*(\d{2,5})|\.listen\(\s*(\d{2,5})|\blisten\(\s*\{[^}]*\bport\s*:\s*(\d{2,5})|run_app\([^)]*\bport\s*=\s*(\d{2,5})/.exec(
        line,
      );
    return m ? Number(m[1] ?? m[2] ?? m[3] ?? m[4]) : undefined;
  };
  same(
    [
      ...randomStrings(
        [
          '.run(',
          'run_app(',
          '.listen(',
          'listen(',
          'port',
          '=',
          ':',
          ' ',
          '{',
          '}',
          ')',
          '80',
          '8',
          '123456',
          'x',
          '_',
        ],
        20000,
        14,
      ),
      'app.run(host="0.0.0.0", port=8080, debug=True)',
      'app.run(port=80, port=5000) or .run(port=90)',
      'listen({ port: 81, port:  8082 }',
      'app.listen(3000, () => {})',
      'server.listen({ host: "0.0.0.0", port: 8000 })',
      'web.run_app(app, port=8081)',
      'app.run(port=1, port=5000)',
      `p${'run_app(u'.repeat(300)})`,
    ],
    old,
    literalPort,
  );
  fast('literalPort', `p${'run_app(u'.repeat(LONG / 9)})`, literalPort);
  fast('literalPort (objects)', `${'listen({ '.repeat(LONG / 9)}}`, literalPort);
});

const DOLLARS = [
  '$',
  '{',
  '}',
  '{{',
  '}}',
  '(',
  ')',
  'A',
  'b_',
  '1',
  ':',
  '-',
  '+',
  '?',
  '=',
  '@',
  ' ',
  '\n',
];

test('variables and expressions: `${{ e }}`, `${X:-d}` and the other forms, as the global patterns found them', () => {
  const inputs = [
    ...randomStrings(DOLLARS, 10000, 10),
    // Whole forms among the pieces, so that most strings hold some.
    ...randomStrings(
      [
        '${A}',
        '${b_:-x}',
        '${A-}',
        '${A:+y}',
        '${A+}',
        '${A?e}',
        '${A:?}',
        '${A:x}',
        '$A',
        '$$',
        '$(A)',
        '${{ e }}',
      ].concat(['${', '${{', '$', '{', '}', '}}', ')', ':', '-', ' ', 'b']),
      10000,
      6,
      7,
    ),
    'app:${{ github.sha }}',
    '${{ a }',
    '${REGISTRY}/acme/${NAME:-api}:$TAG',
    '${A:?err} ${B?x} ${C:+y} ${D+z} $$E ${F',
    '$(VAR) $(1) ${X-} ${{x}y}',
    `${'${A+'.repeat(300)}$`,
    `${'A${'.repeat(300)}A$!`,
    '${{'.repeat(300),
  ];
  const spans = (list: { start: number; end: number }[]) => list.map((m) => [m.start, m.end]);
  same(
    inputs,
    (s) => allMatches(/\$\{\{([^}]*)\}\}/g, s),
    (s) => expressionSpans(s).map((m) => [m.start, m.end, m.inner]),
  );
  same(
    inputs,
    (s) => allMatches(/\$\{\{[^}]*\}\}|\$\{[^}]*\}|\$[A-Za-z_]\w*|\$[0-9@*#?!$-]/g, s),
    (s) => spans(variableSpans(s, true)),
  );
  same(
    inputs,
    (s) => allMatches(/\$\{\{[^}]*\}\}|\$\{[^}]*\}|\$[A-Za-z_][A-Za-z0-9_]*/g, s),
    (s) => spans(variableSpans(s, false)),
  );
  same(
    inputs,
    (s) =>
      allMatches(
        /\$(?:\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-+])([^}]*))?\}|([A-Za-z_][A-Za-z0-9_]*))|\$\{[^}]*\}/g,
        s,
      ).map(([start, end, braced, op, word, bare]) => [start, end, braced ?? bare, op, word]),
    (s) => substitutions(s).map((m) => [m.start, m.end, m.name, m.op, m.word]),
  );
  same(
    inputs,
    (s) =>
      allMatches(
        /\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?+])([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)/g,
        s,
      ).map(([start, end, braced, op, word, bare]) => [start, end, braced ?? bare ?? '', op, word]),
    (s) => interpolations(s).map((m) => [m.start, m.end, m.name, m.op, m.word]),
  );
  same(
    inputs,
    (s) =>
      allMatches(
        /\$\(([A-Za-z_][A-Za-z0-9_]*)\)|\$\{([A-Za-z_][A-Za-z0-9_]*)(?::?-([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)/g,
        s,
      ).map(([start, end, a, b, d, c]) => [start, end, a ?? b ?? c, d]),
    (s) => envReferences(s).map((m) => [m.start, m.end, m.name, m.word]),
  );
  for (const attack of [
    '${A+'.repeat(LONG / 4),
    'A${'.repeat(LONG / 3),
    '${{'.repeat(LONG / 3),
    '${A-'.repeat(LONG / 4),
  ]) {
    fast('expressionSpans', attack, expressionSpans);
    fast('variableSpans', attack, (s) => variableSpans(s, true));
    fast('substitutions', attack, substitutions);
    fast('interpolations', attack, interpolations);
    fast('envReferences', attack, envReferences);
  }
});

test('Dockerfile flags: `--name`, `--name=value` with quoted blanks, then the blanks after', () => {
  const FLAG = /--([A-Za-z][A-Za-z0-9-]*)(?:=((?:"[^"]*"|'[^']*'|\S)*))?(\s+|$)/y;
  const old = (s: string) => {
    FLAG.lastIndex = 0;
    const m = FLAG.exec(s);
    return m
      ? { name: m[1], raw: m[2], end: m[0].length - (m[3]?.length ?? 0), next: m[0].length }
      : undefined;
  };
  same(
    [
      ...randomStrings(['--', 'a', 'B', '-', '1', '=', '"', "'", ' ', '\t', '\n', 'x', '!'], 10000, 9).map(
        (s) => `--${s}`,
      ),
      '--platform=$BUILDPLATFORM golang:1.22',
      '--mount=type=cache,target="/root/.cache go" go build',
      '--chown=1000:1000 . /app',
      '--link',
      '--from=build /out /',
      `--A='${"\"''''\t\"".repeat(28)}\x00`,
    ],
    old,
    (s) => flagAt(s, 0),
  );
  fast('flagAt', `--A='${"\"''''\t\"".repeat(LONG / 7)}\x00`, (s) => flagAt(s, 0));
});
