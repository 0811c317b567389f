import type { Located, RegistryMention } from './deploy.js';
import { cutAtFirst, replaceMatches, variableSpans } from './text.js';
import { unknown } from './value.js';

/**
 * OCI / Docker image references (`[host[:port]/]path[:tag][@digest]`), parsed by the grammar of the
 * distribution project's reference package: lowercase path components joined by `.`, `_`, `__` or dashes; the
 * first component is a registry host when it has a `.` or `:` or is `localhost`.
 */
export interface ImageRef {
  /** Registry host (with port) as written, or `docker.io` when none is given. */
  registry: string;
  /** True when the host was written (not defaulted). */
  explicitRegistry: boolean;
  /** Repository path without host, e.g. `library/python` or `team/app`. */
  repository: string;
  tag: string | undefined;
  digest: string | undefined;
}

const COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const TAG = /^[\w][\w.-]{0,127}$/;
const DIGEST = /^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]{32,}$/;
const HOST =
  /^(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*|\[[0-9a-fA-F:]+\])(?::\d+)?$/;

export type ParsedRef = { ok: true; ref: ImageRef } | { ok: false; problem: string };

export function parseImageRef(text: string): ParsedRef {
  const s = text.trim();
  if (!s) return { ok: false, problem: 'the reference is empty' };
  if (/\s/.test(s)) return { ok: false, problem: 'a reference cannot contain spaces' };
  let rest = s;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!DIGEST.test(digest))
      return { ok: false, problem: `"@${digest}" is not a digest (algorithm:hex, e.g. sha256:…)` };
  }
  let tag: string | undefined;
  const lastSlash = rest.lastIndexOf('/');
  const colon = rest.lastIndexOf(':');
  if (colon > lastSlash) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!TAG.test(tag))
      return {
        ok: false,
        problem: `tag "${tag}" is invalid (letters, digits, _ . -, not starting with . or -, at most 128)`,
      };
  }
  const parts = rest.split('/');
  let registry = 'docker.io';
  let explicitRegistry = false;
  const first = parts[0] ?? '';
  if (parts.length > 1 && (first.includes('.') || first.includes(':') || first === 'localhost')) {
    if (!HOST.test(first)) return { ok: false, problem: `"${first}" is not a valid registry host` };
    registry = first;
    explicitRegistry = true;
    parts.shift();
  }
  if (parts.length === 0 || parts.some((p) => p === ''))
    return { ok: false, problem: 'the repository path is empty or has an empty component' };
  for (const p of parts) {
    if (COMPONENT.test(p)) continue;
    if (/[A-Z]/.test(p) && COMPONENT.test(p.toLowerCase()))
      return {
        ok: false,
        problem: `repository path "${parts.join('/')}" has uppercase letters; OCI repository names must be lowercase`,
      };
    return {
      ok: false,
      problem: `"${p}" is not a valid repository path component (lowercase letters, digits, . _ -)`,
    };
  }
  let repository = parts.join('/');
  if (!explicitRegistry && parts.length === 1) repository = `library/${repository}`;
  if (registry === 'index.docker.io') registry = 'docker.io';
  return { ok: true, ref: { registry, explicitRegistry, repository, tag, digest } };
}

/** `host/repo` without tag or digest, normalised (docker.io/library/…). */
export function repositoryKey(ref: ImageRef): string {
  return `${ref.registry}/${ref.repository}`;
}

/** Registry host is a private IPv4 address (10/8, 172.16/12, 192.168/16, 100.64/10) or a loopback one. */
export function isPrivateIpHost(host: string): boolean {
  const m = /^(\d+)\.(\d+)\.(\d+)\.(\d+)(?::\d+)?$/.exec(host);
  if (!m) return false;
  const a = Number(m[1]);
  const b = Number(m[2]);
  return (
    a === 10 ||
    a === 127 ||
    (a === 172 && b >= 16 && b <= 31) ||
    (a === 192 && b === 168) ||
    (a === 100 && b >= 64 && b <= 127)
  );
}

