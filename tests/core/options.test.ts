import { describe, expect, it } from 'vitest';
import { createPaywall, type PaywallOptions } from '../../src/index.js';
import { SECRET } from '../helpers.js';

function optionError(options: unknown): { name: string; code: string; option: string; message: string } {
  try {
    createPaywall(options as PaywallOptions);
  } catch (error) {
    return error as { name: string; code: string; option: string; message: string };
  }
  throw new Error('createPaywall accepted the options');
}

describe('option validation at construction', () => {
  it.each<[string, unknown, string]>([
    ['no options', undefined, 'options'],
    ['no secret', {}, 'secret'],
    ['a short secret', { secret: 'too-short' }, 'secret'],
    ['a short Uint8Array secret', { secret: new Uint8Array(31) }, 'secret'],
    ['a short secret in a list', { secret: [SECRET, 'short'] }, 'secret[1]'],
    ['an empty secret list', { secret: [] }, 'secret'],
    ['a bad kid', { secret: { 'bad kid': SECRET } }, 'secret.bad kid'],
    ['a numeric secret', { secret: 12345 }, 'secret'],
    ['an unknown option', { secret: SECRET, meter: {} }, 'meter'],
    ['a negative limit', { secret: SECRET, meters: { anonymous: { limit: -1 } } }, 'meters.anonymous.limit'],
    ['a fractional limit', { secret: SECRET, meters: { anonymous: { limit: 2.5 } } }, 'meters.anonymous.limit'],
    ['a limit above 100', { secret: SECRET, meters: { registered: { limit: 101 } } }, 'meters.registered.limit'],
    ['an unknown meter', { secret: SECRET, meters: { premium: { limit: 1 } } }, 'meters.premium'],
    ['an unknown calendar', { secret: SECRET, period: { calendar: 'year' } }, 'period.calendar'],
    ['an unknown time zone', { secret: SECRET, period: { calendar: 'month', timeZone: 'Mars/Olympus' } }, 'period.timeZone'],
    ['weekStartsOn on a month', { secret: SECRET, period: { calendar: 'month', weekStartsOn: 0 } }, 'period.weekStartsOn'],
    ['rollingDays 0', { secret: SECRET, period: { rollingDays: 0 } }, 'period.rollingDays'],
    ['both period kinds', { secret: SECRET, period: { rollingDays: 3, calendar: 'day' } }, 'period'],
    ['an invalid cookie name', { secret: SECRET, cookie: { name: 'bad name' } }, 'cookie.name'],
    ['__Host- without Secure', { secret: SECRET, cookie: { secure: false } }, 'cookie.secure'],
    ['__Host- with a Domain', { secret: SECRET, cookie: { domain: 'news.example' } }, 'cookie.domain'],
    ['__Host- with a Path', { secret: SECRET, cookie: { path: '/articles' } }, 'cookie.path'],
    ['SameSite=None without Secure', { secret: SECRET, cookie: { name: 'mw', sameSite: 'none', secure: false } }, 'cookie.secure'],
    ['an unknown SameSite', { secret: SECRET, cookie: { sameSite: 'sometimes' } }, 'cookie.sameSite'],
    ['an unknown cookie option', { secret: SECRET, cookie: { httpOnly: false } }, 'cookie.httpOnly'],
    ['a store without record', { secret: SECRET, store: { peek() {} } }, 'store'],
    ['a failure mode', { secret: SECRET, failure: { mode: 'ajar' } }, 'failure.mode'],
    ['a zero timeout', { secret: SECRET, failure: { timeoutMs: 0 } }, 'failure.timeoutMs'],
    ['a non-function now', { secret: SECRET, now: 5 }, 'now'],
    ['a non-function resolveReader', { secret: SECRET, resolveReader: 'cookie' }, 'resolveReader'],
    ['an empty issuer', { secret: SECRET, issuer: '' }, 'issuer'],
    ['a cache of 0', { secret: SECRET, cache: { tokens: 0 } }, 'cache.tokens'],
    // Issue 24: "register to continue" must not lead straight to the subscribe teaser.
    [
      'a registered limit below the anonymous one',
      { secret: SECRET, meters: { anonymous: { limit: 5 }, registered: { limit: 3 } } },
      'meters.registered',
    ],
    [
      'a named meter whose registered limit is below its anonymous one',
      { secret: SECRET, meters: { registered: { limit: 10 }, named: { sport: { anonymous: { limit: 4 }, registered: { limit: 2 } } } } },
      'meters.named.sport.registered',
    ],
  ])('%s: a TypeError naming %#', (_, options, option) => {
    const error = optionError(options);
    expect(error).toBeInstanceOf(TypeError);
    expect(error.code).toBe('ERR_INVALID_OPTION');
    expect(error.option).toBe(option);
    expect(error.message).toContain(`"${option}"`);
  });

  // Issue 24, item 8: `process.env['METERWALL_SECRET'] ?? ''` with the variable unset is a
  // missing secret, and says so (docs/frameworks.md quotes this message).
  it('an empty secret is a missing one: "is required", and where it usually comes from', async () => {
    expect(optionError({ secret: '' }).message).toBe(
      'meterwall: option "secret" is required (got an empty string: is the environment variable that holds it set?)',
    );
    expect(optionError({ secret: [SECRET, ''] }).option).toBe('secret[1]');
    const { defineSession } = await import('../../src/index.js');
    let error: { option?: string; message?: string } = {};
    try {
      defineSession({ key: { secret: '' }, algorithms: ['HS256'] } as never);
    } catch (e) {
      error = e as typeof error;
    }
    expect(error.option).toBe('session.key.secret');
    expect(error.message).toContain('option "session.key.secret" is required (got an empty string');
  });

  it('an A/B variant may not put the registered limit below the anonymous one either', async () => {
    const { defineExperiments } = await import('../../src/index.js');
    const variant = (meters: Record<string, unknown>) =>
      defineExperiments([{ name: 'limits', variants: [{ name: 'a', weight: 1 }, { name: 'b', weight: 1, meters } as never] }]);
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ anonymous: { limit: 12 } }, 'experiments[0] ("limits").variants[1] ("b").meters.anonymous'],
      [{ registered: { limit: 2 } }, 'experiments[0] ("limits").variants[1] ("b").meters.registered'],
      [{ named: { sport: { anonymous: { limit: 5 } } } }, 'experiments[0] ("limits").variants[1] ("b").meters.named.sport.anonymous'],
    ];
    for (const [meters, option] of cases) {
      const error = optionError({
        secret: SECRET,
        meters: {
          anonymous: { limit: 3 },
          registered: { limit: 10 },
          named: { sport: { anonymous: { limit: 2 }, registered: { limit: 4 } } },
        },
        experiments: variant(meters),
      });
      expect({ code: error.code, option: error.option }).toEqual({ code: 'ERR_INVALID_OPTION', option });
      expect(error.message).toMatch(/lower than the anonymous one/);
    }
  });

  it('accepts the documented defaults and variants', () => {
    expect(() => createPaywall({ secret: SECRET })).not.toThrow();
    expect(() =>
      createPaywall({
        secret: [SECRET, new Uint8Array(32)],
        meters: { anonymous: { limit: 0 }, registered: { limit: 100 } },
        period: { calendar: 'week', timeZone: 'Asia/Tokyo', weekStartsOn: 0 },
        cookie: { name: 'mw_meter', secure: false, sameSite: 'strict', path: '/news', domain: '.news.example' },
        issuer: 'https://news.example',
        audience: 'news.example:meter',
        failure: { mode: 'closed', timeoutMs: 100 },
        now: () => new Date(),
        cache: { tokens: 10, hashes: 10 },
      }),
    ).not.toThrow();
  });

  it('the paywall object is frozen', () => {
    const paywall = createPaywall({ secret: SECRET });
    expect(Object.isFrozen(paywall)).toBe(true);
  });

  it('measures string secrets in UTF-8 bytes', () => {
    // 11 three-byte characters = 33 bytes, though only 11 UTF-16 units.
    expect(() => createPaywall({ secret: '€'.repeat(11) })).not.toThrow();
    expect(optionError({ secret: 'a'.repeat(31) }).option).toBe('secret');
  });
});

describe('cookie options', () => {
  it('a custom cookie name and attributes are used in Set-Cookie', async () => {
    const paywall = createPaywall({ secret: SECRET, cookie: { name: 'mw', secure: false, sameSite: 'strict', path: '/news' } });
    const d = await paywall.decide(new Request('http://localhost/news/a'), { id: 'a' });
    const header = d.headers.get('set-cookie') ?? '';
    expect(header).toMatch(/^mw=/);
    expect(header).toContain('SameSite=Strict');
    expect(header).toContain('Path=/news');
    expect(header).not.toContain('Secure');
    expect(header).toContain('HttpOnly');
  });
});
