// biome-ignore-all lint/suspicious/noTemplateCurlyInString: the workflow holds `${{ }}` and shell `${x}` literally.
import { Document } from 'yaml';
import { templatePlaceholders, templateShellWord } from '../build/tags.js';
import { UsageError } from '../errors.js';
import type { CiImage } from './images.js';
import type { Job, LabelValue, Login, Permissions, Pipeline, Step } from './model.js';

/**
 * Renders a pipeline as a GitHub Actions workflow. Actions are pinned by major version tag, at majors whose
 * inputs crossdock knows (data/actions.json), so `crossdock check` validates every `with:` it writes.
 */

export const ACTIONS = {
  checkout: 'actions/checkout@v4',
  setupNode: 'actions/setup-node@v4',
  uploadSarif: 'github/codeql-action/upload-sarif@v3',
  setupQemu: 'docker/setup-qemu-action@v3',
  setupBuildx: 'docker/setup-buildx-action@v3',
  login: 'docker/login-action@v3',
  buildPush: 'docker/build-push-action@v6',
  upload: 'actions/upload-artifact@v4',
  download: 'actions/download-artifact@v4',
};

const RELEASE =
  "startsWith(github.ref, 'refs/tags/') || github.event_name == 'schedule' || github.event_name == 'workflow_dispatch'";
const NOT_PR = "github.event_name != 'pull_request'";
const DIGESTS = '${{ runner.temp }}/digests';

type Yaml = Record<string, unknown>;

function permissions(p: Permissions): Yaml {
  const out: Yaml = {};
  if (p.actions) out.actions = p.actions;
  if (p.contents) out.contents = p.contents;
  if (p.packages) out.packages = p.packages;
  if (p.securityEvents) out['security-events'] = p.securityEvents;
  return out;
}

function loginStep(l: Login): Yaml {
  const w: Yaml = {};
  if (l.registry !== 'docker.io') w.registry = l.registry;
  if (l.kind === 'ci-token') {
    w.username = '${{ github.actor }}';
    w.password = '${{ secrets.GITHUB_TOKEN }}';
  } else {
    w.username = `\${{ secrets.${l.username} }}`;
    w.password = `\${{ secrets.${l.password} }}`;
  }
  return { name: `Log in to ${l.registry}`, uses: ACTIONS.login, with: w };
}

function labelValue(v: LabelValue): string {
  if (typeof v === 'string') return v;
  return v.ci === 'commit' ? '${{ github.sha }}' : '${{ github.server_url }}/${{ github.repository }}';
}

function lines(entries: string[]): string {
  for (const e of entries)
    if (/[\r\n]/.test(e))
      throw new UsageError(`a build argument or label holds a line break: ${JSON.stringify(e)}`, {
        hint: 'values passed to the workflow are one line each',
      });
  return `${entries.join('\n')}\n`;
}

/** The shell that expands the image's tag templates as `crossdock build` does, into `refs` (space-separated). */
export function tagsScript(image: CiImage): string {
  const used = new Set(image.tags.flatMap(templatePlaceholders));
  const out: string[] = [];
  if (used.has('sha')) out.push('sha="${GITHUB_SHA::7}"');
  if (used.has('date')) out.push('date="$(date -u +%Y%m%d)"');
  if (used.has('branch'))
    out.push(
      'if [ "$GITHUB_REF_TYPE" != branch ]; then',
      '  echo "::error::a tag template uses {branch}, but $GITHUB_REF is not a branch: drop {branch} from the templates or publish from a branch"',
      '  exit 1',
      'fi',
      `branch="$(printf '%s' "$GITHUB_REF_NAME" | sed -E 's/[^A-Za-z0-9_.-]+/-/g; s/^[.-]+//')"`,
    );
  out.push(
    'refs=""',
    `for tag in ${image.tags.map(templateShellWord).join(' ')}; do`,
    '  if ! [[ "$tag" =~ ^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$ ]]; then',
    '    echo "::error::the tag \\"$tag\\" is not a valid tag (1-128 of A-Z a-z 0-9 _ . -, not starting with . or -)"',
    '    exit 1',
    '  fi',
    `  case " $refs " in *" ${image.repository}:$tag "*) ;; *) refs="$refs ${image.repository}:$tag" ;; esac`,
    'done',
    'echo "refs=${refs# }" >> "$GITHUB_OUTPUT"',
    // The values, for the create step's --tag words (written out, so that crossdock check reads which tags).
    ...PLACEHOLDERS.filter((p) => used.has(p)).map((p) => `echo "${p}=\${${p}}" >> "$GITHUB_OUTPUT"`),
  );
  return `${out.join('\n')}\n`;
}

const PLACEHOLDERS = ['date', 'sha', 'branch'] as const;

