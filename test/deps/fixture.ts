import type { DepQuery, TargetEnv } from '../../src/deps/types.js';
import type { PackageSpec } from '../helpers/pyindex.js';

/**
 * The test set of packages: each one is there for a rule of pip's choice (tags, libc, abi3, ranking, yanked,
 * Requires-Python, pre-releases, falling back to an older version, sdists that do or do not compile).
 */
const hatch = '[build-system]\nrequires = ["hatchling"]\nbuild-backend = "hatchling.build"\n';
const setuptools = '[build-system]\nrequires = ["setuptools>=61"]\nbuild-backend = "setuptools.build_meta"\n';
const maturin = '[build-system]\nrequires = ["maturin>=1,<2"]\nbuild-backend = "maturin"\n';
const w = (tags: string, extra: { requiresPython?: string; yanked?: string | true; build?: string } = {}) =>
  ({ kind: 'wheel', tags, ...extra }) as const;

export const PACKAGES: PackageSpec[] = [
  { name: 'purepkg', versions: { '1.0': [w('py3-none-any'), { kind: 'sdist', pyproject: hatch }] } },
  {
    name: 'Bin_Pkg',
    versions: {
      '2.0': [
        w('cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64'),
        w('cp311-cp311-manylinux_2_28_aarch64'),
        w('cp312-cp312-manylinux_2_17_x86_64.manylinux2014_x86_64'),
        w('cp312-cp312-musllinux_1_1_aarch64'),
        {
          kind: 'sdist',
          pyproject: setuptools,
          setupPy:
            'from setuptools import setup, Extension\nsetup(ext_modules=[Extension("bin_pkg._x", ["x.c"])])\n',
        },
      ],
    },
  },
  {
    name: 'x86only',
    versions: {
      '1.0': [
        w('cp311-cp311-manylinux2014_x86_64'),
        w('cp312-cp312-manylinux2014_x86_64'),
        {
          kind: 'sdist',
          pyproject: maturin,
          files: { 'Cargo.toml': '[package]\nname = "x86only"\n', 'src/lib.rs': '' },
        },
      ],
    },
  },
  { name: 'nosdist', versions: { '1.0': [w('cp311-cp311-manylinux2014_x86_64')] } },
  {
    name: 'abi3pkg',
    versions: {
      '1.0': [
        w('cp38-abi3-manylinux_2_17_x86_64.manylinux2014_x86_64'),
        w('cp38-abi3-manylinux_2_17_aarch64.manylinux2014_aarch64'),
        w('cp38-abi3-musllinux_1_2_aarch64'),
      ],
    },
  },
  {
    name: 'newglibc',
    versions: {
      '1.0': [
        w('cp311-cp311-manylinux_2_39_x86_64'),
        w('cp311-cp311-manylinux_2_39_aarch64'),
        { kind: 'sdist', pyproject: hatch, files: { 'src/newglibc/fast.c': 'int x;\n' } },
      ],
    },
  },
  {
    name: 'yankpkg',
    versions: { '1.0': [w('py3-none-any')], '2.0': [w('py3-none-any', { yanked: 'broken build' })] },
  },
  {
    name: 'rpkg',
    versions: {
      '1.0': [w('py3-none-any', { requiresPython: '>=3.8' })],
      '2.0': [w('py3-none-any', { requiresPython: '>=3.12' })],
    },
  },
  {
    name: 'rankpkg',
    versions: {
      '1.0': [
        w('py3-none-any'),
        w('cp311-abi3-manylinux_2_17_x86_64'),
        w('cp311-cp311-manylinux_2_17_x86_64'),
        w('cp311-cp311-manylinux_2_28_x86_64'),
        w('cp311-cp311-manylinux_2_28_x86_64', { build: '1' }),
        w('cp311-cp311-manylinux_2_28_aarch64', { build: '2' }),
        w('cp311-cp311-manylinux_2_28_aarch64', { build: '10' }),
      ],
    },
  },
  { name: 'prepkg', versions: { '1.0': [w('py3-none-any')], '2.0b1': [w('py3-none-any')] } },
  {
    name: 'fbpkg',
    versions: {
      '1.0': [w('cp311-cp311-manylinux2014_x86_64'), w('cp311-cp311-manylinux2014_aarch64')],
      '2.0': [w('cp311-cp311-manylinux2014_x86_64')],
    },
  },
  { name: 'sdonly', versions: { '1.0': [{ kind: 'sdist', pyproject: hatch }] } },
  {
    name: 'extpkg',
    versions: {
      '0.5': [
        {
          kind: 'sdist',
          setupPy:
            'from setuptools import setup, Extension\nsetup(name="extpkg", ext_modules=[Extension("extpkg._c", ["_c.c"])])\n',
        },
      ],
    },
  },
  { name: 'linpkg', versions: { '1.0': [w('cp311-cp311-linux_x86_64')] } },
  {
    name: 'muslpkg',
    versions: {
      '1.0': [
        w('cp311-cp311-musllinux_1_1_x86_64'),
        w('cp311-cp311-manylinux_2_17_x86_64'),
        w('py3-none-any'),
      ],
    },
  },
];

const q = (requirement: string, marker?: string): DepQuery => {
  const at = requirement.search(/[=<>!~]/);
  const name = (at < 0 ? requirement : requirement.slice(0, at))
    .trim()
    .toLowerCase()
    .replace(/[-_.]+/g, '-');
  return {
    name,
    specifier: at < 0 ? undefined : requirement.slice(at),
    marker,
    requirement: marker ? `${requirement}; ${marker}` : requirement,
    source: { file: 'requirements.txt', line: 1 },
  };
};

export const QUERIES: DepQuery[] = [
  q('purepkg==1.0'),
  q('bin-pkg==2.0'),
  q('x86only==1.0'),
  q('nosdist==1.0'),
  q('abi3pkg==1.0'),
  q('newglibc==1.0'),
  q('yankpkg>=1.0'),
  q('yankpkg==2.0'),
  q('rpkg'),
  q('rpkg==2.0'),
  q('rankpkg==1.0'),
  q('prepkg'),
  q('prepkg>=2.0b1'),
  q('fbpkg'),
  q('sdonly==1.0'),
  q('extpkg'),
  q('linpkg==1.0'),
  q('muslpkg==1.0'),
  q('notthere==1.0'),
];

export const TARGETS: TargetEnv[] = [
  { platform: 'linux/amd64', python: '3.11', libc: { kind: 'glibc', version: '2.36' } },
  { platform: 'linux/arm64', python: '3.11', libc: { kind: 'glibc', version: '2.36' } },
  { platform: 'linux/arm64', python: '3.12', libc: { kind: 'musl', version: '1.2' } },
  { platform: 'linux/amd64', python: '3.12', libc: { kind: 'glibc', version: '2.31' } },
];
