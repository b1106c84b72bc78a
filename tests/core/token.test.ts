import { SignJWT, decodeJwt, decodeProtectedHeader } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { createPaywall, type PaywallEvent, type TokenRejection } from '../../src/index.js';
import { SECRET, SECRET_2, articleRequest, createReader, fakeClock, tokenOf } from '../helpers.js';

const START = '2026-11-23T12:00:00Z';
const bytes = (s: string) => new TextEncoder().encode(s);

function setup(secret: Parameters<typeof createPaywall>[0]['secret'] = SECRET) {
  const clock = fakeClock(START);
  const events: PaywallEvent[] = [];
  const paywall = createPaywall({ secret, now: clock.now, onEvent: (e) => events.push(e) });
  return { clock, events, paywall };
}

/** A reader who has read two articles: its token, header and claims. */
let genuine: { token: string; header: ReturnType<typeof decodeProtectedHeader>; claims: ReturnType<typeof decodeJwt> };

beforeAll(async () => {
  const { paywall } = setup();
  const reader = createReader(paywall);
  await reader.open('a');
  await reader.open('b');
  const token = reader.token as string;
  genuine = { token, header: decodeProtectedHeader(token), claims: decodeJwt(token) };
});

/** Signs claims like a meter token, with overrides. */
async function forge(
  overrides: { header?: Record<string, unknown>; claims?: Record<string, unknown>; secret?: string; alg?: string } = {},
): Promise<string> {
  const alg = overrides.alg ?? 'HS256';
  return new SignJWT({ ...genuine.claims, ...overrides.claims })
    .setProtectedHeader({ ...genuine.header, alg, ...overrides.header } as { alg: string })
    .sign(bytes(overrides.secret ?? SECRET));
}

