/** Seconds per unit of a Go duration (`time.ParseDuration`), which compose and Docker use for durations. */
const UNITS: Record<string, number> = {
  ns: 1e-9,
  us: 1e-6,
  µs: 1e-6,
  μs: 1e-6,
  ms: 1e-3,
  s: 1,
  m: 60,
  h: 3600,
};

/**
 * A Go duration (`1m30s`, `500ms`, `1.5h`, `0`) in seconds, as `time.ParseDuration` reads it; undefined when the
 * text is not one (a bare number other than 0 has no unit and is not a duration). Scanned left to right once.
 */
export function parseGoDuration(text: string): number | undefined {
  let s = text.trim();
  let sign = 1;
  if (s.startsWith('-') || s.startsWith('+')) {
    if (s[0] === '-') sign = -1;
    s = s.slice(1);
  }
  if (s === '0') return 0;
  if (s === '') return undefined;
  let total = 0;
  let i = 0;
  while (i < s.length) {
    const start = i;
    while (i < s.length && isDigitOrDot(s.charCodeAt(i))) i++;
    const number = s.slice(start, i);
    if (number === '' || number === '.' || number.indexOf('.') !== number.lastIndexOf('.')) return undefined;
    const unitStart = i;
    while (i < s.length && !isDigitOrDot(s.charCodeAt(i))) i++;
    const factor = UNITS[s.slice(unitStart, i)];
    if (factor === undefined) return undefined;
    total += Number(number) * factor;
  }
  return sign * total;
}

function isDigitOrDot(c: number): boolean {
  return (c >= 48 && c <= 57) || c === 46;
}
