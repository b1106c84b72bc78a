import { createHash, createHmac } from 'node:crypto';
import { describe, expect, it, vi } from 'vitest';
import { ARTICLE_HASH_LENGTH, createIdHasher } from '../../src/core/hashing.js';
import { importKeyring } from '../../src/core/keys.js';
import { runtime } from '../../src/runtime/node.js';

const bytes = (text: string) => new TextEncoder().encode(text) as Uint8Array<ArrayBuffer>;
const S1 = 'first-secret-0123456789-abcdefghij';
const S2 = 'second-secret-0123456789-abcdefgh';

// The independent reference: node:crypto's HMAC, computed as the module documents it.
const hashingKey = (secret: string) => createHmac('sha256', secret).update('meterwall id-hash v1').digest();
const reference = (secret: string, kind: 'article' | 'account', id: string, length: number) =>
  createHmac('sha256', hashingKey(secret)).update(`${kind}\u0000${id}`).digest().subarray(0, length).toString('base64url');

describe('importKeyring', () => {
  it('the first secret signs, every secret verifies, and an unnamed kid is the SHA-256 prefix of the secret', async () => {
    const keyring = await importKeyring([
      { kid: undefined, bytes: bytes(S1) },
      { kid: 'old', bytes: bytes(S2) },
    ]);
    const derived = createHash('sha256').update(S1).digest().subarray(0, 6).toString('base64url');
    expect(keyring.signing.kid).toBe(derived);
    expect([...keyring.verify.keys()]).toEqual([derived, 'old']);
    expect([...keyring.hashing.keys()]).toEqual([derived, 'old']);
    const mac = await runtime.hmacSha256(keyring.signing.key, 'x');
    expect(Buffer.from(mac).equals(createHmac('sha256', S1).update('x').digest())).toBe(true);
  });

  it('the same secret listed twice is imported once', async () => {
    const keyring = await importKeyring([
      { kid: 'a', bytes: bytes(S1) },
      { kid: 'a', bytes: bytes(S1) },
    ]);
    expect(keyring.verify.size).toBe(1);
    expect(keyring.signing.key.type).toBe('secret');
  });
});

describe('createIdHasher', () => {
  it('hashes articles and accounts with a key derived from each secret, as HMAC-SHA256 computes them', async () => {
    const keyring = await importKeyring([
      { kid: 'new', bytes: bytes(S1) },
      { kid: 'old', bytes: bytes(S2) },
    ]);
    const hasher = createIdHasher(keyring, 100);
    const article = await hasher.article('new', 'tram-line');
    expect(article).toBe(reference(S1, 'article', 'tram-line', 6));
    expect(article).toHaveLength(ARTICLE_HASH_LENGTH);
    expect(await hasher.article('old', 'tram-line')).toBe(reference(S2, 'article', 'tram-line', 6));
    expect(await hasher.account('acct-1')).toBe(reference(S1, 'account', 'acct-1', 16));
    // Not the id, not a plain HMAC under the secret itself.
    expect(article).not.toBe(createHmac('sha256', S1).update('article\u0000tram-line').digest().subarray(0, 6).toString('base64url'));
  });

  it('an unknown (retired) kid hashes under the signing key; a hash once computed is answered from the cache, long ids are not cached', async () => {
    const keyring = await importKeyring([{ kid: 'k', bytes: bytes(S1) }]);
    const hasher = createIdHasher(keyring, 2);
    const macs = vi.spyOn(runtime, 'hmacSha256');
    try {
      const value = await hasher.article('k', 'a');
      expect(macs).toHaveBeenCalledTimes(1);
      expect(await hasher.article('gone', 'a')).toBe(value);
      expect(macs).toHaveBeenCalledTimes(1);
      expect(hasher.article('k', 'a')).toBe(value); // synchronous, from the cache
      expect(macs).toHaveBeenCalledTimes(1);
      const long = 'x'.repeat(400);
      await hasher.article('k', long);
      await hasher.article('k', long);
      expect(macs).toHaveBeenCalledTimes(3);
      // Bounded: two more ids evict the first.
      await hasher.article('k', 'b');
      await hasher.article('k', 'c');
      expect(macs).toHaveBeenCalledTimes(5);
      await hasher.article('k', 'a');
      expect(macs).toHaveBeenCalledTimes(6);
    } finally {
      macs.mockRestore();
    }
  });
});
