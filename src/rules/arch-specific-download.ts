import { createRule } from '../engine/rule.js';
import { multiArch, runScripts } from './lib/dockerfile.js';

const ARCH = /(?<![A-Za-z0-9])(amd64|x86_64|x86-64|x64|aarch64|arm64)(?![A-Za-z0-9])/g;
const DERIVED =
  /\$\{?(TARGETARCH|TARGETPLATFORM|TARGETVARIANT)\b|uname\s+-m|dpkg\s+--print-architecture|arch\b\s*\)|\$\(arch\)|apk\s+--print-arch/;
const FETCH = /\b(curl|wget|ADD|aria2c|git\s+clone|gh\s+release\s+download)\b|https?:\/\//;

export default createRule<'download'>({
  meta: {
    id: 'arch-specific-download',
    severity: 'error',
    category: 'platform',
    summary:
      'A download of an architecture-specific artefact (`…-amd64.tar.gz`) not derived from TARGETARCH, while targets span several architectures.',
    messages: {
      download:
        'this fetches the "{{arch}}" build for every target platform; the {{other}} image gets a binary it cannot execute',
    },
    hint: 'derive the architecture: `ARG TARGETARCH` then use `${TARGETARCH}` in the URL (map amd64→x86_64 / arm64→aarch64 with a case on $TARGETARCH or `uname -m` when the vendor names them so)',
  },
  check(ctx) {
    if (!multiArch(ctx.model)) return;
    const archs = [...new Set(ctx.model.targets.platforms.map((p) => p.architecture))];
    for (const df of ctx.model.dockerfiles) {
      const file = ctx.model.sources.get(df.path);
      if (!file) continue;
      for (const ins of df.instructions) {
        if (ins.keyword !== 'RUN' && ins.keyword !== 'ADD') continue;
        const whole = `${ins.args}\n${ins.heredocs.map((h) => h.body).join('\n')}`;
        if (DERIVED.test(whole) || !FETCH.test(ins.keyword === 'ADD' ? `ADD ${ins.args}` : whole)) continue;
        const words =
          ins.keyword === 'ADD'
            ? ins.words.slice(0, -1)
            : runScripts(ins)
                .flatMap((s) => s.commands)
                .flatMap((c) => c.argv);
        for (const w of words) {
          if (!/[/.]/.test(w.value)) continue;
          ARCH.lastIndex = 0;
          const m = ARCH.exec(w.value);
          if (!m) continue;
          const arch = m[1] ?? '';
          const oci = /amd64|x86|x64/.test(arch) ? 'amd64' : 'arm64';
          const other = archs.filter((a) => a !== oci).join('/') || 'other';
          ctx.report({ messageId: 'download', data: { arch, other }, file, span: w.span });
          break;
        }
      }
    }
  },
});
