// biome-ignore-all lint/suspicious/noTemplateCurlyInString: manifest fixtures hold `${TAG}` text literally.
import rule from '../../src/rules/mutable-tag-pull-policy.js';
import { at, ruleTest } from '../helpers/rule-tester.js';

const R = 'mutable-tag-pull-policy';

const DIGEST = `sha256:${'4f'.repeat(32)}`;

const deployment = [
  'apiVersion: apps/v1',
  'kind: Deployment',
  'metadata:',
  '  name: api',
  'spec:',
  '  template:',
  '    spec:',
  '      containers:',
  '        - name: api',
  '          image: registry.example.com/team/api:dev',
  '        - name: proxy',
  '          image: registry.example.com/team/proxy:arm64-latest',
  '          imagePullPolicy: IfNotPresent',
  '        - name: cache',
  '          image: redis:latest',
  '          imagePullPolicy: IfNotPresent',
  '        - name: metrics',
  '          image: prom/statsd-exporter',
  '        - name: agent',
  '          image: registry.example.com/team/agent:main',
  '          imagePullPolicy: Always',
  '        - name: pinned',
  `          image: registry.example.com/team/api:dev@${DIGEST}`,
  '          imagePullPolicy: IfNotPresent',
  '        - name: versioned',
  '          image: registry.example.com/team/api:1.4.2',
  '          imagePullPolicy: IfNotPresent',
  '      initContainers:',
  '        - name: migrate',
  '          image: registry.example.com/team/api:${TAG}',
  '---',
  'apiVersion: batch/v1',
  'kind: CronJob',
  'metadata:',
  '  name: report',
  'spec:',
  '  schedule: "0 3 * * *"',
  '  jobTemplate:',
  '    spec:',
  '      template:',
  '        spec:',
  '          containers:',
  '            - name: report',
  '              image: nginx',
  '              imagePullPolicy: Never',
  '',
].join('\n');

const CHART = 'apiVersion: v2\nname: api\nversion: 0.1.0\nappVersion: "1.4.2"\n';

/** One Deployment with one container: image on line 10, imagePullPolicy (when given) on line 11. */
const single = (image: string, policy?: string) =>
  [
    'apiVersion: apps/v1',
    'kind: Deployment',
    'metadata:',
    '  name: api',
    'spec:',
    '  template:',
    '    spec:',
    '      containers:',
    '        - name: api',
    `          image: ${image}`,
    ...(policy ? [`          imagePullPolicy: ${policy}`] : []),
    '',
  ].join('\n');

/** `k8s/app.yaml` applied by a kustomization (reached), plus extra files. */
const applied = (manifest: string, extra: Record<string, string> = {}) => ({
  files: { 'k8s/app.yaml': manifest, 'k8s/kustomization.yaml': 'resources:\n  - app.yaml\n', ...extra },
});

/** An image built by a script in the repository: `flags` decide whether it is pushed. */
const built = (tag: string, flags = '') => ({
  'api/Dockerfile': 'FROM python:3.12-slim\nCOPY . /app\n',
  'scripts/build.sh': `#!/bin/sh\nset -e\ndocker buildx build ${flags}-t ${tag} api\n`,
});