/** True for text still holding an unresolved variable or expression (`$X`, `${X}`, `${{ x }}`, `{{ x }}`). */
export function hasUnresolved(text: string): boolean {
  // Shell/compose variables (`$X`, `${X}`, positional `$1`, `$@`), `$(…)`, and `${{ }}` / `{{ }}` templates.
  return /\$[{(A-Za-z_0-9@*#?!$-]|\{\{/.test(text);
}

const PLACEHOLDER = 'x0var';

/** Variables and expressions (`${{ e }}`, `${X}`, `$X`, `$1`, `$@`, …) replaced by a placeholder. */
function withPlaceholders(text: string): string {
  return replaceMatches(text, variableSpans(text, true), () => PLACEHOLDER);
}

/**
 * A build tag parsed with variables taken as placeholders (`app:${{ github.sha }}`, `app:$TAG` name the
 * repository `app`); undefined when it is not a reference or a variable stands in the registry or repository.
 */
export function parseBuildTag(tag: string): ImageRef | undefined {
  let ref = buildTags.get(tag);
  if (ref === undefined && !buildTags.has(tag)) {
    const p = parseImageRef(withPlaceholders(tag));
    ref = p.ok && !repositoryKey(p.ref).includes(PLACEHOLDER) ? p.ref : undefined;
    if (buildTags.size >= 10_000) buildTags.clear();
    buildTags.set(tag, ref);
  }
  // A copy: the answer is a pure function of the text, but callers own what they get.
  return ref && { ...ref };
}

/**
 * Build tags already parsed: matching each deployed image against every build's tags asks for the same tags
 * again and again. Bounded; cleared when full.
 */
const buildTags = new Map<string, ImageRef | undefined>();

/**
 * A registry mention for an image reference with an explicit registry host (none for Docker Hub). Variables in the
 * tag leave host and repository known; a variable in the host (`$REGISTRY/acme/api`, `${ACCOUNT}.dkr.ecr…`) makes
 * the mention `unresolved` (the repository is then what follows it, or undefined when it is not known).
 */
export function imageMention(l: Located<string>, role: RegistryMention['role']): RegistryMention[] {
  if (!l.value.includes('$') && !hasUnresolved(l.value)) {
    const parsed = parseImageRef(l.value);
    if (!parsed.ok || !parsed.ref.explicitRegistry) return [];
    return [{ host: parsed.ref.registry, repository: parsed.ref.repository, role, site: l.site }];
  }
  const text = withPlaceholders(l.value);
  const parsed = parseImageRef(text);
  if (!parsed.ok) return [];
  const name = cutAtFirst(text, '@').replace(/:[^:/]*$/, '');
  const first = name.split('/')[0] ?? '';
  const hostVar = parsed.ref.explicitRegistry
    ? parsed.ref.registry.includes(PLACEHOLDER)
    : first.includes(PLACEHOLDER);
  if (!parsed.ref.explicitRegistry && !hostVar) return [];
  const path = parsed.ref.explicitRegistry ? parsed.ref.repository : name.split('/').slice(1).join('/');
  const repository = path && !path.includes(PLACEHOLDER) ? path : undefined;
  if (!hostVar) {
    if (repository) return [{ host: parsed.ref.registry, repository, role, site: l.site }];
  }
  return [
    {
      host: hostVar ? l.value.split('/')[0] || l.value : parsed.ref.registry,
      repository,
      role,
      site: l.site,
      unresolved: {
        host: hostVar,
        why: unknown(
          'environment',
          `the ${hostVar ? 'registry' : 'repository'} of \`${l.value}\` comes from a variable crossdock cannot resolve`,
          l.site,
          'set the variable in the repository, or give it a default where it is used',
        ),
      },
    },
  ];
}

/** A registry mention for a login target (`docker login host`, login-action `registry:`). */
export function loginMention(l: Located<string>): RegistryMention[] {
  const host = l.value.replace(/^https?:\/\//, '').split('/')[0] ?? '';
  return host && !host.startsWith('$') ? [{ host, repository: undefined, role: 'login', site: l.site }] : [];
}

const PLACEHOLDER_PART =
  /^(__[A-Za-z0-9_]+__|<[^>]*>|\{\{.*\}\}|%[A-Za-z0-9_]+%|@[A-Za-z0-9_]+@|replace[_-]?me|change[_-]?me|placeholder|todo|xxx+|[A-Z][A-Z0-9]*_[A-Z0-9_]+)$/i;

/**
 * Why an image reference is a placeholder to be filled in later (`<IMAGE>`, `__IMAGE__`, `REPLACE_ME`, `${IMAGE}` for
 * envsubst, `{{ .Values.image }}`), or undefined when it is a reference as written.
 */
export function placeholderIn(text: string): string | undefined {
  // `<…>` (`/<[^>]*>/`): a `<` with a `>` after it.
  if (hasUnresolved(text) || (text.includes('<') && text.indexOf('>', text.indexOf('<')) >= 0))
    return `\`${text}\` holds a variable or template filled in later`;
  const noDigest = cutAtFirst(text, '@');
  const lastSlash = noDigest.lastIndexOf('/');
  const colon = noDigest.lastIndexOf(':');
  const tag = colon > lastSlash ? noDigest.slice(colon + 1) : undefined;
  const path = colon > lastSlash ? noDigest.slice(0, colon) : noDigest;
  const segments = path.split('/');
  // The registry host's labels too (`AWS_ACCOUNT_ID.dkr.ecr.us-east-1.amazonaws.com`).
  const host = segments.length > 1 && /[.:]/.test(segments[0] ?? '') ? (segments[0] ?? '').split(/[.:]/) : [];
  const parts = [...host, ...segments, ...(tag ? [tag] : [])];
  const hit = parts.find((p) => PLACEHOLDER_PART.test(p) && !/^[a-z0-9._-]+$/.test(p));
  if (hit) return `\`${hit}\` in \`${text}\` is a placeholder filled in later`;
  if (parts.some((p) => /^(__[a-z0-9_]+__|replace[_-]?me|change[_-]?me|placeholder)$/i.test(p)))
    return `\`${text}\` is a placeholder filled in later`;
  return undefined;
}
