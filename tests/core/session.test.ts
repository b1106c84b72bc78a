import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SignJWT, exportJWK, exportSPKI, generateKeyPair, type JWK } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPaywall, defineSession, type PaywallEvent, type PaywallOptions, type SessionOptions } from '../../src/index.js';
import type { ReaderInput } from '../../src/index.js';
import { SECRET, articleRequest, createReader, withSession } from '../helpers.js';

const SESSION_SECRET = 'site-session-secret-0123456789-abcdef';
const bytes = (s: string) => new TextEncoder().encode(s);
const nowSeconds = () => Math.floor(Date.now() / 1000);

/** A session JWT with sensible defaults; `header` and `claims` override. */
async function sessionToken(
  key: CryptoKey | Uint8Array,
  alg: string,
  claims: Record<string, unknown> = {},
  header: Record<string, unknown> = {},
): Promise<string> {
  const now = nowSeconds();
  const payload = {
    sub: 'acct-1',
    plan: 'digital',
    iss: 'https://id.news.example',
    aud: 'news.example',
    iat: now,
    exp: now + 600,
    ...claims,
  };
  return new SignJWT(payload).setProtectedHeader({ alg, typ: 'JWT', ...header } as { alg: string }).sign(key);
}

/** Maps a `plan` claim to a subscriber with entitlements, as a site would. */
const planClaims = (payload: Readonly<Record<string, unknown>>): ReaderInput | null =>
  typeof payload['sub'] !== 'string'
    ? null
    : payload['plan']
      ? { status: 'subscriber', id: payload['sub'], entitlements: [String(payload['plan'])] }
      : { status: 'registered', id: payload['sub'] };

function setup(session: SessionOptions, extra: Partial<PaywallOptions> = {}) {
  const events: PaywallEvent[] = [];
  const paywall = createPaywall({ secret: SECRET, session: defineSession(session), onEvent: (e) => events.push(e), ...extra });
  const decide = (token: string, id = 'story') => paywall.decide(articleRequest({ cookie: `sid=${token}` }), { id, access: 'subscribers' });
  return { paywall, events, decide };
}

const hs256: SessionOptions = {
  cookie: 'sid',
  key: { secret: SESSION_SECRET },
  algorithms: ['HS256'],
  issuer: 'https://id.news.example',
  audience: 'news.example',
  claims: planClaims,
};

describe('session tokens with a shared secret (HS256)', () => {
  it('a valid session makes the reader a subscriber through the claims mapping', async () => {
    const { decide } = setup(hs256);
    const d = await decide(await sessionToken(bytes(SESSION_SECRET), 'HS256'));
    expect(d).toMatchObject({
      access: 'full',
      reason: 'subscriber',
      reader: { status: 'subscriber', id: 'acct-1', entitlements: ['digital'] },
    });
  });

  it('reads a bearer token too, and the cookie wins when both are there', async () => {
    const { paywall } = setup(hs256);
    const token = await sessionToken(bytes(SESSION_SECRET), 'HS256');
    const bearer = await paywall.decide(articleRequest({ authorization: `Bearer ${token}` }), { id: 's', access: 'subscribers' });
    expect(bearer.reason).toBe('subscriber');
    const both = await paywall.decide(articleRequest({ authorization: `Bearer ${token}`, cookie: 'sid=garbage' }), {
      id: 's',
      access: 'subscribers',
    });
    expect(both.reason).toBe('subscribers-only');
  });

  it('the default claims mapping: sub, status and entitlements claims', async () => {
    const { decide } = setup({ ...hs256, claims: undefined } as unknown as SessionOptions);
    const registered = await decide(await sessionToken(bytes(SESSION_SECRET), 'HS256', { plan: undefined }));
    expect(registered.reader).toEqual({ status: 'registered', id: 'acct-1', entitlements: [] });
    const subscriber = await decide(
      await sessionToken(bytes(SESSION_SECRET), 'HS256', { status: 'subscriber', entitlements: ['premium'] }),
    );
    expect(subscriber.reader).toEqual({ status: 'subscriber', id: 'acct-1', entitlements: ['premium'] });
  });

  it('a claims mapping may look the plan up asynchronously; if it throws the reader is anonymous', async () => {
    const { decide, events } = setup({ ...hs256, claims: async () => Promise.reject(new Error('billing down')) });
    const d = await decide(await sessionToken(bytes(SESSION_SECRET), 'HS256'));
    expect(d.reader.status).toBe('anonymous');
    expect(events.some((e) => e.type === 'reader-error')).toBe(true);
  });

  it('verified sessions are cached until their exp', async () => {
    let calls = 0;
    const { decide } = setup({
      ...hs256,
      claims: (p) => {
        calls++;
        return planClaims(p);
      },
    });
    const token = await sessionToken(bytes(SESSION_SECRET), 'HS256');
    for (let i = 0; i < 5; i++) expect((await decide(token)).reason).toBe('subscriber');
    expect(calls).toBe(5); // the mapping runs each time (plans change); verification does not
    const expired = await sessionToken(bytes(SESSION_SECRET), 'HS256', { exp: nowSeconds() - 1 });
    expect((await decide(expired)).reason).toBe('subscribers-only');
  });
});

