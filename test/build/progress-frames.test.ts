import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatSeconds, progressFor } from '../../src/build/progress.js';

/**
 * The live block's frames byte by byte: cursor moves, line clears, the cut to the terminal's width and height,
 * and events printed above the block. Elapsed times (always a fraction of a second here) are shown as 0.0s.
 */
function tty(columns?: number, rows?: number) {
  const writes: string[] = [];
  const stream = {
    write: (s: string) => writes.push(s.replace(/\d\.\ds/g, '0.0s')),
    isTTY: true,
    columns,
    rows,
  };
  return { p: progressFor(stream, false), writes };
}

const up = (n: number) => `\x1b[${n}A`;
const clear = '\x1b[2K';

test('each update redraws the whole block in place; an event clears it, prints, and redraws below', {
  timeout: 10_000,
}, () => {
  const { p, writes } = tty(80);
  p.update('app amd64', 'building', 'RUN make');
  p.update('app arm64', 'queued', '');
  p.update('app amd64', 'pushing', 'reg/app');
  p.event('retry: app arm64');
  p.close();
  const a1 = 'app amd64  building    0.0s  RUN make';
  const a2 = 'app amd64  pushing     0.0s  reg/app';
  const b = 'app arm64  queued      0.0s  ';
  assert.deepEqual(writes, [
    `${clear}${a1}\n`,
    `${up(1)}${clear}${a1}\n${clear}${b}\n`,
    `${up(2)}${clear}${a2}\n${clear}${b}\n`,
    `${up(2)}${clear}\n${clear}\n${up(2)}${clear}retry: app arm64\n`,
    `${clear}${a2}\n${clear}${b}\n`,
    `${up(2)}${clear}${a2}\n${clear}${b}\n`,
  ]);
});

test('an event before any row is printed as is', { timeout: 10_000 }, () => {
  const { p, writes } = tty(80);
  p.event('starting');
  p.close();
  assert.deepEqual(writes, [`${clear}starting\n`, '', '']);
});

test('lines are cut to the terminal width (at least 40 columns, 100 when unknown)', {
  timeout: 10_000,
}, () => {
  const detail = 'x'.repeat(200);
  const shown = (columns?: number) => {
    const { p, writes } = tty(columns);
    p.update('k', 'building', detail);
    p.close();
    return writes[0]!.slice(clear.length, -1).length;
  };
  // "k", two spaces, the status padded to 9, the time padded to 6, two spaces, then 200 characters: 221.
  assert.equal(shown(50), 49);
  assert.equal(shown(10), 40);
  assert.equal(shown(undefined), 99);
  assert.equal(shown(300), 221);
});

test('a block taller than the terminal is cut, naming how many rows are hidden', { timeout: 10_000 }, () => {
  const frame = (rows: number | undefined, count: number) => {
    const { p, writes } = tty(80, rows);
    for (let i = 0; i < count; i++) p.update(`img${i}`, 'building', 'RUN make');
    return writes.at(-1)!;
  };
  const line = (i: number) => `${clear}img${i}  building    0.0s  RUN make\n`;
  // 5 rows leave room for 3 lines: 3 rows fit whole.
  assert.equal(frame(5, 3), `${up(2)}${line(0)}${line(1)}${line(2)}`);
  assert.equal(frame(5, 4), `${up(3)}${line(0)}${line(1)}${clear}… and 2 more\n`);
  assert.equal(frame(5, 5), `${up(3)}${line(0)}${line(1)}${clear}… and 3 more\n`);
  // Without a known height, 22 rows fit; at least one line is always shown.
  assert.equal(frame(undefined, 22).split('\n').length - 1, 22);
  assert.match(frame(undefined, 23), /\n\x1b\[2Kimg20 {2}[^\n]*\n\x1b\[2K… and 2 more\n$/);
  assert.equal(frame(1, 3), `${up(1)}${clear}… and 3 more\n`);
});

test('elapsed times: tenths under a minute, then minutes and seconds', { timeout: 10_000 }, () => {
  assert.deepEqual([0, 1500, 59_940, 59_999, 60_000, 61_500, 125_000, 3_600_000].map(formatSeconds), [
    '0.0s',
    '1.5s',
    '59.9s',
    '60.0s',
    '1m0s',
    '1m2s',
    '2m5s',
    '60m0s',
  ]);
});
