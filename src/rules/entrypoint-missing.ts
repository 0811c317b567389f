import { createRule } from '../engine/rule.js';
import { imageShips } from '../knowledge/images.js';
import { pathStatus } from '../model/project.js';
import {
  buildsOf,
  contextPath,
  copyOps,
  finalStage,
  imagePath,
  rootImage,
  stageChain,
  workdirAt,
} from './lib/dockerfile.js';

const INITS = new Set(['tini', 'dumb-init', 'gosu', 'su-exec', 'catatonit']);

export default createRule<'missing'>({
  meta: {
    id: 'entrypoint-missing',
    severity: 'error',
    category: 'dockerfile',
    summary:
      'The ENTRYPOINT/CMD program is never put into the final image and its base image does not ship it.',
    messages: {
      missing:
        '`{{program}}` is started by {{keyword}} but the final stage never receives it (no COPY/ADD or install creates it) and {{base}} does not ship it: the container exits with "no such file or directory"',
    },
    hint: 'COPY the program into the final stage (or install it, e.g. `apt-get install -y tini`), or fix the path',
  },
  check(ctx) {
    const { model } = ctx;
    for (const df of model.dockerfiles) {
      const file = model.sources.get(df.path);
      const stage = finalStage(df);
      if (!file || !stage) continue;
      const chain = stageChain(df, stage);
      const all = chain.flatMap((s) => s.instructions);
      const ep = [...all].reverse().find((i) => i.keyword === 'ENTRYPOINT');
      const cmd = [...all].reverse().find((i) => i.keyword === 'CMD');
      const ins = ep ?? cmd;
      if (!ins || ins.form !== 'exec' || !ins.exec?.[0]) continue;
      const program = ins.exec[0];
      const word = ins.words[0];
      if (!word || program.includes('$')) continue;
      const base = rootImage(df, stage) ?? 'scratch';
      const name = program.slice(program.lastIndexOf('/') + 1);
      const isInit = INITS.has(name);
      const relative = program.startsWith('./');
      const absolute = program.startsWith('/');
      if (!isInit && !relative && !absolute) continue;
      if (absolute && !isInit && /^\/(usr|bin|sbin|lib|etc)\//.test(program) && base !== 'scratch') continue;
      const target = relative || absolute ? imagePath(workdirAt(df, stage, ins), program) : undefined;
      // Shipped by the base image?
      if (isInit && imageShips(base, name === 'tini' ? 'tini' : 'dumb-init') === true) continue;
      if (!isInit && imageShips(base, 'sh') === undefined && base !== 'scratch') continue; // unknown base: cannot tell
      // Installed or created by a RUN in the chain (apt-get install tini, curl -o /tini, chmod +x /app/start.sh)?
      const runs = all.filter((i) => i.keyword === 'RUN');
      const runText = runs.map((r) => `${r.args}\n${r.heredocs.map((h) => h.body).join('\n')}`).join('\n');
      if (
        new RegExp(`(^|[\\s/=])${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}($|[\\s;&|)])`, 'm').test(
          runText,
        )
      )
        continue;
      // Received by COPY/ADD?
      let received = false;
      for (const op of copyOps(df, stage)) {
        for (const s of op.sources) {
          const srcName = s.value.replace(/\/+$/, '').slice(s.value.replace(/\/+$/, '').lastIndexOf('/') + 1);
          if (
            target &&
            (op.dest === target || (op.destIsDir && `${op.dest.replace(/\/$/, '')}/${srcName}` === target))
          )
            received = true;
          else if (!target && (op.dest.endsWith(`/${name}`) || (op.destIsDir && srcName === name)))
            received = true;
          else if (isInit && srcName === name) received = true;
          else if (
            // ADD of a local tar archive unpacks it at the destination: a root filesystem can hold the program.
            op.ins.keyword === 'ADD' &&
            op.from === undefined &&
            /\.(tar|tar\.(gz|bz2|xz|zst)|tgz|tbz2?|txz)$/i.test(s.value) &&
            (target === undefined || op.dest === '/' || target.startsWith(`${op.dest.replace(/\/$/, '')}/`))
          )
            received = true;
          else if (target && op.from !== undefined && target.startsWith(`${op.dest.replace(/\/$/, '')}/`))
            received = true;
          else if (target && op.from === undefined && target.startsWith(`${op.dest.replace(/\/$/, '')}/`)) {
            // A directory copy (`COPY . /app`): does the context have the file under that source?
            const rest = target.slice(op.dest.replace(/\/$/, '').length + 1);
            for (const b of buildsOf(model, df)) {
              const p = contextPath(b, `${s.value.replace(/\/+$/, '')}/${rest}`);
              if (p !== undefined && pathStatus(model.inventory, p) !== 'absent') received = true;
            }
          }
        }
      }
      if (received) continue;
      ctx.report({
        messageId: 'missing',
        data: {
          program,
          keyword: ins.keyword,
          base: base === 'scratch' ? 'scratch' : `the base image ${base}`,
        },
        file,
        span: word.span,
      });
    }
  },
});
