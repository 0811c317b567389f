import rule from '../../src/rules/submodule-mismatch.js';
import { at, ruleTest } from '../helpers/rule-tester.js';

const SHA = 'a'.repeat(40);
const SHA2 = 'b'.repeat(40);

const section = (name: string, path?: string) =>
  `[submodule "${name}"]\n${path ? `\tpath = ${path}\n` : ''}\turl = https://example.com/${name}.git\n`;

ruleTest(rule, [
  {
    name: 'a gitlink without a .gitmodules entry is CI\'s "no submodule mapping found", at the top of .gitmodules',
    repo: {
      files: { '.gitmodules': section('ui', 'web/ui') },
      gitlinks: { 'vendor/proto': SHA, 'web/ui': SHA2 },
    },
    expect: [
      at('submodule-mismatch', 'error', '.gitmodules', 1, 1, {
        message: /no submodule mapping found in \.gitmodules for path 'vendor\/proto'/,
        reachable: true,
      }),
    ],
  },
  {
    name: 'condition: the gitlink has its entry: nothing',
    repo: {
      files: { '.gitmodules': section('ui', 'web/ui') + section('proto', 'vendor/proto') },
      gitlinks: { 'vendor/proto': SHA, 'web/ui': SHA2 },
    },
    expect: [],
  },
  {
    name: 'entries without gitlinks, duplicate paths and names, and entries without a path are reported at their lines',
    repo: {
      files: {
        '.gitmodules': [
          '[submodule "proto"]',
          '\tpath = vendor/proto',
          '\turl = https://example.com/proto.git',
          '[submodule "ui"]',
          '\tpath = web/ui',
          '[submodule "proto2"]',
          '\tpath = vendor/proto',
          '[submodule "ui"]',
          '\turl = x',
          '',
        ].join('\n'),
      },
      gitlinks: { 'vendor/proto': SHA },
    },
    expect: [
      at('submodule-mismatch', 'error', '.gitmodules', 7, 9, {
        message: /^path `vendor\/proto` is mapped by more than one/,
      }),
      at('submodule-mismatch', 'error', '.gitmodules', 8, 1, {
        message: /^submodule name "ui" is used by more than one/,
      }),
      at('submodule-mismatch', 'error', '.gitmodules', 8, 1, { message: /^submodule "ui" has no `path =`/ }),
      at('submodule-mismatch', 'warning', '.gitmodules', 5, 9, {
        message: /^submodule "ui" maps path `web\/ui`, but the index has no gitlink/,
      }),
    ],
  },
  {
    name: 'an entry whose path has no gitlink is a warning at the path',
    repo: { files: { '.gitmodules': section('ui', 'web/ui') } },
    expect: [at('submodule-mismatch', 'warning', '.gitmodules', 2, 9, { message: /no gitlink there/ })],
  },
  {
    name: 'condition: outside git there is no index to compare with, so a missing gitlink is not claimed',
    repo: { files: { '.gitmodules': section('ui', 'web/ui') }, noGit: true },
    expect: [],
  },
  {
    name: 'a path mapped twice is an error at the second path',
    repo: {
      files: { '.gitmodules': section('a', 'lib') + section('b', 'lib') },
      gitlinks: { lib: SHA },
    },
    expect: [at('submodule-mismatch', 'error', '.gitmodules', 5, 9, { message: /mapped by more than one/ })],
  },
  {
    name: 'condition: two sections mapping different paths are fine',
    repo: {
      files: { '.gitmodules': section('a', 'lib') + section('b', 'lib2') },
      gitlinks: { lib: SHA, lib2: SHA2 },
    },
    expect: [],
  },
  {
    name: 'a name used twice is an error at the second section header',
    repo: {
      files: { '.gitmodules': section('a', 'lib') + section('a', 'lib2') },
      gitlinks: { lib: SHA, lib2: SHA2 },
    },
    expect: [
      at('submodule-mismatch', 'error', '.gitmodules', 4, 1, {
        message: /name "a" is used by more than one/,
      }),
    ],
  },
  {
    name: 'a section without `path =` is an error at its header',
    repo: { files: { '.gitmodules': section('a') } },
    expect: [at('submodule-mismatch', 'error', '.gitmodules', 1, 1, { message: /has no `path =`/ })],
  },
  {
    name: 'matching gitlinks and .gitmodules report nothing',
    repo: {
      files: { '.gitmodules': '[submodule "proto"]\n\tpath = vendor/proto\n\turl = ../proto.git\n' },
      gitlinks: { 'vendor/proto': SHA },
    },
    expect: [],
  },
  {
    name: 'no submodules at all report nothing',
    repo: { files: { 'README.md': 'x' } },
    expect: [],
  },
  {
    name: 'a gitlink with no .gitmodules file at all is an error at .gitmodules:1:1, reached like a .gitmodules that exists',
    repo: { files: { 'README.md': 'x' }, gitlinks: { 'vendor/proto': SHA } },
    expect: [
      at('submodule-mismatch', 'error', '.gitmodules', 1, 1, {
        message: /gitlink\) at `vendor\/proto` but \.gitmodules has no entry/,
        reachable: true,
      }),
    ],
  },
]);
