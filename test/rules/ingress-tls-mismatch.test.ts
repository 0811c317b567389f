import assert from 'node:assert/strict';
import { test } from 'node:test';
import rule from '../../src/rules/ingress-tls-mismatch.js';
import { at, checkRepo } from '../helpers/check.js';

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

const check = (yaml: string) => checkRepo({ files: { 'k8s/ingress.yaml': yaml } }, [rule]);

test('a Traefik websecure entrypoint without spec.tls is reported at the annotation value', async () => {
  const findings = await check(ingress({ [ENTRYPOINTS]: 'websecure' }, false));
  assert.deepEqual(at(findings), ['ingress-tls-mismatch@6:55']);
  assert.equal(findings[0]?.file, 'k8s/ingress.yaml');
  assert.equal(findings[0]?.severity, 'warning');
  assert.equal(
    findings[0]?.message,
    'Ingress "api" is routed for HTTPS (entrypoints: websecure) but has no spec.tls: the controller serves its default certificate (browser errors) or no route at all',
  );
  assert.equal(findings[0]?.endColumn, 64);
});

test('router.tls, nginx ssl-redirect and force-ssl-redirect also ask for HTTPS', async () => {
  const cases: [Record<string, string>, string, RegExp][] = [
    [{ [ROUTER_TLS]: '"true"' }, 'ingress-tls-mismatch@6:47', /\(router\.tls: "true"\)/],
    [{ [SSL_REDIRECT]: '"true"' }, 'ingress-tls-mismatch@6:47', /\(ssl-redirect: "true"\)/],
    [{ [FORCE_SSL_REDIRECT]: '"true"' }, 'ingress-tls-mismatch@6:53', /\(force-ssl-redirect: "true"\)/],
  ];
  for (const [annotations, where, why] of cases) {
    const findings = await check(ingress(annotations, false));
    assert.deepEqual(at(findings), [where]);
    assert.match(findings[0]?.message ?? '', why);
  }
});

test('with several reasons the first is reported once; an empty tls list is no TLS', async () => {
  const findings = await check(
    ingress(
      { 'kubernetes.io/ingress.class': 'traefik', [ENTRYPOINTS]: 'web,websecure', [ROUTER_TLS]: '"true"' },
      'empty',
    ),
  );
  assert.deepEqual(at(findings), ['ingress-tls-mismatch@7:55']);
  assert.match(findings[0]?.message ?? '', /\(entrypoints: web,websecure\)/);
});

test('spec.tls on the plain-HTTP entrypoint only is never served', async () => {
  const findings = await check(ingress({ [ENTRYPOINTS]: 'web' }, true));
  assert.deepEqual(at(findings), ['ingress-tls-mismatch@6:55']);
  assert.equal(
    findings[0]?.message,
    'Ingress "api" has spec.tls but is bound only to the plain-HTTP entrypoint `web`: the certificate is never served',
  );
});

test('matching TLS and entrypoints, disabled redirects and plain Ingresses report nothing', async () => {
  const fine = [
    ingress({ [ENTRYPOINTS]: 'websecure' }, true, 'a'),
    ingress({ [ENTRYPOINTS]: 'web, websecure' }, true, 'b'),
    ingress({ [ENTRYPOINTS]: 'web', [ROUTER_TLS]: '"true"' }, true, 'c'),
    ingress({ [SSL_REDIRECT]: '"false"' }, false, 'd'),
    ingress({ [ROUTER_TLS]: '"false"', [ENTRYPOINTS]: 'web' }, false, 'e'),
    ingress({ [SSL_REDIRECT]: '"true"' }, true, 'f'),
    ingress({}, false, 'g'),
    ingress({}, true, 'h'),
  ];
  assert.deepEqual(await check(fine.join('---\n')), []);
});

test('each Ingress of a multi-document file is reported at its own line', async () => {
  const stream = [ingress({}, false, 'web'), ingress({ [SSL_REDIRECT]: '"true"' }, false, 'admin')].join(
    '---\n',
  );
  const findings = await check(stream);
  // The first Ingress (no annotations) is 16 lines, then `---`: the second one's annotation is on line 23.
  assert.deepEqual(at(findings), ['ingress-tls-mismatch@23:47']);
  assert.match(findings[0]?.message ?? '', /^Ingress "admin" is routed for HTTPS/);
});

test('an entrypoint named "insecure…" is plain HTTP: no TLS is asked for, and spec.tls on it is reported', async () => {
  const none = await checkRepo({ files: { 'k8s/ing.yaml': ingress({ [ENTRYPOINTS]: 'insecure' }, false) } }, [
    rule,
  ]);
  assert.deepEqual(at(none), []);
  const tlsOnPlain = await checkRepo(
    { files: { 'k8s/ing.yaml': ingress({ [ENTRYPOINTS]: 'insecure' }, true) } },
    [rule],
  );
  assert.deepEqual(at(tlsOnPlain), ['ingress-tls-mismatch@6:55']);
  assert.match(tlsOnPlain[0]?.message ?? '', /only to the plain-HTTP entrypoint `insecure`/);
});
