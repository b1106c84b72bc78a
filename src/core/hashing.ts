/**
 * Keyed hashes of article and account ids (HMAC-SHA256 under a key derived from a secret), so
 * neither a meter cookie nor a store key reveals what was read or who read it. Hashing costs an
 * HMAC (a Web Crypto call, or a synchronous one on Node); hashes are cached in a bounded LRU because a site has few hot articles.
 */
import { type BoundedCache, createBoundedCache } from '../util/bounded-cache.js';
import { type HmacKey, runtime } from '#runtime';
import { andThen } from '../util/maybe-async.js';
import type { Keyring } from './keys.js';

/** Length of an article hash in the meter token: 6 bytes, 8 base64url characters. */
export const ARTICLE_HASH_LENGTH = 8;
const ARTICLE_HASH_BYTES = 6;
const ACCOUNT_HASH_BYTES = 16;
const GIVER_HASH_BYTES = 12;
const MAX_CACHED_KEY = 300;

/** Hashes ids under a keyring's per-kid hashing keys. */
export interface IdHasher {
  /** The hash of an article id under `kid`'s hashing key (the signing key's when `kid` is not one of the keyring's). */
  article(kid: string, id: string): string | Promise<string>;
  /** The hash of an account id under the signing key's hashing key. */
  account(id: string): string | Promise<string>;
  /** A giver's hash (gift links), 16 characters, apart from the account's store key: it is seen in URLs and events. */
  giver(id: string): string | Promise<string>;
}

/** Creates a hasher with a cache of `max` hashes per key (article hashes) and `max` account hashes. */
export function createIdHasher(keyring: Keyring, max: number): IdHasher {
  // One cache per kid, keyed by the id itself: no key string is built on the hot path.
  const articles = new Map<string, BoundedCache<string>>();
  const accounts = createBoundedCache<string>(max);
  const compute = (cache: BoundedCache<string>, id: string, key: HmacKey, input: string, bytes: number): string | Promise<string> => {
    const done = (mac: Uint8Array): string => {
      const hash = runtime.base64Url(mac.subarray(0, bytes));
      // Long ids are hashed every time rather than cached, so hostile ids cannot bloat the cache.
      if (id.length <= MAX_CACHED_KEY) cache.set(id, hash);
      return hash;
    };
    const mac = runtime.hmacSha256(key, input);
    return andThen(mac, done);
  };
  const signingKid = keyring.signing.kid;
  const signingKey = keyring.hashing.get(signingKid);
  if (signingKey === undefined) throw new TypeError('meterwall: the signing key has no hashing key'); // importKeyring derives one for every key
  return {
    article(kid, id) {
      let cache = articles.get(kid);
      if (cache !== undefined) {
        const hit = cache.get(id);
        if (hit !== undefined) return hit;
      }
      const key = keyring.hashing.get(kid);
      if (key === undefined) return this.article(signingKid, id); // a retired key: hashed anew under the signing key
      if (cache === undefined) {
        cache = createBoundedCache<string>(max);
        articles.set(kid, cache);
      }
      return compute(cache, id, key, `article\u0000${id}`, ARTICLE_HASH_BYTES);
    },
    account(id) {
      return accounts.get(id) ?? compute(accounts, id, signingKey, `account\u0000${id}`, ACCOUNT_HASH_BYTES);
    },
    giver(id) {
      // Rare (a gift is created or an account's allowance read): not cached.
      const mac = runtime.hmacSha256(signingKey, `giver\u0000${id}`);
      return andThen(mac, (m) => runtime.base64Url(m.subarray(0, GIVER_HASH_BYTES)));
    },
  };
}
