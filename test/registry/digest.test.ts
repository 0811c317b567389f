import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { test } from 'node:test';
import { UsageError } from '../../src/errors.js';
import { DigestCheck, HeldBackCheck, verifyBytes } from '../../src/registry/digest.js';
import { RegistryError } from '../../src/registry/errors.js';
import { resolveRef } from '../../src/registry/reference.js';

/**
 * The content check every read goes through (DigestCheck for streams, verifyBytes in memory): sha256 and sha512,
 * exactly `size` bytes, stopped as soon as more arrive, and one message for a mismatch; and references resolved
 * for the API.
 */
const content = Buffer.from('crossdock checks every byte it reads\n');
const sha = (algo: 'sha256' | 'sha512', b: Buffer) => `${algo}:${createHash(algo).update(b).digest('hex')}`;
const flipped = Buffer.from(content);
flipped[3] = (flipped[3] ?? 0) ^ 0xff;

/** Streams `chunks` through a DigestCheck; resolves with what came out and the bytes count, or rejects. */
async function through(check: DigestCheck, chunks: Buffer[]): Promise<{ out: Buffer }> {
  const out: Buffer[] = [];
  await pipeline(
    Readable.from(chunks),
    check,
    new Writable({
      write(chunk: Buffer, _encoding, done) {
        out.push(chunk);
        done();
      },
    }),
  );
  check.check();
  return { out: Buffer.concat(out) };
}

function registryError(pattern: RegExp, extra: (e: RegistryError) => void = () => undefined) {
  return (e: unknown) => {
    assert.ok(e instanceof RegistryError, String(e));
    assert.match(e.message, pattern);
    extra(e);
    return true;
  };
}

test('verifyBytes accepts sha256 and sha512 digests of the content, and refuses another content', {
  timeout: 10_000,
}, () => {
  verifyBytes(content, sha('sha256', content), 'blob');
  verifyBytes(content, sha('sha512', content), 'blob');
  for (const algo of ['sha256', 'sha512'] as const)
    assert.throws(
      () => verifyBytes(flipped, sha(algo, content), 'reg/app@x'),
      registryError(
        new RegExp(
          `^reg/app@x: content does not match its digest: crossdock's check computed ${sha(algo, flipped)} over the ${content.length} bytes read, expected ${sha(algo, content)}$`,
        ),
        (e) => {
          assert.equal(
            e.hint,
            'the registry or something between it and crossdock returned corrupt or different content; crossdock refuses to use it',
          );
          assert.equal(e.transient, false, 'corrupt content is not retried as if it were a hiccup');
        },
      ),
    );
});

test('a digest of another algorithm is refused as unsupported, in memory and in a stream', {
  timeout: 10_000,
}, () => {
  const md5 = `md5:${createHash('md5').update(content).digest('hex')}`;
  const unsupported = registryError(new RegExp(`^reg/app: unsupported digest algorithm in ${md5}$`), (e) =>
    assert.equal(e.hint, 'crossdock verifies sha256 and sha512 digests'),
  );
  assert.throws(() => verifyBytes(content, md5, 'reg/app'), unsupported);
  assert.throws(() => new DigestCheck(md5, content.length, 'reg/app'), unsupported);
  assert.throws(
    () => verifyBytes(content, `xsha256:${'0'.repeat(64)}`, 'reg/app'),
    /unsupported digest algorithm/,
  );
});

test('DigestCheck passes exactly the content through and counts it, for both algorithms', {
  timeout: 10_000,
}, async () => {
  for (const algo of ['sha256', 'sha512'] as const) {
    const counts: number[] = [];
    const check = new DigestCheck(sha(algo, content), content.length, 'blob', (n) => counts.push(n));
    const { out } = await through(check, [content.subarray(0, 10), content.subarray(10)]);
    assert.deepEqual(out, content);
    assert.equal(check.bytes, content.length);
    assert.deepEqual(counts, [10, content.length], 'progress after each chunk');
  }
});

