import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseShell } from '../../src/sources/shell/parse.js';
import { analyzeShell } from '../../src/sources/shell/analyze.js';
import { commandName, effectiveArgv } from '../../src/sources/shell/words.js';
import { within } from './within.js';

const summary = (text: string) =>
  parseShell(text).commands.map((c) => ({
    argv: c.argv.map((w) => w.value),
    next: c.next,
    depth: c.depth,
    text: text.slice(c.span.start, c.span.end),
  }));

test('operators split commands; quotes and $(...) keep their contents', () => {
  assert.deepEqual(summary('pip install "a && b" $(echo x; y) || true'), [
    {
      argv: ['pip', 'install', 'a && b', '$(echo x; y)'],
      next: '||',
      depth: 0,
      text: 'pip install "a && b" $(echo x; y)',
    },
    { argv: ['true'], next: undefined, depth: 0, text: 'true' },
  ]);
});

test('redirects are separated from argv, including an unquoted version specifier', () => {
  const [cmd] = parseShell('pip install flask>=2.0 2>/dev/null').commands;
  assert.deepEqual(
    cmd?.argv.map((w) => w.value),
    ['pip', 'install', 'flask'],
  );
  assert.deepEqual(
    cmd?.redirects.map((r) => [r.op, r.target]),
    [
      ['>', '=2.0'],
      ['2>', '/dev/null'],
    ],
  );
});

test('assignments, wrappers, escaped newlines, comments and compound commands', () => {
  const s = parseShell(
    'A=1 B="x y" sudo -E pip install x \\\n  && if [ -f y ]; then echo yes; fi # trailing\nfor f in a b; do echo $f; done',
  );
  const cmds = s.commands;
  assert.deepEqual(
    cmds[0]?.assignments.map((a) => [a.name, a.value]),
    [
      ['A', '1'],
      ['B', 'x y'],
    ],
  );
  assert.equal(commandName(cmds[0]!), 'pip');
  assert.deepEqual(
    effectiveArgv(cmds[0]!).map((w) => w.value),
    ['pip', 'install', 'x'],
  );
  assert.deepEqual(
    cmds.map((c) => [c.argv[0]?.value, c.depth]),
    [
      ['sudo', 0],
      ['[', 0],
      ['echo', 1],
      ['echo', 1],
    ],
  );
});

test('spans map through an offset table (as for Dockerfile continuation lines)', () => {
  const text = 'echo a && echo b';
  const offsets = [...text].map((_c, i) => 100 + i * 2);
  const [, second] = parseShell(text, 0, offsets).commands;
  assert.deepEqual(second?.span, { start: 100 + 10 * 2, end: 100 + 15 * 2 + 1 });
});

test('unterminated quotes and stray operators never throw', () => {
  for (const t of ['echo "open', "echo 'open", 'a &&', '|| b', '$(', '`x', ')))', '((((', '', '\\']) {
    const s = parseShell(t);
    for (const c of s.commands) assert.ok(c.span.start >= 0 && c.span.end <= t.length);
  }
});

test('nesting past 256 levels is one problem at the token that crosses; depth stays at the limit', {
  timeout: 5000,
}, () => {
  for (const [open, close] of [
    ['( ', ' )'],
    ['{ ', '; }'],
    ['if a; then ', '; fi'],
    ['while a; do ', '; done'],
  ] as const) {
    const text = `${open.repeat(10_000)}echo hi${close.repeat(10_000)}\necho after`;
    const script = within(2000, () => parseShell(text));
    assert.equal(script.problems.length, 1, open);
    const p = script.problems[0]!;
    assert.equal(p.message, 'nested more than 256 levels deep');
    // 256 openers are followed; the next one is reported.
    const opener = open.includes('then') ? 'then' : open.includes('do') ? 'do' : open.trim();
    let at = -1;
    for (let k = 0; k <= 256; k++) at = text.indexOf(opener, at + 1);
    assert.equal(p.span.start, at, open);
    const echo = script.commands.find((c) => c.argv[0]?.value === 'echo');
    assert.equal(echo?.depth, 256);
    assert.equal(script.commands.at(-1)?.argv[1]?.value, 'after');
  }
  assert.deepEqual(parseShell('( a )').problems, []);
});

test('downloads create their output: grouped short flags (`-fsSLo F`, `-qO F`, `-qO-` is stdout)', () => {
  const creates = (text: string) => analyzeShell([parseShell(text)]).commands.map((c) => c.creates);
  assert.deepEqual(
    creates(
      'curl -fsSLo /tmp/a.whl https://x/a.whl; curl -sSLo/tmp/b https://x/b; curl -fsSLO https://x/c; wget -qO /tmp/d https://x/d; wget -qO- https://x/e; wget -qP /opt https://x/f',
    ),
    [['/tmp/a.whl'], ['/tmp/b'], ['.'], ['/tmp/d'], [], ['/opt']],
  );
});

