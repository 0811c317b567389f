import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseGoDuration } from '../../src/model/duration.js';

test('Go durations as compose and Docker read them', () => {
  const cases: [string, number | undefined][] = [
    ['30s', 30],
    ['1m30s', 90],
    ['1h', 3600],
    ['1.5h', 5400],
    ['2500ms', 2.5],
    ['100us', 0.0001],
    ['0', 0],
    ['-1s', -1],
    [' 10s ', 10],
    // No unit, an unknown unit, two dots, a unit alone, nothing: not durations.
    ['30', undefined],
    ['10d', undefined],
    ['1.2.3s', undefined],
    ['s', undefined],
    ['', undefined],
    ['1s2', undefined],
  ];
  for (const [text, seconds] of cases) {
    const got = parseGoDuration(text);
    if (seconds === undefined) assert.equal(got, undefined, text);
    else assert.ok(got !== undefined && Math.abs(got - seconds) < 1e-9, `${text}: ${got}`);
  }
});
