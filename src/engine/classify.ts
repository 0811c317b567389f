/** Which parser a repository path goes to, by name alone. Pure; the loader calls it for every file. */
export type FileKind =
  | 'dockerfile'
  | 'dockerignore'
  | 'requirements'
  | 'pyproject'
  | 'setup.py'
  | 'setup.cfg'
  | 'python-version'
  | 'package.json'
  | 'nvmrc'
  | 'gitmodules';

export function basename(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

export function dirname(path: string): string {
  const i = path.lastIndexOf('/');
  return i < 0 ? '.' : path.slice(0, i);
}

export function isDockerfileName(name: string): boolean {
  if (name.endsWith('.dockerignore')) return false;
  return (
    name === 'Dockerfile' ||
    name === 'Containerfile' ||
    name.endsWith('.Dockerfile') ||
    name.endsWith('.dockerfile') ||
    name.endsWith('.Containerfile') ||
    /^(Dockerfile|Containerfile)\.[^/]+$/.test(name)
  );
}

export function classify(path: string): FileKind | undefined {
  if (path.includes('node_modules/') || path.startsWith('node_modules')) return undefined;
  const name = basename(path);
  if (isDockerfileName(name)) return 'dockerfile';
  if (name === '.dockerignore' || name.endsWith('.dockerignore')) return 'dockerignore';
  if (name === 'pyproject.toml') return 'pyproject';
  if (name === 'setup.py') return 'setup.py';
  if (name === 'setup.cfg') return 'setup.cfg';
  if (name === '.python-version') return 'python-version';
  if (name === 'package.json') return 'package.json';
  if (name === '.nvmrc' || name === '.node-version') return 'nvmrc';
  if (path === '.gitmodules') return 'gitmodules';
  if (/^requirements.*\.lock$/.test(name)) return 'requirements';
  if (/\.(txt|in)$/.test(name) && (/req|constraint|lock/i.test(name) || /(^|\/)requirements\//.test(path))) {
    return 'requirements';
  }
  return undefined;
}
