/**
 * Every default of `createPaywall`, in one frozen table. The options schema reads its defaults
 * from here, and a test checks that each `@default` in the TSDoc of {@link PaywallOptions}
 * states the same value, so documentation and behaviour cannot drift apart.
 */
export const DEFAULTS = /* @__PURE__ */ Object.freeze({
  meters: Object.freeze({ anonymous: Object.freeze({ limit: 3 }), registered: Object.freeze({ limit: 10 }) }),
  period: Object.freeze({ calendar: 'month', timeZone: 'UTC', weekStartsOn: 1 }),
  cookie: Object.freeze({ name: '__Host-meterwall', sameSite: 'lax', secure: true, path: '/' }),
  issuer: 'meterwall',
  enforce: true,
  audience: 'meterwall:meter',
  failure: Object.freeze({ timeoutMs: 250, mode: 'open' }),
  cache: Object.freeze({ tokens: 10_000, hashes: 10_000 }),
  session: Object.freeze({
    bearer: true,
    clockToleranceSeconds: 0,
    cacheSize: 10_000,
    key: Object.freeze({ timeoutMs: 1000, cooldownMs: 30_000, cacheMaxAgeMs: 600_000, failureBackoffMs: 5_000 }),
  }),
  crawlers: Object.freeze({ timeoutMs: 1000 }),
  proxy: Object.freeze({ header: 'x-forwarded-for' }),
  cdn: Object.freeze({ header: 'x-meterwall-variant', sharedMaxAge: 300, signatureMaxAge: 120 }),
  pageViews: Object.freeze({ scriptFetches: 'count' }),
  gifts: Object.freeze({ param: 'gift', allowance: Object.freeze({ limit: 10, calendar: 'month' }), expiresIn: '30d' }),
} as const);

/** Bounds: the largest limit (entries a meter token may carry), the largest referral budget, gift allowance and gift open cap. */
export const LIMITS = /* @__PURE__ */ Object.freeze({ entries: 100, sampled: 20, gifts: 1000, opens: 1_000_000 } as const);
