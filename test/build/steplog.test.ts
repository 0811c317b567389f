import assert from 'node:assert/strict';
import { test } from 'node:test';
import { classifyFailure, type Step, StepLog } from '../../src/build/log.js';

/**
 * StepLog line by line: which BuildKit and buildah lines start, finish, cache or fail a step, what is kept for the
 * error report, what the log file (tee) receives; and the failure patterns' edges.
 */
function feed(lines: string[], log = new StepLog()): StepLog {
  for (const l of lines) log.write(`${l}\n`);
  log.end();
  return log;
}

test('BuildKit lines: which ones start a step, durations, cache hits and errors', { timeout: 10_000 }, () => {
  const started: Step[] = [];
  const log = new StepLog((s) => started.push({ ...s }));
  feed(
    [
      '#1 [internal] load build definition from Dockerfile',
      '#1 sha256:0d2b0d11',
      '#1 DONE 1.0s',
      '#1 DONE 9s',
      // Lines of steps never announced start nothing.
      '#2 12.512 output of an unknown step',
      '#3 DONE 1.0s',
      '#4 CACHED',
      '#6 ERROR: failed',
      '#7 sha256:abc',
      '#12 [base 1/2] FROM alpine',
      '#12 CACHED',
      '#12 DONE 0.0s',
      '#5 [build 2/2] RUN make',
      '#5 12.34 compiling',
      '#5 took 1.5 s',
      '#5 echo DONE 3s',
      '#5 DONE 2s later',
      '#5 0.512 ',
      '#5 0.6    ',
      '#5 ERROR: process "/bin/sh -c make" did not complete successfully: exit code: 2',
      '#5 DONE 12.5s',
      '#9 [check 1/1] RUN ./report-ERRORS --when-DONE',
      '#8 [build 1/2] COPY . .',
      '#8 DONE 2.25s',
    ],
    log,
  );
  assert.deepEqual(started, [
    { name: '[internal] load build definition from Dockerfile', cached: false, status: 'running' },
    { name: '[base 1/2] FROM alpine', cached: false, status: 'running' },
    { name: '[build 2/2] RUN make', cached: false, status: 'running' },
    { name: '[check 1/1] RUN ./report-ERRORS --when-DONE', cached: false, status: 'running' },
    { name: '[build 1/2] COPY . .', cached: false, status: 'running' },
  ]);
  assert.deepEqual(log.steps, [
    {
      name: '[internal] load build definition from Dockerfile',
      cached: false,
      status: 'done',
      durationMs: 9000,
    },
    { name: '[base 1/2] FROM alpine', cached: true, status: 'cached', durationMs: 0 },
    { name: '[build 2/2] RUN make', cached: false, status: 'error', durationMs: 12500 },
    { name: '[check 1/1] RUN ./report-ERRORS --when-DONE', cached: false, status: 'running' },
    { name: '[build 1/2] COPY . .', cached: false, status: 'done', durationMs: 2250 },
  ]);
  assert.equal(log.failed, log.steps[2]);
  assert.equal(log.current, log.steps[4], 'the step that last started or printed');
  assert.deepEqual(log.failure(), {
    step: '[build 2/2] RUN make',
    lines: [
      'compiling',
      'took 1.5 s',
      'echo DONE 3s',
      'DONE 2s later',
      'ERROR: process "/bin/sh -c make" did not complete successfully: exit code: 2',
    ],
    summary: [],
  });
  assert.deepEqual(log.failure(2).lines, [
    'DONE 2s later',
    'ERROR: process "/bin/sh -c make" did not complete successfully: exit code: 2',
  ]);
});

test('chunks, CRLF, colour codes, redaction and the log file', { timeout: 10_000 }, () => {
  const tee: string[] = [];
  const log = new StepLog(
    undefined,
    (c) => tee.push(c),
    (l) => l.replaceAll('s3cr3t', '[redacted]'),
  );
  log.end();
  assert.deepEqual(tee, [], 'nothing pending: nothing written');
  log.write('\x1b[1;34m#1 [a 1/1] RUN echo s3cr3t\x1b[0m\r\n#1 0.1 s3');
  log.write('cr3t\r\n#1 DONE 0.5s\n#1 0.2 trailing');
  assert.deepEqual(tee, [
    '\x1b[1;34m#1 [a 1/1] RUN echo [redacted]\x1b[0m\n',
    '#1 0.1 [redacted]\n',
    '#1 DONE 0.5s\n',
  ]);
  log.end();
  log.end();
  log.write('next\n');
  assert.deepEqual(tee.slice(3), ['#1 0.2 trailing\n', 'next\n']);
  assert.deepEqual(log.steps, [
    { name: '[a 1/1] RUN echo [redacted]', cached: false, status: 'done', durationMs: 500 },
  ]);
  assert.deepEqual(log.failure(), {
    step: '[a 1/1] RUN echo [redacted]',
    lines: ['[redacted]', 'trailing'],
    summary: ['next'],
  });
  // A step that printed nothing reports no lines; an empty log reports nothing.
  assert.deepEqual(feed(['#1 [a 1/1] RUN true']).failure(), {
    step: '[a 1/1] RUN true',
    lines: [],
    summary: [],
  });
  assert.deepEqual(new StepLog().failure(), { step: undefined, lines: [], summary: [] });
});

