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
