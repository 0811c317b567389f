import type { ConfigMap, Container, EnvRef, Site } from '../model/deploy.js';
import type { ContractSource, SmokeContract } from './types.js';

/** A site as a contract source: repository-relative file and 1-based line. */
export function sourceAt(site: Site, what: string): ContractSource {
  return { file: site.file.path, line: site.file.position(site.span.start).line, what };
}

/**
 * `$(VAR)` references in a Kubernetes command, argument or env value, expanded as the kubelet does: `$$` is a
 * literal `$`, `$(NAME)` takes NAME's value when the container defines it and stays as written otherwise.
 * `blocked` names are defined but their value is not provided (a secret): the reference stays as written and is
 * returned in `missing`. Scanned by hand, once.
 */
export function expandKubernetes(
  text: string,
  env: Record<string, string>,
  blocked: ReadonlySet<string>,
): { text: string; missing: string[] } {
  let out = '';
  const missing: string[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (c !== '$') {
      const next = text.indexOf('$', i);
      const end = next < 0 ? text.length : next;
      out += text.slice(i, end);
      i = end;
      continue;
    }
    if (text[i + 1] === '$') {
      out += '$';
      i += 2;
      continue;
    }
    if (text[i + 1] === '(') {
      const close = text.indexOf(')', i + 2);
      const name = close < 0 ? '' : text.slice(i + 2, close);
      if (close >= 0 && name !== '' && !name.includes('(')) {
        const value = Object.hasOwn(env, name) ? env[name] : undefined;
        if (value !== undefined && !blocked.has(name)) out += value;
        else {
          if (blocked.has(name)) missing.push(name);
          out += text.slice(i, close + 1);
        }
        i = close + 1;
        continue;
      }
    }
    out += '$';
    i += 1;
  }
  return { text: out, missing };
}

/** How a non-literal environment source is said in the report. */
export function describeRef(ref: EnvRef, envFrom = false): string {
  const optional = ref.optional ? ' (optional)' : '';
  const name = ref.name ?? '(no name)';
  switch (ref.source) {
    case 'configMap':
      return ref.key === undefined
        ? `envFrom configMapRef ${name}${ref.prefix ? ` (prefix ${ref.prefix})` : ''}${optional}`
        : `configMapKeyRef ${name}/${ref.key}${optional}`;
    case 'secret':
      return ref.key === undefined
        ? `envFrom secretRef ${name}${ref.prefix ? ` (prefix ${ref.prefix})` : ''}${optional}`
        : `secretKeyRef ${name}/${ref.key}${optional}`;
    case 'field':
      return `fieldRef ${name} (set by the kubelet)`;
    case 'resource':
      return `resourceFieldRef ${name} (set by the kubelet)`;
    default:
      return envFrom
        ? 'an envFrom source crossdock does not read'
        : 'a valueFrom source crossdock does not read';
  }
}

/** The ConfigMap `name` in `namespace` among those given; unknown when several disagree. */
function findConfigMap(
  configMaps: ConfigMap[],
  name: string | undefined,
  namespace: string | undefined,
): { map: ConfigMap } | { ambiguous: ConfigMap[] } | undefined {
  const found = configMaps.filter((m) => m.name === name && (m.namespace ?? '') === (namespace ?? ''));
  const first = found[0];
  if (!first) return undefined;
  const same = (a: ConfigMap, b: ConfigMap) =>
    JSON.stringify(Object.entries(a.data).map(([k, v]) => [k, v.value])) ===
    JSON.stringify(Object.entries(b.data).map(([k, v]) => [k, v.value]));
  return found.every((m) => same(m, first)) ? { map: first } : { ambiguous: found };
}

export interface EnvResult {
  env: Record<string, string>;
  notProvided: SmokeContract['envNotProvided'];
  sources: ContractSource[];
  notes: string[];
}

/**
 * A Kubernetes container's environment as the kubelet builds it: `envFrom` sources in order, then `env` entries
 * in order, a later one replacing an earlier one; literal values expanded (`$(VAR)`) with what is defined before
 * them. ConfigMaps among `configMaps` are resolved; secrets, field references and ConfigMaps not given are not
 * provided, named with their site.
 */
