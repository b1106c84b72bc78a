/**
 * Named meters: a rule sends an article to a meter of its own (a sport meter beside the site's),
 * each counting distinct articles with its own limits in one cookie, and in the store for
 * registered readers and replay claims: in memory and in a real Redis. Plus the cookie's size in
 * the worst case, and the options' validation.
 */
import { decodeJwt } from 'jose';
import { createClient } from 'redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createMemoryStore,
  createPaywall,
  defineGifts,
  defineRules,
  InvalidOptionError,
  type MeterStore,
  type PaywallOptions,
  type Rule,
} from '../../../src/index.js';
import { createRedisStore } from '../../../src/stores/redis.js';
import { redisServerPath, startRedis, type TestRedis } from '../../helpers-redis.js';
import { articleRequest, createReader, fakeClock, SECRET } from '../../helpers.js';

const RULES: Rule[] = [
  { name: 'sport on its own meter', when: { section: 'sport' }, treatment: { metered: 'sport' } },
  { name: 'everything else', treatment: 'metered' },
];
const METERS: NonNullable<PaywallOptions['meters']> = {
  anonymous: { limit: 3 },
  registered: { limit: 5 },
  named: { sport: { anonymous: { limit: 2 }, registered: { limit: 4 } } },
};
const sport = (id: string) => ({ id, section: 'sport' });
const news = (id: string) => ({ id, section: 'news' });

function scenarios(storeFor: () => Promise<MeterStore>) {
  it('each meter counts its own articles in one cookie; re-reads are free; the wall comes per meter', async () => {
    const paywall = createPaywall({ secret: SECRET, meters: METERS, rules: defineRules(RULES), store: await storeFor() });
    const reader = createReader(paywall);
    const seen: string[] = [];
    for (const article of [sport('s1'), news('n1'), sport('s2'), sport('s1'), news('n2'), sport('s3'), news('n3'), news('n4')]) {
      const d = await reader.open(article);
      seen.push(`${article.id}:${d.reason}:${d.meter?.used}/${d.meter?.limit}`);
    }
    expect(seen).toEqual([
      's1:metered:1/2',
      'n1:metered:1/3',
      's2:metered:2/2',
      's1:already-read:2/2',
      'n2:metered:2/3',
      's3:register-to-continue:2/2',
      'n3:metered:3/3',
      'n4:register-to-continue:3/3',
    ]);
    const claims = decodeJwt(reader.token as string);
    expect((claims['a'] as string).length / 8).toBe(3);
    expect(((claims['n'] as Record<string, string>)['sport'] as string).length / 8).toBe(2);
  });

  it('replaying an older cookie gains nothing on a named meter either', async () => {
    const paywall = createPaywall({ secret: SECRET, meters: METERS, rules: defineRules(RULES), store: await storeFor() });
    const reader = createReader(paywall);
    await reader.open(sport('s1'));
    const early = reader.token;
    await reader.open(sport('s2')); // the sport meter is spent
    reader.token = early; // a replay of the cookie with one sport view
    const replayed = await reader.open(sport('s3'));
    expect(replayed.reason).toBe('register-to-continue');
    expect(replayed.trace.some((t) => t.rule === 'store' && /replayed/.test(t.note))).toBe(true);
    // The site's meter is untouched by it.
    expect((await reader.open(news('n1'))).reason).toBe('metered');
  });

  it('a registered reader: each meter on the account, with its own registered limit', async () => {
    const store = await storeFor();
    const paywall = createPaywall({
      secret: SECRET,
      meters: METERS,
      rules: defineRules(RULES),
      store,
      resolveReader: () => ({ status: 'registered', id: 'reader-1' }),
    });
    const reasons: string[] = [];
    for (const id of ['s1', 's2', 's3', 's4', 's5']) reasons.push((await paywall.decide(articleRequest(), sport(id))).reason);
    expect(reasons).toEqual(['metered', 'metered', 'metered', 'metered', 'meter-exhausted']);
    const other = await paywall.decide(articleRequest(), news('n1'));
    expect(other).toMatchObject({ reason: 'metered', meter: { used: 1, limit: 5, source: 'store' } });
  });
}

