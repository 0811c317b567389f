// A node:test reporter that run-tests.mjs adds beside TAP: it appends one JSON line per test file started or
// finished to the file named by CROSSDOCK_TEST_EVENTS, synchronously, so the file is complete even when the run
// is killed. run-tests.mjs reads it for the per-file durations and, on a whole-run timeout, for the file that
// was running. It prints nothing itself.
import { appendFileSync } from 'node:fs';

// biome-ignore lint/correctness/useYield: it writes to its own file and prints nothing.
export default async function* fileEvents(source) {
  const out = process.env.CROSSDOCK_TEST_EVENTS;
  for await (const event of source) {
    if (!out) continue;
    const d = event.data;
    // File-level events are the ones whose name is the file itself (node 20 runs each file as one subtest).
    if (d?.nesting !== 0 || !d.file || d.name !== d.file) continue;
    if (event.type === 'test:dequeue')
      appendFileSync(out, `${JSON.stringify({ start: d.file, at: Date.now() })}\n`);
    else if (event.type === 'test:complete')
      appendFileSync(
        out,
        `${JSON.stringify({ end: d.file, at: Date.now(), ok: d.details?.passed !== false })}\n`,
      );
  }
}
