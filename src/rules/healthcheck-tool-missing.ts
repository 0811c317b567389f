import { createRule } from '../engine/rule.js';
import type { Tool } from '../knowledge/images.js';
import { buildSite, stageProvides } from './lib/dockerfile.js';

const TOOLS: Tool[] = ['curl', 'wget', 'nc'];
/** `&&`, `||`, `;`, `|` between commands; the blanks around them go with the commands, which are trimmed. */
const SHELL_OPERATOR = /&&|\|\||;|\|/;

/** The exec form's words; undefined for the shell form (Docker runs what is not a JSON string array by a shell). */
function execForm(body: string): string[] | undefined {
  let v: unknown;
  try {
    v = JSON.parse(body);
  } catch {}
  return Array.isArray(v) && v.every((w) => typeof w === 'string') ? v : undefined;
}

/**
 * The text a shell of an exec form runs: the word after `-c` (or an option cluster with it, `-ec`), the options
 * before it; undefined when the exec form is not a shell running a command string (a script file, an option's
 * value first). Words after the text are `$0` and the positional arguments, not commands.
 */
function shellText(exec: string[]): string | undefined {
  const [program = '', ...rest] = exec;
  if (!/(^|\/)(ba)?sh$/.test(program)) return undefined;
  for (const [i, w] of rest.entries()) {
    if (!w.startsWith('-')) return undefined;
    if (/^-[a-z]+$/i.test(w) && /c/i.test(w)) return rest[i + 1];
  }
  return undefined;
}

/** The first word of each command of a shell text. */
function commands(text: string): string[] {
  return text.split(SHELL_OPERATOR).map((c) => c.trim().replace(/\s.*/s, ''));
}

/** Program names a HEALTHCHECK runs: the exec array's first word, or every command of its shell text. */
function programs(args: string): { name: string; offset: number }[] {
  const text = args.replace(/^(--\S+\s+)*/, '');
  const at = args.length - text.length;
  const m = /^CMD(\s+)/i.exec(text);
  if (!m) return [];
  const body = text.slice(m[0].length);
  const base = at + m[0].length;
  const exec = execForm(body);
  let words: string[];
  if (!exec) words = commands(body);
  else {
    // Run as written: in a Dockerfile `["CMD-SHELL", …]` (compose's spelling) runs a program of that name.
    const script = shellText(exec);
    words = script === undefined ? exec.slice(0, 1) : commands(script);
  }
  // Each command's first word, searched as a whole word after the previous command (`nc` is not the end of
  // `sync`; `curl` in `echo curl; curl …` is the second one).
  let cursor = base;
  return words.map((w) => {
    const name = w.slice(w.lastIndexOf('/') + 1);
    const i = wordAt(args, w, cursor);
    if (i === -1) return { name, offset: base };
    // The next command starts after the next operator; where the text shows none (after the last command, or an
    // operator escaped in a JSON string), right after this word.
    const end = args.slice(i + w.length).search(SHELL_OPERATOR);
    cursor = i + w.length + Math.max(end, 0);
    return { name, offset: i + w.length - name.length };
  });
}

/** The first index at or after `from` where `word` stands alone (not inside a longer word or path). */
function wordAt(text: string, word: string, from: number): number {
  if (!word) return -1;
  const edge = (c: string | undefined) => c === undefined || /[\s"'[\],;&|()]/.test(c);
  for (let i = text.indexOf(word, from); i !== -1; i = text.indexOf(word, i + 1))
    if (edge(text[i - 1]) && edge(text[i + word.length])) return i;
  return -1;
}

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
    for (const view of ctx.model.images) {
      // A target that is not known leaves no stage as the final one: nothing to check.
      const sv = view.target && view.stages[view.target.index];
      if (!sv) continue;
      const hc = sv.chain
        .flatMap((s) => s.instructions)
        .filter((i) => i.keyword === 'HEALTHCHECK')
        .pop();
      if (!hc) continue;
      for (const p of programs(hc.args)) {
        const tool = TOOLS.find((t) => t === p.name);
        if (!tool) continue;
        const has = stageProvides(ctx.model, view, sv, tool);
        if (has === 'yes') continue;
        const start = hc.argsOffsets[p.offset] ?? hc.span.start;
        if (has !== 'no') {
          ctx.unknown(
            {
              ...has,
              site: has.site ?? { file: view.file, span: sv.chain[0]?.imageSpan ?? sv.stage.imageSpan },
            },
            `whether the image has \`${tool}\` for its HEALTHCHECK`,
          );
          continue;
        }
        ctx.report({
          messageId: 'missing',
          data: {
            tool,
            base: sv.base.known
              ? sv.base.value === 'scratch'
                ? 'scratch'
                : `the base image ${sv.base.value}`
              : 'the base image',
          },
          file: view.file,
          span: { start, end: start + tool.length },
          sites: buildSite(view),
        });
      }
    }
  },
});
