// biome-ignore-all lint/suspicious/noTemplateCurlyInString: fixtures hold `${VAR}` text literally.
import rule from '../../src/rules/ingress-tls-mismatch.js';
import { at, ruleTest } from '../helpers/rule-tester.js';

const R = 'ingress-tls-mismatch';

const ENTRYPOINTS = 'traefik.ingress.kubernetes.io/router.entrypoints';
const ROUTER_TLS = 'traefik.ingress.kubernetes.io/router.tls';
const SSL_REDIRECT = 'nginx.ingress.kubernetes.io/ssl-redirect';
const FORCE_SSL_REDIRECT = 'nginx.ingress.kubernetes.io/force-ssl-redirect';

/** An Ingress whose first annotation is on line 6; `tls` adds spec.tls (or an empty list). */
function ingress(annotations: Record<string, string>, tls: boolean | 'empty', name = 'api'): string {
  const entries = Object.entries(annotations);
  return [
    'apiVersion: networking.k8s.io/v1',
    'kind: Ingress',
    'metadata:',
    `  name: ${name}`,
    ...(entries.length ? ['  annotations:', ...entries.map(([k, v]) => `    ${k}: ${v}`)] : []),
    'spec:',
    '  rules:',
    `    - host: ${name}.example.com`,
    '      http:',
    '        paths:',
    '          - path: /',
    '            pathType: Prefix',
    '            backend:',
    '              service:',
    `                name: ${name}`,
    '                port:',
    '                  number: 80',
    ...(tls === 'empty'
      ? ['  tls: []']
      : tls
        ? ['  tls:', `    - hosts: [${name}.example.com]`, `      secretName: ${name}-tls`]
        : []),
    '',
  ].join('\n');
}

/** `k8s/ingress.yaml` applied by a kustomization (reached). */
const applied = (yaml: string) => ({
  files: { 'k8s/ingress.yaml': yaml, 'k8s/kustomization.yaml': 'resources:\n  - ingress.yaml\n' },
});

/** A kustomize base with an Ingress routed to websecure, no spec.tls. */
const base = {
  'k8s/base/ingress.yaml': ingress({ [ENTRYPOINTS]: 'websecure' }, false),
  'k8s/base/kustomization.yaml': 'resources:\n  - ingress.yaml\n',
};

const tlsPatch = [
  'apiVersion: networking.k8s.io/v1',
  'kind: Ingress',
  'metadata:',
  '  name: api',
  'spec:',
  '  tls:',
  '    - hosts: [api.example.com]',
  '      secretName: api-tls',
  '',
].join('\n');

/** A patch document adding the nginx ssl-redirect annotation (on line 6), without spec.tls. */
const annotationPatch = [
  'apiVersion: networking.k8s.io/v1',
  'kind: Ingress',
  'metadata:',
  '  name: api',
  '  annotations:',
  `    ${SSL_REDIRECT}: "true"`,
  '',
].join('\n');

