import { createRule } from '../engine/rule.js';
import { stageVars } from '../model/eval.js';
import type { DfInstruction } from '../model/dockerfile.js';
import { formatPlatform } from '../model/platform.js';
import type { Site } from '../model/deploy.js';
import type { ImageView, StageView } from '../model/project.js';
import type { CommandFacts } from '../model/shell.js';
import { buildSite, commandsOf, emulatedAt } from './lib/dockerfile.js';

/** pip reads these (PIP_<OPTION>); npm reads npm_config_* case-insensitively. */
const PIP_ENV = /^PIP_(DEFAULT_)?TIMEOUT$|^PIP_RETRIES$/;
const NPM_DEFAULT_TIMEOUT_MS = 300_000;

/** A network option set on the command, in its assignments, or in the stage's ARG/ENV. */
function configured(
  view: ImageView,
  sv: StageView,
  ins: DfInstruction,
  c: CommandFacts,
  re: RegExp,
): boolean {
  if (c.command.assignments.some((a) => re.test(a.name))) return true;
  const vars = stageVars(view, sv.stage, ins);
  return [...vars.keys()].some((k) => re.test(k));
}

export default createRule<'pip' | 'npm' | 'yarn'>({
  meta: {
    id: 'pip-no-timeout',
    severity: 'info',
    category: 'python',
    summary:
      'Package downloads (pip, yarn v1, npm with a lowered timeout) left on defaults that are short for emulated arm64 builds.',
    messages: {
      pip: "`{{cmd}}` uses pip's defaults (15 s read timeout, 5 retries){{where}}",
      npm: "`{{cmd}}` sets a fetch timeout of {{timeout}} ms, below npm's default of 5 minutes{{where}}",
      yarn: "`{{cmd}}` uses yarn's 30 s network timeout{{where}}",
    },
    hint: 'add `--default-timeout=100 --retries 10` (or `ENV PIP_DEFAULT_TIMEOUT=100`); for yarn `--network-timeout 600000`; for npm drop the low `fetch-timeout`',
  },
  check(ctx) {
    // One finding per command, whatever number of builds reach it; emulated by any of them decides the severity.
    const found = new Map<
      string,
      {
        view: ImageView;
        id: 'pip' | 'npm' | 'yarn';
        cmd: string;
        span: { start: number; end: number };
        timeout?: number;
        emulated: Set<string>;
        sites: Site[];
      }
    >();
    for (const view of ctx.model.images) {
      for (const sv of view.stages) {
        if (!sv.built) continue;
        const emulated = emulatedAt(view, sv);
        for (const ins of sv.stage.instructions) {
          // Only RUN instructions carry shell analysis: commandsOf is empty for the others.
          for (const c of commandsOf(ins)) {
            if (!c.network) continue;
            const argv = c.argv;
            const verbIdx = Math.max(
              1,
              argv.findIndex((w) => ['install', 'wheel', 'download', 'ci', 'i', 'add'].includes(w.value)),
            );
            const cmd = argv
              .slice(0, verbIdx + 1)
              .map((w) => w.value)
              .join(' ');
            const span = {
              start: argv[0]?.span.start ?? c.command.span.start,
              end: argv[verbIdx]?.span.end ?? c.command.span.end,
            };
            let id: 'pip' | 'npm' | 'yarn' | undefined;
            let timeout: number | undefined;
            if (c.installer === 'pip') {
              // uv pip install has its own defaults (30 s, 3 retries) and is not judged here.
              if (!c.pip?.networkOptions && !configured(view, sv, ins, c, PIP_ENV)) id = 'pip';
            } else if (c.installer === 'npm') {
              const flag = argv.find((w) => /^--fetch-timeout(=|$)/.test(w.value));
              const value = flag
                ? Number(
                    flag.value.includes('=') ? flag.value.split('=')[1] : argv[argv.indexOf(flag) + 1]?.value,
                  )
                : Number.NaN;
              if (Number.isFinite(value) && value < NPM_DEFAULT_TIMEOUT_MS) {
                id = 'npm';
                timeout = value;
              }
            } else if (c.installer === 'yarn') {
              // yarn v2+ (`--immutable`) has its own retry logic; the 30 s default is yarn v1's.
              if (
                !argv.some((w) => /^--network-timeout\b/.test(w.value) || w.value === '--immutable') &&
                !configured(view, sv, ins, c, /^YARN_NETWORK_TIMEOUT$/)
              )
                id = 'yarn';
            }
            if (!id) continue;
            const key = `${view.file.path}:${span.start}`;
            const entry = found.get(key) ?? {
              view,
              id,
              cmd,
              span,
              timeout,
              emulated: new Set<string>(),
              sites: [],
            };
            if (emulated.known) for (const p of emulated.value) entry.emulated.add(formatPlatform(p));
            entry.sites.push(...buildSite(view));
            found.set(key, entry);
          }
        }
      }
    }
    for (const e of found.values()) {
      const platforms = [...e.emulated].sort().join(', ');
      const where = platforms
        ? `, and it runs under QEMU for ${platforms}, where downloads are several times slower: one stalled download fails the build`
        : ': enough on a fast native builder, tight on slow networks';
      ctx.report({
        messageId: e.id,
        severity: platforms ? 'warning' : 'info',
        data: { cmd: e.cmd, where, timeout: e.timeout ?? '' },
        file: e.view.file,
        span: e.span,
        sites: e.sites,
      });
    }
  },
});
