import type { Site } from '../../model/deploy.js';
import type { ImageCopy } from '../../model/project.js';
import type { ShellScript, ShellWord } from '../../model/shell.js';
import type { SourceFile } from '../../model/source.js';

/**
 * Commands that give an existing image another tag in a registry, or copy it there: `docker push` (of a tag
 * `docker tag` made),
 * `docker buildx imagetools create -t`, `docker manifest push`, `crane tag|copy|cp`, `skopeo copy`,
 * `regctl image copy`, `oras cp|tag`, `gcloud container images add-tag`. Each gives the references it writes, with
 * variables replaced where the same text (or its caller's environment) assigns them a literal once; `refs` is
 * undefined when the command's destinations cannot be read.
 */
export function imageCopies(
  script: ShellScript,
  file: SourceFile,
  env: Map<string, string>,
  make = false,
): ImageCopy[] {
  const vars = literalVariables(script, env);
  const out: ImageCopy[] = [];
  for (const cmd of script.commands) {
    const argv = unwrap(cmd.argv);
    const found = copyOf(argv);
    if (!found) continue;
    const site: Site = { file, span: cmd.span };
    out.push({
      site,
      what: `\`${found.what}\` at ${file.path}:${file.position(cmd.span.start).line}`,
      refs: found.refs?.map((r) => substitute(r, vars, make)),
    });
  }
  return out;
}

/** Variables the text assigns exactly once, to a literal, outside any branch (`IMAGE=ghcr.io/acme/app`, `export TAG=prod`). */
function literalVariables(script: ShellScript, outer: Map<string, string>): Map<string, string> {
  const seen = new Map<string, string[]>();
  const add = (name: string, value: string) => seen.set(name, [...(seen.get(name) ?? []), value]);
  script.commands.forEach((cmd, i) => {
    // On a branch (inside if/case/a loop or a function, or after `&&`/`||`): one of several values, never the
    // literal (`$` marks it as such).
    const prev = script.commands[i - 1]?.next;
    const branch = cmd.depth > 0 || prev === '&&' || prev === '||';
    const put = (name: string, value: string) => add(name, branch ? `$${value}` : value);
    if (cmd.argv.length === 0) for (const a of cmd.assignments) put(a.name, a.value);
    const [p, ...rest] = cmd.argv;
    if (p && (p.value === 'export' || p.value === 'readonly' || p.value === 'declare'))
      for (const w of rest) {
        const eq = w.value.indexOf('=');
        if (eq > 0 && !w.value.startsWith('-')) put(w.value.slice(0, eq), w.value.slice(eq + 1));
      }
  });
  const out = new Map<string, string>();
  for (const [k, v] of outer) if (!v.includes('$') && !v.includes('`')) out.set(k, v);
  for (const [k, values] of seen) {
    const v = values[0];
    if (values.length === 1 && v !== undefined && !v.includes('$') && !v.includes('`')) out.set(k, v);
    else out.delete(k);
  }
  return out;
}

/** `$NAME`, `${NAME}` (and make's `$(NAME)`) replaced by known literals; other variables left as written. */
function substitute(text: string, vars: Map<string, string>, make: boolean): string {
  let out = '';
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (c !== '$') {
      out += c;
      i++;
      continue;
    }
    const open = text[i + 1];
    const close = open === '{' ? '}' : open === '(' && make ? ')' : undefined;
    const from = close ? i + 2 : i + 1;
    let end = from;
    while (end < text.length && isNameChar(text.charCodeAt(end), end === from)) end++;
    const name = text.slice(from, end);
    const closed = close ? text[end] === close : true;
    const value = name && closed ? vars.get(name) : undefined;
    if (value === undefined) {
      out += c;
      i++;
      continue;
    }
    out += value;
    i = close ? end + 1 : end;
  }
  return out;
}

/** `NAME=value`. */
function isAssignment(word: string): boolean {
  const eq = word.indexOf('=');
  if (eq <= 0) return false;
  for (let k = 0; k < eq; k++) if (!isNameChar(word.charCodeAt(k), k === 0)) return false;
  return true;
}

function isNameChar(code: number, first: boolean): boolean {
  const letter = (code >= 65 && code <= 90) || (code >= 97 && code <= 122) || code === 95;
  return letter || (!first && code >= 48 && code <= 57);
}

