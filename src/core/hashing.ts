/**
 * Keyed hashes of article and account ids (HMAC-SHA256 under a key derived from a secret), so
 * neither a meter cookie nor a store key reveals what was read or who read it. Hashing costs a
 * Web Crypto call; hashes are cached in a bounded LRU because a site has few hot articles.
 */
import { createBoundedCache } from '../util/bounded-cache.js';
import { toBase64Url, utf8 } from '../util/encoding.js';
import type { Keyring } from './keys.js';

/** Length of an article hash in the meter token: 6 bytes, 8 base64url characters. */
export const ARTICLE_HASH_LENGTH = 8;
const ARTICLE_HASH_BYTES = 6;
const ACCOUNT_HASH_BYTES = 16;
const MAX_CACHED_KEY = 300;

/** Hashes ids under a keyring's per-kid hashing keys. */
export interface IdHasher {
  /** The hash of an article id under `kid`'s hashing key; `undefined` when that key is gone. */
  article(kid: string, id: string): string | Promise<string> | undefined;
  /** The hash of an account id under the signing key's hashing key. */
  account(id: string): string | Promise<string>;
}

/** Creates a hasher with a cache of `max` hashes. */
export function createIdHasher(keyring: Keyring, max: number): IdHasher {
  const cache = createBoundedCache<string>(max);
  const compute = async (cacheKey: string, key: CryptoKey, input: string, bytes: number): Promise<string> => {
    const mac = new Uint8Array(await crypto.subtle.sign('HMAC', key, utf8(input)));
    const hash = toBase64Url(mac.subarray(0, bytes));
    // Long ids are hashed every time rather than cached, so hostile ids cannot bloat the cache.
    if (cacheKey.length <= MAX_CACHED_KEY) cache.set(cacheKey, hash);
    return hash;
  };
  const signingKid = keyring.signing.kid;
  return {
    article(kid, id) {
      const cacheKey = `a\u0000${kid}\u0000${id}`;
      const hit = cache.get(cacheKey);
      if (hit !== undefined) return hit;
      const key = keyring.hashing.get(kid);
      return key && compute(cacheKey, key, `article\u0000${id}`, ARTICLE_HASH_BYTES);
    },
    account(id) {
      const cacheKey = `r\u0000${id}`;
      return (
        cache.get(cacheKey) ?? compute(cacheKey, keyring.hashing.get(signingKid) as CryptoKey, `account\u0000${id}`, ACCOUNT_HASH_BYTES)
      );
    },
  };
}
