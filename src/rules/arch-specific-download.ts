import { createRule } from '../engine/rule.js';
import type { Site } from '../model/deploy.js';
import { buildSite, commandsOf, runText } from './lib/dockerfile.js';

const ARCH = /(?<![A-Za-z0-9])(amd64|x86_64|x86-64|x64|aarch64|arm64)(?![A-Za-z0-9])/;
// `arch )` covers `$(arch)` and a `case … arch)` branch.
const DERIVED =
  /\$\{?(TARGETARCH|TARGETPLATFORM|TARGETVARIANT)\b|uname\s+-m|dpkg\s+--print-architecture|arch\b\s*\)|apk\s+--print-arch/;

export default createRule<'download'>({
  meta: {
    id: 'arch-specific-download',
    severity: 'error',
    category: 'platform',
    summary:
      'A download of an architecture-specific artefact (`…-amd64.tar.gz`) not derived from TARGETARCH, in a build that also targets another architecture.',
    messages: {
      download:
        'this fetches the "{{arch}}" build, but the build also targets {{other}}: that image gets a binary it cannot execute',
    },
    hint: 'derive the architecture: `ARG TARGETARCH` then use `${TARGETARCH}` in the URL (map amd64→x86_64 / arm64→aarch64 with a case on $TARGETARCH or `uname -m` when the vendor names them so)',
  },
  check(ctx) {
    // One finding per download, for every build that reaches it (their other architectures combined).
    const found = new Map<
      string,
      {
        view: (typeof ctx.model.images)[number];
        arch: string;
        span: { start: number; end: number };
        other: Set<string>;
        sites: Site[];
      }
    >();
    for (const view of ctx.model.images) {
      for (const sv of view.stages) {
        // A $BUILDPLATFORM stage runs on the builder; what it downloads is for the builder.
        if (!sv.built || sv.buildPlatform) continue;
        for (const ins of sv.stage.instructions) {
          if (ins.keyword !== 'RUN' && ins.keyword !== 'ADD') continue;
          if (DERIVED.test(runText(ins))) continue;
          const words =
            ins.keyword === 'ADD'
              ? ins.words.slice(0, -1).filter((w) => /^https?:\/\//.test(w.value))
              : commandsOf(ins)
                  .filter((c) => c.network && !c.installer)
                  .flatMap((c) => c.argv.slice(1));
          for (const w of words) {
            // A URL, a host/path or an archive name (each has a `/` or a `.`).
            if (!/^https?:\/\/|^[\w.-]+\/|\.(tar|tgz|zip|gz|deb|rpm|bin)/.test(w.value)) continue;
            const m = ARCH.exec(w.value);
            if (!m) continue;
            const arch = m[1] ?? '';
            const oci = /amd64|x86|x64/.test(arch) ? 'amd64' : 'arm64';
            const platforms = view.build.platforms;
            if (!platforms.known) {
              ctx.unknown(
                { ...platforms, site: platforms.site ?? { file: view.file, span: w.span } },
                `whether a platform other than ${oci} is built with this "${arch}" download`,
              );
              break;
            }
            const other = platforms.value.filter((p) => p.architecture !== oci).map((p) => p.architecture);
            if (other.length === 0) break;
            const key = `${view.file.path}:${w.span.start}`;
            const e = found.get(key) ?? { view, arch, span: w.span, other: new Set<string>(), sites: [] };
            for (const o of other) e.other.add(o);
            e.sites.push(...buildSite(view));
            found.set(key, e);
            break;
          }
        }
      }
    }
    for (const e of found.values())
      ctx.report({
        messageId: 'download',
        data: { arch: e.arch, other: [...e.other].sort().join('/') },
        file: e.view.file,
        span: e.span,
        sites: e.sites,
      });
  },
});
