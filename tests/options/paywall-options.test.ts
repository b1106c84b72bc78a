/**
 * Every option of createPaywall, table-driven: a misspelt key at every depth names its full path
 * and the option meant; every leaf refuses a wrong value with its path; and every `@default` in
 * the TSDoc states what the defaults table applies.
 */
import { readFileSync } from 'node:fs';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { createPaywall, defineSession, InvalidOptionError, type PaywallOptions } from '../../src/index.js';
import { DEFAULTS } from '../../src/options/defaults.js';
import { SECRET, withSession } from '../helpers.js';

function thrown(options: unknown): InvalidOptionError {
  try {
    createPaywall(withSession(options) as PaywallOptions);
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidOptionError);
    expect(error).toBeInstanceOf(TypeError);
    expect((error as InvalidOptionError).code).toBe('ERR_INVALID_OPTION');
    return error as InvalidOptionError;
  }
  throw new Error(`accepted: ${JSON.stringify(options)}`);
}

const verify = () => true;
const SESSION = { cookie: 'sid', key: { secret: 'session-secret-0123456789-abcdefghijklmn' }, algorithms: ['HS256'] };

describe('the typos that used to pass silently', () => {
  it.each<[string, unknown, string, string]>([
    ['timezone for timeZone', { period: { calendar: 'month', timezone: 'Europe/London' } }, 'period.timezone', 'timeZone'],
    ['limt for limit', { meters: { anonymous: { limt: 5 } } }, 'meters.anonymous.limt', 'limit'],
    ['mod for mode', { failure: { mod: 'closed' } }, 'failure.mod', 'mode'],
  ])('%s', (_, options, path, meant) => {
    const error = thrown({ secret: SECRET, ...(options as object) });
    expect(error.option).toBe(path);
    expect(error.message).toContain(`did you mean "${meant}"?`);
  });
});

describe('a misspelt key at every depth names its full path', () => {
  // [where, options with the typo at that depth, the path of the typo, the option meant]
  it.each<[string, Record<string, unknown>, string, string | null]>([
    ['top level', { secrett: SECRET }, 'secrett', 'secret'],
    ['top level, case', { onevent: () => {} }, 'onevent', 'onEvent'],
    ['meters', { meters: { anonymus: { limit: 1 } } }, 'meters.anonymus', 'anonymous'],
    ['meters.anonymous', { meters: { anonymous: { limits: 1 } } }, 'meters.anonymous.limits', 'limit'],
    ['meters.registered', { meters: { registered: { Limit: 1 } } }, 'meters.registered.Limit', 'limit'],
    ['period (calendar)', { period: { calender: 'month' } }, 'period.calender', 'calendar'],
    ['period (rolling)', { period: { rollingDays: 3, timeZone: 'UTC' } }, 'period.timeZone', null],
    ['cookie', { cookie: { samesite: 'lax' } }, 'cookie.samesite', 'sameSite'],
    ['failure', { failure: { timeout: 100 } }, 'failure.timeout', 'timeoutMs'],
    ['cache', { cache: { token: 5 } }, 'cache.token', 'tokens'],
    ['session', { session: { ...SESSION, algorithm: ['HS256'] } }, 'session.algorithm', 'algorithms'],
    ['session.key (secret)', { session: { ...SESSION, key: { secret: SESSION.key.secret, kid: 'x' } } }, 'session.key.kid', null],
    [
      'session.key (jwks)',
      { session: { ...SESSION, algorithms: ['RS256'], key: { jwksUrl: 'https://id.example/jwks', timeoutMS: 5 } } },
      'session.key.timeoutMS',
      'timeoutMs',
    ],
    ['crawlers', { crawlers: { verifiers: [{ verify }], timeout: 5 } }, 'crawlers.timeout', 'timeoutMs'],
    ['proxy', { proxy: { trustedHop: 1 } }, 'proxy.trustedHop', 'trustedHops'],
    ['referrals', { referrals: { budget: 1, source: { search: ['google.com'] } } }, 'referrals.source', 'sources'],
    ['freshMeters', { freshMeters: { perhour: 5 } }, 'freshMeters.perhour', 'perHour'],
    ['cdn', { cdn: { sharedMaxage: 5 } }, 'cdn.sharedMaxage', 'sharedMaxAge'],
    ['pageViews', { pageViews: { scriptFetch: 'ignore' } }, 'pageViews.scriptFetch', 'scriptFetches'],
  ])('%s', (_, options, path, meant) => {
    const error = thrown({ secret: SECRET, ...options });
    expect(error.option).toBe(path);
    expect(error.message).toContain(`"${path}"`);
    if (meant !== null) expect(error.message).toContain(`did you mean "${meant}"?`);
  });
});

