/**
 * Shadow mode (`enforce: false`): a paywall run beside another one keeps its meters exactly as an
 * enforcing paywall would, withholds nothing, and says what it would have decided. Checked
 * against an enforcing paywall given the same request sequence.
 */
import { describe, expect, it } from 'vitest';
import {
  type Article,
  createPaywall,
  createRenderer,
  type Decision,
  InvalidOptionError,
  type PaywallEvent,
  type PaywallOptions,
  type ReaderInput,
} from '../../../src/index.js';
import { fakeClock, SECRET, tokenOf } from '../../helpers.js';

function paywallPair() {
  const clock = fakeClock('2026-11-10T12:00:00Z');
  const events = { enforcing: [] as PaywallEvent[], shadow: [] as PaywallEvent[] };
  const options = (sink: PaywallEvent[]): PaywallOptions => ({
    secret: SECRET,
    meters: { anonymous: { limit: 3 }, registered: { limit: 4 } },
    now: clock.now,
    resolveReader: (request): ReaderInput | null => {
      const id = request.headers.get('x-account');
      return id === null ? null : { status: id.startsWith('sub') ? 'subscriber' : 'registered', id };
    },
    referrals: { budget: 1, sources: { search: ['google.com'] } },
    onEvent: (event) => sink.push(event),
  });
  return {
    clock,
    events,
    enforcing: createPaywall(options(events.enforcing)),
    shadow: createPaywall({ ...options(events.shadow), enforce: false }),
  };
}

describe('shadow mode', () => {
  it('on the same request sequence: nothing withheld, wouldBe is the enforcing decision, the meters move alike', async () => {
    const { enforcing, shadow, events, clock } = paywallPair();
    // Three browsers, each with its own cookie on each paywall.
    const cookies = { enforcing: new Map<string, string>(), shadow: new Map<string, string>() };
    const steps: Array<[browser: string, article: Article, headers?: Record<string, string>, method?: string]> = [];
    for (let i = 0; i < 6; i++) steps.push(['ann', { id: `a${i}` }]);
    steps.push(['ann', { id: 'a1' }], ['ann', { id: 'free', access: 'free' }], ['ann', { id: 'vip', access: 'subscribers' }]);
    steps.push(['ann', { id: 'a9' }, { referer: 'https://www.google.com/' }], ['ann', { id: 'a10' }, { 'sec-purpose': 'prefetch' }]);
    steps.push(['ann', { id: 'a11' }, {}, 'HEAD']);
    for (let i = 0; i < 6; i++) steps.push(['bob', { id: `b${i}` }, { 'x-account': 'bob' }]);
    for (let i = 0; i < 3; i++)
      steps.push(['sue', { id: `s${i}`, access: i === 2 ? 'subscribers' : 'metered' }, { 'x-account': 'sub-sue' }]);
    const seen: string[] = [];
    for (const [browser, article, headers = {}, method = 'GET'] of steps) {
      clock.advance(60_000);
      const run = async (which: 'enforcing' | 'shadow'): Promise<Decision> => {
        const cookie = cookies[which].get(browser);
        const request = new Request(`https://news.example/articles/${article.id}`, {
          method,
          headers: { ...headers, ...(cookie ? { cookie: `__Host-meterwall=${cookie}` } : {}) },
        });
        const decision = await (which === 'enforcing' ? enforcing : shadow).decide(request, article);
        const token = tokenOf(decision);
        if (token !== null) cookies[which].set(browser, token);
        return decision;
      };
      const real = await run('enforcing');
      const shadowed = await run('shadow');
      expect(shadowed.access).toBe('full');
      expect(shadowed.variant).toBe('full');
      expect(shadowed.reason).toBe('shadow');
      expect(shadowed.wouldBe).toEqual({ access: real.access, reason: real.reason });
      expect(real.wouldBe).toBeNull();
      expect({ counted: shadowed.counted, meter: shadowed.meter }).toEqual({ counted: real.counted, meter: real.meter });
      expect(shadowed.trace).toEqual(real.trace);
      expect(shadowed.headers.get('set-cookie') === null).toBe(real.headers.get('set-cookie') === null);
      seen.push(`${browser} ${article.id}: ${real.access}/${real.reason}`);
    }
    // The sequence went through every kind of wall, so the comparison meant something.
    expect(new Set(seen.map((s) => s.split(': ')[1]))).toEqual(
      new Set([
        'full/metered',
        'prompt/register-to-continue',
        'full/already-read',
        'full/free-article',
        'teaser/subscribers-only',
        'full/sampled',
        'prompt/not-counted',
        'teaser/meter-exhausted',
        'full/subscriber',
      ]),
    );
    // Every event is the enforcing paywall's, marked.
    expect(events.shadow).toEqual(events.enforcing.map((event) => ({ ...event, shadow: true })));
    expect(events.shadow.length).toBeGreaterThan(20);
  });

  it('renders the whole article and no prompt, whatever it would have shown', async () => {
    const { shadow } = paywallPair();
    let cookie = '';
    let last: Decision | undefined;
    for (const id of ['a', 'b', 'c', 'd']) {
      last = await shadow.decide(new Request('https://news.example/x', { headers: cookie ? { cookie } : {} }), { id });
      const token = tokenOf(last);
      if (token) cookie = `__Host-meterwall=${token}`;
    }
    expect(last?.wouldBe).toEqual({ access: 'prompt', reason: 'register-to-continue' });
    const rendered = createRenderer().render(last as Decision, '<p>One.</p><p>Two.</p><p>Three held.</p>', { id: 'd' });
    expect(rendered.html).toContain('Three held.');
    expect(rendered.prompt).toBe('');
  });

  it('enforce must be a boolean', () => {
    expect(() => createPaywall({ secret: SECRET, enforce: 'no' as never })).toThrow(InvalidOptionError);
  });
});
