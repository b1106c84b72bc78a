/**
 * The runtime primitives on `node:crypto`, chosen through the `node` export condition: a
 * synchronous HMAC costs ~2 µs where a Web Crypto `sign` costs a round trip through libuv's
 * thread pool (~40–80 µs under load), and `Buffer` encodes base64url natively. See
 * `contract.ts`; tests check both implementations give the same bytes.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { HmacKey, Runtime } from './contract.js';

// Random bytes are drawn 4 KB at a time (as node:crypto's randomUUID does): one call into the
// CSPRNG per 256 reader ids instead of one each. Every byte is handed out once.
const POOL_BYTES = 4096;
let pool = Buffer.alloc(0);
let offset = 0;
function randomId(bytes: number): string {
  if (offset + bytes > pool.length) {
    pool = randomBytes(Math.max(POOL_BYTES, bytes));
    offset = 0;
  }
  const id = pool.toString('base64url', offset, offset + bytes);
  offset += bytes;
  return id;
}

/**
 * The key's bytes, kept as a `Buffer` rather than a `KeyObject`: on Node 20 `createHmac` with a
 * `KeyObject` costs ~0.75 µs more per call (it goes through the key handle) than with the bytes
 * (measured in the issue-14 breakdown, bench/README.md). Private to this module.
 */
class NodeHmacKey implements HmacKey {
  readonly type = 'secret';
  readonly bytes: Buffer;
  constructor(raw: Uint8Array) {
    this.bytes = Buffer.from(raw); // a copy: the caller's array may be reused
  }
}

const mac = (key: HmacKey, data: string | Uint8Array): Buffer =>
  createHmac('sha256', (key as NodeHmacKey).bytes)
    .update(data)
    .digest();

/** The `node:crypto` primitives (internal). */
export const runtime: Runtime = {
  name: 'node',
  importHmacKey: async (raw) => new NodeHmacKey(raw),
  hmacSha256: mac,
  hmacVerify(key, data, expected) {
    const actual = mac(key, data);
    return actual.length === expected.length && timingSafeEqual(actual, expected);
  },
  base64Url: (bytes) => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64url'),
  base64UrlOfText: (text) => Buffer.from(text, 'utf8').toString('base64url'),
  randomId,
};

export type { HmacKey };
