import { createRule } from '../engine/rule.js';
import type { WheelFact } from '../model/project.js';

/** The requirement as written on its line; else the line without its indentation and line break. */
function requirementSpan(text: string, start: number, requirement: string): { start: number; end: number } {
  let end = text.indexOf('\n', start);
  if (end < 0) end = text.length;
  const at = text.slice(start, end).indexOf(requirement);
  if (at >= 0) return { start: start + at, end: start + at + requirement.length };
  let s = start;
  while (s < end && (text[s] === ' ' || text[s] === '\t')) s++;
  while (end > s && /\s/.test(text[end - 1] ?? '')) end--;
  return { start: s, end };
}

function platformsWith(fact: WheelFact, ok: (platform: string) => boolean): string[] {
  return Object.keys(fact.platforms).filter(ok).sort();
}

export default createRule<'missing' | 'emulatedSdist'>({
  meta: {
    id: 'wheel-missing-for-platform',
    severity: 'error',
    category: 'python',
    online: true,
    summary:
      'A Python requirement an image installs that the package index has nothing installable for on a target platform, or only an sdist pip compiles under emulation.',
    messages: {
      missing:
        '`{{requirement}}` has nothing installable for {{platforms}} ({{target}}) on the package index: {{reason}}; pip fails with "No matching distribution found"',
      emulatedSdist:
        '`{{requirement}}` has no wheel {{version}}for {{platforms}} ({{target}}): pip compiles {{file}} from source under QEMU emulation{{compiler}}, which takes far longer and fails without a compiler in the image',
    },
    hint: 'pin a version that publishes a wheel for every target (`crossdock deps` shows which), build that platform on a native runner, or install a compiler in the build stage',
  },
  check(ctx) {
    const { model } = ctx;
    for (const fact of model.wheels ?? []) {
      const file = model.sources.get(fact.source.file);
      if (!file) continue;
      const span = requirementSpan(file.text, file.lineStart(fact.source.line), fact.requirement);
      const first = (platforms: string[]) => fact.platforms[platforms[0] ?? ''];
      const targetOf = (platforms: string[]) =>
        [...new Set(platforms.map((p) => fact.targets[p] ?? ''))].join('; ');
      const missing = platformsWith(fact, (p) => fact.platforms[p]?.status === 'missing');
      if (missing.length)
        ctx.report({
          messageId: 'missing',
          data: {
            requirement: fact.requirement,
            platforms: missing.join(', '),
            target: targetOf(missing),
            reason: first(missing)?.reason ?? 'no wheel matches and there is no sdist',
          },
          file,
          span,
        });
      const compiles = platformsWith(
        fact,
        (p) =>
          fact.emulated.includes(p) &&
          fact.platforms[p]?.status === 'sdist' &&
          fact.platforms[p]?.needsCompiler !== false,
      );
      if (compiles.length) {
        const v = first(compiles);
        ctx.report({
          messageId: 'emulatedSdist',
          severity: 'warning',
          data: {
            requirement: fact.requirement,
            version: v?.version ? `of ${v.version} ` : '',
            platforms: compiles.join(', '),
            target: targetOf(compiles),
            file: v?.file ?? 'the sdist',
            compiler:
              v?.needsCompiler === true
                ? ' (it has C or Rust sources)'
                : ' (whether it needs a compiler is not known)',
          },
          file,
          span,
        });
      }
    }
  },
});
