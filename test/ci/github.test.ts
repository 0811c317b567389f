// biome-ignore-all lint/suspicious/noTemplateCurlyInString: workflows hold `${{ }}` text literally.
/**
 * `crossdock ci github` on the multi-image examples: the workflow it writes is accepted by actionlint and by
 * GitHub's own parser, `crossdock check` finds nothing in it, and it has the shape that keeps each image whole
 * (one native job per image × platform pushing by digest only, one merge job per image needing exactly its legs).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { after, test } from 'node:test';
import { stringify } from 'yaml';
import { allRules } from '../../src/rules/index.js';
import { checkRepo } from '../helpers/check.js';
import { runCli } from '../helpers/cli.js';
import {
  actionlint,
  exampleFiles,
  exampleRepo,
  githubErrors,
  type Wf,
  type WfJob,
  workflow,
} from './helpers.js';

const lint = actionlint();
after(() => lint.close());

interface Example {
  example: string;
  args: string[];
  /** image name → repository */
  images: Record<string, string>;
  platforms: string[];
}

const EXAMPLES: Example[] = [
  {
    example: 'monorepo-bake/fixed',
    args: [],
    images: {
      billing: 'registry.example.com/shop/billing',
      catalog: 'registry.example.com/shop/catalog',
      notifier: 'registry.example.com/shop/notifier',
      search: 'registry.example.com/shop/search',
    },
    platforms: ['linux/amd64', 'linux/arm64'],
  },
  {
    example: 'context-monorepo/fixed',
    args: [],
    images: {
      api: 'registry.example.com/shop/api',
      web: 'registry.example.com/shop/web',
      worker: 'registry.example.com/shop/worker',
    },
    platforms: ['linux/amd64', 'linux/arm64'],
  },
  {
    example: 'compose-stack/fixed',
    args: [],
    images: { web: 'registry.lan:5000/shop/web', worker: 'registry.lan:5000/shop/worker' },
    platforms: ['linux/amd64', 'linux/arm64'],
  },
  {
    example: 'multiarch-publish/fixed',
    args: ['--registry', 'ghcr.io/acme'],
    images: { api: 'ghcr.io/acme/api' },
    platforms: ['linux/amd64', 'linux/arm64'],
  },
];

const RUNNERS: Record<string, string> = { 'linux/amd64': 'ubuntu-24.04', 'linux/arm64': 'ubuntu-24.04-arm' };
const RELEASE =
  "startsWith(github.ref, 'refs/tags/') || github.event_name == 'schedule' || github.event_name == 'workflow_dispatch'";

const arch = (p: string) => p.split('/').slice(1).join('-');

async function generate(dir: string, args: string[], cwd = dir): Promise<string> {
  const out = join(dir, '.github/workflows/images.yml');
  const r = await runCli(['ci', 'github', dir, '--output', out, ...args], { cwd });
  assert.equal(r.code, 0, r.stderr);
  return readFileSync(resolve(cwd, out), 'utf8');
}

function steps(job: WfJob | undefined, action: string) {
  return (job?.steps ?? []).filter((s) => s.uses?.split('@')[0] === action);
}

