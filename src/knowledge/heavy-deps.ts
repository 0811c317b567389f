/**
 * Python distributions that compile from source on Linux whatever the platform, because they publish no Linux
 * wheels at all (PyPI file lists): `psycopg2` (the non-binary package; `psycopg2-binary` has wheels), `mysqlclient`
 * (Windows wheels only), `uwsgi` and `python-ldap` (sdists only); plus `numpy` before 1.21 (no manylinux aarch64
 * wheels for the Pythons of its day, see heavyPython). This list is only an offline hint: which packages compile
 * is a fact of the package index, which `crossdock deps` and `check --online` read. Packages that publish
 * manylinux aarch64 wheels for current CPython are not here (torch, tensorflow, pandas, scipy, scikit-learn, lxml,
 * grpcio, opencv-python, numpy 1.21 and later, cryptography, pyarrow, matplotlib, spacy).
 */
export const HEAVY_PYTHON = ['psycopg2', 'mysqlclient', 'uwsgi', 'python-ldap'] as const;

export const HEAVY_NODE = [
  'sharp',
  'bcrypt',
  'node-sass',
  'canvas',
  'sqlite3',
  'better-sqlite3',
  're2',
] as const;

/**
 * True when a Python requirement (name and specifier) is known, offline, to compile from source on Linux: one of
 * HEAVY_PYTHON, or numpy pinned or capped below 1.21. False means "not known to", never "has a wheel".
 */
export function heavyPython(name: string, specifier: string): boolean {
  const n = name.toLowerCase().replace(/[_.]+/g, '-');
  if (n === 'numpy') return /<\s*1\.(1\d|20)\b|==\s*1\.(1\d|20)\./.test(specifier);
  return (HEAVY_PYTHON as readonly string[]).includes(n);
}

export function heavyNode(name: string): boolean {
  return (HEAVY_NODE as readonly string[]).includes(name);
}

/**
 * Heavy Python distributions the image's own Python already has, for images built to ship them (their tag
 * documentation): the PyTorch images (`pytorch/pytorch`, NGC `nvcr.io/nvidia/pytorch`) and the TensorFlow images
 * (`tensorflow/tensorflow`, NGC `nvcr.io/nvidia/tensorflow`). Undefined for any other image.
 */
export function pythonPackagesOfImage(image: string): string[] | undefined {
  const ref = image
    .trim()
    .toLowerCase()
    .replace(/^(docker\.io|index\.docker\.io)\//, '');
  const repo = ref.split(/[:@]/)[0];
  if (repo === 'pytorch/pytorch' || repo === 'nvcr.io/nvidia/pytorch') return ['torch'];
  if (repo === 'tensorflow/tensorflow' || repo === 'nvcr.io/nvidia/tensorflow') return ['tensorflow'];
  return undefined;
}

/** Distro packages (Debian/Ubuntu `python3-*`, Alpine `py3-*`) of heavy Python distributions, by distribution. */
const DISTRO_PYTHON_PACKAGES: Record<string, string> = {
  numpy: 'numpy',
  scipy: 'scipy',
  pandas: 'pandas',
  sklearn: 'scikit-learn',
  'scikit-learn': 'scikit-learn',
  matplotlib: 'matplotlib',
  opencv: 'opencv',
  torch: 'torch',
  lxml: 'lxml',
  psycopg2: 'psycopg2',
  grpcio: 'grpcio',
  pyarrow: 'pyarrow',
};

/** The heavy distribution a distro package installs for the distro's python3 (`python3-numpy` → numpy). */
export function heavyOfDistroPackage(pkg: string): string | undefined {
  const m = /^(?:python3|py3)-([a-z0-9-]+?)(?:[=:].*)?$/.exec(pkg.toLowerCase());
  return m ? DISTRO_PYTHON_PACKAGES[m[1] ?? ''] : undefined;
}

/**
 * Heavy distributions a distribution pulls in when pip installs it (its required dependencies on PyPI), used to
 * say what a venv installs again. Only dependencies every release of the package requires.
 */
const HEAVY_REQUIRES: Record<string, string[]> = {
  torchvision: ['torch', 'numpy'],
  torchaudio: ['torch'],
  'sentence-transformers': ['torch', 'numpy', 'scipy', 'scikit-learn'],
  timm: ['torch', 'torchvision'],
  accelerate: ['torch', 'numpy'],
  pandas: ['numpy'],
  scipy: ['numpy'],
  'scikit-learn': ['numpy', 'scipy'],
  matplotlib: ['numpy'],
  'opencv-python': ['numpy', 'opencv'],
  'opencv-python-headless': ['numpy', 'opencv'],
  'opencv-contrib-python': ['numpy', 'opencv'],
  'opencv-contrib-python-headless': ['numpy', 'opencv'],
  'tensorflow-cpu': ['tensorflow', 'numpy'],
  tensorflow: ['numpy'],
  torch: [],
};

/** The heavy distributions a pip install of `name` puts into the environment: itself and what it requires. */
export function heavyInstalledBy(name: string, withDeps: boolean): string[] {
  const n = name.toLowerCase().replace(/[_.]+/g, '-');
  const self = n.startsWith('opencv-') ? 'opencv' : n === 'tensorflow-cpu' ? 'tensorflow' : n;
  return [self, ...(withDeps ? (HEAVY_REQUIRES[n] ?? []) : [])];
}
