/**
 * Pure readers of what a running container shows: its listening sockets (/proc/net/tcp, tcp6), the cause an
 * engine error or a log line points to, a Python traceback's last line, `uname -m`, an interpreter line.
 */

export interface ListeningSocket {
  /** `0.0.0.0`, `127.0.0.1`, `::`, `::1`, … */
  address: string;
  port: number;
}

/** Docker's embedded DNS resolver listens inside every container on a user-defined network; not the app's. */
const DOCKER_DNS = '127.0.0.11';

function ipv4(hex: string): string {
  // /proc/net/tcp writes the address as one little-endian 32-bit word.
  const n = Number.parseInt(hex, 16);
  return [n & 255, (n >>> 8) & 255, (n >>> 16) & 255, (n >>> 24) & 255].join('.');
}

function ipv6(hex: string): string {
  // Four little-endian 32-bit words.
  const bytes: number[] = [];
  for (let w = 0; w < 4; w++) {
    const word = hex.slice(w * 8, w * 8 + 8);
    for (let b = 3; b >= 0; b--) bytes.push(Number.parseInt(word.slice(b * 2, b * 2 + 2), 16));
  }
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push((((bytes[i] ?? 0) << 8) | (bytes[i + 1] ?? 0)).toString(16));
  const text = groups.join(':');
  if (text === '0:0:0:0:0:0:0:0') return '::';
  if (text === '0:0:0:0:0:0:0:1') return '::1';
  if (text.startsWith('0:0:0:0:0:ffff:')) {
    const v4 = bytes.slice(12).join('.');
    return `::ffff:${v4}`;
  }
  return text;
}

/**
 * The sockets in state LISTEN (0A) of /proc/net/tcp and /proc/net/tcp6 text (both may be concatenated), sorted by
 * port, without Docker's embedded DNS. Lines that are not socket rows are skipped.
 */
export function parseProcNetTcp(text: string): ListeningSocket[] {
  const out: ListeningSocket[] = [];
  const seen = new Set<string>();
  for (const line of text.split('\n')) {
    const cols = line.trim().split(/\s+/);
    if (cols.length < 4 || !/^\d+:$/.test(cols[0] ?? '')) continue;
    if (cols[3] !== '0A') continue;
    const [addr, port] = (cols[1] ?? '').split(':');
    if (!addr || !port || !/^[0-9A-Fa-f]+$/.test(port)) continue;
    const address = addr.length === 8 ? ipv4(addr) : addr.length === 32 ? ipv6(addr) : '';
    if (!address || address === DOCKER_DNS) continue;
    const socket = { address, port: Number.parseInt(port, 16) };
    const key = `${socket.address} ${socket.port}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(socket);
  }
  return out.sort((a, b) => a.port - b.port || a.address.localeCompare(b.address));
}

/** Loopback addresses: a socket bound there is not reachable from outside the container. */
export function isLoopback(address: string): boolean {
  return address.startsWith('127.') || address === '::1' || address.startsWith('::ffff:127.');
}

/** `8080`, or `127.0.0.1:8080 (loopback only)` when nothing outside can reach it. */
export function describeSockets(sockets: ListeningSocket[]): string {
  const byPort = new Map<number, ListeningSocket[]>();
  for (const s of sockets) byPort.set(s.port, [...(byPort.get(s.port) ?? []), s]);
  return [...byPort]
    .map(([port, list]) =>
      list.every((s) => isLoopback(s.address))
        ? `${list[0]?.address.includes(':') ? `[${list[0]?.address}]` : list[0]?.address}:${port} (loopback only)`
        : String(port),
    )
    .join(', ');
}

/** What an engine error or a log line most likely means, for the `starts` check; undefined when unknown. */
export function likelyCause(text: string, platform: string): string | undefined {
  const arch = platform.split('/')[1] ?? platform;
  if (/exec format error/i.test(text))
    return `the executable is not built for ${arch} (an image for another architecture published as ${platform}, or a binary copied in from the build host); see the arch check`;
  const missingModule = /ModuleNotFoundError: No module named '([^']+)'/.exec(text);
  if (missingModule)
    return `the Python module ${missingModule[1]} is not installed in the ${platform} image (a wheel missing for ${arch}, or a build step skipped)`;
  const nodeModule = /Cannot find module '([^']+)'/.exec(text);
  if (nodeModule) return `the Node.js module ${nodeModule[1]} is not in the ${platform} image`;
  const notFound =
    /exec: "([^"]+)": (?:stat [^:]+: no such file or directory|executable file not found in \$PATH)/.exec(
      text,
    );
  if (notFound)
    return `the entrypoint ${notFound[1]} is not in the image at that path: check the COPY destination and WORKDIR, or the command the deployment sets`;
  if (/no such file or directory/i.test(text))
    return 'a file the entrypoint needs is missing: the entrypoint path, or its script interpreter (#! line), is not in the image';
  if (/permission denied/i.test(text))
    return 'the entrypoint is not executable (chmod +x in the Dockerfile) or the user cannot read it';
  return undefined;
}

/** The last line of a Python traceback (`ModuleNotFoundError: No module named 'x'`), or the last line. */
export function tracebackLastLine(stderr: string): string {
  const lines = stderr
    .split('\n')
    .map((l) => l.trimEnd())
    .filter((l) => l.trim() !== '');
  return lines[lines.length - 1]?.trim() ?? '';
}

/** `uname -m` → the OCI architecture (`aarch64` → `arm64`); undefined when it is not one crossdock knows. */
export function unameArchitecture(machine: string): string | undefined {
  const m = machine.trim();
  const map: Record<string, string> = {
    x86_64: 'amd64',
    aarch64: 'arm64',
    arm64: 'arm64',
    armv7l: 'arm',
    armv6l: 'arm',
    i686: '386',
    i386: '386',
    ppc64le: 'ppc64le',
    s390x: 's390x',
    riscv64: 'riscv64',
  };
  return map[m];
}

/** `#!/usr/bin/env python3 -u` → `['/usr/bin/env', 'python3', '-u']`; undefined when not a script. */
export function interpreterLine(head: Buffer): string[] | undefined {
  if (head.length < 3 || head[0] !== 0x23 || head[1] !== 0x21) return undefined;
  const end = head.indexOf(0x0a);
  const line = head
    .subarray(2, end === -1 ? head.length : end)
    .toString('utf8')
    .trim();
  const parts = line.split(/\s+/).filter(Boolean);
  return parts.length ? parts : undefined;
}
