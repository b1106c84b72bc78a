/**
 * A/B buckets of limits: a reader's variant is stable (the same on every request; by account
 * once signed in, on every device), the split follows the weights (10,000 simulated readers
 * within ±2%), a variant's limits apply, and the decision, the trace and the events carry it.
 */
import { describe, expect, it } from 'vitest';
import {
  createPaywall,
  defineExperiments,
  defineRules,
  type Experiment,
  InvalidOptionError,
  type PaywallEvent,
} from '../../../src/index.js';
import { articleRequest, createReader, SECRET } from '../../helpers.js';

const LIMIT_TEST: Experiment = {
  name: 'anonymous limit',
  variants: [
    { name: 'three', weight: 70 },
    { name: 'five', weight: 30, meters: { anonymous: { limit: 5 } } },
  ],
};

describe('experiments', () => {
  it('a reader stays in one variant across requests, and the decision, trace and events say which', async () => {
    const events: PaywallEvent[] = [];
    const paywall = createPaywall({ secret: SECRET, experiments: defineExperiments([LIMIT_TEST]), onEvent: (e) => events.push(e) });
    const reader = createReader(paywall);
    const first = await reader.open('a');
    const variant = first.buckets['anonymous limit'];
    expect(['three', 'five']).toContain(variant);
    for (const id of ['b', 'c', 'a', 'd']) expect((await reader.open(id)).buckets).toEqual({ 'anonymous limit': variant });
    expect(first.trace).toContainEqual(
      expect.objectContaining({ rule: 'experiment', note: expect.stringContaining(`anonymous limit: ${variant}`) }),
    );
    const counted = events.filter((e) => e.type === 'view-counted');
    expect(counted.length).toBeGreaterThan(0);
    for (const e of counted) expect(e).toMatchObject({ buckets: { 'anonymous limit': variant } });
  });

  it('the variant’s limits apply: five readers of "five" read five articles, "three" three', async () => {
    const paywall = createPaywall({ secret: SECRET, experiments: defineExperiments([LIMIT_TEST]) });
    const seen = new Map<string, number>();
    for (let r = 0; r < 40 && seen.size < 2; r++) {
      const reader = createReader(paywall);
      let full = 0;
      let variant = '';
      for (let i = 0; i < 7; i++) {
        const d = await reader.open(`r${r}-a${i}`);
        variant = d.buckets['anonymous limit'] as string;
        if (d.access === 'full') full++;
      }
      seen.set(variant, full);
    }
    expect(seen.get('three')).toBe(3);
    expect(seen.get('five')).toBe(5);
  });

  it('10,000 simulated readers split within ±2% of the weights', async () => {
    const paywall = createPaywall({
      secret: SECRET,
      experiments: defineExperiments([
        {
          name: 'split',
          variants: [
            { name: 'a', weight: 50 },
            { name: 'b', weight: 30 },
            { name: 'c', weight: 20 },
          ],
        },
      ]),
    });
    const counts: Record<string, number> = { a: 0, b: 0, c: 0 };
    for (let i = 0; i < 10_000; i++) {
      const d = await paywall.decide(articleRequest(), { id: 'x' });
      counts[d.buckets['split'] as string] = (counts[d.buckets['split'] as string] ?? 0) + 1;
    }
    expect(Math.abs((counts['a'] as number) / 10_000 - 0.5)).toBeLessThan(0.02);
    expect(Math.abs((counts['b'] as number) / 10_000 - 0.3)).toBeLessThan(0.02);
    expect(Math.abs((counts['c'] as number) / 10_000 - 0.2)).toBeLessThan(0.02);
  });

  it('a signed-in reader is bucketed by account: the same variant on every device', async () => {
    const paywall = createPaywall({
      secret: SECRET,
      experiments: defineExperiments([
        {
          name: 'registered limit',
          variants: [
            { name: 'ten', weight: 1 },
            { name: 'twenty', weight: 1, meters: { registered: { limit: 20 } } },
          ],
        },
      ]),
      resolveReader: () => ({ status: 'registered', id: 'account-42' }),
    });
    const phone = createReader(paywall);
    const laptop = createReader(paywall);
    const onPhone = (await phone.open('a')).buckets;
    expect((await laptop.open('b')).buckets).toEqual(onPhone);
  });

  it('without experiments, decisions carry {} and events no buckets', async () => {
    const events: PaywallEvent[] = [];
    const paywall = createPaywall({ secret: SECRET, onEvent: (e) => events.push(e) });
    expect((await paywall.decide(articleRequest(), { id: 'a' })).buckets).toEqual({});
    expect(events.every((e) => !('buckets' in e))).toBe(true);
  });

  it.each([
    ['one variant', [{ name: 'x', variants: [{ name: 'a', weight: 1 }] }], 'experiments[0] ("x").variants', /2 to 10/],
    [
      'a zero weight',
      [
        {
          name: 'x',
          variants: [
            { name: 'a', weight: 0 },
            { name: 'b', weight: 1 },
          ],
        },
      ],
      'experiments[0] ("x").variants[0].weight',
      /positive/,
    ],
    [
      'a repeated variant',
      [
        {
          name: 'x',
          variants: [
            { name: 'a', weight: 1 },
            { name: 'a', weight: 1 },
          ],
        },
      ],
      'experiments[0] ("x").variants[1]',
      /repeats/,
    ],
    [
      'a meter that does not exist',
      [
        {
          name: 'x',
          variants: [
            { name: 'a', weight: 1 },
            { name: 'b', weight: 1, meters: { named: { sport: { anonymous: { limit: 2 } } } } },
          ],
        },
      ],
      'experiments[0] ("x").variants[1] ("b").meters.named.sport',
      /does not exist/,
    ],
    [
      'a typo',
      [
        {
          name: 'x',
          variants: [
            { name: 'a', weight: 1 },
            { name: 'b', weight: 1, meters: { anonymus: { limit: 2 } } },
          ],
        },
      ],
      'experiments[0] ("x").variants[1] ("b").meters.anonymus',
      /did you mean "anonymous"/,
    ],
    ['a repeated experiment', [LIMIT_TEST, LIMIT_TEST], 'experiments[1]', /repeats the name/],
  ])('refuses %s', (_what, experiments, option, message) => {
    try {
      createPaywall({ secret: SECRET, experiments: defineExperiments(experiments as never) });
      throw new Error('expected a refusal');
    } catch (error) {
      expect(error).toBeInstanceOf(InvalidOptionError);
      expect((error as InvalidOptionError).option).toBe(option);
      expect((error as InvalidOptionError).message).toMatch(message);
    }
  });

  it('a rule can condition on the variant: readers in one arm read the section free, the rest are metered', async () => {
    const experiment: Experiment = {
      name: 'free sport',
      variants: [
        { name: 'control', weight: 1 },
        { name: 'free', weight: 1 },
      ],
    };
    const paywall = createPaywall({
      secret: SECRET,
      experiments: defineExperiments([experiment]),
      rules: defineRules([
        {
          name: 'sport free in the test arm',
          when: { section: 'sport', bucket: { experiment: 'free sport', variant: 'free' } },
          treatment: 'free',
        },
        { name: 'everything else', treatment: 'metered' },
      ]),
    });
    const seen = new Map<string, string>();
    for (let r = 0; r < 40 && seen.size < 2; r++) {
      const reader = createReader(paywall);
      const first = await reader.open({ id: `s${r}`, section: 'sport' });
      const variant = first.buckets['free sport'] as string;
      // The same reader, the same arm, on the next request too.
      const second = await reader.open({ id: `t${r}`, section: 'sport' });
      expect(second.buckets['free sport']).toBe(variant);
      expect(second.reason).toBe(variant === 'free' ? 'rule-free' : 'metered');
      seen.set(variant, first.reason);
    }
    expect(seen.get('free')).toBe('rule-free');
    expect(seen.get('control')).toBe('metered');
  });

  it('a cookie-less request that is no page view draws no arm: it gets the control arm (the property test found this)', async () => {
    const paywall = createPaywall({
      secret: SECRET,
      experiments: defineExperiments([
        {
          name: 'free sport',
          variants: [
            { name: 'control', weight: 1 },
            { name: 'free', weight: 99 },
          ],
        },
      ]),
      rules: defineRules([
        {
          name: 'sport free in the test arm',
          when: { section: 'sport', bucket: { experiment: 'free sport', variant: 'free' } },
          treatment: 'free',
        },
      ]),
    });
    const sport = { id: 'derby', section: 'sport' };
    // A prefetch, a HEAD, a bot's user agent: nothing is written for them, so an arm drawn from
    // their new meter would be drawn anew on every request.
    for (const headers of [{ 'sec-purpose': 'prefetch' }, { 'user-agent': 'curl/8.5.0' }, { 'sec-fetch-dest': 'image' }]) {
      for (let i = 0; i < 20; i++) {
        const d = await paywall.decide(articleRequest(headers), sport);
        expect(d.buckets).toEqual({ 'free sport': 'control' });
        expect(d.access).not.toBe('full');
      }
    }
    expect((await paywall.decide(articleRequest({}, 'HEAD'), sport)).buckets).toEqual({ 'free sport': 'control' });
    // A page view draws (99% free here), and keeps its arm in the cookie it gets.
    const reader = createReader(paywall);
    const first = await reader.open(sport);
    expect(reader.token).not.toBeNull();
    expect((await reader.open({ id: 'cup', section: 'sport' })).buckets).toEqual(first.buckets);
  });

  it('a bucket condition must name an experiment and variants that exist', () => {
    const experiments = defineExperiments([LIMIT_TEST]);
    expect(() =>
      createPaywall({
        secret: SECRET,
        experiments,
        rules: defineRules([{ name: 'x', when: { bucket: { experiment: 'nope', variant: 'a' } }, treatment: 'free' }]),
      }),
    ).toThrow(expect.objectContaining({ option: 'rules[0] ("x").when.bucket.experiment' }));
    expect(() =>
      createPaywall({
        secret: SECRET,
        experiments,
        rules: defineRules([{ name: 'x', when: { bucket: { experiment: 'anonymous limit', variant: 'six' } }, treatment: 'free' }]),
      }),
    ).toThrow(expect.objectContaining({ option: 'rules[0] ("x").when.bucket.variant' }));
  });
});
