import { createHash, createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ARTICLE_HASH_LENGTH, createIdHasher } from '../../src/core/hashing.js';
import { importKeyring } from '../../src/core/keys.js';

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
    const mac = new Uint8Array(await crypto.subtle.sign('HMAC', keyring.signing.key, bytes('x')));
    expect(Buffer.from(mac).equals(createHmac('sha256', S1).update('x').digest())).toBe(true);
  });

  it('keys cannot be exported, and the same secret listed twice is imported once', async () => {
    const keyring = await importKeyring([
      { kid: 'a', bytes: bytes(S1) },
      { kid: 'a', bytes: bytes(S1) },
    ]);
    expect(keyring.verify.size).toBe(1);
    expect(keyring.signing.key.extractable).toBe(false);
    expect((keyring.hashing.get('a') as CryptoKey).extractable).toBe(false);
    expect((keyring.hashing.get('a') as CryptoKey).usages).toEqual(['sign']);
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

  it('an unknown kid has no hash; a hash once computed is answered from the cache, long ids are not cached', async () => {
    const keyring = await importKeyring([{ kid: 'k', bytes: bytes(S1) }]);
    const hasher = createIdHasher(keyring, 2);
    expect(hasher.article('gone', 'a')).toBeUndefined();
    const first = hasher.article('k', 'a');
    expect(first).toBeInstanceOf(Promise);
    const value = await first;
    expect(hasher.article('k', 'a')).toBe(value); // synchronous from the cache
    const long = 'x'.repeat(400);
    await hasher.article('k', long);
    expect(hasher.article('k', long)).toBeInstanceOf(Promise);
    // Bounded: two more ids evict the first.
    await hasher.article('k', 'b');
    await hasher.article('k', 'c');
    expect(hasher.article('k', 'a')).toBeInstanceOf(Promise);
  });
});