describe('named meters, in memory', () => {
  scenarios(async () => createMemoryStore());
});

const binary = redisServerPath();
describe.skipIf(!binary)(
  binary ? 'named meters, in a real Redis' : 'named meters in Redis — SKIPPED: no redis-server on PATH (apt-get install redis-server)',
  () => {
    let redis: TestRedis;
    const clients: Array<{ destroy(): void }> = [];
    let run = 0;
    beforeAll(async () => {
      redis = await startRedis(binary as string);
    });
    afterAll(async () => {
      for (const client of clients) client.destroy();
      await redis?.stop();
    });
    scenarios(async () => {
      const client = createClient({ url: redis.url, disableOfflineQueue: true });
      client.on('error', () => {});
      await client.connect();
      clients.push(client);
      return createRedisStore(client, { prefix: `named${++run}:` });
    });
  },
);

describe('a named meter with a period of its own', () => {
  // Sport counts per week (London), the site per month (London).
  const options = (now: () => number) => ({
    secret: SECRET,
    now,
    period: { calendar: 'month', timeZone: 'Europe/London' } as const,
    meters: {
      anonymous: { limit: 3 },
      named: { sport: { anonymous: { limit: 2 }, period: { calendar: 'week', timeZone: 'Europe/London' } as const } },
    },
    rules: defineRules(RULES),
  });

  it('resets with its own week while the site meter keeps its month, and the other way round', async () => {
    const clock = fakeClock('2027-03-09T12:00:00Z'); // a Tuesday
    const paywall = createPaywall(options(clock.now));
    const reader = createReader(paywall);
    expect((await reader.open(sport('s1'))).meter).toMatchObject({ used: 1, limit: 2, period: { calendar: 'week' } });
    await reader.open(sport('s2'));
    expect((await reader.open(news('n1'))).meter).toMatchObject({ used: 1, limit: 3, period: { calendar: 'month' } });
    expect((await reader.open(sport('s3'))).reason).toBe('meter-exhausted');
    clock.set('2027-03-16T12:00:00Z'); // the next week, the same month
    expect((await reader.open(sport('s3'))).meter).toMatchObject({ used: 1, limit: 2 });
    expect((await reader.open(news('n2'))).meter?.used).toBe(2); // the month's count goes on
    expect((await reader.open(sport('s1'))).reason).toBe('metered'); // last week's reads count anew
    clock.set('2027-03-30T12:00:00Z'); // Tuesday of the week that runs into April
    expect((await reader.open(sport('s5'))).reason).toBe('metered');
    expect((await reader.open(sport('s6'))).reason).toBe('metered');
    clock.set('2027-04-01T12:00:00Z'); // Thursday: a new month, so the site meter resets; sport's week goes on
    expect((await reader.open(news('n3'))).meter?.used).toBe(1);
    expect((await reader.open(sport('s7'))).reason).toBe('meter-exhausted');
    expect((await reader.open(sport('s5'))).reason).toBe('already-read');
  });

  it('the cookie lives until the later of the periods ends', async () => {
    const clock = fakeClock('2027-03-30T12:00:00Z'); // the week runs into April
    const paywall = createPaywall(options(clock.now));
    const decision = await paywall.decide(articleRequest(), sport('s1'));
    const maxAge = Number(/Max-Age=(\d+)/.exec(decision.headers.get('set-cookie') ?? '')?.[1]);
    const weekEnds = Date.parse('2027-04-04T23:00:00Z'); // Monday 5 April, 00:00 in London (BST)
    expect(maxAge).toBe(Math.round((weekEnds - clock.now()) / 1000));
  });

  it('must be a calendar period', () => {
    expect(() =>
      createPaywall({
        secret: SECRET,
        meters: { anonymous: { limit: 3 }, named: { sport: { anonymous: { limit: 2 }, period: { rollingDays: 7 } as never } } },
      }),
    ).toThrow(expect.objectContaining({ option: 'meters.named.sport.period' }));
  });
});

