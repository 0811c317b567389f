// biome-ignore-all lint/suspicious/noTemplateCurlyInString: fixtures hold workflow `${{ }}` text literally.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadRepo } from '../helpers/check.js';

/** The tags of the build a workflow's build-push step runs, computed ones by shape (`~`) or unknown (`?`). */
async function tagsOf(on: string[], meta: string[], options: { github?: string; env?: string[] } = {}) {
  const model = await loadRepo({
    github: options.github ?? 'acme/app',
    files: {
      Dockerfile: 'FROM alpine:3.20\n',
      '.github/workflows/image.yml': [
        ...on,
        'jobs:',
        '  image:',
        '    runs-on: ubuntu-latest',
        ...(options.env ?? []),
        '    steps:',
        '      - id: meta',
        '        uses: docker/metadata-action@v5',
        '        with:',
        ...meta.map((l) => `          ${l}`),
        '      - uses: docker/build-push-action@v6',
        '        with:',
        '          tags: ${{ steps.meta.outputs.tags }}',
        '',
      ].join('\n'),
    },
  });
  const b = model.builds[0];
  assert.ok(b);
  return b.tags.map((t, i) => {
    const s = b.tagShapes?.[i];
    return s === undefined
      ? t
      : 'known' in s
        ? `? ${s.reason}`
        : `~ ${t.slice(0, t.lastIndexOf(':'))}:${s.text}`;
  });
}

const PUSH_MAIN = ['on:', '  push:', '    branches: [main]'];

test('metadata-action: the default rules (no tags input) are schedule, branch, tag and pr', async () => {
  assert.deepEqual(await tagsOf(PUSH_MAIN, ['images: ghcr.io/${{ github.repository }}']), [
    'ghcr.io/acme/app:main',
  ]);
  assert.deepEqual(
    await tagsOf(['on:', '  push:', "    tags: ['v*']", '  pull_request:'], ['images: ghcr.io/acme/app']),
    ['~ ghcr.io/acme/app:v*', '~ ghcr.io/acme/app:pr-<number>', 'ghcr.io/acme/app:latest'],
  );
});

test('metadata-action: push with only a tags filter never runs on a branch; tags-only refs give no branch tag', async () => {
  assert.deepEqual(
    await tagsOf(
      ['on:', '  push:', "    tags: ['v*']"],
      ['images: ghcr.io/acme/app', 'tags: type=ref,event=branch'],
    ),
    [],
  );
});

test('metadata-action: images are lowercased, `enable=false` images dropped, the one-line comma form read', async () => {
  assert.deepEqual(
    await tagsOf(PUSH_MAIN, [
      'images: |',
      '  name=GHCR.io/${{ github.repository_owner }}/App',
      '  name=docker.io/acme/app,enable=false',
      'tags: type=raw,value=stable',
    ]),
    ['ghcr.io/acme/app:stable'],
  );
  assert.deepEqual(await tagsOf(PUSH_MAIN, ['images: a/x,b/y', 'tags: type=raw,value=1']), [
    'a/x:1',
    'b/y:1',
  ]);
});

test('metadata-action: a branch name is sanitized as the action does (`feature/x` → `feature-x`)', async () => {
  assert.deepEqual(
    await tagsOf(
      ['on:', '  push:', '    branches: [feature/x]'],
      ['images: a/x', 'tags: type=ref,event=branch,suffix=-arm64'],
    ),
    ['a/x:feature-x-arm64'],
  );
});

test('metadata-action: pep440 versions start with a digit; `{{{version}}}` names the version too', async () => {
  assert.deepEqual(
    await tagsOf(
      ['on:', '  release:'],
      ['images: a/x', 'tags: |', '  type=pep440,pattern={{version}}', '  type=semver,pattern=v{{{major}}}'],
    ),
    ['~ a/x:<version>', '~ a/x:v<major>', '~ a/x:<version>', 'a/x:latest'],
  );
});

test('metadata-action: prefix/suffix with onlatest; the latest tag takes them only then', async () => {
  assert.deepEqual(
    await tagsOf(PUSH_MAIN, [
      'images: a/x',
      'tags: type=sha',
      'flavor: |',
      '  latest=true',
      '  prefix=arm-,onlatest=true',
    ]),
    ['~ a/x:sha-<7 hex>', 'a/x:arm-latest'],
  );
});

test('metadata-action: what cannot be read leaves the tags unknown, with why', async () => {
  const unknownTags = async (meta: string[], on = PUSH_MAIN) =>
    (await tagsOf(on, meta)).filter((t) => t.startsWith('?'));
  assert.match((await unknownTags(['images: a/x', 'context: git']))[0] ?? '', /context: git/);
  assert.match((await unknownTags(['images: a/x', 'sep-tags: " "']))[0] ?? '', /sep-tags/);
  assert.match(
    (await unknownTags(['images: a/x', 'tags: type=raw,value=${{ github.ref_name }}']))[0] ?? '',
    /evaluated by GitHub Actions/,
  );
  assert.match(
    (await unknownTags(['images: a/x', 'tags: type=sha,prefix={{base_ref}}-']))[0] ?? '',
    /base_ref/,
  );
  assert.match(
    (
      await unknownTags(
        ['images: a/x', 'tags: type=ref,event=tag'],
        ['on:', '  push:', "    tags: ['v[0-9]+']"],
      )
    )[0] ?? '',
    /v\[0-9\]\+/,
  );
  assert.match(
    (await unknownTags(['images: a/x', 'tags: type=ref,event=branch'], ['on: [push]']))[0] ?? '',
    /every branch/,
  );
  assert.match(
    (
      await unknownTags(
        ['images: a/x', 'tags: type=ref,event=branch'],
        ['on:', '  schedule:', "    - cron: '0 0 * * *'"],
      )
    )[0] ?? '',
    /default branch, whose name is not known/,
  );
});

test('metadata-action: images that cannot be evaluated leave the build tag as written (no repository)', async () => {
  assert.deepEqual(await tagsOf(PUSH_MAIN, ['images: ${{ env.IMAGE }}', 'tags: type=sha']), [
    '${{ steps.meta.outputs.tags }}',
  ]);
  assert.deepEqual(await tagsOf(PUSH_MAIN, ['images: ghcr.io/${{ github.repository }}'], { github: '' }), [
    '${{ steps.meta.outputs.tags }}',
  ]);
});

test('metadata-action: a DOCKER_METADATA_SHORT_SHA_LENGTH that is not a number leaves the length open', async () => {
  assert.deepEqual(
    await tagsOf(PUSH_MAIN, ['images: a/x', 'tags: type=raw,value={{sha}}'], {
      env: ['    env:', '      DOCKER_METADATA_SHORT_SHA_LENGTH: ${{ vars.LEN }}'],
    }),
    ['~ a/x:<hex>'],
  );
});
