/**
 * Meter-token secrets: validated at construction, imported once as Web Crypto keys, one per
 * `kid`. The first secret signs; all verify. Each secret also yields its own hashing key for
 * article and account ids, so an id's hash never reveals the id and never equals a signature.
 */
import { type HmacKey, runtime } from '#runtime';
import type { Keyring } from '../contracts/features.js';
import type { SecretEntry } from '../options/settings.js';

export type { Keyring } from '../contracts/features.js';

/** Imports the secrets as keys. A secret without a named kid gets one derived from its SHA-256. */
export async function importKeyring(secrets: readonly SecretEntry[]): Promise<Keyring> {
  const verify = new Map<string, HmacKey>();
  const hashing = new Map<string, HmacKey>();
  let signing: Keyring['signing'] | undefined;
  for (const entry of secrets) {
    const kid = entry.kid ?? runtime.base64Url(new Uint8Array(await crypto.subtle.digest('SHA-256', entry.bytes)).subarray(0, 6));
    if (verify.has(kid)) continue; // the same secret listed twice
    const key = await runtime.importHmacKey(entry.bytes);
    const derived = await runtime.hmacSha256(key, 'meterwall id-hash v1');
    verify.set(kid, key);
    hashing.set(kid, await runtime.importHmacKey(derived));
    signing ??= { kid, key };
  }
  if (!signing) throw new TypeError('meterwall: no secret'); // unreachable: normalizeSecrets refuses an empty list
  return { signing, verify, hashing };
}
