// Loaded with --import into the measured process: on exit, appends its peak RSS (KiB) to $CROSSDOCK_BENCH_RSS.
import { appendFileSync } from 'node:fs';

process.on('exit', () => {
  const out = process.env.CROSSDOCK_BENCH_RSS;
  if (out) appendFileSync(out, `${process.resourceUsage().maxRSS}\n`);
});