/** The placeholders the image's templates use, as the create step's environment. */
function placeholderEnv(image: CiImage): Record<string, string> {
  const used = new Set(image.tags.flatMap(templatePlaceholders));
  return Object.fromEntries(
    PLACEHOLDERS.filter((p) => used.has(p)).map((p) => [p, `\${{ steps.tags.outputs.${p} }}`]),
  );
}

/** The shell that reads the legs' results (amd64-first): publish only when every platform was built. */
export function legsScript(legs: { job: string; platform: string; when: 'push' | 'release' }[]): string {
  return `${[
    'complete=true',
    'failed=false',
    'leg() {',
    '  case "$3" in',
    '    success) ;;',
    '    skipped)',
    '      if [ "$2" = release ] && [ "$RELEASE" != true ]; then',
    '        complete=false',
    '        echo "$1: not built on this event (--policy amd64-first builds it on tags, schedule and manual runs)"',
    '      else',
    '        echo "::error::$1 was not built (its job was skipped: a job it needs failed or was skipped)"',
    '        failed=true',
    '      fi',
    '      ;;',
    '    *)',
    '      echo "::error::$1: its job ended $3"',
    '      failed=true',
    '      ;;',
    '  esac',
    '}',
    ...legs.map((l) => `leg ${l.platform} ${l.when} "$${envName(l.job)}"`),
    'if [ "$failed" = true ]; then exit 1; fi',
    'if [ "$complete" != true ]; then',
    '  echo "::notice::no index published: a partial one under the release tags would replace the multi-platform image"',
    'fi',
    'echo "complete=$complete" >> "$GITHUB_OUTPUT"',
  ].join('\n')}\n`;
}

function envName(job: string): string {
  return `RESULT_${job.toUpperCase().replace(/[^A-Z0-9]+/g, '_')}`;
}

export function createScript(image: CiImage, digests: number): string {
  const tags = [...new Set(image.tags)].map(
    (t) => `  --tag ${templateShellWord(t).replace(/^"/, `"${image.repository}:`)} \\`,
  );
  return `${[
    'set --',
    'count=0',
    'for digest in *; do',
    `  set -- "$@" "${image.repository}@sha256:$digest"`,
    '  count=$((count + 1))',
    'done',
    `if [ "$count" -ne ${digests} ]; then`,
    `  echo "::error::expected ${digests} digests, one per platform, found $count"`,
    '  exit 1',
    'fi',
    'docker buildx imagetools create \\',
    ...tags,
    '  "$@"',
  ].join('\n')}\n`;
}

function step(s: Step, pipeline: Pipeline): Yaml | Yaml[] {
  const v = pipeline.crossdockVersion;
  switch (s.kind) {
    case 'checkout': {
      const w: Yaml = { 'persist-credentials': false };
      if (s.submodules) w.submodules = 'recursive';
      if (s.only) {
        w['sparse-checkout'] = lines(s.only);
        w['sparse-checkout-cone-mode'] = false;
      }
      return { uses: ACTIONS.checkout, with: w };
    }
    case 'setup-node':
      return { uses: ACTIONS.setupNode, with: { 'node-version': s.version } };
    case 'check':
      return {
        name: 'crossdock check',
        run: `npx --yes crossdock@${v} check --format sarif --output ${s.sarif}`,
      };
    case 'upload-sarif':
      return {
        name: 'Upload the findings to code scanning',
        if: `\${{ !cancelled() && hashFiles('${s.sarif}') != '' }}`,
        uses: ACTIONS.uploadSarif,
        with: { sarif_file: s.sarif, category: 'crossdock' },
      };
    case 'setup-qemu':
      return {
        name: `QEMU for ${s.platforms.join(', ')} (no native runner for it)`,
        uses: ACTIONS.setupQemu,
        with: { platforms: s.platforms.join(',') },
      };
    case 'setup-buildx':
      return { uses: ACTIONS.setupBuildx };
    case 'login':
      return loginStep(s.login);
    case 'build': {
      const img = s.image;
      const w: Yaml = { context: img.context, file: img.dockerfile };
      if (img.target) w.target = img.target;
      const args = Object.entries(img.buildArgs).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
      if (args.length) w['build-args'] = lines(args.map(([k, x]) => `${k}=${x}`));
      w.platforms = s.platform;
      w.labels = lines(Object.entries(s.labels).map(([k, x]) => `${k}=${labelValue(x)}`));
      if (s.secrets.length) w.secrets = lines(s.secrets.map((x) => `${x.id}=\${{ secrets.${x.env} }}`));
      w.outputs = `type=image,name=${img.repository},push-by-digest=true,name-canonical=true,push=true`;
      w['cache-from'] = `type=gha,scope=${s.cacheScope}`;
      w['cache-to'] = `type=gha,mode=max,scope=${s.cacheScope}`;
      return { name: `Build ${s.platform}, push by digest`, id: 'build', uses: ACTIONS.buildPush, with: w };
    }
    case 'upload-digest':
      return [
        {
          name: 'Hand the digest to the merge job',
          env: { DIGEST: '${{ steps.build.outputs.digest }}' },
          run: 'mkdir -p "$RUNNER_TEMP/digests"\ntouch "$RUNNER_TEMP/digests/${DIGEST#sha256:}"\n',
        },
        {
          uses: ACTIONS.upload,
          with: {
            name: s.artifact,
            path: `${DIGESTS}/*`,
            'if-no-files-found': 'error',
            'retention-days': 1,
          },
        },
      ];
    case 'check-legs':
      return {
        name: 'Check the platform jobs',
        id: 'legs',
        env: {
          RELEASE: `\${{ ${RELEASE} }}`,
          ...Object.fromEntries(s.legs.map((l) => [envName(l.job), `\${{ needs.${l.job}.result }}`])),
        },
        run: legsScript(s.legs),
      };
    case 'download-digest':
      return {
        uses: ACTIONS.download,
        with: { name: s.artifact, path: DIGESTS },
      };
    case 'tags':
      return { name: 'Tags from the templates', id: 'tags', run: tagsScript(s.image) };
    case 'create-index':
      return {
        name: 'Create the index',
        'working-directory': DIGESTS,
        ...(Object.keys(placeholderEnv(s.image)).length ? { env: placeholderEnv(s.image) } : {}),
        run: createScript(s.image, s.digests),
      };
    case 'verify': {
      const platforms = s.image.platforms.join(',');
      const policy = s.image.policy ? ` --policy ${s.image.policy}` : '';
      return {
        name: 'crossdock verify',
        env: { REFS: '${{ steps.tags.outputs.refs }}' },
        run: `npx --yes crossdock@${v} verify $REFS --platforms ${platforms} --revision "$GITHUB_SHA"${policy}\n`,
      };
    }
  }
}