export function kubernetesEnv(
  c: Container,
  namespace: string | undefined,
  configMaps: ConfigMap[],
): EnvResult {
  const r: EnvResult = { env: {}, notProvided: [], sources: [], notes: [] };
  const blocked = new Set<string>();
  const set = (name: string, value: string) => {
    r.env[name] = value;
    blocked.delete(name);
    r.notProvided = r.notProvided.filter((n) => n.name !== name);
  };
  const notProvided = (name: string | undefined, what: string, site: Site, where: string) => {
    if (name !== undefined) {
      delete r.env[name];
      blocked.add(name);
      r.notProvided = r.notProvided.filter((n) => n.name !== name);
    }
    r.notProvided.push({ name, what, source: sourceAt(site, where) });
  };
  for (const item of c.envOrder ?? []) {
    if ('value' in item) {
      const x = expandKubernetes(item.value.value, r.env, blocked);
      if (x.missing.length)
        r.notes.push(
          `env ${item.name} refers to ${x.missing.map((m) => `$(${m})`).join(', ')}, whose value is not provided: it is passed as written`,
        );
      set(item.name, x.text);
      r.sources.push(sourceAt(item.value.site, `env ${item.name}`));
      continue;
    }
    if ('unset' in item) continue;
    const { ref, site } = item;
    const what = describeRef(ref, item.name === undefined);
    const where = item.name === undefined ? 'envFrom' : `env ${item.name} valueFrom`;
    r.sources.push(sourceAt(site, where));
    if (ref.source !== 'configMap') {
      notProvided(item.name, what, site, where);
      continue;
    }
    const found = findConfigMap(configMaps, ref.name, namespace);
    if (!found || 'ambiguous' in found) {
      if (found)
        r.notes.push(
          `ConfigMap ${ref.name} is defined differently in ${found.ambiguous.map((m) => sourceAt(m.site, '').file).join(', ')}: ${what} is not provided`,
        );
      notProvided(item.name, found ? what : `${what}, not defined in the files read`, site, where);
      continue;
    }
    r.sources.push(sourceAt(found.map.site, `ConfigMap ${found.map.name}`));
    if (item.name === undefined) {
      for (const [key, v] of Object.entries(found.map.data)) set(`${ref.prefix ?? ''}${key}`, v.value);
      continue;
    }
    const v = ref.key === undefined ? undefined : found.map.data[ref.key];
    if (v) set(item.name, v.value);
    else if (ref.optional) {
      // An optional key the ConfigMap lacks leaves the variable unset.
      delete r.env[item.name];
      r.notes.push(
        `env ${item.name}: ConfigMap ${ref.name} has no key ${ref.key ?? ''}; optional, so it is unset`,
      );
    } else
      notProvided(
        item.name,
        `${what}: ConfigMap ${ref.name} has no key ${ref.key ?? ''} (the pod does not start)`,
        site,
        where,
      );
  }
  return r;
}

/**
 * A compose service's environment: `env_file` values are not read (not provided, with their site), then
 * `environment` entries; an entry without a value, or with `${VAR}` without a default, is not provided.
 */
export function composeEnv(c: Container): EnvResult {
  const r: EnvResult = { env: {}, notProvided: [], sources: [], notes: [] };
  for (const f of c.envFiles ?? []) {
    r.notProvided.push({
      name: undefined,
      what: `env_file ${f.value}`,
      source: sourceAt(f.site, 'env_file'),
    });
    r.sources.push(sourceAt(f.site, 'env_file'));
  }
  for (const item of c.envOrder ?? []) {
    if ('ref' in item) continue;
    r.notProvided = r.notProvided.filter((n) => n.name !== item.name);
    if ('value' in item) {
      r.env[item.name] = item.value.value;
      r.sources.push(sourceAt(item.value.site, `environment ${item.name}`));
    } else {
      delete r.env[item.name];
      r.notProvided.push({
        name: item.name,
        what: item.unset.reason,
        source: sourceAt(item.site, `environment ${item.name}`),
      });
    }
  }
  return r;
}