ruleTest(rule, [
  {
    name: 'a Traefik websecure entrypoint without spec.tls is reported at the annotation value',
    repo: applied(ingress({ [ENTRYPOINTS]: 'websecure' }, false)),
    expect: [
      at(R, 'warning', 'k8s/ingress.yaml', 6, 55, {
        message:
          /^Ingress "api" is routed for HTTPS \(entrypoints: websecure\) but has no spec\.tls: the controller serves its default certificate \(browser errors\) or no route at all$/,
        reachable: true,
      }),
    ],
  },
  {
    name: 'an Ingress nothing applies is unreached (still a warning, reachable: false)',
    repo: { files: { 'k8s/ingress.yaml': ingress({ [ENTRYPOINTS]: 'websecure' }, false) } },
    expect: [at(R, 'warning', 'k8s/ingress.yaml', 6, 55, { reachable: false })],
  },
  // Condition: something asks for HTTPS (entrypoint, router.tls, nginx redirects).
  {
    name: 'router.tls: "true" asks for HTTPS',
    repo: applied(ingress({ [ROUTER_TLS]: '"true"' }, false)),
    expect: [at(R, 'warning', 'k8s/ingress.yaml', 6, 47, { message: /\(router\.tls: "true"\)/ })],
  },
  {
    name: 'nginx ssl-redirect: "true" asks for HTTPS',
    repo: applied(ingress({ [SSL_REDIRECT]: '"true"' }, false)),
    expect: [at(R, 'warning', 'k8s/ingress.yaml', 6, 47, { message: /\(ssl-redirect: "true"\)/ })],
  },
  {
    name: 'nginx force-ssl-redirect: "true" asks for HTTPS',
    repo: applied(ingress({ [FORCE_SSL_REDIRECT]: '"true"' }, false)),
    expect: [at(R, 'warning', 'k8s/ingress.yaml', 6, 53, { message: /\(force-ssl-redirect: "true"\)/ })],
  },
  {
    name: 'with several reasons the first is reported once; an empty tls list is no TLS',
    repo: applied(
      ingress(
        { 'kubernetes.io/ingress.class': 'traefik', [ENTRYPOINTS]: 'web,websecure', [ROUTER_TLS]: '"true"' },
        'empty',
      ),
    ),
    expect: [at(R, 'warning', 'k8s/ingress.yaml', 7, 55, { message: /\(entrypoints: web,websecure\)/ })],
  },
  // Condition: spec.tls is present (noTls) / the entrypoints are all plain (tlsOnPlain).
  {
    name: 'spec.tls on the plain-HTTP entrypoint only is never served',
    repo: applied(ingress({ [ENTRYPOINTS]: 'web' }, true)),
    expect: [
      at(R, 'warning', 'k8s/ingress.yaml', 6, 55, {
        message:
          /^Ingress "api" has spec\.tls but is bound only to the plain-HTTP entrypoint `web`: the certificate is never served$/,
      }),
    ],
  },
  {
    name: 'matching TLS and entrypoints, disabled redirects and plain Ingresses report nothing',
    repo: applied(
      [
        ingress({ [ENTRYPOINTS]: 'websecure' }, true, 'a'),
        ingress({ [ENTRYPOINTS]: 'web, websecure' }, true, 'b'),
        ingress({ [ENTRYPOINTS]: 'web', [ROUTER_TLS]: '"true"' }, true, 'c'),
        ingress({ [SSL_REDIRECT]: '"false"' }, false, 'd'),
        ingress({ [ROUTER_TLS]: '"false"', [ENTRYPOINTS]: 'web' }, false, 'e'),
        ingress({ [SSL_REDIRECT]: '"true"' }, true, 'f'),
        ingress({}, false, 'g'),
        ingress({}, true, 'h'),
      ].join('---\n'),
    ),
    expect: [],
  },
  {
    name: 'each Ingress of a multi-document file is reported at its own line',
    // The first Ingress (no annotations) is 16 lines, then `---`: the second one's annotation is on line 23.
    repo: applied(
      [ingress({}, false, 'web'), ingress({ [SSL_REDIRECT]: '"true"' }, false, 'admin')].join('---\n'),
    ),
    expect: [
      at(R, 'warning', 'k8s/ingress.yaml', 23, 47, { message: /^Ingress "admin" is routed for HTTPS/ }),
    ],
  },
  {
    name: 'an entrypoint named "insecure…" is plain HTTP: no TLS is asked for',
    repo: applied(ingress({ [ENTRYPOINTS]: 'insecure' }, false)),
    expect: [],
  },
  {
    name: 'an entrypoint named "insecure…" is plain HTTP: spec.tls on it is reported',
    repo: applied(ingress({ [ENTRYPOINTS]: 'insecure' }, true)),
    expect: [
      at(R, 'warning', 'k8s/ingress.yaml', 6, 55, {
        message: /only to the plain-HTTP entrypoint `insecure`/,
      }),
    ],
  },
  {
    name: 'entrypoints named https / 443 are TLS entrypoints',
    repo: applied(
      [
        ingress({ [ENTRYPOINTS]: 'https' }, false, 'a'),
        ingress({ [ENTRYPOINTS]: 'port443' }, false, 'b'),
      ].join('---\n'),
    ),
    expect: [
      at(R, 'warning', 'k8s/ingress.yaml', 6, 55, { message: /^Ingress "a"/ }),
      at(R, 'warning', 'k8s/ingress.yaml', 25, 55, { message: /^Ingress "b"/ }),
    ],
  },
  {
    name: 'an annotation value filled in at deploy time (`${TRAEFIK_TLS}`) is not judged',
    repo: applied(ingress({ [ROUTER_TLS]: '"${TRAEFIK_TLS}"', [SSL_REDIRECT]: '"${SSL_REDIRECT}"' }, false)),
    expect: [],
  },
  // Kustomize: each overlay renders the base Ingress with its own patches.
  {
    name: 'kustomize: an overlay patch adding spec.tls to the base Ingress fixes it; an overlay without it is reported',
    repo: {
      files: {
        ...base,
        'k8s/overlays/prod/kustomization.yaml': 'resources:\n  - ../../base\npatches:\n  - path: tls.yaml\n',
        'k8s/overlays/prod/tls.yaml': tlsPatch,
        'k8s/overlays/dev/kustomization.yaml': 'resources:\n  - ../../base\n',
      },
    },
    expect: [at(R, 'warning', 'k8s/base/ingress.yaml', 6, 55, { reachable: true })],
  },
  {
    name: 'kustomize: an overlay patch adding spec.tls to the base Ingress fixes it',
    repo: {
      files: {
        ...base,
        'k8s/overlays/prod/kustomization.yaml': 'resources:\n  - ../../base\npatches:\n  - path: tls.yaml\n',
        'k8s/overlays/prod/tls.yaml': tlsPatch,
      },
    },
    expect: [],
  },
  {
    name: 'kustomize: a patch document is not an Ingress of its own (an annotation patch without spec.tls on a base with it)',
    repo: {
      files: {
        'k8s/base/ingress.yaml': ingress({}, true),
        'k8s/base/kustomization.yaml': 'resources:\n  - ingress.yaml\n',
        'k8s/overlays/prod/kustomization.yaml':
          'resources:\n  - ../../base\npatches:\n  - path: redirect.yaml\n',
        'k8s/overlays/prod/redirect.yaml': annotationPatch,
      },
    },
    expect: [],
  },
  {
    name: 'kustomize: an annotation patch routing a base Ingress without spec.tls for HTTPS is reported at the patch',
    repo: {
      files: {
        'k8s/base/ingress.yaml': ingress({}, false),
        'k8s/base/kustomization.yaml': 'resources:\n  - ingress.yaml\n',
        'k8s/overlays/prod/kustomization.yaml':
          'resources:\n  - ../../base\npatches:\n  - path: redirect.yaml\n',
        'k8s/overlays/prod/redirect.yaml': annotationPatch,
      },
    },
    expect: [
      at(R, 'warning', 'k8s/overlays/prod/redirect.yaml', 6, 47, {
        message: /^Ingress "api" is routed for HTTPS \(ssl-redirect: "true"\)/,
        reachable: true,
      }),
    ],
  },
  {
    name: 'kustomize: an inline patch adding spec.tls fixes the base Ingress',
    repo: {
      files: {
        ...base,
        'k8s/overlays/prod/kustomization.yaml': [
          'resources:',
          '  - ../../base',
          'patches:',
          '  - patch: |-',
          ...tlsPatch
            .trimEnd()
            .split('\n')
            .map((l) => `      ${l}`),
          '',
        ].join('\n'),
      },
    },
    expect: [],
  },
  {
    name: 'kustomize: an Ingress a JSON 6902 patch changes is not known: no claim, a note at the patch',
    repo: {
      files: {
        ...base,
        'k8s/overlays/prod/kustomization.yaml': [
          'resources:',
          '  - ../../base',
          'patches:',
          '  - target:',
          '      kind: Ingress',
          '      name: api',
          '    patch: |-',
          '      - op: add',
          '        path: /spec/tls',
          '        value: [{hosts: [api.example.com], secretName: api-tls}]',
          '',
        ].join('\n'),
      },
    },
    expect: [at('unresolved-value', 'info', 'k8s/overlays/prod/kustomization.yaml', 4, 5)],
  },
  {
    name: 'kustomize: a JSON 6902 patch of another kind leaves the Ingress as written',
    repo: {
      files: {
        ...base,
        'k8s/overlays/prod/kustomization.yaml': [
          'resources:',
          '  - ../../base',
          'patches:',
          '  - target:',
          '      kind: Deployment',
          '    patch: |-',
          '      - op: replace',
          '        path: /spec/replicas',
          '        value: 2',
          '',
        ].join('\n'),
      },
    },
    only: [R, 'unresolved-value'],
    expect: [at(R, 'warning', 'k8s/base/ingress.yaml', 6, 55)],
  },
]);