function jobYaml(job: Job, pipeline: Pipeline): Yaml {
  const out: Yaml = { name: job.name };
  if (job.needs.length) out.needs = job.needs;
  if (job.role === 'build') out.if = job.when === 'release' ? RELEASE : NOT_PR;
  if (job.role === 'merge' && job.afterSkippedNeeds) out.if = `always() && !cancelled() && ${NOT_PR}`;
  out['runs-on'] = job.runner.length === 1 ? job.runner[0] : job.runner;
  out['timeout-minutes'] = job.timeoutMinutes;
  out.permissions = permissions(job.permissions);
  const steps: Yaml[] = [];
  for (const s of job.steps) {
    const y = step(s, pipeline);
    const list = Array.isArray(y) ? y : [y];
    for (const item of list) {
      // amd64-first: after the legs' check, a step runs only when every platform was built.
      if (job.afterSkippedNeeds && s.kind !== 'check-legs')
        steps.push({
          ...(item.name ? { name: item.name } : {}),
          if: "steps.legs.outputs.complete == 'true'",
          ...item,
        });
      else steps.push(item);
    }
  }
  out.steps = steps;
  return out;
}

function header(p: Pipeline): string {
  const lines = [
    ` Generated by crossdock ${p.crossdockVersion} from ${p.source}. Do not edit: regenerate it instead, at the`,
    ' repository root:',
    `   ${p.command}`,
    '',
    ' Each image is built per platform on a runner of that architecture and pushed by digest only; one job per',
    ' image then writes the multi-platform index under the tags and runs crossdock verify on it.',
    p.policy === 'amd64-first'
      ? ' --policy amd64-first: amd64 on every push; the other platforms, and the index, on tags v*, schedule and manual runs.'
      : ` The index is published on pushes to ${p.branch}, tags ${p.tagPattern} and manual runs; pull requests run the checks only.`,
  ];
  const secrets = p.logins.filter((l) => l.kind === 'secrets');
  if (p.logins.some((l) => l.kind === 'ci-token'))
    lines.push('', ' ghcr.io: the workflow token (GITHUB_TOKEN, with packages: write) logs in.');
  if (secrets.length) {
    lines.push('', ' Repository secrets to create (Settings > Secrets and variables > Actions):');
    for (const l of secrets)
      if (l.kind === 'secrets') lines.push(`   ${l.registry}: ${l.username}, ${l.password}`);
  }
  return lines.join('\n');
}

export function renderGithub(p: Pipeline): string {
  const on: Yaml = {
    push: { branches: [p.branch], tags: [p.tagPattern] },
    pull_request: null,
    workflow_dispatch: null,
  };
  if (p.policy === 'amd64-first') on.schedule = [{ cron: '17 3 * * 1' }];
  const jobs: Yaml = {};
  for (const j of p.jobs) jobs[j.id] = jobYaml(j, p);
  const doc = new Document({ name: p.name, on, permissions: { contents: 'read' }, jobs });
  doc.commentBefore = header(p);
  return doc.toString({ lineWidth: 0, nullStr: '', flowCollectionPadding: false });
}
