import type { PyRequirement } from '../../model/python.js';
import type { Span } from '../../model/source.js';

/** PEP 503 normalised project name. */
export function normalizeName(name: string): string {
  return name.toLowerCase().replace(/[-_.]+/g, '-');
}

const NAME = /^([A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)\s*(?:(\[[^\]]*\])\s*)?/;
/** `name @ url` or `name[extras] @ url`. */
const DIRECT = /^[A-Za-z0-9][A-Za-z0-9._-]*\s*(?:\[[^\]]*\]\s*)?@/;

/** `path[extras]` → `path`. */
function withoutExtras(path: string): string {
  const open = path.indexOf('[');
  return open >= 0 && path.endsWith(']') ? path.slice(0, open) : path;
}

function isLocalPath(text: string): boolean {
  return /^(\.{1,2}(\/|$)|\/|file:)/.test(text) || /\.(whl|tar\.gz|zip)$/.test(text);
}

/**
 * One PEP 508 requirement (or a path/URL requirement) from text such as `flask[async]>=2.0,<3; python_version<"3.12"`,
 * `pkg @ https://...`, `./libs/common`, `file:./x`. Returns undefined for text that is no requirement.
 */
export function parseRequirementText(raw: string, span: Span, editable = false): PyRequirement | undefined {
  const text = raw.trim();
  if (text === '') return undefined;
  const base: PyRequirement = {
    name: undefined,
    specifier: undefined,
    extras: [],
    marker: undefined,
    url: undefined,
    localPath: undefined,
    editable,
    hashes: [],
    span,
  };
  const direct = DIRECT.test(text);
  if (!direct && isLocalPath(text)) {
    return { ...base, localPath: withoutExtras(text.replace(/^file:(\/\/)?/, '')) };
  }
  if (!direct && (/^[a-z][a-z0-9+.-]*:\/\//i.test(text) || text.startsWith('git+')))
    return { ...base, url: text };
  const m = NAME.exec(text);
  if (!m) return undefined;
  let rest = text.slice(m[0].length);
  const extras = (m[2] ?? '')
    .slice(1, -1)
    .split(',')
    .map((e) => e.trim())
    .filter(Boolean);
  let marker: string | undefined;
  const semi = rest.indexOf(';');
  if (semi >= 0) {
    marker = rest.slice(semi + 1).trim() || undefined;
    rest = rest.slice(0, semi).trim();
  }
  let url: string | undefined;
  let localPath: string | undefined;
  let specifier: string | undefined;
  if (rest.startsWith('@')) {
    const target = rest.slice(1).trim();
    if (/^file:/.test(target)) localPath = target.replace(/^file:(\/\/)?/, '');
    else url = target;
  } else {
    const spec = rest.replace(/^\(|\)$/g, '').trim();
    specifier = spec === '' ? undefined : spec;
  }
  return { ...base, name: normalizeName(m[1] ?? ''), extras, marker, url, localPath, specifier };
}
