/**
 * Python and Node packages whose arm64 builds are slow or compile from source under QEMU emulation: native
 * extensions without (or, for old versions, historically without) aarch64 wheels or prebuilt binaries.
 * Versions: `numpy<1.21` (first manylinux aarch64 wheels for common Pythons came later), `psycopg2` (the
 * non-binary package always compiles), `cryptography` when built with `--no-binary`.
 */
export const HEAVY_PYTHON = [
  'torch',
  'tensorflow',
  'scipy',
  'pandas',
  'grpcio',
  'scikit-learn',
  'spacy',
  'opencv-python',
  'opencv-python-headless',
  'psycopg2',
  'lxml',
  'cryptography',
  'numpy',
  'pyarrow',
  'matplotlib',
] as const;

export const HEAVY_NODE = [
  'sharp',
  'bcrypt',
  'node-sass',
  'canvas',
  'sqlite3',
  'better-sqlite3',
  're2',
] as const;

/** True when a Python requirement (name and specifier) is heavy to build under emulation. */
export function heavyPython(name: string, specifier: string): boolean {
  const n = name.toLowerCase().replace(/_/g, '-');
  if (n === 'numpy') return /<\s*1\.(1\d|20)\b|==\s*1\.(1\d|20)\./.test(specifier);
  if (n === 'cryptography') return false;
  return (HEAVY_PYTHON as readonly string[]).includes(n);
}

export function heavyNode(name: string): boolean {
  return (HEAVY_NODE as readonly string[]).includes(name);
}