/** argv without `sudo`, `env A=b`, `exec`, `time`, `command`, `nohup` in front. */
function unwrap(argv: ShellWord[]): string[] {
  const words = argv.map((w) => w.value);
  let k = 0;
  while (k < words.length) {
    const w = words[k] ?? '';
    if (w === 'sudo' || w === 'exec' || w === 'time' || w === 'command' || w === 'nohup') k++;
    else if (w === 'env') {
      k++;
      while (k < words.length && isAssignment(words[k] ?? '')) k++;
    } else break;
  }
  return words.slice(k);
}

/** The words that are not flags, nor values of the flags in `valued`; `--flag=value` is one word. */
function positional(words: string[], valued: Set<string>): string[] {
  const out: string[] = [];
  for (let k = 0; k < words.length; k++) {
    const w = words[k] ?? '';
    if (w.startsWith('-')) {
      if (valued.has(w)) k++;
      continue;
    }
    out.push(w);
  }
  return out;
}

/** Values of a repeatable flag (`-t a -t b`, `--tag=c`). */
function flagValues(words: string[], names: string[]): string[] {
  const out: string[] = [];
  for (let k = 0; k < words.length; k++) {
    const w = words[k] ?? '';
    for (const n of names) {
      if (w === n && words[k + 1] !== undefined) out.push(words[k + 1] as string);
      else if (n.startsWith('--') && w.startsWith(`${n}=`)) out.push(w.slice(n.length + 1));
    }
  }
  return out;
}

/** `repository:tag` for a tag given apart from its image (`crane tag reg/app:1 prod`). */
function retagged(image: string, tag: string): string {
  const name = image.split('@')[0] ?? image;
  const slash = name.lastIndexOf('/');
  const colon = name.lastIndexOf(':');
  return `${colon > slash ? name.slice(0, colon) : name}:${tag}`;
}

/** An `oras` reference may list several tags: `reg/app:a,b`. */
function orasRefs(ref: string): string[] {
  const slash = ref.lastIndexOf('/');
  const colon = ref.lastIndexOf(':');
  if (colon <= slash || ref.includes('@')) return [ref];
  return ref
    .slice(colon + 1)
    .split(',')
    .map((t) => `${ref.slice(0, colon)}:${t}`);
}

/** A transport reference of skopeo / podman: `docker://ref` is a registry; other transports are not. */
function dockerTransport(word: string): string | undefined | null {
  if (word.startsWith('docker://')) return word.slice('docker://'.length);
  const transport = word.slice(0, word.indexOf(':'));
  return OTHER_TRANSPORTS.has(transport) ? null : undefined;
}

const OTHER_TRANSPORTS = new Set([
  'oci',
  'oci-archive',
  'dir',
  'docker-archive',
  'docker-daemon',
  'containers-storage',
  'sif',
  'tarball',
]);
const CRANE_VALUED = new Set([
  '--platform',
  '-j',
  '--jobs',
  '-t',
  '--tag',
  '--annotation',
  '-a',
  '-l',
  '--label',
]);
const REGCTL_VALUED = new Set([
  '--platform',
  '--format',
  '--referrers-src',
  '--referrers-tgt',
  '-v',
  '--verbosity',
]);
const ORAS_VALUED = new Set([
  '--platform',
  '--concurrency',
  '--from-username',
  '--from-password',
  '--from-registry-config',
  '--from-ca-file',
  '--from-cert-file',
  '--from-key-file',
  '--from-oci-layout-path',
  '--from-resolve',
  '--to-username',
  '--to-password',
  '--to-registry-config',
  '--to-ca-file',
  '--to-cert-file',
  '--to-key-file',
  '--to-oci-layout-path',
  '--to-resolve',
  '-u',
  '-p',
]);

