/**
 * What the runtime module gives the core: HMAC-SHA256 and base64url, the only primitives on the
 * meter token's hot path. Two implementations fill it: `web.ts` (Web Crypto, every runtime) and
 * `node.ts` (`node:crypto`, synchronous), chosen by the package's `#runtime` import map through
 * the `node` export condition. The core imports `#runtime` and never knows which it got.
 */

/** An imported HMAC-SHA256 key: a `CryptoKey` on Web Crypto, the key's bytes on Node. */
export interface HmacKey {
  /** Always `'secret'`. */
  readonly type: string;
}

/** A value now, or a promise of it (Web Crypto is asynchronous, `node:crypto` is not). */
export type Now<T> = T | Promise<T>;

/** The primitives (internal). */
export interface Runtime {
  /** `'node'` or `'web'`: which implementation this is, for tests and benchmarks. */
  readonly name: 'node' | 'web';
  /** Imports raw key bytes for HMAC-SHA256 signing and verifying. */
  importHmacKey(raw: Uint8Array): Promise<HmacKey>;
  /** The HMAC-SHA256 of `data` (a string is taken as UTF-8). */
  hmacSha256(key: HmacKey, data: string | Uint8Array): Now<Uint8Array>;
  /** Whether `mac` is the HMAC-SHA256 of `data`, compared in constant time. */
  hmacVerify(key: HmacKey, data: string, mac: Uint8Array): Now<boolean>;
  /** Unpadded base64url of bytes. */
  base64Url(bytes: Uint8Array): string;
  /** Unpadded base64url of a string's UTF-8 bytes. */
  base64UrlOfText(text: string): string;
  /** A random id of `bytes` random bytes, base64url. */
  randomId(bytes: number): string;
}