test('DigestCheck refuses content of the right size with another digest', { timeout: 10_000 }, async () => {
  const check = new DigestCheck(sha('sha256', content), content.length, 'reg/app@d');
  await assert.rejects(
    through(check, [flipped]),
    registryError(/^reg\/app@d: content does not match its digest: crossdock's check computed/),
  );
});

test('DigestCheck stops reading as soon as more bytes than the descriptor says arrive', {
  timeout: 10_000,
}, async () => {
  const check = new DigestCheck(sha('sha256', content), 10, 'reg/app@d');
  const out: Buffer[] = [];
  await assert.rejects(
    pipeline(
      Readable.from([content.subarray(0, 6), content.subarray(6, 12), content.subarray(12)]),
      check,
      new Writable({
        write(chunk: Buffer, _encoding, done) {
          out.push(chunk);
          done();
        },
      }),
    ),
    registryError(
      /^reg\/app@d: the registry sent more than the 10 bytes its descriptor says; crossdock stopped reading$/,
      (e) => assert.equal(e.hint, 'the content does not match the manifest that references it'),
    ),
  );
  assert.deepEqual(Buffer.concat(out), content.subarray(0, 6), 'nothing past the limit was passed on');
});

test('DigestCheck calls content cut short a transient failure, not a digest mismatch', {
  timeout: 10_000,
}, async () => {
  const check = new DigestCheck(sha('sha256', content), content.length, 'reg/app@d');
  await assert.rejects(
    through(check, [content.subarray(0, 7)]),
    registryError(
      new RegExp(`^reg/app@d: the response was cut short \\(7 of ${content.length} bytes\\)$`),
      (e) => assert.equal(e.transient, true),
    ),
  );
});

test('resolveRef: tag, digest, or latest; a malformed reference is a usage error with an example', {
  timeout: 10_000,
}, () => {
  const d = `sha256:${'b'.repeat(64)}`;
  assert.deepEqual(resolveRef('localhost:5000/team/app'), {
    registry: 'localhost:5000',
    repository: 'team/app',
    reference: 'latest',
    tag: undefined,
    digest: undefined,
    text: 'localhost:5000/team/app',
  });
  assert.equal(resolveRef('localhost:5000/team/app:1.0').reference, '1.0');
  assert.equal(resolveRef(`localhost:5000/team/app:1.0@${d}`).reference, d);
  assert.throws(
    () => resolveRef('localhost:5000/Team/App:1'),
    (e: unknown) => {
      assert.ok(e instanceof UsageError, String(e));
      assert.match(e.message, /^"localhost:5000\/Team\/App:1" is not a valid image reference: /);
      assert.equal(
        e.hint,
        'write [host[:port]/]repository[:tag][@sha256:digest], e.g. localhost:5000/team/app:1.0',
      );
      return true;
    },
  );
});

/**
 * Streams `chunks` through a HeldBackCheck into a reader that records what it got, as an upload would: resolves
 * with what came out, or rejects with the check's error and what came out before it.
 */
async function heldBack(check: HeldBackCheck, chunks: Buffer[]): Promise<{ out: Buffer; error?: unknown }> {
  const out: Buffer[] = [];
  try {
    await pipeline(
      Readable.from(chunks),
      check,
      new Writable({
        write(chunk: Buffer, _encoding, done) {
          out.push(chunk);
          done();
        },
      }),
    );
    return { out: Buffer.concat(out) };
  } catch (error) {
    return { out: Buffer.concat(out), error };
  }
}

const parts = (b: Buffer, n: number) =>
  Array.from({ length: Math.ceil(b.length / n) }, (_v, i) => b.subarray(i * n, (i + 1) * n));

test('HeldBackCheck passes content that matches, in one pass, whatever the chunking', {
  timeout: 10_000,
}, async () => {
  for (const n of [1, 5, content.length, content.length + 10]) {
    const seen: number[] = [];
    const r = await heldBack(
      new HeldBackCheck(sha('sha256', content), content.length, 'blob', (k) => seen.push(k)),
      parts(content, n),
    );
    assert.equal(r.error, undefined, `chunks of ${n}`);
    assert.deepEqual(r.out, content);
    assert.equal(seen.at(-1), content.length, 'progress counts every byte');
  }
  const empty = Buffer.alloc(0);
  const ok = await heldBack(new HeldBackCheck(sha('sha256', empty), 0, 'blob'), []);
  assert.equal(ok.error, undefined);
  assert.equal(ok.out.length, 0);
});

test('HeldBackCheck never lets the last byte of failing content through: mismatch, short, long, empty', {
  timeout: 10_000,
}, async () => {
  const expected = sha('sha256', content);
  for (const n of [1, 7, content.length]) {
    const bad = await heldBack(new HeldBackCheck(expected, content.length, 'reg/app@x'), parts(flipped, n));
    assert.ok(bad.out.length < content.length, `chunks of ${n}: ${bad.out.length} bytes got through`);
    registryError(
      new RegExp(
        `^reg/app@x: content does not match its digest: crossdock's check computed ${sha('sha256', flipped)} over the ${content.length} bytes read, expected ${expected}$`,
      ),
    )(bad.error);
  }
  const short = await heldBack(
    new HeldBackCheck(expected, content.length, 'reg/app@x'),
    parts(content.subarray(0, 20), 5),
  );
  assert.ok(short.out.length < 20);
  registryError(/^reg\/app@x: the response was cut short \(20 of \d+ bytes\)$/, (e) =>
    assert.equal(e.transient, true, 'a cut-short read may be retried'),
  )(short.error);
  const long = await heldBack(new HeldBackCheck(expected, content.length, 'reg/app@x'), [
    content,
    Buffer.from('x'),
  ]);
  assert.ok(long.out.length < content.length + 1);
  registryError(/sent more than the \d+ bytes its descriptor says; crossdock stopped reading/)(long.error);
  const empty = await heldBack(new HeldBackCheck(expected, 0, 'reg/app@x'), []);
  registryError(/content does not match its digest/)(empty.error);
});
