/**
 * Reading build engines' plain progress output (BuildKit `--progress=plain`, buildah's `STEP n/m:`) into steps,
 * and telling transient failures (worth another attempt) from real build errors.
 */

import { firstThenOnALine } from '../model/text.js';

export interface Step {
  name: string;
  durationMs?: number;
  cached: boolean;
  status: 'running' | 'done' | 'cached' | 'error';
}

/** Folds engine output, line by line, into steps; keeps each step's last lines for error reports. */
export class StepLog {
  readonly steps: Step[] = [];
  private readonly byId = new Map<string, Step>();
  private readonly lines = new Map<Step, string[]>();
  /** Lines that belong to no step (the engine's own error summary, buildah output). */
  private readonly loose: string[] = [];
  private partial = '';
  private buildah = false;
  /** The step that most recently started or printed. */
  current: Step | undefined;
  failed: Step | undefined;

  constructor(
    private readonly onStep?: (step: Step) => void,
    /** Receives the engine's output line by line, redacted (the per-platform log file). */
    private readonly tee?: (chunk: string) => void,
    /** Removes secret values from each line before anything keeps or shows it. */
    private readonly redact: (line: string) => string = (l) => l,
  ) {}

  write(chunk: string): void {
    const text = this.partial + chunk;
    const parts = text.split(/\r?\n/);
    this.partial = parts.pop() ?? '';
    for (const raw of parts) {
      const line = this.redact(raw);
      this.tee?.(`${line}\n`);
      this.line(line);
    }
  }

  end(): void {
    if (this.partial) {
      const line = this.redact(this.partial);
      this.tee?.(`${line}\n`);
      this.line(line);
    }
    this.partial = '';
  }

  private start(id: string, name: string): Step {
    const step: Step = { name, cached: false, status: 'running' };
    this.byId.set(id, step);
    this.steps.push(step);
    this.lines.set(step, []);
    this.current = step;
    this.onStep?.(step);
    return step;
  }