describe('the cookie with several meters', () => {
  it('four meters of limit 10, every one full, and a gift link opened, stay under 1024 bytes of Set-Cookie', async () => {
    const named = Object.fromEntries(['sport', 'culture', 'business'].map((name) => [name, { anonymous: { limit: 10 } }]));
    const rules: Rule[] = [
      ...['sport', 'culture', 'business'].map((section): Rule => ({ name: section, when: { section }, treatment: { metered: section } })),
      { name: 'rest', treatment: 'metered' },
    ];
    const paywall = createPaywall({
      secret: SECRET,
      meters: { anonymous: { limit: 10 }, named },
      rules: defineRules(rules),
      gifts: defineGifts(),
      resolveReader: (request) => (request.headers.get('x-giver') ? { status: 'subscriber', id: 'giver' } : null),
    });
    const reader = createReader(paywall);
    // The browser first opens a gift link: its cookie keeps the gift's mark (for attribution).
    const made = await paywall.createGift(new Request('https://news.example/', { headers: { 'x-giver': '1' } }), { id: 'gifted' });
    if (!made.ok) throw new Error(made.reason);
    const opened = await paywall.decide(new Request(`https://news.example/articles/gifted?gift=${made.gift.token}`), { id: 'gifted' });
    expect(opened.reason).toBe('gift');
    reader.token = (opened.headers.get('set-cookie') ?? '').split(';')[0]?.split('=')[1] ?? null;
    let longest = 0;
    for (const section of ['sport', 'culture', 'business', 'news']) {
      for (let i = 0; i < 10; i++) {
        const decision = await reader.open({ id: `a-rather-long-cms-article-identifier-${section}-${i}`, section });
        expect(decision.reason).toBe('metered');
        longest = Math.max(longest, decision.headers.get('set-cookie')?.length ?? 0);
      }
    }
    expect((await reader.open({ id: 'one-more', section: 'sport' })).reason).toBe('meter-exhausted');
    expect(longest).toBeGreaterThan(600);
    expect(longest).toBeLessThan(1024);
  });
});

describe('named meters: validation', () => {
  it.each([
    ['a bad name', { anonymous: { limit: 3 }, named: { Sport: { anonymous: { limit: 2 } } } }, 'meters.named.Sport', /not a meter name/],
    [
      'the reserved name',
      { anonymous: { limit: 3 }, named: { default: { anonymous: { limit: 2 } } } },
      'meters.named.default',
      /not a meter name/,
    ],
    ['no anonymous limit', { anonymous: { limit: 3 }, named: { sport: {} } }, 'meters.named.sport.anonymous', /required/],
    [
      'registered missing where the site has it',
      { anonymous: { limit: 3 }, registered: { limit: 5 }, named: { sport: { anonymous: { limit: 2 } } } },
      'meters.named.sport.registered',
      /required/,
    ],
    [
      'registered where the site has none',
      { anonymous: { limit: 3 }, named: { sport: { anonymous: { limit: 2 }, registered: { limit: 4 } } } },
      'meters.named.sport.registered',
      /not allowed/,
    ],
    [
      'a typo',
      { anonymous: { limit: 3 }, named: { sport: { anonymous: { limit: 2 }, registred: { limit: 4 } } } },
      'meters.named.sport.registred',
      /did you mean "registered"/,
    ],
  ])('%s', (_what, meters, option, message) => {
    try {
      createPaywall({ secret: SECRET, meters: meters as never });
      throw new Error('expected a refusal');
    } catch (error) {
      expect(error).toBeInstanceOf(InvalidOptionError);
      expect((error as InvalidOptionError).option).toBe(option);
      expect((error as InvalidOptionError).message).toMatch(message);
    }
  });

  it('a rule may name a meter only once it exists; named meters need a calendar period', () => {
    expect(() => createPaywall({ secret: SECRET, rules: defineRules(RULES) })).toThrow(/"sport", which does not exist/);
    expect(() => createPaywall({ secret: SECRET, meters: METERS, rules: defineRules(RULES) })).not.toThrow();
    expect(() => createPaywall({ secret: SECRET, meters: METERS, period: { rollingDays: 30 } })).toThrow(/calendar periods only/);
  });
});