for (const ex of EXAMPLES)
  for (const policy of ['native', 'amd64-first'] as const) {
    // amd64-first on two examples: one on a registry with secrets, one on GHCR.
    if (policy === 'amd64-first' && !['monorepo-bake/fixed', 'multiarch-publish/fixed'].includes(ex.example))
      continue;
    test(`ci github ${ex.example} --policy ${policy}: actionlint, GitHub's parser and crossdock check accept it; one native leg per image × platform, one merge per image`, {
      timeout: 120_000,
    }, async (t) => {
      const repo = exampleRepo(ex.example);
      t.after(repo.cleanup);
      const args = [...ex.args, ...(policy === 'native' ? [] : ['--policy', policy])];
      const text = await generate(repo.root, args);

      // Validators: actionlint (every kind, nothing tolerated) and GitHub's own parser.
      assert.deepEqual(await lint.lint(text), []);
      assert.deepEqual(await githubErrors(text), []);

      // crossdock check: nothing in the workflow, and nothing the example did not already have.
      const files = exampleFiles(ex.example);
      const before = await checkRepo({ files }, allRules());
      const withWf = await checkRepo(
        { files: { ...files, '.github/workflows/images.yml': text } },
        allRules(),
      );
      const key = (f: { ruleId: string; file: string; line: number }) => `${f.ruleId} ${f.file}:${f.line}`;
      assert.deepEqual(withWf.map(key), before.map(key));
      assert.deepEqual(
        withWf.filter((f) => f.file.startsWith('.github/workflows/images.yml')),
        [],
      );

      const wf = workflow(text);
      assert.deepEqual(wf.permissions, { contents: 'read' });
      const ids = Object.keys(wf.jobs);
      const legs = ids.filter((id) => id.startsWith('build-'));
      const merges = ids.filter((id) => id.startsWith('merge-'));
      const expectedLegs = Object.keys(ex.images).flatMap((n) =>
        ex.platforms.map((p) => `build-${n}-${arch(p)}`),
      );
      assert.deepEqual(legs.sort(), expectedLegs.sort());
      assert.deepEqual(
        merges.sort(),
        Object.keys(ex.images)
          .map((n) => `merge-${n}`)
          .sort(),
      );
      assert.deepEqual(
        ids.filter((id) => !legs.includes(id) && !merges.includes(id)),
        ['check'],
      );

      const scopes = new Set<string>();
      for (const [id, job] of Object.entries(wf.jobs)) {
        assert.equal(typeof job['timeout-minutes'], 'number', `${id} has timeout-minutes`);
        assert.ok(job.permissions, `${id} has permissions`);
        assert.deepEqual(steps(job, 'docker/setup-qemu-action'), [], `${id}: no QEMU with native runners`);
      }
      for (const [name, repository] of Object.entries(ex.images)) {
        const mine = ex.platforms.map((p) => `build-${name}-${arch(p)}`);
        for (const platform of ex.platforms) {
          const id = `build-${name}-${arch(platform)}`;
          const job = wf.jobs[id];
          assert.equal(job?.['runs-on'], RUNNERS[platform], id);
          assert.deepEqual(job?.needs, ['check']);
          const [build, ...more] = steps(job, 'docker/build-push-action');
          assert.equal(more.length, 0);
          const w = build?.with ?? {};
          assert.equal(w.platforms, platform);
          assert.equal(
            w.outputs,
            `type=image,name=${repository},push-by-digest=true,name-canonical=true,push=true`,
          );
          assert.equal(w.tags, undefined, `${id} pushes no tag`);
          assert.equal(w.push, undefined, `${id}: the outputs push, by digest`);
          const scope = /scope=([^,]+)/.exec(String(w['cache-to']))?.[1];
          assert.equal(/scope=([^,]+)/.exec(String(w['cache-from']))?.[1], scope);
          assert.ok(scope?.endsWith(arch(platform)), `${id}: ${scope}`);
          scopes.add(scope ?? '');
          assert.equal(
            steps(job, 'actions/upload-artifact')[0]?.with?.name,
            `digest-${name}-${arch(platform)}`,
          );
          const expectedIf =
            policy === 'amd64-first' && platform !== 'linux/amd64'
              ? RELEASE
              : "github.event_name != 'pull_request'";
          assert.equal(job?.if, expectedIf, id);
          assert.equal(job?.permissions?.packages, repository.startsWith('ghcr.io/') ? 'write' : undefined);
        }
        const merge = wf.jobs[`merge-${name}`];
        assert.deepEqual(merge?.needs, mine, `merge-${name} needs exactly its legs`);
        assert.deepEqual(
          steps(merge, 'actions/download-artifact').map((s) => s.with?.name),
          ex.platforms.map((p) => `digest-${name}-${arch(p)}`),
        );
        const create = merge?.steps.find((s) => s.run?.includes('imagetools create'));
        assert.match(create?.run ?? '', new RegExp(`"${repository}@sha256:\\$digest"`));
        const verify = merge?.steps.find((s) => s.run?.includes(' verify '));
        assert.match(verify?.run ?? '', new RegExp(`--platforms ${ex.platforms.join(',')} `));
        if (policy === 'amd64-first') {
          assert.equal(merge?.if, "always() && !cancelled() && github.event_name != 'pull_request'");
          const [first, ...rest] = merge?.steps ?? [];
          assert.equal(first?.id, 'legs');
          for (const s of rest) assert.equal(s.if, "steps.legs.outputs.complete == 'true'", s.name ?? s.uses);
        } else assert.equal(merge?.if, undefined);
      }
      assert.equal(scopes.size, legs.length, 'one cache scope per leg');

      // Byte-identical when run again, from the repository itself with the folder written relatively.
      assert.equal(await generate('.', args, repo.root), text);
    });
  }

