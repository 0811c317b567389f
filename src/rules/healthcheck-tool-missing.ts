import { createRule } from '../engine/rule.js';
import { imageShips, type Tool } from '../knowledge/images.js';
import { commandName } from '../sources/shell/words.js';
import { finalStage, installerOf, rootImage, runCommands, stageChain } from './lib/dockerfile.js';
import { parseShell } from '../sources/shell/parse.js';

const TOOLS: Tool[] = ['curl', 'wget', 'nc'];

export default createRule<'missing'>({
  meta: {
    id: 'healthcheck-tool-missing',
    severity: 'error',
    category: 'dockerfile',
    summary:
      'A HEALTHCHECK calls curl, wget or nc, which the final image neither installs nor inherits from its base.',
    messages: {
      missing:
        'HEALTHCHECK runs `{{tool}}`, but {{base}} does not ship it and the final stage never installs it: the check always fails and the container is marked unhealthy (and restarted)',
    },
    hint: 'install the tool in the final stage (`apt-get install -y --no-install-recommends curl`), use one the base has (busybox/alpine: `wget -qO- URL`), or check with the runtime itself (`python -c "import urllib.request; urllib.request.urlopen(...)"`)',
  },
  check(ctx) {
    for (const df of ctx.model.dockerfiles) {
      const file = ctx.model.sources.get(df.path);
      const stage = finalStage(df);
      if (!file || !stage) continue;
      const chain = stageChain(df, stage);
      const hc = chain
        .flatMap((s) => s.instructions)
        .filter((i) => i.keyword === 'HEALTHCHECK')
        .pop();
      if (!hc) continue;
      const cmdIdx = hc.words.findIndex((w) => w.value.toUpperCase() === 'CMD');
      if (cmdIdx < 0) continue; // HEALTHCHECK NONE
      const cmdWord = hc.words[cmdIdx];
      if (!cmdWord) continue;
      const text = hc.args.slice(hc.args.indexOf(cmdWord.value, hc.shellStart) + 3).trim();
      let programs: string[];
      const json = /^\[.*\]$/s.test(text)
        ? (() => {
            try {
              const v: unknown = JSON.parse(text);
              return Array.isArray(v) ? v.map(String) : undefined;
            } catch {
              return undefined;
            }
          })()
        : undefined;
      if (json)
        programs =
          json[0] === 'CMD-SHELL' || /(^|\/)(ba)?sh$/.test(json[0] ?? '')
            ? parseShell(json[json.length - 1] ?? '').commands.map((c) => commandName(c) ?? '')
            : [json[0]?.slice(json[0].lastIndexOf('/') + 1) ?? ''];
      else programs = parseShell(text).commands.map((c) => commandName(c) ?? '');
      const base = rootImage(df, stage) ?? 'scratch';
      const installed = chain
        .flatMap((s) => s.instructions)
        .filter((i) => i.keyword === 'RUN')
        .flatMap((i) => runCommands(i))
        .filter((c) => installerOf(c) === 'apt' || installerOf(c) === 'apk')
        .flatMap((c) => c.argv.map((w) => w.value));
      const copied = chain
        .flatMap((s) => s.instructions)
        .filter((i) => i.keyword === 'COPY' || i.keyword === 'ADD')
        .flatMap((i) => i.words.map((w) => w.value.slice(w.value.lastIndexOf('/') + 1)));
      for (const tool of TOOLS) {
        if (!programs.includes(tool)) continue;
        const pkgs =
          tool === 'nc'
            ? ['netcat', 'netcat-openbsd', 'netcat-traditional', 'ncat', 'busybox']
            : [tool, 'busybox'];
        if (installed.some((p) => pkgs.includes(p.replace(/[=<>].*$/, '')))) continue;
        if (copied.includes(tool)) continue;
        if (imageShips(base, tool) !== false) continue;
        const at = hc.args.indexOf(tool, hc.shellStart);
        const start = at >= 0 ? (hc.argsOffsets[at] ?? hc.span.start) : hc.keywordSpan.start;
        ctx.report({
          messageId: 'missing',
          data: { tool, base: base === 'scratch' ? 'scratch' : `the base image ${base}` },
          file,
          span: { start, end: start + tool.length },
        });
      }
    }
  },
});