describe('every option refuses a wrong value, naming it', () => {
  it.each<[Record<string, unknown>, string]>([
    [{ secret: undefined }, 'secret'],
    [{ secret: 'short' }, 'secret'],
    [{ meters: 5 }, 'meters'],
    [{ meters: { anonymous: { limit: 101 } } }, 'meters.anonymous.limit'],
    [{ meters: { registered: { limit: -1 } } }, 'meters.registered.limit'],
    [{ period: { calendar: 'year' } }, 'period.calendar'],
    [{ period: { timeZone: 'UTC' } }, 'period.calendar'],
    [{ period: { calendar: 'day', timeZone: 'Nowhere/Land' } }, 'period.timeZone'],
    [{ period: { calendar: 'week', weekStartsOn: 7 } }, 'period.weekStartsOn'],
    [{ period: { rollingDays: 367 } }, 'period.rollingDays'],
    [{ cookie: { name: 'a b' } }, 'cookie.name'],
    [{ cookie: { sameSite: 'never' } }, 'cookie.sameSite'],
    [{ cookie: { name: 'm', secure: 'yes' } }, 'cookie.secure'],
    [{ cookie: { name: 'm', path: 'articles' } }, 'cookie.path'],
    [{ cookie: { name: 'm', domain: 'a b' } }, 'cookie.domain'],
    [{ issuer: '' }, 'issuer'],
    [{ audience: 5 }, 'audience'],
    [{ resolveReader: 'x' }, 'resolveReader'],
    [{ store: {} }, 'store'],
    [{ failure: { timeoutMs: 0 } }, 'failure.timeoutMs'],
    [{ failure: { mode: 'half' } }, 'failure.mode'],
    [{ now: 1 }, 'now'],
    [{ onEvent: 'log' }, 'onEvent'],
    [{ cache: { tokens: 0 } }, 'cache.tokens'],
    [{ cache: { hashes: 1.5 } }, 'cache.hashes'],
    [{ session: { ...SESSION, cookie: 'a b' } }, 'session.cookie'],
    [{ session: { ...SESSION, bearer: 'yes' } }, 'session.bearer'],
    [{ session: { ...SESSION, key: {} } }, 'session.key'],
    [{ session: { ...SESSION, key: { secret: 'short' } } }, 'session.key.secret'],
    [{ session: { ...SESSION, key: { publicKey: 'not a key' }, algorithms: ['RS256'] } }, 'session.key.publicKey'],
    [{ session: { ...SESSION, key: { jwksUrl: 'http://id.example/jwks' }, algorithms: ['RS256'] } }, 'session.key.jwksUrl'],
    [
      { session: { ...SESSION, key: { jwksUrl: 'https://id.example/jwks', cooldownMs: -1 }, algorithms: ['RS256'] } },
      'session.key.cooldownMs',
    ],
    [{ session: { ...SESSION, algorithms: ['RS256'] } }, 'session.algorithms'],
    [{ session: { ...SESSION, issuer: [] } }, 'session.issuer'],
    [{ session: { ...SESSION, audience: '' } }, 'session.audience'],
    [{ session: { ...SESSION, typ: '' } }, 'session.typ'],
    [{ session: { ...SESSION, clockToleranceSeconds: 61 } }, 'session.clockToleranceSeconds'],
    [{ session: { ...SESSION, claims: {} } }, 'session.claims'],
    [{ session: { ...SESSION, cacheSize: 0 } }, 'session.cacheSize'],
    [{ session: SESSION, resolveReader: () => null }, 'session'],
    [{ crawlers: { verifiers: [] } }, 'crawlers.verifiers'],
    [{ crawlers: { verifiers: [{ verify }], timeoutMs: 0 } }, 'crawlers.timeoutMs'],
    [{ proxy: {} }, 'proxy'],
    [{ proxy: { trustedHops: 11 } }, 'proxy.trustedHops'],
    [{ proxy: { trustedRanges: ['0.0.0.0/0'] } }, 'proxy.trustedRanges[0]'],
    [{ proxy: { trustedHops: 1, header: 'x-real-ip' } }, 'proxy.header'],
    [{ referrals: { sources: { search: ['google.com'] } } }, 'referrals.budget'],
    [{ referrals: { budget: 1, sources: { search: ['not a host'] } } }, 'referrals.sources.search'],
    [{ referrals: { budget: 1, sources: {} } }, 'referrals.sources'],
    [{ freshMeters: {} }, 'freshMeters.perHour'],
    [{ freshMeters: { perHour: 5 }, meters: { anonymous: { limit: 3 } } }, 'freshMeters'],
    [{ cdn: { header: 'bad header' } }, 'cdn.header'],
    [{ cdn: { sharedMaxAge: 0 } }, 'cdn.sharedMaxAge'],
    [{ pageViews: { scriptFetches: 'sometimes' } }, 'pageViews.scriptFetches'],
    [{ pageViews: { automatedClients: true } }, 'pageViews.automatedClients'],
    [{ pageViews: { notPageView: 'prefetch' } }, 'pageViews.notPageView'],
    [{ content: {} }, 'content'],
  ])('%j -> %s', (options, path) => {
    expect(thrown({ secret: SECRET, ...options }).option).toBe(path);
  });

  it('accepts every option at a valid value', () => {
    expect(() =>
      createPaywall({
        secret: { k2: SECRET, k1: `${SECRET}-old` },
        meters: { anonymous: { limit: 5 }, registered: { limit: 20 } },
        period: { calendar: 'week', timeZone: 'Europe/London', weekStartsOn: 0 },
        cookie: { name: 'mw', sameSite: 'strict', secure: false, path: '/news', domain: 'news.example' },
        issuer: 'https://news.example',
        audience: 'news.example:meter',
        session: defineSession({
          ...SESSION,
          bearer: false,
          issuer: ['a', 'b'],
          audience: 'x',
          typ: 'JWT',
          clockToleranceSeconds: 5,
          claims: () => null,
          cacheSize: 10,
        }),
        store: {
          peek: async () => ({ used: 0, read: false, oldestAt: null }),
          record: async () => ({ used: 0, read: false, oldestAt: null, added: true }),
          countFresh: async () => 1,
        },
        failure: { timeoutMs: 100, mode: 'closed' },
        now: () => Date.now(),
        onEvent: () => {},
        cache: { tokens: 5, hashes: 5 },
        crawlers: { verifiers: [{ verify }], timeoutMs: 500 },
        proxy: { trustedRanges: ['10.0.0.0/8'], header: 'forwarded' },
        referrals: { budget: 2, sources: { search: ['google.com'] } },
        freshMeters: { perHour: 50 },
        cdn: { header: 'x-variant', sharedMaxAge: 60 },
        pageViews: { scriptFetches: 'ignore', automatedClients: false, notPageView: () => null },
      }),
    ).not.toThrow();
  });
});