  line(raw: string): void {
    const line = raw.replace(/\x1b\[[0-9;]*[A-Za-z]/g, '');
    // BuildKit: "#5 [build 2/3] RUN pip install ...", "#5 DONE 0.3s", "#5 CACHED", "#5 ERROR: ...", "#5 0.299 out"
    const bk = /^#(\d+) (.*)$/.exec(line);
    if (bk) {
      const id = bk[1]!;
      const rest = bk[2]!;
      const step = this.byId.get(id);
      if (!step) {
        if (!/^(sha256:|\d+\.\d+ |DONE|CACHED|ERROR)/.test(rest)) this.start(id, rest);
        return;
      }
      const done = /^DONE (\d+(?:\.\d+)?)s$/.exec(rest);
      if (done) {
        step.durationMs = Math.round(Number(done[1]) * 1000);
        if (step.status === 'running') step.status = 'done';
        return;
      }
      if (rest === 'CACHED') {
        step.cached = true;
        step.status = 'cached';
        return;
      }
      if (rest.startsWith('ERROR')) {
        step.status = 'error';
        this.failed = step;
        this.lines.get(step)?.push(rest);
        return;
      }
      if (rest.startsWith('sha256:')) return;
      const out = /^\d+\.\d+ (.*)$/.exec(rest);
      const keep = this.lines.get(step);
      if (keep) {
        keep.push(out ? out[1]! : rest);
        if (keep.length > 200) keep.splice(0, keep.length - 200);
      }
      this.current = step;
      return;
    }
    // buildah: "[2/3] STEP 3/5: RUN pip install ..." (the stage prefix only in multi-stage builds), "--> Using cache"
    const bh = /^(?:\[(\d+\/\d+)\] )?STEP (\d+\/\d+): (.*)$/.exec(line);
    if (bh) {
      this.buildah = true;
      if (this.current && this.current.status === 'running') this.current.status = 'done';
      const stage = bh[1] ? `stage ${bh[1]} ` : '';
      this.start(`buildah-${bh[1] ?? ''}-${bh[2]}`, `[${stage}${bh[2]}] ${bh[3]}`);
      return;
    }
    if (this.buildah && this.current && line.startsWith('--> Using cache')) {
      this.current.cached = true;
      this.current.status = 'cached';
      return;
    }
    if (this.buildah && line.startsWith('--> ')) return;
    if (this.buildah && this.current && line.trim() && !/^(Error|error):/.test(line)) {
      // buildah prints a step's output bare, between its STEP lines.
      const keep = this.lines.get(this.current);
      keep?.push(line);
      if (keep && keep.length > 200) keep.splice(0, keep.length - 200);
      return;
    }
    if (line.trim()) {
      this.loose.push(line);
      if (this.loose.length > 200) this.loose.splice(0, this.loose.length - 200);
    }
  }

  /** The failing step (or the last one), its last lines, and the engine's closing error lines. */
  failure(maxLines = 15): { step?: string; lines: string[]; summary: string[] } {
    const step = this.failed ?? [...this.steps].reverse().find((s) => s.status === 'running') ?? this.current;
    const lines = step ? (this.lines.get(step) ?? []).filter((l) => l.trim()).slice(-maxLines) : [];
    // The engine repeats the step's ERROR line in its closing summary: keep one of them.
    const said = new Set(lines.map((l) => l.replace(/^ERROR: /, '').trim()));
    const summary = this.loose
      .filter((l) => !/^-+$/.test(l.trim()) && !/^\s*>/.test(l) && !/^\s*\d+ \|/.test(l))
      .filter((l) => !said.has(l.replace(/^(ERROR|error): /, '').trim()))
      .slice(-6);
    return { step: step?.name, lines, summary };
  }
}

export interface FailureKind {
  transient: boolean;
  /** What kind of transient failure, for the retry line (`network timeout`, `registry 5xx`, `QEMU crash`). */
  reason?: string;
}

/**
 * Transient failures by what the log says. `A.*B` patterns are written as `firstThenOnALine(A, B)`: the same test
 * without reading each line's rest from every match of A.
 */
const TRANSIENT: [{ test(text: string): boolean }, string][] = [
  [/qemu: uncaught target signal (?:11|7|4)\b/, 'QEMU crashed (uncaught target signal)'],
  [firstThenOnALine(/\bsegmentation fault\b/i, /qemu/i), 'QEMU crashed'],
  [firstThenOnALine(/qemu-[a-z0-9_]+(?:-static)?: /i, /Segmentation|signal/i), 'QEMU crashed'],
  [
    /Read timed out|ReadTimeoutError|ConnectTimeoutError|Connection timed out|\bETIMEDOUT\b|\bESOCKETTIMEDOUT\b|i\/o timeout|TLS handshake timeout|operation timed out|timed out while waiting/i,
    'network timeout',
  ],
  [
    /\bECONNRESET\b|Connection reset by peer|socket hang up|Connection aborted|RemoteDisconnected|IncompleteRead/i,
    'connection reset',
  ],
  [
    /Temporary failure in name resolution|\bEAI_AGAIN\b|Could not resolve host|server misbehaving/i,
    'DNS failure',
  ],
  [
    /HTTP\/\d(?:\.\d)? 50[0234]\b|\b50[234] (?:Bad Gateway|Service Unavailable|Gateway Time-?out)\b|\b500 Internal Server Error\b|status code:? 50[0234]\b/i,
    'server error 5xx',
  ],
  [/\b429 Too Many Requests\b|toomanyrequests/i, 'rate limited (429)'],
  [/Hash Sum mismatch|Mirror sync in progress/i, 'package mirror out of sync'],
  [
    firstThenOnALine(/failed to (?:do request|copy|fetch)/i, /EOF|connection refused|reset/i),
    'registry connection failed',
  ],
];

/** Messages that are real errors even when a transient pattern also matches (disk full, bad syntax). */
const PERMANENT = [/No space left on device/i, /dockerfile parse error/i, /unknown instruction/i];

/**
 * Classifies a failure from the failing step's last lines and the engine's summary (not the whole log: a
 * download that timed out and was retried by pip inside a step that later failed for real is not transient).
 */
export function classifyFailure(lines: string[]): FailureKind {
  const text = lines.join('\n');
  if (PERMANENT.some((re) => re.test(text))) return { transient: false };
  for (const [re, reason] of TRANSIENT) if (re.test(text)) return { transient: true, reason };
  return { transient: false };
}
