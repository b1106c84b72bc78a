/**
 * The meter token's compact JWS against jose as the reference, for one runtime path: tokens
 * signed here verify with jose's `jwtVerify` and are byte for byte what the other path signs,
 * tokens jose and the other path sign verify here, and for every tampering jose rejects, this
 * verifier rejects with the same error code. Run by jws.test.ts (node:crypto, as on Node) and
 * jws-web.test.ts (Web Crypto, as on Workers, Deno, Bun and the edge).
 */
import { createHmac } from 'node:crypto';
import { runtime } from '#runtime';
import { SignJWT, errors, jwtVerify } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { signHs256, verifyHs256, type JwsResult } from '../../src/core/jws.js';
import type { HmacKey } from '../../src/runtime/contract.js';

const TYP = 'meterwall-meter+jwt';
const NOW = Date.parse('2026-11-24T12:00:00Z');
const secret = new TextEncoder().encode('jws-test-secret-0123456789-abcdefghij');
const other = new TextEncoder().encode('jws-test-other-secret-0123456789-abcdef');
const expect$ = { typ: TYP, issuer: 'meterwall', audience: 'meterwall:meter', now: NOW };
const claims = { v: 1, rid: 'abcdefghijklmnop', a: '', iss: 'meterwall', aud: 'meterwall:meter', iat: NOW / 1000, exp: NOW / 1000 + 3600 };
const b64 = (value: unknown): string =>
  btoa(typeof value === 'string' ? value : JSON.stringify(value))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '');

async function joseCode(token: string): Promise<string | null> {
  try {
    await jwtVerify(
      token,
      (header) => {
        if (header.kid !== 'k1') throw new errors.JWKSNoMatchingKey();
        return secret;
      },
      {
        algorithms: ['HS256'],
        typ: TYP,
        issuer: 'meterwall',
        audience: 'meterwall:meter',
        requiredClaims: ['iat', 'exp'],
        currentDate: new Date(NOW),
      },
    );
    return null;
  } catch (error) {
    return (error as { code: string }).code;
  }
}

/** Signs as the other path does: Web Crypto when node:crypto is under test, and the other way round. */
async function macOf(signer: 'webcrypto' | 'node:crypto', alg: string, key: Uint8Array, input: string): Promise<string> {
  const hash = alg === 'HS512' ? 'SHA-512' : 'SHA-256';
  if (signer === 'node:crypto') return createHmac(hash.replace('-', '').toLowerCase(), key).update(input).digest('base64url');
  const k = await crypto.subtle.importKey('raw', new Uint8Array(key), { name: 'HMAC', hash }, false, ['sign']);
  const mac = new Uint8Array(await crypto.subtle.sign('HMAC', k, new TextEncoder().encode(input)));
  return btoa(String.fromCharCode(...mac))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '');
}

/**
 * The tampering matrix and the interop checks for the runtime `jws.ts` was loaded with
 * (`#runtime`): `runtimeName` says which, and tokens are made by the other path.
 */
export function defineJwsMatrix(runtimeName: 'node' | 'web'): void {
  const signer = runtimeName === 'node' ? 'webcrypto' : 'node:crypto';
  const sign = async (header: Record<string, unknown>, payload: Record<string, unknown> | string, with_ = secret): Promise<string> => {
    const input = `${b64(header)}.${b64(payload)}`;
    return `${input}.${await macOf(signer, String(header['alg']), with_, input)}`;
  };
  let key: HmacKey;
  const ours = async (token: string): Promise<JwsResult> => verifyHs256(token, (kid) => (kid === 'k1' ? key : undefined), expect$);

  beforeAll(async () => {
    expect(runtime.name).toBe(runtimeName);
    key = await runtime.importHmacKey(secret);
  });

  describe(`the meter token JWS on the ${runtimeName} runtime, against jose and the other path (${signer})`, () => {
    it('a token signed here verifies with jose, with the same claims, and the other path made the same bytes', async () => {
      const token = await signHs256(claims, TYP, 'k1', key);
      expect(await joseCode(token)).toBeNull();
      expect(token).toBe(await sign({ alg: 'HS256', typ: TYP, kid: 'k1' }, claims));
      const { payload, protectedHeader } = await jwtVerify(token, secret, { algorithms: ['HS256'], currentDate: new Date(NOW) });
      expect(payload).toEqual(claims);
      expect(protectedHeader).toEqual({ alg: 'HS256', typ: TYP, kid: 'k1' });
    });

    it('a token jose signs verifies here', async () => {
      const { iss, aud, iat, exp, ...rest } = claims;
      const token = await new SignJWT(rest)
        .setProtectedHeader({ alg: 'HS256', typ: TYP, kid: 'k1' })
        .setIssuer(iss)
        .setAudience(aud)
        .setIssuedAt(iat)
        .setExpirationTime(exp)
        .sign(secret);
      expect(await ours(token)).toEqual({ ok: true, kid: 'k1', payload: claims });
    });

    const header = { alg: 'HS256', typ: TYP, kid: 'k1' };
    const cases: Array<[string, () => Promise<string> | string]> = [
      [
        'a flipped signature',
        async () => {
          const t = await sign(header, claims);
          return t.slice(0, -2) + (t.endsWith('A') ? 'B' : 'A') + t.slice(-1);
        },
      ],
      ['another secret', () => sign(header, claims, other)],
      ['alg none', () => `${b64({ ...header, alg: 'none' })}.${b64(claims)}.AAAA`],
      ['HS512', () => sign({ ...header, alg: 'HS512' }, claims)],
      ['no alg', () => sign({ typ: TYP, kid: 'k1' }, claims)],
      ['an unknown kid', () => sign({ ...header, kid: 'k9' }, claims)],
      ['no kid', () => sign({ alg: 'HS256', typ: TYP }, claims)],
      ['a crit header', () => sign({ ...header, crit: ['exp'] }, claims)],
      ['a header that is not JSON', () => `${b64('nope')}.${b64(claims)}.AAAA`],
      ['a header that is an array', () => `${b64([1])}.${b64(claims)}.AAAA`],
      ['a payload that is not JSON', () => sign(header, 'nope')],
      ['a payload that is an array', () => sign(header, '[1,2]')],
      ['a wrong typ', () => sign({ ...header, typ: 'JWT' }, claims)],
      ['typ with application/ prefix and other case', () => sign({ ...header, typ: `application/${TYP.toUpperCase()}` }, claims)],
      ['a wrong iss', () => sign(header, { ...claims, iss: 'x' })],
      ['a wrong aud', () => sign(header, { ...claims, aud: 'x' })],
      ['aud as a list that holds it', () => sign(header, { ...claims, aud: ['x', 'meterwall:meter'] })],
      ['no iat', () => sign(header, { ...claims, iat: undefined })],
      ['no exp', () => sign(header, { ...claims, exp: undefined })],
      ['iat as a string', () => sign(header, { ...claims, iat: '1' })],
      ['exp now', () => sign(header, { ...claims, exp: NOW / 1000 })],
      ['expired', () => sign(header, { ...claims, exp: NOW / 1000 - 1 })],
      ['nbf in the future', () => sign(header, { ...claims, nbf: NOW / 1000 + 60 })],
      ['nbf as a string', () => sign(header, { ...claims, nbf: 'soon' })],
      ['nbf in the past', () => sign(header, { ...claims, nbf: NOW / 1000 - 60 })],
    ];

    it.each(cases)('%s: the same verdict and code as jose', async (_, make) => {
      const token = await make();
      const reference = await joseCode(token);
      const result = await ours(token);
      expect(result.ok ? null : result.code).toBe(reference);
    });
  });
}
