import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildSystem, judgeSdist, readTar, readZip } from '../../src/deps/sdist.js';
import { tar, zip } from '../helpers/zip.js';

/** Reading an sdist for whether it compiles: both archive kinds, and the judgement over real layouts. */
const top = (p: string) => p.split('/').length === 2;

test('a .zip and a .tar.gz sdist read the same: every path, and the top-level build files', () => {
  const entries = [
    { name: 'pkg-1.0/PKG-INFO', data: 'Name: pkg\n' },
    { name: 'pkg-1.0/pyproject.toml', data: '[build-system]\nbuild-backend = "mesonpy"\n' },
    { name: 'pkg-1.0/src/deep/pyproject.toml', data: 'not read' },
    { name: 'pkg-1.0/src/fast.cpp', data: 'int x;' },
  ];
  const z = readZip(zip(entries), top);
  const t = readTar(tar(entries), top);
  assert.deepEqual(z, t);
  assert.deepEqual(
    z.paths,
    entries.map((e) => e.name),
  );
  assert.deepEqual([...z.files.keys()], ['pkg-1.0/PKG-INFO', 'pkg-1.0/pyproject.toml']);
  assert.deepEqual(judgeSdist(z.paths, z.files), { value: true, why: 'build backend meson-python' });
  assert.throws(
    () => readZip(Buffer.from('not a zip at all, just some text here'), top),
    /not a zip archive/,
  );
});

test('the judgement: compiling backends and build requirements, sources, ext_modules, pure backends, unknown', () => {
  const files = (pyproject?: string, setup?: string) => {
    const m = new Map<string, string>();
    if (pyproject !== undefined) m.set('p-1/pyproject.toml', pyproject);
    if (setup !== undefined) m.set('p-1/setup.py', setup);
    return m;
  };
  const j = (paths: string[], pyproject?: string, setup?: string) =>
    judgeSdist(paths, files(pyproject, setup));
  const toml = (backend: string, requires = '"setuptools"') =>
    `[project]\nname = "p"\n\n[build-system]\nrequires = [\n  ${requires},\n]\nbuild-backend = "${backend}"\n`;
  assert.deepEqual(j([], toml('scikit_build_core.build')), {
    value: true,
    why: 'build backend scikit-build-core',
  });
  assert.deepEqual(j([], toml('setuptools.build_meta', '"setuptools", "setuptools-rust>=1.5"')), {
    value: true,
    why: 'build requirement setuptools-rust>=1.5',
  });
  assert.deepEqual(j([], toml('setuptools.build_meta', '"Cython>=3"')), {
    value: true,
    why: 'build requirement Cython>=3',
  });
  assert.deepEqual(j(['p-1/setup.py'], undefined, 'setup(ext_modules=cythonize("*.pyx"))'), {
    value: true,
    why: 'setup.py builds extension modules',
  });
  assert.deepEqual(
    j(['p-1/pyproject.toml', 'p-1/p/__init__.py'], toml('flit_core.buildapi', '"flit_core>=3.2"')),
    {
      value: false,
      why: 'build backend flit_core.buildapi, no compiled sources',
    },
  );
  assert.deepEqual(j(['p-1/setup.py'], undefined, 'from setuptools import setup\nsetup(name="p")\n'), {
    value: false,
    why: 'setuptools, no extension modules and no compiled sources',
  });
  assert.deepEqual(j([], toml('mybackend.build')), {
    value: null,
    why: 'build backend mybackend.build is not one crossdock knows',
  });
  assert.deepEqual(j(['p-1/README']), {
    value: null,
    why: 'the sdist has neither pyproject.toml nor setup.py at its top',
  });
  assert.deepEqual(
    buildSystem(
      '[build-system]\nrequires=["maturin>=1,<2"]\nbuild-backend="maturin"\n[tool.x]\nbuild-backend = "no"\n',
    ),
    {
      backend: 'maturin',
      requires: ['maturin>=1,<2'],
    },
  );
});