test('a command whose file effects are not known says so; known readers, editors and creators do not', () => {
  const effects = (text: string) =>
    analyzeShell([parseShell(text)]).commands.map((c) => [c.name, c.unknownEffects ?? '', c.creates]);
  assert.deepEqual(
    effects(
      'go install ./cmd/app; gcc -o run main.c; aws s3 cp s3://b/r.txt .; yarn build; git checkout v1; useradd app; gpg --recv-keys K',
    ),
    [
      ['go', '`go install` may create files crossdock does not know of', []],
      ['gcc', '`gcc` may create files crossdock does not know of', []],
      ['aws', '`aws s3` may create files crossdock does not know of', []],
      ['yarn', '`yarn build` may create files crossdock does not know of', []],
      ['git', '`git checkout` may create files crossdock does not know of', []],
      ['useradd', "useradd creates the home folder when the image's /etc/login.defs sets CREATE_HOME", []],
      ['gpg', '`gpg` may create files crossdock does not know of', []],
    ],
  );
  assert.deepEqual(
    effects(
      'set -eux; chmod +x /a; chown -R app /a; rm -rf /var/lib/apt/lists/*; sed -i s/a/b/ f; ln -s /a /b; ldconfig; update-ca-certificates; groupadd app; useradd -r -g app app; ls; cat f; grep x f; which x; id; sleep 1; env; printenv; apt-get update; apt-get clean; command -v curl; . /etc/os-release; git rev-parse HEAD; docker login -u u; find / -name "*.pyc" -exec rm -f {} +',
    ).filter(([, why]) => why !== ''),
    [],
  );
  assert.deepEqual(
    effects(
      'tar -czf /out.tgz dir; tar xzf a.tgz -C /opt; gpg --dearmor -o /k.gpg; dd if=/dev/zero of=/f; sort -o /s f; uniq f /u; go build -o /bin/app .; curl -fsSLO --output-dir /dl https://x/a',
    ),
    [
      ['tar', '', ['/out.tgz']],
      ['tar', '', ['/opt']],
      ['gpg', '', ['/k.gpg']],
      ['dd', '', ['/f']],
      ['sort', '', ['/s']],
      ['uniq', '', ['/u']],
      ['go', '', ['/bin/app']],
      ['curl', '', ['/dl']],
    ],
  );
  assert.deepEqual(
    effects(
      'find . -exec ./gen {} +; awk \'{ print > "out" }\' f; docker run -v "$PWD":/w img make; docker buildx build -o out .; . ./env.sh',
    ).map(([, why]) => why),
    [
      'find runs `gen`, which may create files',
      '`awk` may create files crossdock does not know of',
      '`docker run` with a volume may write files through it',
      '`docker buildx build --output` may create files crossdock does not know of',
      'it runs ./env.sh',
    ],
  );
});

test('package managers: options before the subcommand do not hide it (`apt-get --yes purge`, `apk --no-cache add`)', () => {
  const read = (text: string) =>
    analyzeShell([parseShell(text)]).commands.map((c) => [c.name, c.installer ?? '', c.unknownEffects ?? '']);
  assert.deepEqual(
    read(
      'apt-get --yes purge curl; apt-get -o Dpkg::Options::=--force-confold -y autoremove; apt-get clean --yes; apk --no-cache del x; dnf -y --setopt install_weak_deps=False clean all',
    ),
    [
      ['apt-get', '', ''],
      ['apt-get', '', ''],
      ['apt-get', '', ''],
      ['apk', '', ''],
      ['dnf', '', ''],
    ],
  );
  // Installs are installs whatever comes first; their effects stay unknown (packages may create files anywhere).
  assert.deepEqual(
    read(
      'apt --yes --no-install-recommends install curl; apk --no-cache add tini; apt-get -t bookworm-backports install -y x',
    ).map(([name, installer]) => [name, installer]),
    [
      ['apt', 'apt'],
      ['apk', 'apk'],
      ['apt-get', 'apt'],
    ],
  );
});

test('creators: `useradd -ms /bin/bash app` makes /home/app (grouped flags); `go build -o=/bin/x` writes /bin/x', () => {
  const created = (text: string) => analyzeShell([parseShell(text)]).commands.map((c) => c.creates);
  assert.deepEqual(created('useradd -ms /bin/bash app; useradd -Ms /bin/sh svc; go build -o=/bin/x ./cmd'), [
    ['/home/app'],
    [],
    ['/bin/x'],
  ]);
});
