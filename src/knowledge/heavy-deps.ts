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
