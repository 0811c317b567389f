import { createRule } from '../engine/rule.js';
import { imageLacks, type Tool } from '../knowledge/images.js';
import { copyMappings, imageFileSource, normalize, runCreates, workdirAt } from '../model/eval.js';
import { present } from '../model/repo.js';
import { type Unknown, unknown } from '../model/value.js';
import { buildSite, commandsOf, generatedBefore, stageProvides } from './lib/dockerfile.js';

const INITS = new Set<string>(['tini', 'dumb-init', 'gosu', 'su-exec', 'catatonit'] satisfies Tool[]);
export default createRule<'missing' | 'notInContext'>({
  meta: {
    id: 'entrypoint-missing',
    severity: 'error',
    category: 'dockerfile',
    summary:
      'The ENTRYPOINT/CMD program is never put into the final image and its base image does not ship it.',
    messages: {
      missing:
        '`{{program}}` is started by {{keyword}} but the final stage never receives it (no COPY/ADD or install creates it) and {{base}} does not ship it: the container exits with "no such file or directory"',
      notInContext:
        '`{{program}}` is started by {{keyword}}, but `{{copy}}` puts the context\'s `{{expected}}` there, which does not exist: the container exits with "no such file or directory"',
    },
    hint: 'COPY the program into the final stage (or install it, e.g. `apt-get install -y tini`), or fix the path',
  },
  check(ctx) {
    const { model } = ctx;
    for (const view of model.images) {
      const stage = view.target;
      const sv = stage ? view.stages[stage.index] : undefined;
      if (!stage || !sv) continue;
      const all = sv.chain.flatMap((s) => s.instructions);
      const ins =
        [...all].reverse().find((i) => i.keyword === 'ENTRYPOINT') ??
        [...all].reverse().find((i) => i.keyword === 'CMD');
      if (!ins || ins.form !== 'exec' || !ins.exec?.[0]) continue;
      const program = ins.exec[0];
      const word = ins.words[0];
      if (!word || program.includes('$')) continue;
      const name = program.slice(program.lastIndexOf('/') + 1);
      const isInit = INITS.has(name);
      const relative = program.includes('/') && !program.startsWith('/');
      const absolute = program.startsWith('/');
      if (!isInit && !relative && !absolute) continue;
      const base = sv.base;
      if (
        absolute &&
        !isInit &&
        /^\/(usr|bin|sbin|lib|etc)\//.test(program) &&
        !(base.known && base.value === 'scratch')
      )
        continue;
      const wd = workdirAt(view, stage, ins);
      if (relative && !wd.known) {
        ctx.unknown(
          { ...wd, site: wd.site ?? { file: view.file, span: word.span } },
          `whether \`${program}\` is in the image`,
        );
        continue;
      }
      const target = relative || absolute ? normalize(wd.known ? wd.value : '/', program) : undefined;
      const sites = buildSite(view);
      if (isInit) {
        // Each init program is its own package: dumb-init installed does not give gosu.
        const has = stageProvides(model, view, sv, name as Tool);
        if (has === 'yes') continue;
        if (has !== 'no') {
          ctx.unknown(
            {
              ...has,
              site: has.site ?? { file: view.file, span: sv.chain[0]?.imageSpan ?? stage.imageSpan },
            },
            `whether the image has \`${name}\``,
          );
          continue;
        }
      }
      // Received by COPY/ADD, or created by a RUN?
      let received = false;
      let opaque: Unknown | undefined;
      const runOpaque = unknown('effects', 'a RUN in this stage runs a program whose effects are not known', {
        file: view.file,
        span: word.span,
      });
      for (const m of copyMappings(view, stage)) {
        if (
          target &&
          (m.dest === target || (m.tree && target.startsWith(`${m.dest === '/' ? '' : m.dest}/`)))
        )
          received = true;
        if (!target && m.dest.endsWith(`/${name}`)) received = true;
      }
      for (const s of sv.chain)
        for (const i of s.instructions) {
          if (
            (i.keyword === 'COPY' || i.keyword === 'ADD') &&
            (i.flags.some((f) => f.name === 'from') ||
              i.words.slice(0, -1).some((w) => w.value.includes('$') || /[*?[]/.test(w.value)))
          ) {
            const dest = i.words[i.words.length - 1]?.value ?? '';
            const d = normalize(
              workdirAt(view, s, i).known ? (workdirAt(view, s, i) as { value: string }).value : '/',
              dest,
            );
            // A copy from a stage or image (contents unknown) covers its destination tree; a bare program name
            // (`tini`) is received only by a source of that name.
            if (
              (target && (target === d || target.startsWith(`${d === '/' ? '' : d}/`))) ||
              i.words.slice(0, -1).some((w) => w.value.endsWith(`/${name}`) || w.value === name) ||
              (!target && (d.endsWith(`/${name}`) || /\/s?bin$/.test(d)))
            )
              received = true;
          }
          // An archive ADD unpacks unknown files, but only under its destination.
          if (
            i.keyword === 'ADD' &&
            i.words.slice(0, -1).some((w) => /\.(tar|tgz|tbz2?|txz)(\.(gz|bz2|xz|zst))?$/i.test(w.value))
          ) {
            const iwd = workdirAt(view, s, i);
            const dest = i.words[i.words.length - 1]?.value ?? '/';
            const d = dest.startsWith('/') || iwd.known ? normalize(iwd.known ? iwd.value : '/', dest) : '/';
            if (!target || target === d || target.startsWith(`${d === '/' ? '' : d}/`))
              opaque ??= unknown('effects', '`ADD` of an archive unpacks files crossdock cannot list', {
                file: view.file,
                span: i.span,
              });
          }
          if (i.keyword !== 'RUN') continue;
          for (const c of commandsOf(i)) {
            if (c.unknownEffects) opaque ??= runOpaque;
            if (c.installer && c.installer !== 'pip' && c.argv.some((w) => w.value === name)) received = true;
          }
          for (const p of runCreates(view, s, i)) {
            if (!p.known) opaque ??= runOpaque;
            else if (
              target ? target === p.value || target.startsWith(`${p.value}/`) : p.value.endsWith(`/${name}`)
            )
              received = true;
          }
        }
      if (received && target) {
        // A local copy that covers the path: the context must hold the file there (`COPY . .` maps the tree).
        const src = imageFileSource(view, stage, ins, target);
        if (src.known && !present(model.inventory, src.value) && opaque) {
          ctx.unknown(opaque, `whether \`${program}\` is in the image`);
          continue;
        }
        // A step before the build (`make build`) may write it into the context.
        const gen =
          src.known && !present(model.inventory, src.value)
            ? generatedBefore(view.build, src.value)
            : undefined;
        if (gen && !gen.known) {
          ctx.unknown(gen.unknown, `whether \`${program}\` is in the image`);
          continue;
        }
        if (src.known && !present(model.inventory, src.value) && !gen) {
          const m = copyMappings(view, stage)
            .filter(
              (x) => x.dest === target || (x.tree && target.startsWith(`${x.dest === '/' ? '' : x.dest}/`)),
            )
            .pop();
          if (m && !all.some((i) => i.keyword === 'RUN' && commandsOf(i).some((c) => c.creates.length))) {
            ctx.report({
              messageId: 'notInContext',
              data: {
                program,
                keyword: ins.keyword,
                copy: `${m.ins.keyword} ${m.ins.args.slice(m.ins.shellStart).trim()}`,
                expected: src.value,
              },
              file: view.file,
              span: word.span,
              sites,
            });
          }
        }
        continue;
      }
      if (received) continue;
      if (opaque) {
        ctx.unknown(opaque, `whether \`${program}\` is in the image`);
        continue;
      }
      if (!isInit) {
        if (!base.known) {
          ctx.unknown(
            {
              ...base,
              site: base.site ?? { file: view.file, span: sv.chain[0]?.imageSpan ?? stage.imageSpan },
            },
            `whether the base image has \`${program}\``,
          );
          continue;
        }
        if (!target || !imageLacks(base.value, target)) {
          ctx.unknown(
            unknown('image-contents', `what ${base.value} contains is not known`, {
              file: view.file,
              span: sv.chain[0]?.imageSpan ?? stage.imageSpan,
            }),
            `whether the base image has \`${program}\``,
          );
          continue;
        }
      }
      ctx.report({
        messageId: 'missing',
        data: {
          program,
          keyword: ins.keyword,
          base: base.known
            ? base.value === 'scratch'
              ? 'scratch'
              : `the base image ${base.value}`
            : 'the base image',
        },
        file: view.file,
        span: word.span,
        sites,
      });
    }
  },
});
