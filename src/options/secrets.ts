/**
 * The `secret` option: one secret, a list (the first signs, all verify) or a `{ kid: secret }`
 * map, each at least 32 bytes; validated into an ordered list of raw secrets.
 */
import { invalidOption } from '../errors.js';
import { utf8 } from '../util/encoding.js';
import type { SecretEntry } from './settings.js';

/** Shortest secret accepted, in bytes (HS256 wants a key as long as its output). */
export const MIN_SECRET_BYTES = 32;

/**
 * What an empty string as a secret almost always is: `process.env['X'] ?? ''` with `X` unset
 * (a build, a new machine). Said as a missing secret, which it is (issue 24, item 8).
 */
export const EMPTY_SECRET = 'is required (got an empty string: is the environment variable that holds it set?)';
const KID = /^[A-Za-z0-9._-]{1,64}$/;

function secretBytes(value: unknown, path: string): Uint8Array<ArrayBuffer> {
  let bytes: Uint8Array<ArrayBuffer>;
  if (value === '') throw invalidOption(path, EMPTY_SECRET);
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
