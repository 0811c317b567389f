/** OCI platforms (`os/arch[/variant]`), normalised the way containerd does. */
export interface Platform {
  os: string;
  architecture: string;
  variant?: string;
}

/** Spellings of architectures (`uname -m`, Debian) → the OCI architecture and variant. */
export const ARCH_ALIASES: Readonly<Record<string, { architecture: string; variant?: string }>> = {
  x86_64: { architecture: 'amd64' },
  'x86-64': { architecture: 'amd64' },
  x64: { architecture: 'amd64' },
  amd64: { architecture: 'amd64' },
  aarch64: { architecture: 'arm64' },
  arm64: { architecture: 'arm64' },
  armhf: { architecture: 'arm', variant: 'v7' },
  armel: { architecture: 'arm', variant: 'v6' },
  i386: { architecture: '386' },
  i686: { architecture: '386' },
  '386': { architecture: '386' },
};

/** Parses `linux/arm64`, `linux/arm/v7`, `arm64` (os defaults to linux). Returns undefined when malformed. */
export function parsePlatform(text: string): Platform | undefined {
  const parts = text.trim().toLowerCase().split('/');
  if (parts.some((p) => p === '' || !/^[a-z0-9_.-]+$/.test(p)) || parts.length > 3) return undefined;
  let os = 'linux';
  let arch: string;
  let variant: string | undefined;
  if (parts.length === 1) arch = parts[0]!;
  else {
    os = parts[0]!;
    arch = parts[1]!;
    variant = parts[2];
  }
  const alias = ARCH_ALIASES[arch];
  const architecture = alias?.architecture ?? arch;
  variant = variant ?? alias?.variant;
  if (architecture === 'arm64' && variant === 'v8') variant = undefined;
  if (architecture === 'arm' && variant === undefined) variant = 'v7';
  return variant ? { os, architecture, variant } : { os, architecture };
}

export function formatPlatform(p: Platform): string {
  return p.variant ? `${p.os}/${p.architecture}/${p.variant}` : `${p.os}/${p.architecture}`;
}

export function samePlatform(a: Platform, b: Platform): boolean {
  return a.os === b.os && a.architecture === b.architecture && (a.variant ?? '') === (b.variant ?? '');
}

/** The platforms crossdock targets when nothing in the repository says otherwise. */
export const DEFAULT_PLATFORMS: readonly Platform[] = [
  { os: 'linux', architecture: 'amd64' },
  { os: 'linux', architecture: 'arm64' },
];

/** Architecture names used by `uname -m`, file names and download URLs for one OCI architecture. */
export function archSpellings(architecture: string): string[] {
  switch (architecture) {
    case 'amd64':
      return ['amd64', 'x86_64', 'x86-64', 'x64'];
    case 'arm64':
      return ['arm64', 'aarch64'];
    case 'arm':
      return ['arm', 'armv7', 'armv7l', 'armhf', 'armv6'];
    default:
      return [architecture];
  }
}