function b64(json: unknown): string {
  return btoa(JSON.stringify(json)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

describe('the meter token format', () => {
  it('is an HS256 JWS with typ, kid, iss, aud, version, iat, exp and a random reader id; ids are hashed', () => {
    expect(genuine.header).toMatchObject({ alg: 'HS256', typ: 'meterwall-meter+jwt' });
    expect(typeof genuine.header.kid).toBe('string');
    const c = genuine.claims;
    expect(c).toMatchObject({ v: 1, iss: 'meterwall', aud: 'meterwall:meter' });
    expect(c.iat).toBe(Date.parse(START) / 1000);
    // exp: the period's end (1 December) plus a small grace.
    expect((c.exp as number) * 1000 - Date.parse('2026-12-01T00:00:00Z')).toBe(5 * 60_000);
    expect(c['rid']).toMatch(/^[\w-]{22}$/);
    // Two read articles, as two 8-character keyed hashes; no id in clear anywhere in the token.
    expect(c['a']).toMatch(/^[\w-]{16}$/);
    expect(Object.values(c)).not.toContain('a');
    expect(Object.values(c)).not.toContain('b');
  });

  it('never carries an article id in clear', async () => {
    const { paywall } = setup();
    const d = await paywall.decide(articleRequest(), { id: 'secret-leak-investigation-2026' });
    const token = tokenOf(d) as string;
    const decoded = token.split('.').map((part) => atob(part.replace(/-/g, '+').replace(/_/g, '/')));
    expect(decoded.join('')).not.toContain('secret-leak');
  });

  it('gives every new reader a different random id', async () => {
    const { paywall } = setup();
    const ids = new Set<unknown>();
    for (let i = 0; i < 20; i++) {
      const d = await paywall.decide(articleRequest(), { id: 'a' });
      ids.add(decodeJwt(tokenOf(d) as string)['rid']);
    }
    expect(ids.size).toBe(20);
  });
});

describe('tampering matrix: each gives a fresh meter and an event, never an exception', () => {
  const cases: Array<[string, () => Promise<string> | string, TokenRejection, string | undefined]> = [
    [
      'a flipped signature byte',
      () => {
        const [h, p, s] = genuine.token.split('.') as [string, string, string];
        const flipped = (s[0] === 'A' ? 'B' : 'A') + s.slice(1);
        return `${h}.${p}.${flipped}`;
      },
      'bad-signature',
      'ERR_JWS_SIGNATURE_VERIFICATION_FAILED',
    ],
    [
      'a lower count without re-signing',
      () => {
        const [h, , s] = genuine.token.split('.') as [string, string, string];
        return `${h}.${b64({ ...genuine.claims, a: '' })}.${s}`;
      },
      'bad-signature',
      'ERR_JWS_SIGNATURE_VERIFICATION_FAILED',
    ],
    [
      'alg: none with a signature part',
      () => `${b64({ ...genuine.header, alg: 'none' })}.${b64({ ...genuine.claims, a: '' })}.AAAA`,
      'algorithm',
      'ERR_JOSE_ALG_NOT_ALLOWED',
    ],
    [
      'alg: none, unsigned',
      () => `${b64({ ...genuine.header, alg: 'none' })}.${b64({ ...genuine.claims, a: '' })}.`,
      'malformed',
      undefined,
    ],
    ['HS512 with the right secret', () => forge({ alg: 'HS512', claims: { a: '' } }), 'algorithm', 'ERR_JOSE_ALG_NOT_ALLOWED'],
    ['a wrong typ', () => forge({ header: { typ: 'JWT' }, claims: { a: '' } }), 'claims', 'ERR_JWT_CLAIM_VALIDATION_FAILED'],
    ['a wrong aud', () => forge({ claims: { aud: 'other-site', a: '' } }), 'claims', 'ERR_JWT_CLAIM_VALIDATION_FAILED'],
    ['a wrong iss', () => forge({ claims: { iss: 'other-site', a: '' } }), 'claims', 'ERR_JWT_CLAIM_VALIDATION_FAILED'],
    ['expired', () => forge({ claims: { exp: Date.parse(START) / 1000 - 1, a: '' } }), 'expired', 'ERR_JWT_EXPIRED'],
    ['an unknown kid', () => forge({ header: { kid: 'nope' }, claims: { a: '' } }), 'unknown-key', 'ERR_JWKS_NO_MATCHING_KEY'],
    ['no kid', () => forge({ header: { kid: undefined }, claims: { a: '' } }), 'unknown-key', 'ERR_JWKS_NO_MATCHING_KEY'],
    [
      'signed with another secret',
      () => forge({ secret: SECRET_2, claims: { a: '' } }),
      'bad-signature',
      'ERR_JWS_SIGNATURE_VERIFICATION_FAILED',
    ],
    ['an old format version', () => forge({ claims: { v: 0, a: '' } }), 'old-format', undefined],
    ['no version claim', () => forge({ claims: { v: undefined, a: '' } }), 'old-format', undefined],
    ['entries that are not hashes', () => forge({ claims: { a: 'abc' } }), 'old-format', undefined],
    ['oversized (5 KB)', () => `${genuine.token}${'A'.repeat(5000)}`, 'oversized', undefined],
    ['malformed base64', () => 'eyJ!!!.e30.AAAA', 'malformed', undefined],
    ['valid base64, not JSON', () => 'AAAA.AAAA.AAAA', 'malformed', 'ERR_JWS_INVALID'],
    ['not a JWS at all', () => 'hello', 'malformed', undefined],
  ];

  it.each(cases)('%s', async (_, make, reason, code) => {
    const forged = await make();
    const { paywall, events } = setup();
    const reader = createReader(paywall);
    reader.token = forged;
    const d = await reader.open('c');
    // A fresh meter: this is the reader's first view, whatever the forged token claimed.
    expect(d).toMatchObject({ access: 'full', reason: 'metered', counted: true, meter: { used: 1 } });
    const rejected = events.find((e) => e.type === 'token-rejected');
    expect(rejected).toEqual(code === undefined ? { type: 'token-rejected', reason } : { type: 'token-rejected', reason, code });
    // Nothing is copied from the rejected token: a new reader id.
    const replacement = decodeJwt(tokenOf(d) as string);
    expect(replacement['rid']).not.toBe(genuine.claims['rid']);
    expect(d.trace.find((t) => t.rule === 'token')).toMatchObject({ matched: true, note: `rejected: ${reason}` });
  });

  it('a rejected token is replaced by the next counted view, never by a request that counts nothing', async () => {
    const { paywall } = setup();
    const reader = createReader(paywall);
    reader.token = 'garbage';
    const d = await reader.open({ id: 'f', access: 'free' });
    expect(d.reason).toBe('free-article');
    // Minting a fresh meter here would hand out an allowance no fresh-meter cap ever saw.
    expect(tokenOf(d)).toBeNull();
    const counted = await reader.open('g');
    expect(counted).toMatchObject({ reason: 'metered', counted: true });
    expect(decodeJwt(tokenOf(counted) as string)['a']).toHaveLength(8);
  });

  it('a forged token is never served from the verify cache, even after the genuine one was', async () => {
    const { paywall, events } = setup();
    const reader = createReader(paywall);
    reader.token = genuine.token;
    expect((await reader.open('a')).reason).toBe('already-read'); // genuine verified and cached
    const [h, , s] = genuine.token.split('.') as [string, string, string];
    reader.token = `${h}.${b64({ ...genuine.claims, a: '' })}.${s}`;
    expect((await reader.open('a')).meter?.used).toBe(1);
    expect(events.filter((e) => e.type === 'token-rejected')).toHaveLength(1);
  });

  it('a cached token still expires on time', async () => {
    const { paywall, clock, events } = setup();
    const reader = createReader(paywall);
    await reader.open('a');
    clock.set('2026-12-01T00:05:00.000Z'); // period end + grace
    const d = await reader.open('a');
    expect(d).toMatchObject({ reason: 'metered', meter: { used: 1 } });
    expect(events.find((e) => e.type === 'token-rejected')).toMatchObject({ reason: 'expired' });
  });

  it('a token from last month (within grace) starts a new meter without a rejection', async () => {
    const { paywall, clock, events } = setup();
    const reader = createReader(paywall);
    for (const id of ['a', 'b', 'c']) await reader.open(id);
    const rid = decodeJwt(reader.token as string)['rid'];
    clock.set('2026-12-01T00:01:00.000Z');
    const d = await reader.open('d');
    expect(d).toMatchObject({ reason: 'metered', meter: { used: 1 } });
    expect(events.some((e) => e.type === 'token-rejected')).toBe(false);
    // The same (verified) reader, in a new period.
    expect(decodeJwt(reader.token as string)['rid']).toBe(rid);
  });
});

describe('two cookies of the same name', () => {
  async function tokenAfter(ids: string[]) {
    const { paywall } = setup();
    const reader = createReader(paywall);
    for (const id of ids) await reader.open(id);
    return reader.token as string;
  }

  it('the one with the higher count wins, whatever the order', async () => {
    const two = await tokenAfter(['a', 'b']);
    const one = await tokenAfter(['x']);
    for (const cookie of [`__Host-meterwall=${one}; __Host-meterwall=${two}`, `__Host-meterwall=${two}; __Host-meterwall=${one}`]) {
      const { paywall } = setup();
      const d = await paywall.decide(articleRequest({ cookie }), { id: 'c' });
      expect(d.meter?.used).toBe(3);
      expect(d.trace.find((t) => t.rule === 'token')?.note).toMatch(/2 cookies/);
    }
  });

  it('a forged cookie beside a genuine one is ignored', async () => {
    const two = await tokenAfter(['a', 'b']);
    const { paywall, events } = setup();
    const d = await paywall.decide(articleRequest({ cookie: `__Host-meterwall=forged.token.here; __Host-meterwall=${two}` }), { id: 'a' });
    expect(d).toMatchObject({ reason: 'already-read', meter: { used: 2 } });
    expect(events.some((e) => e.type === 'token-rejected')).toBe(true);
  });

  it('cookies whose names merely contain the meter name are not read', async () => {
    const two = await tokenAfter(['a', 'b']);
    const { paywall } = setup();
    const d = await paywall.decide(articleRequest({ cookie: `x__Host-meterwall=${two}; __Host-meterwall2=${two}` }), { id: 'c' });
    expect(d.meter?.used).toBe(1);
  });
});

describe('key rotation', () => {
  it('an old kid verifies, the new one signs, and articles read under the old key stay read', async () => {
    const before = setup([SECRET]);
    const reader = createReader(before.paywall);
    await reader.open('a');
    await reader.open('b');
    const oldKid = decodeProtectedHeader(reader.token as string).kid;

    const after = setup([SECRET_2, SECRET]);
    const rotated = createReader(after.paywall);
    rotated.token = reader.token;
    expect(await rotated.open('a')).toMatchObject({ reason: 'already-read', meter: { used: 2 } });
    const third = await rotated.open('c');
    expect(third).toMatchObject({ reason: 'metered', meter: { used: 3 } });
    const newKid = decodeProtectedHeader(rotated.token as string).kid;
    expect(newKid).not.toBe(oldKid);
    expect(after.events.some((e) => e.type === 'token-rejected')).toBe(false);
    expect(await rotated.open('a')).toMatchObject({ reason: 'already-read' });
    expect(await rotated.open('c')).toMatchObject({ reason: 'already-read' });

    // Once the old secret is retired, its tokens are refused...
    const retired = setup([SECRET_2]);
    const stale = createReader(retired.paywall);
    stale.token = reader.token;
    expect((await stale.open('a')).meter?.used).toBe(1);
    expect(retired.events.find((e) => e.type === 'token-rejected')).toMatchObject({ reason: 'unknown-key' });
    // ...while tokens re-signed under the new key keep their count.
    const kept = createReader(retired.paywall);
    kept.token = rotated.token;
    expect((await kept.open('d')).meter?.used).toBe(3);
  });

  it('a { kid: secret } map signs with the first kid', async () => {
    const { paywall } = setup({ '2026-11': SECRET_2, '2026-05': SECRET });
    const d = await paywall.decide(articleRequest(), { id: 'a' });
    expect(decodeProtectedHeader(tokenOf(d) as string).kid).toBe('2026-11');
  });

  it('accepts Uint8Array secrets', async () => {
    const { paywall } = setup(crypto.getRandomValues(new Uint8Array(32)));
    expect((await paywall.decide(articleRequest(), { id: 'a' })).counted).toBe(true);
  });
});
