/**
 * The `session` option: the site's own session token (cookie or bearer), verified with jose
 * under a pinned key and algorithm list, and mapped to a reader by a claims function.
 */
import { invalidOption } from '../errors.js';
import { utf8 } from '../util/encoding.js';
import { isCookieName } from '../util/http.js';
import { EMPTY_SECRET, MIN_SECRET_BYTES } from './secrets.js';
import type { PublicJwk } from '../types.js';
import type { SessionKeyConfig, SessionSettings } from './settings.js';
import { DEFAULTS } from './defaults.js';
import { at, bool, callback, integer, isRecord, record, rejectUnknown, type Check } from '../util/schema.js';

const HMAC_ALGORITHMS = ['HS256', 'HS384', 'HS512'];
const PUBLIC_ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA', 'Ed25519'];
const KNOWN = ['cookie', 'bearer', 'key', 'algorithms', 'issuer', 'audience', 'typ', 'clockToleranceSeconds', 'claims', 'cacheSize'];

const stringOrList: Check<string | readonly string[] | undefined> = (value, path) => {
  if (value === undefined) return undefined;
  if (typeof value === 'string' && value !== '') return value;
  if (Array.isArray(value) && value.length > 0 && value.every((v) => typeof v === 'string' && v !== '')) return Object.freeze([...value]);
  throw invalidOption(path, 'must be a non-empty string or list of strings');
};

function resolveKey(value: unknown): SessionKeyConfig {
  const key = record(value, 'session.key');
  const kinds = ['secret', 'publicKey', 'jwksUrl'].filter((k) => key[k] !== undefined);
  if (kinds.length !== 1) throw invalidOption('session.key', 'takes exactly one of secret, publicKey or jwksUrl');
  if (kinds[0] === 'secret') {
    rejectUnknown(key, 'session.key', ['secret'], 'an option of a secret key');
    const raw = key['secret'];
    if (raw === '') throw invalidOption('session.key.secret', EMPTY_SECRET);
    const bytes = typeof raw === 'string' ? utf8(raw) : raw instanceof Uint8Array ? raw : undefined;
    if (!bytes || bytes.byteLength < MIN_SECRET_BYTES)
      throw invalidOption('session.key.secret', `must be a string or Uint8Array of at least ${MIN_SECRET_BYTES} bytes`);
    return { kind: 'secret', secret: new Uint8Array(bytes) };
  }
  if (kinds[0] === 'publicKey') {
    rejectUnknown(key, 'session.key', ['publicKey'], 'an option of a public key');
    const material = key['publicKey'];
    const pem = typeof material === 'string' && /-----BEGIN PUBLIC KEY-----/.test(material);
    const jwk = isRecord(material) && typeof material['kty'] === 'string' && material['kty'] !== 'oct' && !('d' in material);
    if (!pem && !jwk) throw invalidOption('session.key.publicKey', 'must be a PEM public key (SPKI) or a public JWK (no private parts)');
    return { kind: 'public', key: material as string | PublicJwk };
  }
  rejectUnknown(key, 'session.key', ['jwksUrl', 'timeoutMs', 'cooldownMs', 'cacheMaxAgeMs', 'failureBackoffMs'], 'an option of a JWKS key');
  let url: URL;
  try {
    url = new URL(String(key['jwksUrl']));
  } catch {
    throw invalidOption('session.key.jwksUrl', 'must be a URL');
  }
  const local = url.hostname === 'localhost' || url.hostname === '127.0.0.1' || url.hostname === '[::1]';
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && local))
    throw invalidOption('session.key.jwksUrl', 'must use https (http only on localhost)');
  const defaults = DEFAULTS.session.key;
  return {
    kind: 'jwks',
    url,
    timeoutMs: integer(1, 30_000, defaults.timeoutMs)(key['timeoutMs'], 'session.key.timeoutMs'),
    cooldownMs: integer(0, 3_600_000, defaults.cooldownMs)(key['cooldownMs'], 'session.key.cooldownMs'),
    cacheMaxAgeMs: integer(1_000, 86_400_000, defaults.cacheMaxAgeMs)(key['cacheMaxAgeMs'], 'session.key.cacheMaxAgeMs'),
    failureBackoffMs: integer(0, 600_000, defaults.failureBackoffMs)(key['failureBackoffMs'], 'session.key.failureBackoffMs'),
  };
}

/**
 * `session`: how to verify the site's session token, or `undefined`. (That a secret key differs
 * from the meter secret is checked by `createPaywall`, which knows the meter secret.)
 */
export function resolveSession(value: unknown): SessionSettings | undefined {
  if (value === undefined) return undefined;
  const session = record(value, 'session');
  rejectUnknown(session, 'session', KNOWN, 'a session option');
  const cookie = session['cookie'];
  if (cookie !== undefined && (typeof cookie !== 'string' || !isCookieName(cookie)))
    throw invalidOption('session.cookie', 'must be a cookie name');
  const bearer = bool(DEFAULTS.session.bearer)(session['bearer'], 'session.bearer');
  if (cookie === undefined && !bearer) throw invalidOption('session.cookie', 'is needed when bearer is false');
  const key = resolveKey(session['key']);
  const algorithms = session['algorithms'];
  const allowed = key.kind === 'secret' ? HMAC_ALGORITHMS : PUBLIC_ALGORITHMS;
  if (!Array.isArray(algorithms) || algorithms.length === 0 || algorithms.some((a) => !allowed.includes(a))) {
    throw invalidOption('session.algorithms', `must list the accepted algorithms, from ${allowed.join(', ')}`);
  }
  const typ = session['typ'];
  if (typ !== undefined && (typeof typ !== 'string' || typ === '')) throw invalidOption('session.typ', 'must be a non-empty string');
  return Object.freeze({
    cookie,
    bearer,
    key: Object.freeze(key),
    algorithms: Object.freeze([...algorithms]),
    issuer: stringOrList(session['issuer'], at('session', 'issuer')),
    audience: stringOrList(session['audience'], at('session', 'audience')),
    typ,
    clockToleranceSeconds: integer(
      0,
      60,
      DEFAULTS.session.clockToleranceSeconds,
    )(session['clockToleranceSeconds'], 'session.clockToleranceSeconds'),
    claims: callback<NonNullable<SessionSettings['claims']>>()(session['claims'], 'session.claims'),
    cacheSize: integer(1, 10_000_000, DEFAULTS.session.cacheSize)(session['cacheSize'], 'session.cacheSize'),
  });
}
