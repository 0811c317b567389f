import { ConfigError } from '../errors.js';

/**
 * Tag templates (`{date}-{sha}`, `{branch}`, `latest`): what `crossdock build` expands on this machine and what
 * `crossdock ci github` writes into the merge job as a shell expansion, so that both give the same tags.
 */

/** A valid tag: 1-128 of A-Z a-z 0-9 _ . - not starting with . or -. */
export const TAG_RE = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;

/** Platforms built when nothing names any (crossdock build, crossdock ci). */
export const DEFAULT_PLATFORMS = ['linux/amd64', 'linux/arm64'];

/** What tag templates are filled from: the commit and the branch, when known. */
export interface TagInfo {
  sha?: string;
  branch?: string;
}

/** A branch name as a tag part: runs of characters a tag cannot hold become `-`, leading `.`/`-` dropped. */
export function branchTag(branch: string): string {
  return branch.replace(/[^A-Za-z0-9_.-]+/g, '-').replace(/^[.-]+/, '');
}

/** Expands `{date}`, `{sha}`, `{branch}` in a tag template. Throws ConfigError when one cannot be filled. */
export function expandTag(template: string, info: TagInfo, now: Date): string {
  const out = template.replace(/\{([a-z]+)\}/g, (whole, name: string) => {
    if (name === 'date') return now.toISOString().slice(0, 10).replace(/-/g, '');
    if (name === 'sha') {
      if (!info.sha)
        throw new ConfigError(
          `tag template "${template}" uses {sha}, but the folder is not a git repository with a commit`,
          {
            hint: 'commit first, or use tags without {sha}',
          },
        );
      return info.sha.slice(0, 7);
    }
    if (name === 'branch') {
      if (!info.branch)
        throw new ConfigError(`tag template "${template}" uses {branch}, but HEAD is not on a branch`, {
          hint: 'check out a branch, or drop {branch} from the tag templates (CI: detached checkouts have no branch)',
        });
      return branchTag(info.branch);
    }
    throw new ConfigError(`tag template "${template}": unknown placeholder ${whole}`, {
      hint: 'placeholders: {date}, {sha}, {branch}',
    });
  });
  if (!TAG_RE.test(out))
    throw new ConfigError(`tag template "${template}" gives "${out}", which is not a valid tag`, {
      hint: 'tags are 1-128 of A-Z a-z 0-9 _ . - and do not start with . or -',
    });
  return out;
}

/** Tag references of an image: each template expanded, duplicates dropped. Throws ConfigError on a bad one. */
export function imageTags(repository: string, templates: string[], info: TagInfo, now: Date): string[] {
  return [...new Set(templates.map((t) => expandTag(t, info, now)))].map((t) => `${repository}:${t}`);
}

/** The placeholders a template uses, in order of first use; throws ConfigError on an unknown one. */
export function templatePlaceholders(template: string): ('date' | 'sha' | 'branch')[] {
  const out: ('date' | 'sha' | 'branch')[] = [];
  for (const m of template.matchAll(/\{([a-z]+)\}/g)) {
    const name = m[1];
    if (name !== 'date' && name !== 'sha' && name !== 'branch')
      throw new ConfigError(`tag template "${template}": unknown placeholder ${m[0]}`, {
        hint: 'placeholders: {date}, {sha}, {branch}',
      });
    if (!out.includes(name)) out.push(name);
  }
  return out;
}

/**
 * A template as a double-quoted shell word over the variables `date`, `sha` and `branch` (`{date}-{sha}` →
 * `"${date}-${sha}"`). Throws ConfigError when the template is not valid: its literal parts are tag characters
 * only, so nothing in the word is special to the shell.
 */
export function templateShellWord(template: string): string {
  templatePlaceholders(template);
  // Checked with sample values: a template that cannot give a valid tag is refused when the workflow is written.
  expandTag(template, { sha: '0000000', branch: 'main' }, new Date(0));
  return `"${template.replace(/\{([a-z]+)\}/g, (_w, name: string) => `\${${name}}`)}"`;
}