/** What the command writes to a registry, if it is an image copy or retag; `refs` undefined when not readable. */
function copyOf(w: string[]): { what: string; refs: string[] | undefined } | undefined {
  const [prog, a1, a2] = w;
  const exact = <T>(list: T[], n: number) => (list.length === n ? list : undefined);
  if (prog === 'docker' || prog === 'podman' || prog === 'buildah') {
    // `docker tag` names a local image: only its `push` writes to a registry.
    if (a1 === 'push') {
      const pos = positional(w.slice(2), new Set(['--platform', '--authfile', '--creds', '--format', '-f']));
      // podman/buildah push IMAGE [DESTINATION]; docker push NAME. `--all-tags`: which tags is not known here.
      if (w.includes('-a') || w.includes('--all-tags'))
        return { what: `${prog} push --all-tags`, refs: undefined };
      const dest = pos.length === 2 && prog !== 'docker' ? dockerTransport(pos[1] ?? '') : pos[0];
      if (dest === null) return undefined;
      return { what: `${prog} push`, refs: pos.length >= 1 && dest !== undefined ? [dest] : undefined };
    }
    if (prog === 'docker' && a1 === 'buildx' && a2 === 'imagetools' && w[3] === 'create') {
      const tags = flagValues(w.slice(4), ['-t', '--tag']);
      return { what: 'docker buildx imagetools create', refs: tags.length ? tags : undefined };
    }
    if (a1 === 'manifest' && a2 === 'push') {
      const pos = positional(w.slice(3), new Set(['--authfile', '--creds', '--format', '-f']));
      const dest = pos.length === 2 ? dockerTransport(pos[1] ?? '') : pos[0];
      if (dest === null) return undefined;
      return { what: `${prog} manifest push`, refs: dest !== undefined && pos.length ? [dest] : undefined };
    }
    return undefined;
  }
  if (prog === 'crane' || prog === 'gcrane') {
    const pos = positional(w.slice(2), CRANE_VALUED);
    if (a1 === 'tag') {
      const [image, tag] = pos;
      return {
        what: `${prog} tag`,
        refs: pos.length === 2 && image && tag ? [retagged(image, tag)] : undefined,
      };
    }
    if (a1 === 'copy' || a1 === 'cp') return { what: `${prog} ${a1}`, refs: exact(pos, 2)?.slice(1) };
    if (a1 === 'push') return { what: `${prog} push`, refs: exact(pos, 2)?.slice(1) };
    if (a1 === 'append' || a1 === 'mutate' || a1 === 'rebase' || a1 === 'flatten') {
      const tags = flagValues(w.slice(2), ['-t', '--tag', '--new_tag']);
      return {
        what: `${prog} ${a1}`,
        refs: tags.length ? tags : a1 === 'append' ? undefined : pos.slice(0, 1),
      };
    }
    return undefined;
  }
  if (prog === 'skopeo' && a1 === 'copy') {
    const dests = w.slice(2).filter((x) => dockerTransport(x) !== undefined);
    const last = dests[dests.length - 1];
    const dest = last === undefined ? undefined : dockerTransport(last);
    if (dest === null) return undefined;
    return { what: 'skopeo copy', refs: dests.length === 2 && dest ? [dest] : undefined };
  }
  if (prog === 'skopeo' && a1 === 'sync') return { what: 'skopeo sync', refs: undefined };
  if (prog === 'regctl' && a1 === 'image' && (a2 === 'copy' || a2 === 'cp'))
    return { what: `regctl image ${a2}`, refs: exact(positional(w.slice(3), REGCTL_VALUED), 2)?.slice(1) };
  if (prog === 'oras' && (a1 === 'cp' || a1 === 'copy')) {
    const dest = exact(positional(w.slice(2), ORAS_VALUED), 2)?.[1];
    return { what: `oras ${a1}`, refs: dest ? orasRefs(dest) : undefined };
  }
  if (prog === 'oras' && a1 === 'tag') {
    const [image, ...tags] = positional(w.slice(2), ORAS_VALUED);
    return { what: 'oras tag', refs: image && tags.length ? tags.map((t) => retagged(image, t)) : undefined };
  }
  if (prog === 'gcloud' && a1 === 'container' && a2 === 'images' && w[3] === 'add-tag') {
    const pos = positional(w.slice(4), new Set(['--project', '--account', '--verbosity']));
    return { what: 'gcloud container images add-tag', refs: pos.length >= 2 ? pos.slice(1) : undefined };
  }
  if (prog === 'gcloud' && a1 === 'artifacts' && a2 === 'docker' && w[3] === 'tags' && w[4] === 'add') {
    const pos = positional(w.slice(5), new Set(['--project', '--account', '--verbosity']));
    return { what: 'gcloud artifacts docker tags add', refs: exact(pos, 2)?.slice(1) };
  }
  return undefined;
}