describe('the attack matrix: each gives a non-subscriber, never an exception', () => {
  let rsa: { privateKey: CryptoKey; publicKey: CryptoKey; pem: string; jwk: JWK };
  let attacker: { privateKey: CryptoKey; jwk: JWK };

  beforeAll(async () => {
    const pair = await generateKeyPair('RS256', { extractable: true });
    rsa = { ...pair, pem: await exportSPKI(pair.publicKey), jwk: await exportJWK(pair.publicKey) };
    const evil = await generateKeyPair('RS256', { extractable: true });
    attacker = { privateKey: evil.privateKey, jwk: await exportJWK(evil.publicKey) };
  });

  const rs256 = (): SessionOptions => ({
    cookie: 'sid',
    key: { publicKey: rsa.pem },
    algorithms: ['RS256'],
    issuer: 'https://id.news.example',
    audience: 'news.example',
    clockToleranceSeconds: 30,
    claims: planClaims,
  });
  const b64 = (json: unknown) => btoa(JSON.stringify(json)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');

  it('the genuine RS256 token is accepted (the control case)', async () => {
    const { decide } = setup(rs256());
    expect((await decide(await sessionToken(rsa.privateKey, 'RS256'))).reason).toBe('subscriber');
  });

  it.each(['PS256', 'ES256', 'ES384', 'ES512', 'EdDSA'] as const)(
    'a PEM public key for %s verifies that algorithm and no other',
    async (alg) => {
      const pair = await generateKeyPair(alg, { extractable: true });
      const other = alg === 'EdDSA' ? 'ES256' : 'EdDSA';
      const { decide } = setup({ ...rs256(), key: { publicKey: await exportSPKI(pair.publicKey) }, algorithms: [alg] });
      expect((await decide(await sessionToken(pair.privateKey, alg))).reason).toBe('subscriber');
      const stranger = await generateKeyPair(alg, { extractable: true });
      expect((await decide(await sessionToken(stranger.privateKey, alg))).reason).toBe('subscribers-only');
      const wrong = await generateKeyPair(other, { extractable: true });
      expect((await decide(await sessionToken(wrong.privateKey, other))).reason).toBe('subscribers-only');
    },
  );

  const attacks: Array<[string, () => Promise<string>, string]> = [
    [
      'alg: none',
      async () =>
        `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ sub: 'acct-1', plan: 'digital', exp: nowSeconds() + 600, iss: 'https://id.news.example', aud: 'news.example' })}.`,
      'malformed',
    ],
    ['HS256 signed with the RSA public key', async () => sessionToken(bytes(rsa.pem), 'HS256'), 'algorithm'],
    [
      'an embedded jwk of the attacker',
      async () => sessionToken(attacker.privateKey, 'RS256', {}, { jwk: attacker.jwk }),
      'untrusted-header',
    ],
    [
      'a jku pointing at the attacker',
      async () => sessionToken(attacker.privateKey, 'RS256', {}, { jku: 'https://evil.example/jwks.json' }),
      'untrusted-header',
    ],
    [
      'an x5u header',
      async () => sessionToken(attacker.privateKey, 'RS256', {}, { x5u: 'https://evil.example/cert.pem' }),
      'untrusted-header',
    ],
    [
      'an unknown crit parameter',
      async () => {
        // jose will not sign with an unknown crit parameter, so the token is built by hand.
        const header = b64({ alg: 'RS256', typ: 'JWT', crit: ['exp-policy'], 'exp-policy': 1 });
        const payload = b64({
          sub: 'acct-1',
          plan: 'digital',
          iss: 'https://id.news.example',
          aud: 'news.example',
          exp: nowSeconds() + 600,
        });
        const signature = new Uint8Array(await crypto.subtle.sign('RSASSA-PKCS1-v1_5', rsa.privateKey, bytes(`${header}.${payload}`)));
        return `${header}.${payload}.${btoa(String.fromCharCode(...signature))
          .replace(/\+/g, '-')
          .replace(/\//g, '_')
          .replace(/=+$/, '')}`;
      },
      'untrusted-header',
    ],
    ['signed by another key', async () => sessionToken(attacker.privateKey, 'RS256'), 'bad-signature'],
    ['a wrong aud', async () => sessionToken(rsa.privateKey, 'RS256', { aud: 'other.example' }), 'claims'],
    ['a wrong iss', async () => sessionToken(rsa.privateKey, 'RS256', { iss: 'https://evil.example' }), 'claims'],
    ['expired (beyond the tolerance)', async () => sessionToken(rsa.privateKey, 'RS256', { exp: nowSeconds() - 31 }), 'expired'],
    [
      'no exp',
      async () =>
        new SignJWT({ sub: 'acct-1', plan: 'digital' })
          .setProtectedHeader({ alg: 'RS256', typ: 'JWT' })
          .setIssuer('https://id.news.example')
          .setAudience('news.example')
          .sign(rsa.privateKey),
      'claims',
    ],
    [
      'nbf in the future beyond the tolerance',
      async () => sessionToken(rsa.privateKey, 'RS256', { nbf: nowSeconds() + 61 }),
      'not-yet-valid',
    ],
  ];

  it.each(attacks)('%s', async (_, make, reason) => {
    const { decide, events } = setup(rs256());
    const d = await decide(await make());
    expect(d).toMatchObject({ access: 'teaser', reason: 'subscribers-only', reader: { status: 'anonymous' } });
    expect(events.find((e) => e.type === 'session-rejected')).toMatchObject({ reason });
  });

  it('nbf within the tolerance is accepted', async () => {
    const { decide } = setup(rs256());
    expect((await decide(await sessionToken(rsa.privateKey, 'RS256', { nbf: nowSeconds() + 20 }))).reason).toBe('subscriber');
  });

  it('a meter token presented as a session token is refused', async () => {
    // Even if a site (wrongly) verified sessions with the meter secret, the typ gives it away.
    const meterPaywall = createPaywall({ secret: SECRET });
    const meter = (await meterPaywall.decide(articleRequest(), { id: 'a' })).headers
      .get('set-cookie')
      ?.split(';')[0]
      ?.split('=')[1] as string;
    const { decide, events } = setup({ cookie: 'sid', key: { secret: SECRET.split('').reverse().join('') }, algorithms: ['HS256'] });
    const d = await decide(meter);
    expect(d.reader.status).toBe('anonymous');
    expect(events.find((e) => e.type === 'session-rejected')).toMatchObject({ reason: 'meter-token' });
  });
});

describe('a JWKS endpoint on 127.0.0.1 (RS256 and ES256, with rotation)', () => {
  let server: Server;
  let url: string;
  let keys: JWK[] = [];
  let status = 200;
  let delayMs = 0;
  let fetches = 0;
  const signers = new Map<string, CryptoKey>();

  beforeAll(async () => {
    for (const [kid, alg] of [
      ['rsa-1', 'RS256'],
      ['ec-1', 'ES256'],
      ['rsa-2', 'RS256'],
    ] as const) {
      const pair = await generateKeyPair(alg, { extractable: true });
      signers.set(kid, pair.privateKey);
      if (kid !== 'rsa-2') keys.push({ ...(await exportJWK(pair.publicKey)), kid, alg, use: 'sig' });
    }
    server = createServer((_req, res) => {
      fetches++;
      setTimeout(() => {
        res.statusCode = status;
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify({ keys }));
      }, delayMs);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/.well-known/jwks.json`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const jwks = (extra: Partial<SessionOptions> = {}): SessionOptions => ({
    cookie: 'sid',
    key: { jwksUrl: url, timeoutMs: 200, cooldownMs: 0 },
    algorithms: ['RS256', 'ES256'],
    issuer: 'https://id.news.example',
    audience: 'news.example',
    claims: planClaims,
    ...extra,
  });
  const signed = (kid: string, alg: string, claims: Record<string, unknown> = {}) =>
    sessionToken(signers.get(kid) as CryptoKey, alg, claims, { kid });

  it('verifies RS256 and ES256 tokens against the published keys', async () => {
    const { decide } = setup(jwks());
    expect((await decide(await signed('rsa-1', 'RS256'))).reason).toBe('subscriber');
    expect((await decide(await signed('ec-1', 'ES256'))).reason).toBe('subscriber');
  });

  it('follows a key rotation: a new kid is fetched once it is published', async () => {
    const { decide, events } = setup(jwks());
    const rotated = await signed('rsa-2', 'RS256');
    expect((await decide(rotated)).reader.status).toBe('anonymous');
    expect(events.find((e) => e.type === 'session-rejected')).toMatchObject({ reason: 'unknown-key' });
    const pair = signers.get('rsa-2') as CryptoKey;
    const publicJwk = await exportJWK(pair);
    delete publicJwk.d;
    delete publicJwk.p;
    delete publicJwk.q;
    delete publicJwk.dp;
    delete publicJwk.dq;
    delete publicJwk.qi;
    keys = [...keys, { ...publicJwk, kid: 'rsa-2', alg: 'RS256', use: 'sig' }];
    expect((await decide(await signed('rsa-2', 'RS256', { jti: 'fresh' }))).reason).toBe('subscriber');
  });

  it('JWKS down: fail open to an anonymous reader, with an event; cached sessions keep working', async () => {
    const { decide, events } = setup(jwks());
    const known = await signed('rsa-1', 'RS256', { jti: 'known' });
    expect((await decide(known)).reason).toBe('subscriber');
    status = 503;
    try {
      const other = setup(jwks());
      const fresh = await other.decide(await signed('rsa-1', 'RS256', { jti: 'new' }));
      expect(fresh).toMatchObject({ reader: { status: 'anonymous' }, reason: 'subscribers-only' });
      expect(other.events.find((e) => e.type === 'session-error')).toMatchObject({
        policy: 'open',
        error: { code: 'ERR_SESSION_UNAVAILABLE' },
      });
      // The session verified before the outage is cached until its exp.
      expect((await decide(known)).reason).toBe('subscriber');
    } finally {
      status = 200;
    }
    expect(events.some((e) => e.type === 'session-error')).toBe(false);
  });

  it('JWKS slow: bounded by the timeout; fail closed gives the prompt, never the article', async () => {
    const { decide, events } = setup(jwks(), { failure: { mode: 'closed' } });
    delayMs = 1_000;
    try {
      const started = Date.now();
      const d = await decide(await signed('ec-1', 'ES256', { jti: 'slow' }), 'slow-story');
      expect(Date.now() - started).toBeLessThan(900);
      expect(d).toMatchObject({ access: 'prompt', reason: 'session-unavailable', counted: false });
      expect(events.find((e) => e.type === 'session-error')).toMatchObject({
        policy: 'closed',
        error: { code: 'ERR_SESSION_UNAVAILABLE' },
      });
      // While the endpoint rests, requests do not wait for it again.
      const before = fetches;
      const again = Date.now();
      await decide(await signed('ec-1', 'ES256', { jti: 'slow-2' }));
      expect(Date.now() - again).toBeLessThan(100);
      expect(fetches).toBe(before);
    } finally {
      delayMs = 0;
    }
  });
});

describe('session option validation', () => {
  it.each<[string, Record<string, unknown>, string]>([
    ['with resolveReader', { session: hs256, resolveReader: () => null }, 'session'],
    ['no key', { session: { cookie: 'sid', algorithms: ['HS256'] } }, 'session.key'],
    ['two keys', { session: { ...hs256, key: { secret: SESSION_SECRET, jwksUrl: 'https://id.example/jwks' } } }, 'session.key'],
    ['a short secret', { session: { ...hs256, key: { secret: 'short' } } }, 'session.key.secret'],
    ['the meter secret', { session: { ...hs256, key: { secret: SECRET } } }, 'session.key.secret'],
    ['RS256 with a secret', { session: { ...hs256, algorithms: ['RS256'] } }, 'session.algorithms'],
    [
      'HS256 with a public key',
      { session: { ...hs256, key: { jwksUrl: 'https://id.example/jwks' }, algorithms: ['HS256'] } },
      'session.algorithms',
    ],
    ['alg none', { session: { ...hs256, algorithms: ['none'] } }, 'session.algorithms'],
    ['no algorithms', { session: { ...hs256, algorithms: [] } }, 'session.algorithms'],
    [
      'a private JWK',
      { session: { ...hs256, key: { publicKey: { kty: 'RSA', n: 'x', e: 'AQAB', d: 'secret' } }, algorithms: ['RS256'] } },
      'session.key.publicKey',
    ],
    [
      'a JWKS over http',
      { session: { ...hs256, key: { jwksUrl: 'http://id.example/jwks' }, algorithms: ['RS256'] } },
      'session.key.jwksUrl',
    ],
    ['a tolerance over 60 s', { session: { ...hs256, clockToleranceSeconds: 61 } }, 'session.clockToleranceSeconds'],
    ['no cookie and no bearer', { session: { ...hs256, cookie: undefined, bearer: false } }, 'session.cookie'],
  ])('%s: a TypeError naming the option', (_, options, option) => {
    expect(() => createPaywall(withSession({ secret: SECRET, ...options }) as PaywallOptions)).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_OPTION', option }),
    );
  });

  it('works with a reader across requests (a registered reader on the account meter)', async () => {
    const paywall = createPaywall({
      secret: SECRET,
      session: defineSession({ ...hs256, claims: (p) => ({ status: 'registered', id: String(p['sub']) }) }),
    });
    const token = await sessionToken(bytes(SESSION_SECRET), 'HS256');
    const reader = createReader(paywall);
    const d = await reader.open('a', { headers: { cookie: `sid=${token}` } });
    expect(d).toMatchObject({ reason: 'metered', meter: { source: 'store', limit: 10 } });
  });
});
