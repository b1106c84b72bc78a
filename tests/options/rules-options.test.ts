/**
 * Rules are validated once, at construction: each mistake is an InvalidOptionError (a
 * TypeError, code ERR_INVALID_OPTION) whose option path and message name the rule.
 */
import { describe, expect, it } from 'vitest';
import { createPaywall, defineRules, InvalidOptionError } from '../../src/index.js';
import { SECRET } from '../helpers.js';

function failure(rules: unknown, extra: Record<string, unknown> = {}): InvalidOptionError {
  try {
    createPaywall({ secret: SECRET, rules: defineRules(rules as never), ...extra });
  } catch (error) {
    expect(error).toBeInstanceOf(TypeError);
    expect(error).toBeInstanceOf(InvalidOptionError);
    expect((error as InvalidOptionError).code).toBe('ERR_INVALID_OPTION');
    return error as InvalidOptionError;
  }
  throw new Error('expected the rules to be refused');
}

describe('rules validation', () => {
  it.each([
    ['not an array', { name: 'x', treatment: 'free' }, 'rules', /array of rules/],
    ['a rule that is not an object', ['free'], 'rules[0]', /must be a rule/],
    ['a missing name', [{ treatment: 'free' }], 'rules[0].name', /name/],
    ['an unknown key', [{ name: 'sport', treatment: 'free', iff: {} }], 'rules[0].iff', /did you mean "if"|not a rule option of "sport"/],
    [
      'an unknown condition (a typo)',
      [{ name: 'sport', when: { sectoin: 'sport' }, treatment: 'free' }],
      'rules[0] ("sport").when.sectoin',
      /did you mean "section"/,
    ],
    ['an unknown treatment', [{ name: 'sport', treatment: 'paid' }], 'rules[0] ("sport").treatment', /must be 'free', 'metered'/],
    [
      'an unknown treatment key',
      [{ name: 'sport', treatment: { meter: 'default' } }],
      'rules[0] ("sport").treatment.meter',
      /known: metered, subscribers, institution/,
    ],
    [
      'a meter that does not exist',
      [{ name: 'sport', treatment: { metered: 'sport' } }],
      'rules[0] ("sport").treatment.metered',
      /"sport", which does not exist/,
    ],
    [
      'an unreachable rule after a catch-all',
      [
        { name: 'rest', treatment: 'metered' },
        { name: 'sport', when: { section: 'sport' }, treatment: 'free' },
      ],
      'rules[1]',
      /"sport"\) can never match: "rest"/,
    ],
    [
      'a repeated name',
      [
        { name: 'a', when: { section: 'x' }, treatment: 'free' },
        { name: 'a', when: { section: 'y' }, treatment: 'free' },
      ],
      'rules[1]',
      /repeats the name "a"/,
    ],
    [
      'a bad CIDR range',
      [{ name: 'campus', when: { network: ['10.0.0.0/33'] }, treatment: 'free' }],
      'rules[0] ("campus").when.network',
      /not a CIDR range/,
    ],
    [
      'a range of every address',
      [{ name: 'campus', when: { network: ['0.0.0.0/0'] }, treatment: 'free' }],
      'rules[0] ("campus").when.network',
      /every address/,
    ],
    ['a bad duration', [{ name: 'new', when: { newerThan: '1 day' }, treatment: 'free' }], 'rules[0] ("new").when.newerThan', /duration/],
    [
      'an impossible age window',
      [{ name: 'w', when: { newerThan: '1d', olderThan: '2d' }, treatment: 'free' }],
      'rules[0] ("w").when',
      /olderThan must be shorter/,
    ],
    ['an unknown reader status', [{ name: 'r', when: { reader: 'member' }, treatment: 'free' }], 'rules[0] ("r").when.reader', /"member"/],
    ['an empty list', [{ name: 's', when: { section: [] }, treatment: 'free' }], 'rules[0] ("s").when.section', /non-empty/],
    ['a bad country code', [{ name: 'c', when: { country: 'Ireland' }, treatment: 'free' }], 'rules[0] ("c").when.country', /two-letter/],
    [
      'a country without a trusted proxy reporting it',
      [{ name: 'c', when: { country: 'IE' }, treatment: 'free' }],
      'rules[0] ("c").when.country',
      /proxy\.countryHeader/,
    ],
    [
      // Issue 23, finding 4: a rule on a condition the client writes is an open door.
      'a referrer condition, whatever its treatment (the client writes it)',
      [{ name: 'g', when: { referrer: 'google.com' } as never, treatment: 'free' }],
      'rules[0] ("g").when.referrer',
      /sent by the client and forged at will[\s\S]*referrals: \{ budget, sources \}/,
    ],
    [
      'a referrer condition that only restricts (first match wins: it could still pre-empt a stricter rule)',
      [{ name: 'g', when: { referrer: ['reddit.com'] } as never, treatment: 'subscribers' }],
      'rules[0] ("g").when.referrer',
      /forged at will/,
    ],
    [
      'an empty institution',
      [{ name: 'u', when: { network: ['10.1.0.0/16'] }, treatment: { institution: '' } }],
      'rules[0] ("u").treatment.institution',
      /name/,
    ],
    [
      'bad entitlements',
      [{ name: 'p', treatment: { subscribers: { entitlements: [1] } } }],
      'rules[0] ("p").treatment.subscribers.entitlements',
      /entitlement names/,
    ],
  ])('%s', (_what, rules, option, message) => {
    const error = failure(rules, {
      proxy: _what.includes('country') && !_what.includes('without') ? { trustedHops: 1, countryHeader: 'cf-ipcountry' } : undefined,
    });
    expect(error.option).toBe(option);
    expect(error.message).toMatch(message);
  });

  it('a plain array is refused: rules are made with defineRules, so a site without them ships no rules engine', () => {
    expect(() => createPaywall({ secret: SECRET, rules: [{ name: 'x', treatment: 'free' }] as never })).toThrow(
      /must be made with defineRules/,
    );
  });

  it('accepts a desk’s rule set', () => {
    expect(() =>
      createPaywall({
        secret: SECRET,
        proxy: { trustedHops: 1, countryHeader: 'cf-ipcountry' },
        rules: defineRules([
          { name: 'breaking news free for a day', when: { section: 'news', newerThan: '24h' }, treatment: 'free' },
          { name: 'the archive', when: { olderThan: '365d' }, treatment: 'subscribers' },
          { name: 'campus', when: { network: ['198.51.100.0/24', '2001:db8::/48'] }, treatment: { institution: 'Riverside University' } },
          { name: 'newsletters', when: { type: 'newsletter' }, treatment: 'registered' },
          { name: 'irish readers', when: { country: ['IE'] }, treatment: 'free' },
          { name: 'premium', when: { tag: 'investigation' }, treatment: { subscribers: { entitlements: ['premium'] } } },
          { name: 'the rest', treatment: { metered: 'default' } },
        ]),
      }),
    ).not.toThrow();
  });
});