test('the failing step: the one that said ERROR, else the last still running, else the last one', {
  timeout: 10_000,
}, () => {
  const running = feed([
    '#1 [s 1/3] RUN a',
    '#2 [s 2/3] RUN b',
    '#3 [s 3/3] RUN c',
    '#1 DONE 1.0s',
    '#3 DONE 1.0s',
  ]);
  assert.equal(running.failure().step, '[s 2/3] RUN b');
  assert.deepEqual(
    running.steps.map((s) => s.name),
    ['[s 1/3] RUN a', '[s 2/3] RUN b', '[s 3/3] RUN c'],
    'looking for the failing step does not reorder the steps',
  );
  assert.deepEqual(feed(['#1 [a 1/1] RUN x', '#1 sha256:abc123', '#1 0.1 out']).failure().lines, ['out']);
  const twoRunning = feed(['#1 [s 1/3] RUN a', '#2 [s 2/3] RUN b', '#3 [s 3/3] RUN c', '#3 DONE 1.0s']);
  assert.equal(twoRunning.failure().step, '[s 2/3] RUN b', 'the last of the steps still running');
  const allDone = feed([
    '#1 [s 1/2] RUN a',
    '#2 [s 2/2] RUN b',
    '#2 DONE 1.0s',
    '#1 0.5 late',
    '#1 DONE 1.0s',
  ]);
  assert.equal(allDone.failure().step, '[s 1/2] RUN a', 'the one that printed last');
  assert.equal(allDone.current?.name, '[s 1/2] RUN a');
});

test('each step keeps its last 200 lines; the summary is the last 6 loose lines', { timeout: 10_000 }, () => {
  const lines = ['#1 [s 1/1] RUN seq 250'];
  for (let i = 1; i <= 250; i++) lines.push(`#1 0.${i} line ${i}`);
  for (let i = 1; i <= 203; i++) lines.push(`loose ${i}`);
  const log = feed(lines);
  const f = log.failure(1000);
  assert.equal(f.lines.length, 200);
  assert.equal(f.lines[0], 'line 51');
  assert.equal(f.lines[199], 'line 250');
  assert.deepEqual(f.summary, ['loose 198', 'loose 199', 'loose 200', 'loose 201', 'loose 202', 'loose 203']);
  const buildah = ['STEP 1/1: RUN seq 250'];
  for (let i = 1; i <= 250; i++) buildah.push(`out ${i}`);
  const b = feed(buildah).failure(1000);
  assert.equal(b.lines.length, 200);
  assert.equal(b.lines[0], 'out 51');
  assert.equal(b.lines[199], 'out 250');
});

test("the summary drops BuildKit's frames, source excerpts, blank lines and repeats of the step's error", {
  timeout: 10_000,
}, () => {
  const log = feed([
    '#5 [build 1/1] RUN make',
    '#5 0.1 cc -c x.c',
    '#5 0.2 ld ERROR: y.o',
    '#5 ERROR: exit 1  ',
    '#5 ERROR: process "make" did not complete successfully: exit code: 2',
    '------',
    '  ------  ',
    ' > [build 1/1] RUN make:',
    '  > frame',
    '--------------------',
    '   2 |     FROM alpine',
    ' 3 | >>> RUN make',
    '  12 |     ',
    '',
    '   ',
    'error: process "make" did not complete successfully: exit code: 2   ',
    'ld ERROR: y.o',
    'ERROR: exit 1',
    'ERROR: process "make" did not complete successfully: exit code: 2',
    'x------',
    'note > not a frame',
    'a 4 | b',
    '-- extra --',
    'cc -c ERROR: x.c',
  ]);
  assert.deepEqual(log.failure(), {
    step: '[build 1/1] RUN make',
    lines: [
      'cc -c x.c',
      'ld ERROR: y.o',
      'ERROR: exit 1  ',
      'ERROR: process "make" did not complete successfully: exit code: 2',
    ],
    summary: ['x------', 'note > not a frame', 'a 4 | b', '-- extra --', 'cc -c ERROR: x.c'],
  });
  const many = feed([
    '#5 [b 1/1] RUN x',
    'see #5 above',
    ...[1, 2, 3, 4, 5, 6, 7].map((i) => `closing ${i}`),
  ]);
  assert.deepEqual(many.failure(), {
    step: '[b 1/1] RUN x',
    lines: [],
    summary: ['closing 2', 'closing 3', 'closing 4', 'closing 5', 'closing 6', 'closing 7'],
  });
  assert.deepEqual(feed(['#5 [b 1/1] RUN x', 'see #5 above']).failure().summary, ['see #5 above']);
});

