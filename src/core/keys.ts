/**
 * Meter-token secrets: validated at construction, imported once as Web Crypto keys, one per
 * `kid`. The first secret signs; all verify. Each secret also yields its own hashing key for
 * article and account ids, so an id's hash never reveals the id and never equals a signature.
 */
import { invalidOption } from '../errors.js';
import { toBase64Url, utf8 } from './encoding.js';

/** A validated secret with its `kid` when the site named one. */
export interface SecretEntry {
  readonly kid: string | undefined;
  readonly bytes: Uint8Array<ArrayBuffer>;
}

/** Imported keys, ready for the hot path. */
export interface Keyring {
  /** The signing key: the first secret. */
  readonly signing: { readonly kid: string; readonly key: CryptoKey };
  /** Every verifying key by `kid`. */
  readonly verify: ReadonlyMap<string, CryptoKey>;
  /** The id-hashing key derived from each secret, by `kid`. */
  readonly hashing: ReadonlyMap<string, CryptoKey>;
}

/** Shortest secret accepted, in bytes (HS256 wants a key as long as its output). */
export const MIN_SECRET_BYTES = 32;
const KID = /^[A-Za-z0-9._-]{1,64}$/;

function secretBytes(value: unknown, path: string): Uint8Array<ArrayBuffer> {
  let bytes: Uint8Array<ArrayBuffer>;
  if (typeof value === 'string') bytes = utf8(value);
  else if (value instanceof Uint8Array) bytes = new Uint8Array(value);
  else throw invalidOption(path, 'must be a string or a Uint8Array');
  if (bytes.byteLength < MIN_SECRET_BYTES) {
    throw invalidOption(path, `must be at least ${MIN_SECRET_BYTES} bytes (got ${bytes.byteLength})`);
  }
  return bytes;
}

/** Validates the `secret` option into an ordered list (first signs). Throws a `TypeError` naming the option. */
export function normalizeSecrets(option: unknown): SecretEntry[] {
  if (typeof option === 'string' || option instanceof Uint8Array) {
    return [{ kid: undefined, bytes: secretBytes(option, 'secret') }];
  }
  if (Array.isArray(option)) {
    if (option.length === 0) throw invalidOption('secret', 'must list at least one secret');
    return option.map((value, index) => ({ kid: undefined, bytes: secretBytes(value, `secret[${index}]`) }));
  }
  if (option !== null && typeof option === 'object') {
    const entries = Object.entries(option as Record<string, unknown>);
    if (entries.length === 0) throw invalidOption('secret', 'must hold at least one secret');
    return entries.map(([kid, value]) => {
      if (!KID.test(kid)) throw invalidOption(`secret.${kid}`, 'has a kid that is not 1-64 characters of A-Z a-z 0-9 . _ -');
      return { kid, bytes: secretBytes(value, `secret.${kid}`) };
    });
  }
  throw invalidOption('secret', 'is required: a string or Uint8Array of at least 32 bytes, a list of them, or a { kid: secret } map');
}

const HMAC = { name: 'HMAC', hash: 'SHA-256' } as const;

/** Imports the secrets as keys. A secret without a named kid gets one derived from its SHA-256. */
export async function importKeyring(secrets: readonly SecretEntry[]): Promise<Keyring> {
  const verify = new Map<string, CryptoKey>();
  const hashing = new Map<string, CryptoKey>();
  let signing: Keyring['signing'] | undefined;
  for (const entry of secrets) {
    const kid = entry.kid ?? toBase64Url(new Uint8Array(await crypto.subtle.digest('SHA-256', entry.bytes)).subarray(0, 6));
    if (verify.has(kid)) continue; // the same secret listed twice
    const key = await crypto.subtle.importKey('raw', entry.bytes, HMAC, false, ['sign', 'verify']);
    const derived = await crypto.subtle.sign('HMAC', key, utf8('meterwall id-hash v1'));
    verify.set(kid, key);
    hashing.set(kid, await crypto.subtle.importKey('raw', derived, HMAC, false, ['sign']));
    signing ??= { kid, key };
  }
  if (!signing) throw new TypeError('meterwall: no secret'); // unreachable: normalizeSecrets refuses an empty list
  return { signing, verify, hashing };
}