test('ci github: the header says how the file was made and how to regenerate it, with the flags given', {
  timeout: 60_000,
}, async (t) => {
  const repo = exampleRepo('multiarch-publish/fixed');
  t.after(repo.cleanup);
  const text = await generate(repo.root, [
    '--registry',
    'ghcr.io/acme',
    '--policy',
    'amd64-first',
    '--runner',
    'linux/arm64=ubuntu-22.04-arm',
  ]);
  const header = text.slice(0, text.indexOf('\nname:'));
  assert.match(
    header,
    /^# {3}crossdock ci github --output \.github\/workflows\/images\.yml --runner linux\/arm64=ubuntu-22\.04-arm --policy amd64-first --registry ghcr\.io\/acme$/m,
  );
  assert.match(header, /GITHUB_TOKEN/);
  assert.doesNotMatch(text, /\d{4}-\d{2}-\d{2}T/, 'no timestamp');
  assert.equal(workflow(text).jobs['build-api-arm64']?.['runs-on'], 'ubuntu-22.04-arm');
  assert.ok(workflow(text).on.schedule, 'amd64-first runs on a schedule');
  // Registries other than GHCR log in with named secrets, listed in the header.
  const repo2 = exampleRepo('compose-stack/fixed');
  t.after(repo2.cleanup);
  const text2 = await generate(repo2.root, []);
  assert.match(text2, /^# {3}registry\.lan:5000: REGISTRY_LAN_5000_USERNAME, REGISTRY_LAN_5000_PASSWORD$/m);
  const login = workflow(text2).jobs['build-web-amd64']?.steps.find((s) =>
    s.uses?.startsWith('docker/login-action'),
  );
  assert.deepEqual(login?.with, {
    registry: 'registry.lan:5000',
    username: '${{ secrets.REGISTRY_LAN_5000_USERNAME }}',
    password: '${{ secrets.REGISTRY_LAN_5000_PASSWORD }}',
  });
});

test('crossdock check knows the shape: the mistakes the generator avoids are found when put back', {
  timeout: 60_000,
}, async (t) => {
  const repo = exampleRepo('monorepo-bake/fixed');
  t.after(repo.cleanup);
  const text = await generate(repo.root, []);
  const files = exampleFiles('monorepo-bake/fixed');
  const rulesFound = async (edit: (wf: Wf) => void, more: Record<string, string> = {}) => {
    const wf = workflow(text);
    edit(wf);
    const findings = await checkRepo(
      { files: { ...files, ...more, '.github/workflows/images.yml': stringify(wf) } },
      allRules(),
    );
    return [...new Set(findings.filter((f) => f.file.startsWith('.github/')).map((f) => f.ruleId))].sort();
  };
  const build = (wf: Wf, id: string) => steps(wf.jobs[id], 'docker/build-push-action')[0]?.with ?? {};
  assert.deepEqual(await rulesFound(() => {}), []);
  // Each leg pushes the release tag itself and nothing merges: the tag ends up single-platform. The other images'
  // merge jobs write their tags literally, so crossdock sees they do not merge this one. (With merge-billing still
  // there the rule is silent: its index, written last, is what the tag ends up as.)
  assert.deepEqual(
    await rulesFound((wf) => {
      delete wf.jobs['merge-billing'];
      for (const id of ['build-billing-amd64', 'build-billing-arm64']) {
        const w = build(wf, id);
        delete w.outputs;
        w.push = true;
        w.tags = 'registry.example.com/shop/billing:2.1.0';
      }
    }),
    ['platform-tag-overwrite'],
  );
  // The arm64 leg on an amd64 runner, without QEMU, of a Dockerfile that RUNs something (billing's runs nothing:
  // emulation would not matter, and the rule rightly stays silent).
  const onAmd64 = (wf: Wf) => {
    const job = wf.jobs['build-billing-arm64'];
    if (job) job['runs-on'] = 'ubuntu-24.04';
  };
  assert.deepEqual(await rulesFound(onAmd64), []);
  assert.deepEqual(
    await rulesFound(onAmd64, {
      'services/billing/Dockerfile':
        'FROM python:3.12-slim\nWORKDIR /app\nCOPY main.py .\nRUN python -m compileall .\nUSER 10001\nCMD ["python", "main.py"]\n',
    }),
    ['emulated-build'],
  );
  // No timeout on a leg.
  assert.deepEqual(
    await rulesFound((wf) => {
      delete wf.jobs['build-billing-arm64']?.['timeout-minutes'];
    }),
    ['job-no-timeout'],
  );
  // A mistyped input of build-push-action.
  assert.deepEqual(
    await rulesFound((wf) => {
      const w = build(wf, 'build-billing-amd64');
      w.platform = w.platforms;
      delete w.platforms;
    }),
    ['action-unknown-input'],
  );
});

test('the validators are not vacuous: actionlint knows the arm64 label and rejects a wrong one; a broken need fails both', {
  timeout: 60_000,
}, async (t) => {
  const repo = exampleRepo('multiarch-publish/fixed');
  t.after(repo.cleanup);
  const text = await generate(repo.root, ['--registry', 'ghcr.io/acme']);
  assert.match(text, /runs-on: ubuntu-24\.04-arm\n/);
  // actionlint 1.7.7 knows ubuntu-24.04-arm (1.6.22 did not): nothing to tolerate; a misspelt label is reported.
  const label = await lint.lint(text.replace('runs-on: ubuntu-24.04-arm\n', 'runs-on: ubuntu-24.04-arm64\n'));
  assert.deepEqual(
    label.map((r) => r.kind),
    ['runner-label'],
  );
  const broken = text.replace('      - build-api-arm64\n', '      - build-api-arm46\n');
  assert.notEqual(broken, text);
  assert.ok((await lint.lint(broken)).some((r) => r.kind === 'job-needs'));
  assert.notDeepEqual(await githubErrors(broken), []);
});

test('the README excerpt is real output', { timeout: 60_000 }, async () => {
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
  const section = readme.slice(readme.indexOf('## Generating the CI pipeline'));
  const excerpt = /```yaml\n([\s\S]*?)```/.exec(section)?.[1] ?? '';
  const lines = excerpt.split('\n').filter((l) => l && l !== '…');
  assert.ok(lines.length > 20, excerpt);
  const repo = exampleRepo('monorepo-bake/fixed');
  try {
    const r = await runCli(['ci', 'github', repo.root, '--image', 'catalog', '--policy', 'amd64-first']);
    assert.equal(r.code, 0, r.stderr);
    const out = r.stdout.split('\n');
    let at = 0;
    for (const l of lines) {
      const i = out.indexOf(l, at);
      assert.ok(i >= 0, `not in the output, in this order: ${l}`);
      at = i + 1;
    }
  } finally {
    repo.cleanup();
  }
});
