import assert from 'node:assert/strict';
import { test } from 'node:test';
import { progressFor } from '../../src/build/progress.js';

/** Build progress: a live block redrawn in place on a TTY, plain timestamped lines elsewhere. */
function capture(isTTY: boolean) {
  let text = '';
  return { stream: { write: (s: string) => (text += s), isTTY, columns: 80 }, text: () => text };
}

test('on a TTY, each platform has one line, redrawn in place, with events printed above the block', {
  timeout: 10_000,
}, () => {
  const out = capture(true);
  const p = progressFor(out.stream, false);
  p.update('app linux/amd64 @local', 'building', '[build 1/2] RUN pip install');
  p.update('app linux/arm64 @pi', 'building', '[build 1/2] RUN pip install');
  p.update('app linux/amd64 @local', 'pushing', 'reg/app');
  p.event('retry: app linux/arm64 network timeout');
  p.close();
  const text = out.text();
  assert.match(text, /\x1b\[2A/, 'moves the cursor up over the two-line block');
  assert.match(text, /\x1b\[2K/, 'clears lines before redrawing');
  const screen = text.split(/\x1b\[\d*[AK]/).join('');
  assert.match(screen, /retry: app linux\/arm64 network timeout\n/);
  // The last frame shows the current state of both platforms, one line each, within the terminal width.
  const frame = text.slice(text.lastIndexOf('\x1b[2A'));
  assert.match(frame, /app linux\/amd64 @local {2}pushing +\d+\.\ds {2}reg\/app/);
  assert.match(frame, /app linux\/arm64 @pi {2}building +\d+\.\ds {2}\[build 1\/2\] RUN pip install/);
  for (const line of screen.split('\n')) assert.ok(line.length <= 80, line);
});

test('on a short terminal the live block is cut to fit, saying how many rows are hidden', {
  timeout: 10_000,
}, () => {
  let text = '';
  const p = progressFor({ write: (s: string) => (text += s), isTTY: true, columns: 80, rows: 5 }, false);
  for (let i = 0; i < 6; i++) p.update(`img${i} linux/arm64 @n`, 'building', 'RUN make');
  p.close();
  const frame = text.slice(text.lastIndexOf('\x1b[3A'));
  assert.equal(frame.match(/building/g)?.length, 2);
  assert.match(frame, /… and 4 more/);
});

test('without a TTY, one timestamped line per change, and repeats are not printed', {
  timeout: 10_000,
}, () => {
  const out = capture(false);
  const p = progressFor(out.stream, false);
  p.update('app linux/amd64 @local', 'building', '[build 1/2] RUN make');
  p.update('app linux/amd64 @local', 'building', '[build 1/2] RUN make');
  p.update('app linux/amd64 @local', 'done', 'sha256:1234');
  p.event('app: pushing the index');
  p.close();
  const lines = out.text().trimEnd().split('\n');
  assert.equal(lines.length, 3);
  for (const l of lines) assert.match(l, /^\d\d:\d\d:\d\d /);
  assert.doesNotMatch(out.text(), /\x1b/);
  assert.match(lines[1]!, /app linux\/amd64 @local done sha256:1234$/);
});

test('--quiet prints nothing', { timeout: 10_000 }, () => {
  const out = capture(true);
  const p = progressFor(out.stream, true);
  p.update('k', 'building', 'x');
  p.event('e');
  p.close();
  assert.equal(out.text(), '');
});
