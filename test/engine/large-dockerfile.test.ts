// biome-ignore-all lint/suspicious/noTemplateCurlyInString: fixtures hold Dockerfile `${ARG}` text literally.
import copyFromMissingPath from '../../src/rules/copy-from-missing-path.js';
import entrypointMissing from '../../src/rules/entrypoint-missing.js';
import missingFile from '../../src/rules/missing-file.js';
import { at, ruleTest } from '../helpers/rule-tester.js';

/**
 * A Dockerfile of about `n` instructions: a builder stage of ARG/ENV/WORKDIR/COPY/RUN groups, and a final stage
 * that copies each group's output. The last lines depend on values set hundreds of instructions earlier. Loading
 * it used to recompute the stage's variables, WORKDIR and copies at every instruction (tens of seconds); timing
 * is measured in bench/run.ts (BENCH_ONLY=check), this only pins that it loads and is checked correctly.
 */
function large(n: number): { text: string; lines: Record<string, number> } {
  const lines = ['ARG PY=3.12', 'FROM python:${PY}-slim AS build', 'WORKDIR /src'];
  let k = 0;
  while (lines.length < n / 2) {
    lines.push(
      `ARG V${k}=${k}`,
      `ENV E${k}=/opt/e\${V${k}}`,
      `WORKDIR /src/w${k}`,
      `COPY f${k % 20}.txt ./`,
      `RUN mkdir -p $E${k}/out && pip install -r /src/w${k}/f${k % 20}.txt`,
    );
    k++;
  }
  lines.push('FROM python:3.12-slim', 'WORKDIR /app');
  for (let j = 0; lines.length < n - 4; j++)
    lines.push(`ENV F${j}=/srv/f${j}`, `COPY --from=build /opt/e${j % k}/out $F${j}`);
  const at: Record<string, number> = {};
  at.fromMissing = lines.push('COPY --from=build /opt/e-none/out /none');
  at.fromLast = lines.push(`COPY --from=build /opt/e${k - 1}/out /last`);
  at.missing = lines.push('COPY missing.txt ./');
  at.entry = lines.push('ENTRYPOINT ["./run"]');
  return { text: `${lines.join('\n')}\n`, lines: at };
}

const { text, lines } = large(600);
const files: Record<string, string> = {
  Dockerfile: text,
  'crossdock.yaml': 'images:\n  reg/app:\n    context: .\n',
};
for (let i = 0; i < 20; i++) files[`f${i}.txt`] = 'flask==3.0.0\n';

ruleTest(copyFromMissingPath, [
  {
    name: 'a 600-instruction Dockerfile loads and is checked: values set hundreds of instructions earlier are used',
    rules: [copyFromMissingPath, missingFile, entrypointMissing],
    repo: { files },
    only: ['copy-from-missing-path', 'missing-file', 'entrypoint-missing', 'unresolved-value'],
    expect: [
      at('copy-from-missing-path', 'warning', 'Dockerfile', lines.fromMissing as number, 19),
      at('missing-file', 'error', 'Dockerfile', lines.missing as number, 6),
      at('entrypoint-missing', 'error', 'Dockerfile', lines.entry as number, 13),
    ],
  },
]);
