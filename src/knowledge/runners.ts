/**
 * GitHub-hosted runner labels and the CPU architecture they run on (from GitHub's runner documentation, 2025–2026:
 * `ubuntu-24.04-arm`/`ubuntu-22.04-arm` and `windows-11-arm` are arm64; macOS 14+ runners are Apple silicon;
 * `macos-13` and the `-large` Intel labels are x64). Self-hosted label sets name their architecture themselves.
 */
export function runnerArchitecture(labels: string[]): 'amd64' | 'arm64' | undefined {
  const lower = labels.map((l) => l.toLowerCase());
  if (lower.some((l) => l === 'arm64' || l === 'aarch64' || l === 'arm')) return 'arm64';
  if (lower.some((l) => l === 'x64' || l === 'amd64' || l === 'x86_64')) return 'amd64';
  for (const l of lower) {
    if (/^ubuntu-[\w.]+-arm$/.test(l) || /^windows-[\w.]+-arm$/.test(l)) return 'arm64';
    if (/^(ubuntu|windows)-/.test(l)) return 'amd64';
    if (/^macos-(13|12|11)(-large)?$/.test(l) || /^macos-\d+-large$/.test(l)) return 'amd64';
    if (/^macos-(latest|\d+)(-xlarge)?$/.test(l)) return 'arm64';
  }
  return undefined;
}

export function isSelfHosted(labels: string[]): boolean {
  return labels.some((l) => l.toLowerCase() === 'self-hosted');
}

/** Label sets written as expressions crossdock cannot resolve. */
export function unresolvedLabels(labels: string[]): boolean {
  return labels.some((l) => l.includes('${{'));
}

/**
 * GitHub-hosted runner labels whose image has no Docker (the runner-images software lists, 2026): the macOS
 * images (`macos-14`, `macos-15`, `macos-26`, `macos-latest`, their `-large`/`-xlarge`/`-intel` variants) and
 * `windows-11-arm`. The reason, or undefined when the label set is not one of them (self-hosted runners say
 * nothing about what they have installed).
 */
export function runnerWithoutDocker(labels: string[]): string | undefined {
  if (labels.length !== 1) return undefined;
  const l = (labels[0] ?? '').toLowerCase();
  if (/^macos-(latest|\d+)(-(large|xlarge|intel))?$/.test(l))
    return "GitHub's macOS runner images ship no Docker";
  if (l === 'windows-11-arm') return 'the windows-11-arm runner image ships no Docker';
  return undefined;
}