test('buildah output: STEP lines, stages, cache hits, bare output and its error', { timeout: 10_000 }, () => {
  const started: string[] = [];
  const log = feed(
    [
      'STEP 1/4: FROM alpine',
      '--> Using cache 1234abcd',
      'STEP 2/4: RUN apk add gcc',
      'fetch https://dl-cdn.alpinelinux.org/alpine/v3.20/main/x86_64/APKINDEX.tar.gz',
      '   ',
      '--> 5678ef',
      'STEP 3/4: RUN make',
      'cc -c x.c',
      '--> 9abc',
      'x.c:1: error: expected ;',
      'Error: building at STEP "RUN make": exit status 2',
      'error: one more',
      'STEPS 1/2: not a step',
    ],
    new StepLog((s) => started.push(s.name)),
  );
  assert.deepEqual(started, ['[1/4] FROM alpine', '[2/4] RUN apk add gcc', '[3/4] RUN make']);
  assert.deepEqual(log.steps, [
    { name: '[1/4] FROM alpine', cached: true, status: 'cached' },
    { name: '[2/4] RUN apk add gcc', cached: false, status: 'done' },
    { name: '[3/4] RUN make', cached: false, status: 'running' },
  ]);
  assert.deepEqual(log.failure(), {
    step: '[3/4] RUN make',
    lines: ['cc -c x.c', 'x.c:1: error: expected ;', 'STEPS 1/2: not a step'],
    summary: ['Error: building at STEP "RUN make": exit status 2', 'error: one more'],
  });
  const stages = feed([
    '[1/2] STEP 1/2: FROM golang AS build',
    '[1/2] STEP 2/2: RUN go build',
    '[2/2] STEP 1/2: FROM alpine',
    '[2/2] STEP 2/2: COPY --from=build /app /app',
    '[12/34] STEP 56/78: RUN x',
  ]);
  assert.deepEqual(
    stages.steps.map((s) => [s.name, s.status]),
    [
      ['[stage 1/2 1/2] FROM golang AS build', 'done'],
      ['[stage 1/2 2/2] RUN go build', 'done'],
      ['[stage 2/2 1/2] FROM alpine', 'done'],
      ['[stage 2/2 2/2] COPY --from=build /app /app', 'done'],
      ['[stage 12/34 56/78] RUN x', 'running'],
    ],
  );
  // Without a STEP line first, "-->" lines and bare output are the engine's own lines.
  assert.deepEqual(feed(['--> Using cache 12', '--> 34', 'plain']).failure(), {
    step: undefined,
    lines: [],
    summary: ['--> Using cache 12', '--> 34', 'plain'],
  });
  // BuildKit output never switches to buildah's reading: bare lines stay loose.
  const bk = feed(['#1 [a 1/1] RUN x', '--> Using cache 1', 'bare']);
  assert.deepEqual(bk.steps, [{ name: '[a 1/1] RUN x', cached: false, status: 'running' }]);
  assert.deepEqual(bk.failure().summary, ['--> Using cache 1', 'bare']);
  assert.deepEqual(feed(['x STEP 1/2: RUN y']).steps, []);
  assert.deepEqual(feed(['[a/2] STEP 1/2: RUN y']).steps, []);
});

test('failure patterns: QEMU, 5xx statuses, registry connections, line by line', { timeout: 10_000 }, () => {
  const reason = (...lines: string[]) => classifyFailure(lines).reason ?? 'real';
  assert.equal(reason('Segmentation fault (core dumped) in qemu-aarch64'), 'QEMU crashed');
  assert.equal(reason('qemu-aarch64: uncaught signal 6'), 'QEMU crashed');
  assert.equal(reason('qemu-x86_64-static: Segmentation fault'), 'QEMU crashed');
  assert.equal(reason('qemu-: signal 6'), 'real');
  assert.equal(reason('qemu-aarch64 Segmentation fault'), 'real');
  assert.equal(reason('received HTTP/2 500 from upstream'), 'server error 5xx');
  assert.equal(reason('received HTTP/1.1 500 from upstream'), 'server error 5xx');
  assert.equal(reason('received HTTP/1.1 501 from upstream'), 'real', '501 Not Implemented is not transient');
  assert.equal(reason('received HTTP/x 500 from upstream'), 'real');
  assert.equal(reason('upstream said 504 Gateway Timeout'), 'server error 5xx');
  assert.equal(reason('upstream said 504 Gateway Time-out'), 'server error 5xx');
  assert.equal(reason('unexpected status code 502'), 'server error 5xx');
  assert.equal(reason('unexpected status code: 503'), 'server error 5xx');
  assert.equal(reason('unexpected status code: 501'), 'real');
  assert.equal(reason('failed to do request: Head "https://reg/v2/": EOF'), 'registry connection failed');
  assert.equal(reason('failed to copy: read: connection reset by peer'), 'connection reset');
  assert.equal(reason('failed to fetch: dial tcp: connection refused'), 'registry connection failed');
  assert.equal(reason('EOF: failed to copy'), 'real', 'A must come before B');
  assert.equal(reason('failed to copy', 'EOF'), 'real', 'on one line, not across lines');
  assert.equal(reason('Segmentation fault', 'qemu'), 'real');
});
