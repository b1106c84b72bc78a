/**
 * The verified-token cache: a token the reader will present again is cached when signed, so a
 * returning reader costs no HMAC; a meter minted for a cookie-less request is not, so a flood of
 * them cannot push returning readers' tokens out of the bounded cache.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { runtime } from '#runtime';
import { createPaywall, type Decision } from '../../src/index.js';

const UA = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36';
const request = (cookie?: string) => ({
  method: 'GET',
  url: '/articles/x',
  headers: new Headers(cookie ? { 'user-agent': UA, cookie } : { 'user-agent': UA }),
});
const cookieOf = (d: Decision): string => (d.headers.get('set-cookie') ?? '').split(';')[0] ?? '';

afterEach(() => {
  vi.restoreAllMocks();
});

describe('verified-token cache', () => {
  it('caches a counted view’s new token, not a fresh meter’s, and a flood of new readers evicts no returning reader', async () => {
    const paywall = createPaywall({ secret: 'token-cache-secret-0123456789abcdef', cache: { tokens: 4 } });
    const verify = vi.spyOn(runtime, 'hmacVerify');

    const first = await paywall.decide(request(), { id: 'a1' });
    expect(first.counted).toBe(true);
    // The fresh meter was not cached: its second view verifies it with one HMAC.
    const second = await paywall.decide(request(cookieOf(first)), { id: 'a2' });
    expect(second.counted).toBe(true);
    expect(verify).toHaveBeenCalledTimes(1);

    // The counted view's token was cached: re-reading costs no HMAC.
    verify.mockClear();
    const reread = await paywall.decide(request(cookieOf(second)), { id: 'a1' });
    expect(reread.reason).toBe('already-read');
    expect(verify).not.toHaveBeenCalled();

    // Fifty new readers (a cache of 4 tokens): none of their meters displaces the returning one.
    for (let i = 0; i < 50; i++) expect((await paywall.decide(request(), { id: `n${i}` })).counted).toBe(true);
    verify.mockClear();
    expect((await paywall.decide(request(cookieOf(second)), { id: 'a2' })).reason).toBe('already-read');
    expect(verify).not.toHaveBeenCalled();
  });

  it('still verifies a cached token’s whole string: a forgery with a cached signature is refused', async () => {
    const events: unknown[] = [];
    const paywall = createPaywall({ secret: 'token-cache-secret-0123456789abcdef', onEvent: (e) => events.push(e) });
    const first = await paywall.decide(request(), { id: 'a1' });
    const second = await paywall.decide(request(cookieOf(first)), { id: 'a2' });
    const [name, token = ''] = cookieOf(second).split('=');
    const [header, payload, signature] = token.split('.');
    const forged = `${header}.${payload}x.${signature}`;
    const decision = await paywall.decide(request(`${name}=${forged}`), { id: 'a1' });
    expect(decision.reason).toBe('metered');
    expect(decision.meter?.used).toBe(1); // a new meter, not the forged one's two views
    expect(events).toContainEqual({ type: 'token-rejected', reason: 'bad-signature', code: 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED' });
  });
});
