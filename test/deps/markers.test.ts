import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { evaluateMarker } from '../../src/deps/markers.js';
import type { TargetEnv } from '../../src/deps/types.js';

/**
 * PEP 508 markers per target, against pip's vendored packaging given the environment pip would see inside the
 * image. Where crossdock says `unknown`, packaging's answer must really depend on the missing fact: two values
 * of that fact give two answers.
 */
const MARKERS = [
  'platform_machine == "aarch64"',
  'platform_machine != "x86_64" and sys_platform == "linux"',
  'python_version < "3.12"',
  'python_version >= "3.8" and (platform_machine == "x86_64" or platform_machine == "aarch64")',
  "platform_python_implementation == 'CPython' and implementation_name == 'cpython'",
  'os_name == "posix" and platform_system == "Linux"',
  'python_full_version >= "3.11.4"',
  'python_full_version >= "3.8.1"',
  'python_full_version < "3.12"',
  'sys_platform == "win32" or platform_machine == "armv7l"',
  '"arm" in platform_machine',
  'platform_machine not in "x86_64 i686"',
  'extra == "gpu"',
  'python_version ~= "3.10"',
  'platform_release >= "5.10"',
  'python_version == "3.11" or platform_release >= "5.10"',
];

const TARGETS: TargetEnv[] = [
  { platform: 'linux/amd64', python: '3.11', libc: { kind: 'glibc', version: '2.36' } },
  { platform: 'linux/arm64', python: '3.12', libc: { kind: 'glibc', version: '2.36' } },
  { platform: 'linux/arm/v7', python: '3.9', libc: { kind: 'musl', version: '1.2' } },
];

const MACHINE: Record<string, string> = {
  'linux/amd64': 'x86_64',
  'linux/arm64': 'aarch64',
  'linux/arm/v7': 'armv7l',
};

function pipEnv(t: TargetEnv, patch: string, release: string) {
  return {
    implementation_name: 'cpython',
    implementation_version: `${t.python}.${patch}`,
    os_name: 'posix',
    platform_machine: MACHINE[t.platform],
    platform_release: release,
    platform_system: 'Linux',
    platform_version: '#1 SMP',
    python_full_version: `${t.python}.${patch}`,
    platform_python_implementation: 'CPython',
    python_version: t.python,
    sys_platform: 'linux',
    extra: '',
  };
}

test("every marker on every target: the same answer as pip, or unknown where pip's depends on a missing fact", {
  timeout: 30_000,
}, () => {
  const envs = TARGETS.flatMap((t) => [pipEnv(t, '0', '4.19.0'), pipEnv(t, '9', '6.1.0')]);
  const script = fileURLToPath(new URL('pip-markers.py', import.meta.url));
  const out: unknown = JSON.parse(
    execFileSync('python3', [script], {
      input: JSON.stringify({ markers: MARKERS, envs }),
      encoding: 'utf8',
      timeout: 30_000,
    }),
  );
  const pip = out as (boolean | 'error')[][];
  let decided = 0;
  let unknowns = 0;
  for (const [mi, marker] of MARKERS.entries())
    for (const [ti, t] of TARGETS.entries()) {
      const mine = evaluateMarker(marker, t);
      const [a, b] = [pip[mi]?.[2 * ti], pip[mi]?.[2 * ti + 1]];
      if (mine.value === 'unknown') {
        unknowns++;
        assert.notEqual(
          a,
          b,
          `${marker} on ${t.platform}: crossdock says unknown (${mine.reason}) but pip's answer does not vary`,
        );
      } else {
        decided++;
        assert.equal(mine.value, a, `${marker} on ${t.platform}`);
        assert.equal(mine.value, b, `${marker} on ${t.platform}`);
      }
    }
  assert.ok(decided > 30 && unknowns >= 3, `${decided} decided, ${unknowns} unknown`);
});

test('unknown facts stay unknown, with the reason; false beats unknown in `and`, true in `or`', () => {
  const noPython: TargetEnv = { platform: 'linux/arm64', python: undefined, libc: undefined };
  assert.deepEqual(evaluateMarker('python_version < "3.12"', noPython), {
    value: 'unknown',
    reason: 'marker `python_version < "3.12"`: the Python version is not known',
  });
  assert.deepEqual(evaluateMarker('python_version < "3.12" and platform_machine == "x86_64"', noPython), {
    value: false,
  });
  assert.deepEqual(evaluateMarker('python_version < "3.12" or platform_machine == "aarch64"', noPython), {
    value: true,
  });
  assert.equal(evaluateMarker('python_full_version == "3.11.4"', TARGETS[0] as TargetEnv).value, 'unknown');
  assert.deepEqual(evaluateMarker(undefined, noPython), { value: true });
});

test('extras: `extra == "x"` holds only when x is selected; an unreadable marker is unknown, not a crash', () => {
  const t = TARGETS[0] as TargetEnv;
  assert.equal(evaluateMarker('extra == "gpu"', t).value, false);
  assert.equal(evaluateMarker('extra == "GPU"', t, ['gpu']).value, true);
  assert.equal(evaluateMarker('extra != "gpu"', t, ['cpu']).value, true);
  assert.match(
    evaluateMarker('platform_machine = "x"', t).reason ?? '',
    /could not be read: `=` is not a comparison/,
  );
  assert.match(evaluateMarker('(python_version > "3"', t).reason ?? '', /parenthesis is not closed/);
  assert.match(evaluateMarker('foo == "1"', t).reason ?? '', /unknown marker variable `foo`/);
});
