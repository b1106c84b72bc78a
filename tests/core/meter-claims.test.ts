/** The meter token's claims written as text are exactly what JSON.stringify writes for them. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type MeterState, meterClaimsJson } from '../../src/core/meter-token.js';

const b64url = (min: number, max: number) => fc.stringMatching(new RegExp(`^[A-Za-z0-9_-]{${min},${max}}$`));
const hashes = fc
  .integer({ min: 0, max: 12 })
  .chain((n) => fc.array(b64url(8, 8), { minLength: n, maxLength: n }).map((xs) => xs.join('')));

describe('meterClaimsJson', () => {
  it('equals JSON.stringify of the claims object for any valid state (fast-check)', () => {
    const state = fc
      .record({
        rid: b64url(16, 64),
        entries: hashes,
        rolling: fc.boolean(),
        period: fc.integer({ min: 0, max: 2 ** 40 }),
        hashKid: fc.constantFrom('k1', 'old.kid-2', 'k_3'),
        merged: fc.boolean(),
        sampled: hashes,
        spent: fc.integer({ min: 0, max: 100 }),
        signedIn: fc.boolean(),
        named: fc.dictionary(
          fc.stringMatching(/^[a-z0-9_-]{1,32}$/),
          // A meter with a period of its own carries `<period start, base 36>:<hashes>`.
          fc
            .tuple(
              fc.option(fc.integer({ min: 0, max: 2 ** 35 }), { nil: undefined }),
              hashes.filter((h) => h !== ''),
            )
            .map(([own, h]) => (own === undefined ? h : `${own.toString(36)}:${h}`)),
          { maxKeys: 8 },
        ),
        gift: fc.option(
          fc.record({
            id: b64url(16, 16),
            giver: b64url(16, 16),
            at: fc.integer({ min: 0, max: 2 ** 33 }).map((s) => s * 1000),
            status: fc.constantFrom('anonymous' as const, 'registered' as const),
          }),
          { nil: null },
        ),
      })
      .map(
        (r): MeterState => ({
          rid: r.rid,
          entries: r.entries,
          period: r.rolling ? null : r.period * 1000,
          times: r.rolling ? Array.from({ length: r.entries.length / 8 }, (_, i) => 1_700_000_000 + i) : null,
          hashKid: r.hashKid,
          merged: r.merged,
          sampled: r.sampled,
          spent: r.spent,
          signedIn: r.signedIn,
          named: r.rolling ? {} : r.named,
          gift: r.gift,
        }),
      );
    const issuer = fc.constantFrom('meterwall', 'news "site" \\ ünïcode');
    fc.assert(
      fc.property(state, issuer, fc.integer({ min: 0, max: 2 ** 33 }), (s, iss, iat) => {
        const claims: Record<string, unknown> = { v: 1, rid: s.rid, a: s.entries };
        if (s.period !== null) claims['p'] = Math.floor(s.period / 1000);
        if (s.times !== null) claims['t'] = s.times;
        if (s.hashKid !== 'k1') claims['hk'] = s.hashKid;
        if (s.merged) claims['m'] = 1;
        if (s.sampled !== '') claims['s'] = s.sampled;
        if (s.spent > 0) claims['x'] = s.spent;
        if (s.signedIn) claims['o'] = 1;
        if (Object.keys(s.named).length > 0) claims['n'] = s.named;
        // The first gift link opened this period: `<gift id>:<giver hash>:<base-36 seconds>:<a|r>`.
        if (s.gift !== null)
          claims['g'] = `${s.gift.id}:${s.gift.giver}:${(s.gift.at / 1000).toString(36)}:${s.gift.status === 'registered' ? 'r' : 'a'}`;
        Object.assign(claims, { iss, aud: 'meterwall:meter', iat, exp: iat + 3600 });
        const issuerAudience = `"iss":${JSON.stringify(iss)},"aud":${JSON.stringify('meterwall:meter')}`;
        expect(meterClaimsJson(s, 'k1', issuerAudience, iat, iat + 3600)).toBe(JSON.stringify(claims));
      }),
      { numRuns: 3000 },
    );
  });
});