ruleTest(rule, [
  {
    name: 'mutable tags with the default or IfNotPresent policy, and cached latest, are reported where the policy is decided',
    repo: applied(deployment),
    expect: [
      at(R, 'warning', 'k8s/app.yaml', 10, 18, {
        message:
          /^`registry\.example\.com\/team\/api:dev` is a mutable tag pulled with the default policy \(IfNotPresent for non-latest tags\): a node that already has `dev` never pulls the new push, so rollouts run stale images$/,
        reachable: true,
        sites: [],
        related: [],
      }),
      at(R, 'warning', 'k8s/app.yaml', 13, 28, {
        message:
          /^`registry\.example\.com\/team\/proxy:arm64-latest` is a mutable tag pulled with imagePullPolicy IfNotPresent: a node that already has `arm64-latest` never pulls the new push, so rollouts run stale images$/,
        related: [],
      }),
      at(R, 'warning', 'k8s/app.yaml', 16, 28, {
        message:
          /^`redis:latest` is pulled with imagePullPolicy IfNotPresent: the kubelet keeps whatever `latest` it cached first$/,
        sites: [],
        related: [],
      }),
      // A reference without a tag is `latest`.
      at(R, 'warning', 'k8s/app.yaml', 45, 32, {
        message: /^`nginx` is pulled with imagePullPolicy Never: /,
      }),
    ],
  },
  {
    name: 'a manifest nothing applies is unreached (still a warning, reachable: false)',
    repo: { files: { 'k8s/app.yaml': single('registry.example.com/team/api:dev') } },
    expect: [at(R, 'warning', 'k8s/app.yaml', 10, 18, { reachable: false })],
  },
  {
    name: 'a manifest a script applies from an unknown folder is not reached: which file it deploys depends on where the script runs (a warning, not an error)',
    repo: {
      files: {
        'k8s/app.yaml': single('registry.example.com/team/api:dev'),
        'scripts/deploy.sh': '#!/bin/sh\nkubectl apply -f k8s/app.yaml\n',
      },
    },
    expect: [at(R, 'warning', 'k8s/app.yaml', 10, 18, { reachable: false })],
  },
  {
    name: 'an image a workflow step rewrites with sed before applying is not judged',
    repo: {
      files: {
        'k8s/app.yaml': single('registry.example.com/team/api:dev'),
        '.github/workflows/cd.yml': [
          'on: push',
          'jobs:',
          '  deploy:',
          '    runs-on: ubuntu-latest',
          '    steps:',
          '      - uses: actions/checkout@v4',
          '      - run: |',
          '          sed -i "s|:dev|:${{ github.sha }}|" k8s/app.yaml',
          '          kubectl apply -f k8s/',
          '',
        ].join('\n'),
      },
    },
    expect: [],
  },
  {
    name: 'an image a workflow step renders with envsubst (a glob of manifests) is not judged',
    repo: {
      files: {
        'k8s/app.yaml': single('registry.example.com/team/api:dev'),
        '.github/workflows/cd.yml': [
          'on: push',
          'jobs:',
          '  deploy:',
          '    runs-on: ubuntu-latest',
          '    steps:',
          '      - uses: actions/checkout@v4',
          '      - run: |',
          '          for f in k8s/*.yaml; do envsubst < "$f" | kubectl apply -f -; done',
          '          sed -i "s|:dev|:$TAG|" k8s/*.yaml',
          '',
        ].join('\n'),
      },
    },
    expect: [],
  },
  {
    name: 'an image a script nothing runs renders (sed on the candidate path that exists) is not judged',
    repo: {
      files: {
        'k8s/app.yaml': single('registry.example.com/team/api:dev'),
        'scripts/deploy.sh': '#!/bin/sh\nsed -i "s|:dev|:$1|" k8s/app.yaml\nkubectl apply -f k8s/app.yaml\n',
      },
    },
    expect: [],
  },
  // Condition: the pull policy.
  {
    name: 'Always, versions, digests and a latest left to its default policy report nothing',
    repo: applied(
      [
        'apiVersion: apps/v1',
        'kind: Deployment',
        'metadata:',
        '  name: api',
        'spec:',
        '  template:',
        '    spec:',
        '      containers:',
        '        - name: api',
        '          image: registry.example.com/team/api:dev',
        '          imagePullPolicy: Always',
        '        - name: proxy',
        '          image: registry.example.com/team/proxy:2.3.0',
        '        - name: cache',
        '          image: redis:latest',
        '        - name: pinned',
        `          image: registry.example.com/team/api@${DIGEST}`,
        '',
      ].join('\n'),
    ),
    expect: [],
  },
  {
    name: 'imagePullPolicy Always on a mutable tag reports nothing',
    repo: applied(single('registry.example.com/team/api:main', 'Always')),
    expect: [],
  },
  {
    name: 'imagePullPolicy Never on a mutable tag is stale too (reported at the policy)',
    repo: applied(single('registry.example.com/team/api:main', 'Never')),
    expect: [at(R, 'warning', 'k8s/app.yaml', 11, 28, { message: /pulled with imagePullPolicy Never/ })],
  },
  // Condition: the tag is mutable.
  {
    name: 'a version or sha tag with IfNotPresent reports nothing',
    repo: applied(single('registry.example.com/team/api:3f2c1a9', 'IfNotPresent')),
    expect: [],
  },
  {
    name: 'a digest on a mutable tag pins it: nothing',
    repo: applied(single(`registry.example.com/team/api:main@${DIGEST}`, 'IfNotPresent')),
    expect: [],
  },
  // Condition: the reference is known (not a variable, a placeholder, or filled in by a render step).
  ...[
    'registry.example.com/team/api:${TAG}',
    '<IMAGE>',
    'registry.example.com/team/__IMAGE__:latest',
    'REPLACE_ME',
  ].map((image) => ({
    name: `a placeholder is not an image reference: ${image}`,
    repo: applied(single(image, 'IfNotPresent')),
    expect: [],
  })),
  {
    name: 'an image filled in by kustomize replacements: is not judged',
    repo: {
      files: {
        'k8s/app.yaml': single('registry.example.com/team/api:dev'),
        'k8s/kustomization.yaml': [
          'resources:',
          '  - app.yaml',
          'replacements:',
          '  - source:',
          '      kind: ConfigMap',
          '      name: image',
          '      fieldPath: data.ref',
          '    targets:',
          '      - select:',
          '          kind: Deployment',
          '        fieldPaths:',
          '          - spec.template.spec.containers.[name=api].image',
          '',
        ].join('\n'),
      },
    },
    expect: [],
  },
  {
    name: 'an image a deploy script rewrites with sed before applying is not judged',
    repo: {
      files: {
        'k8s/app.yaml': single('registry.example.com/team/api:dev'),
        'scripts/deploy.sh':
          'cd "$(dirname "$0")/.."\nsed -i "s|:dev|:$TAG|" k8s/app.yaml\nkubectl apply -f k8s/app.yaml\n',
      },
    },
    expect: [],
  },
  // Condition: the image is built here, never pushed, and named without a registry host (then IfNotPresent is right).
  {
    name: 'an image built here, never pushed, without a registry host: IfNotPresent is correct',
    repo: applied(single('api:dev', 'IfNotPresent'), built('api:dev')),
    expect: [],
  },
  {
    name: 'the same image pushed by its build: stale tags are possible again',
    repo: applied(single('api:dev', 'IfNotPresent'), built('api:dev', '--push ')),
    expect: [at(R, 'warning', 'k8s/app.yaml', 11, 28)],
  },
  {
    name: 'the same image named with a registry host: reported',
    repo: applied(
      single('registry.example.com/team/api:dev', 'IfNotPresent'),
      built('registry.example.com/team/api:dev'),
    ),
    expect: [at(R, 'warning', 'k8s/app.yaml', 11, 28)],
  },
  {
    name: 'the same local name not built here: reported',
    repo: applied(single('api:dev', 'IfNotPresent')),
    expect: [at(R, 'warning', 'k8s/app.yaml', 11, 28)],
  },
  // Helm.
  {
    name: 'Helm values: `image: {repository, tag, pullPolicy}` blocks and `image: "ref"` strings',
    repo: {
      files: {
        'chart/Chart.yaml': CHART,
        'chart/values.yaml': [
          'replicaCount: 2',
          'image:',
          '  repository: registry.example.com/team/api',
          '  tag: develop',
          '  pullPolicy: IfNotPresent',
          'worker:',
          '  image:',
          '    repository: registry.example.com/team/worker',
          '    tag: latest',
          '    pullPolicy: IfNotPresent',
          'migrations:',
          '  image:',
          '    registry: registry.example.com',
          '    repository: team/migrate',
          '    tag: "2024.06.1"',
          '    pullPolicy: IfNotPresent',
          'redis:',
          '  image: redis:nightly',
          '',
        ].join('\n'),
      },
    },
    expect: [
      at(R, 'warning', 'chart/values.yaml', 5, 15, {
        message:
          /^`registry\.example\.com\/team\/api:develop` is a mutable tag pulled with imagePullPolicy IfNotPresent/,
        reachable: true,
      }),
      at(R, 'warning', 'chart/values.yaml', 10, 17, {
        message: /^`registry\.example\.com\/team\/worker:latest` is pulled with imagePullPolicy IfNotPresent/,
      }),
      at(R, 'warning', 'chart/values.yaml', 18, 10, {
        message: /^`redis:nightly` is a mutable tag pulled with the default policy/,
      }),
    ],
  },
  {
    name: 'Helm values without a tag use the chart appVersion (the `helm create` default), not latest',
    repo: {
      files: {
        'chart/Chart.yaml': CHART,
        'chart/values.yaml': [
          'image:',
          '  repository: registry.example.com/team/api',
          '  pullPolicy: IfNotPresent',
          '  # Overrides the image tag whose default is the chart appVersion.',
          '  tag: ""',
          'sidecar:',
          '  image:',
          '    repository: registry.example.com/team/proxy',
          '    pullPolicy: IfNotPresent',
          '',
        ].join('\n'),
      },
    },
    expect: [],
  },
  // Kustomize.
  ...(() => {
    const files = (override: string[]) => ({
      files: {
        'k8s/base/deployment.yaml': deployment.split('        - name: proxy')[0] ?? '',
        'k8s/base/kustomization.yaml': 'resources:\n  - deployment.yaml\n',
        'k8s/overlays/prod/kustomization.yaml': [
          'resources:',
          '  - ../../base',
          'images:',
          '  - name: registry.example.com/team/api',
          ...override,
          '',
        ].join('\n'),
      },
    });
    return [
      {
        name: 'a base image retagged by kustomize `images:` (newTag) is not what runs',
        repo: files(['    newTag: "1.4.2"']),
        expect: [],
      },
      {
        name: 'a base image pinned by kustomize `images:` (digest) is not what runs',
        repo: files([`    digest: ${DIGEST}`]),
        expect: [],
      },
      {
        name: 'kustomize `images:` newTag: dev under the default policy: the warning is at the newTag that sets it',
        repo: files(['    newTag: dev']),
        expect: [
          at(R, 'warning', 'k8s/overlays/prod/kustomization.yaml', 5, 13, {
            message:
              /^`registry\.example\.com\/team\/api:dev` is a mutable tag pulled with the default policy/,
          }),
        ],
      },
      {
        name: 'kustomize `images:` newTag: latest while the manifest says IfNotPresent: latestCached at the newTag',
        repo: {
          files: {
            ...files(['    newTag: latest']).files,
            'k8s/base/deployment.yaml': single('registry.example.com/team/api:1.4.2', 'IfNotPresent'),
          },
        },
        expect: [
          at(R, 'warning', 'k8s/overlays/prod/kustomization.yaml', 5, 13, {
            message:
              /^`registry\.example\.com\/team\/api:latest` is pulled with imagePullPolicy IfNotPresent/,
          }),
        ],
      },
      {
        name: 'condition "the pull policy": kustomize newTag: latest under the default policy (Always for latest) is fine',
        repo: {
          files: {
            ...files(['    newTag: latest']).files,
            'k8s/base/deployment.yaml': single('registry.example.com/team/api:1.4.2'),
          },
        },
        expect: [],
      },
      {
        name: 'condition "Always": kustomize newTag: dev with imagePullPolicy Always in the manifest is fine',
        repo: {
          files: {
            ...files(['    newTag: dev']).files,
            'k8s/base/deployment.yaml': single('registry.example.com/team/api:1.4.2', 'Always'),
          },
        },
        expect: [],
      },
      {
        name: 'one finding per kustomize images: entry, however many containers run the image',
        repo: {
          files: {
            ...files(['    newTag: dev']).files,
            'k8s/base/deployment.yaml': `${single('registry.example.com/team/api:1.4.2')}---\n${single('registry.example.com/team/api:1.4.2').replace('name: api\n', 'name: worker\n')}`,
          },
        },
        expect: [at(R, 'warning', 'k8s/overlays/prod/kustomization.yaml', 5, 13)],
      },
      {
        name: 'a kustomize rename alone keeps the mutable tag of the base',
        repo: files(['    newName: mirror.example.com/team/api']),
        expect: [at(R, 'warning', 'k8s/base/deployment.yaml', 10, 18, { reachable: true })],
      },
    ];
  })(),
  {
    name: 'compose services and kustomize overrides are not Kubernetes pull policies: not checked',
    repo: {
      files: {
        'compose.yaml':
          'services:\n  api:\n    image: registry.example.com/team/api:dev\n    pull_policy: missing\n',
        'k8s/kustomization.yaml':
          'images:\n  - name: api\n    newName: registry.example.com/team/api\n    newTag: dev\n',
      },
    },
    expect: [],
  },
  {
    name: 'condition "a mutable tag": branch-like names in any case, latest with a separator; longer words are versions',
    repo: applied(
      [
        'apiVersion: apps/v1',
        'kind: Deployment',
        'metadata:',
        '  name: api',
        'spec:',
        '  template:',
        '    spec:',
        '      containers:',
        ...[
          'LATEST',
          'Main',
          'latest-arm64',
          'arm64_latest',
          'v1.latest',
          'nightly',
          'mainline',
          'my-dev',
          'xlatest',
          'latestx',
          'dev2',
          'release-1.2',
        ].flatMap((tag, i) => [
          `        - name: c${i}`,
          `          image: registry.example.com/team/api:${tag}`,
          '          imagePullPolicy: IfNotPresent',
        ]),
        '',
      ].join('\n'),
    ),
    expect: [
      at(R, 'warning', 'k8s/app.yaml', 11, 28, {
        message:
          /^`registry\.example\.com\/team\/api:LATEST` is a mutable tag pulled with imagePullPolicy IfNotPresent: a node that already has `LATEST` never/,
      }),
      at(R, 'warning', 'k8s/app.yaml', 14, 28, { message: /already has `Main` never/ }),
      at(R, 'warning', 'k8s/app.yaml', 17, 28, { message: /already has `latest-arm64` never/ }),
      at(R, 'warning', 'k8s/app.yaml', 20, 28, { message: /already has `arm64_latest` never/ }),
      at(R, 'warning', 'k8s/app.yaml', 23, 28, { message: /already has `v1\.latest` never/ }),
      at(R, 'warning', 'k8s/app.yaml', 26, 28, { message: /already has `nightly` never/ }),
    ],
  },
  {
    name: 'condition "a valid reference": an image name crossdock cannot parse is not judged (and does not fail the rule)',
    repo: applied(single('Team/API:dev', 'IfNotPresent')),
    only: [R, 'internal-error'],
    expect: [],
  },
  {
    name: 'condition "a valid reference": the same invalid name built here and never pushed is not judged either',
    repo: applied(single('Api:dev', 'IfNotPresent'), built('Api:dev')),
    only: [R, 'internal-error'],
    expect: [],
  },
]);