describe('the documented defaults are the applied ones', () => {
  /** Each `Interface.property` whose TSDoc states a default, and where the defaults table keeps it. */
  const DOCUMENTED: Record<string, unknown> = {
    'CookieOptions.name': DEFAULTS.cookie.name,
    'CookieOptions.sameSite': DEFAULTS.cookie.sameSite,
    'CookieOptions.secure': DEFAULTS.cookie.secure,
    'CookieOptions.path': DEFAULTS.cookie.path,
    'FailureOptions.timeoutMs': DEFAULTS.failure.timeoutMs,
    'FailureOptions.mode': DEFAULTS.failure.mode,
    'CacheOptions.tokens': DEFAULTS.cache.tokens,
    'CacheOptions.hashes': DEFAULTS.cache.hashes,
    'CalendarPeriod.timeZone': DEFAULTS.period.timeZone,
    'CalendarPeriod.weekStartsOn': DEFAULTS.period.weekStartsOn,
    'SessionOptions.bearer': DEFAULTS.session.bearer,
    'SessionOptions.clockToleranceSeconds': DEFAULTS.session.clockToleranceSeconds,
    'SessionOptions.cacheSize': DEFAULTS.session.cacheSize,
    'SessionKey.timeoutMs': DEFAULTS.session.key.timeoutMs,
    'SessionKey.cooldownMs': DEFAULTS.session.key.cooldownMs,
    'SessionKey.cacheMaxAgeMs': DEFAULTS.session.key.cacheMaxAgeMs,
    'SessionKey.failureBackoffMs': DEFAULTS.session.key.failureBackoffMs,
    'CrawlersOptions.timeoutMs': DEFAULTS.crawlers.timeoutMs,
    'ProxyOptions.header': DEFAULTS.proxy.header,
    'CdnOptions.header': DEFAULTS.cdn.header,
    'CdnOptions.sharedMaxAge': DEFAULTS.cdn.sharedMaxAge,
    'PageViewOptions.scriptFetches': DEFAULTS.pageViews.scriptFetches,
    'PaywallOptions.meters': DEFAULTS.meters,
    'PaywallOptions.period': { calendar: DEFAULTS.period.calendar, timeZone: DEFAULTS.period.timeZone },
    'PaywallOptions.cookie': DEFAULTS.cookie,
    'PaywallOptions.issuer': DEFAULTS.issuer,
    'PaywallOptions.audience': DEFAULTS.audience,
    'PaywallOptions.failure': DEFAULTS.failure,
    'PaywallOptions.cache': DEFAULTS.cache,
    'PaywallOptions.enforce': DEFAULTS.enforce,
    'GiftOptions.param': DEFAULTS.gifts.param,
    'GiftOptions.expiresIn': DEFAULTS.gifts.expiresIn,
  };

  it('each @default in types.ts matches the defaults table', () => {
    const source = ts.createSourceFile('types.ts', readFileSync('src/types.ts', 'utf8'), ts.ScriptTarget.ES2022, true);
    const found: Record<string, unknown> = {};
    const visit = (node: ts.Node, owner: string | null): void => {
      const name = ts.isInterfaceDeclaration(node) || ts.isTypeAliasDeclaration(node) ? node.name.text : owner;
      if (ts.isPropertySignature(node) && owner !== null) {
        const key = `${owner}.${node.name.getText(source)}`;
        const tag = ts.getJSDocTags(node).find((t) => t.tagName.text === 'default');
        const text = tag === undefined ? undefined : ts.getTextOfJSDocComment(tag.comment)?.trim();
        if (key in DOCUMENTED && text !== undefined) found[key] = new Function(`return (${text});`)();
      }
      ts.forEachChild(node, (child) => visit(child, name));
    };
    visit(source, null);
    expect(found).toEqual(DOCUMENTED);
  });
});
