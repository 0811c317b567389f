import type { OutputStream } from '../cli/types.js';

/**
 * Build progress: on a TTY, one live line per image × platform (state, current step, elapsed time, node),
 * redrawn in place; elsewhere (CI, pipes), plain timestamped lines, one per event.
 */
export interface ProgressSink {
  /** A platform build changed state or step. */
  update(key: string, status: string, detail: string): void;
  /** A one-off message (retry, notice, publish). */
  event(message: string): void;
  close(): void;
}

function clock(d = new Date()): string {
  return d.toISOString().slice(11, 19);
}

function seconds(ms: number): string {
  return ms < 60_000
    ? `${(ms / 1000).toFixed(1)}s`
    : `${Math.floor(ms / 60_000)}m${Math.round((ms % 60_000) / 1000)}s`;
}

export function plainProgress(out: OutputStream): ProgressSink {
  const last = new Map<string, string>();
  return {
    update(key, status, detail) {
      const line = `${status} ${detail}`;
      if (last.get(key) === line) return;
      last.set(key, line);
      out.write(`${clock()} ${key} ${line}\n`);
    },
    event(message) {
      out.write(`${clock()} ${message}\n`);
    },
    close() {},
  };
}

export function ttyProgress(out: OutputStream): ProgressSink {
  const rows = new Map<string, { status: string; detail: string; since: number }>();
  let drawn = 0;
  const width = () => Math.max(40, (out.columns ?? 100) - 1);
  const draw = () => {
    let text = drawn > 0 ? `\x1b[${drawn}A` : '';
    const now = Date.now();
    // Never taller than the terminal: a block that scrolls cannot be redrawn in place.
    const room = Math.max(1, (out.rows ?? 24) - 2);
    const all = [...rows];
    const shown = all.length > room ? all.slice(0, room - 1) : all;
    for (const [key, r] of shown) {
      const line = `${key}  ${r.status.padEnd(9)} ${seconds(now - r.since).padStart(6)}  ${r.detail}`;
      text += `\x1b[2K${line.slice(0, width())}\n`;
    }
    if (shown.length < all.length) text += `\x1b[2K… and ${all.length - shown.length} more\n`;
    drawn = shown.length + (shown.length < all.length ? 1 : 0);
    out.write(text);
  };
  const timer = setInterval(draw, 250);
  timer.unref();
  return {
    update(key, status, detail) {
      const prev = rows.get(key);
      rows.set(key, { status, detail, since: prev ? prev.since : Date.now() });
      draw();
    },
    event(message) {
      // Print above the live block: clear it, print, redraw.
      let text = drawn > 0 ? `\x1b[${drawn}A` : '';
      for (let i = 0; i < drawn; i++) text += '\x1b[2K\n';
      text += drawn > 0 ? `\x1b[${drawn}A` : '';
      out.write(`${text}\x1b[2K${message}\n`);
      drawn = 0;
      draw();
    },
    close() {
      clearInterval(timer);
      draw();
    },
  };
}

export function progressFor(out: OutputStream, quiet: boolean): ProgressSink {
  if (quiet) return { update() {}, event() {}, close() {} };
  return out.isTTY ? ttyProgress(out) : plainProgress(out);
}

export { seconds as formatSeconds };
