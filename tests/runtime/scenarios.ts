/**
 * Decision scenarios that must come out the same on every runtime: Node, Cloudflare's workerd
 * and the edge runtime. Uses only the public API and Web APIs; bundled for the other runtimes.
 */
import { createPaywall, createRenderer, cutTeaser, defineGifts, type Decision, type RequestLike } from 'meterwall';

interface Outcome {
  readonly step: string;
  readonly access: string;
  readonly reason: string;
  readonly counted: boolean;
  readonly used: number | null;
  readonly remaining: number | null;
  readonly resetsAt: string | null;
  readonly setCookie: boolean;
  readonly cacheControl: string | null;
}

/** Gift links on this runtime: created (signed with its crypto), opened, capped, forged. */
async function giftScenarios(): Promise<string[]> {
  const paywall = createPaywall({
    secret: 'runtime-matrix-secret-0123456789-abcd',
    now: () => Date.parse('2027-03-31T12:00:00Z'),
    resolveReader: (request) => (request.headers.get('x-test-plan') ? { status: 'subscriber', id: 'sub-1' } : null),
    gifts: defineGifts({ maxOpens: 2 }),
  });
  const made = await paywall.createGift(new Request('https://news.example/', { headers: { 'x-test-plan': 'digital' } }), { id: 'g' });
  if (!made.ok) return [`not created: ${made.reason}`];
  const steps: string[] = [`created: ${made.allowance.remaining} left`];
  const open = async (step: string, token: string, cookie = ''): Promise<string> => {
    const request = new Request(`https://news.example/articles/g?gift=${token}`, { headers: cookie ? { cookie } : {} });
    const d = await paywall.decide(request, { id: 'g' });
    steps.push(`${step}: ${d.access}/${d.reason}${d.gift ? ` (${d.gift.opens} of ${d.gift.maxOpens})` : ''}`);
    return (d.headers.get('set-cookie') ?? '').split(';')[0] as string;
  };
  const first = await open('first browser', made.gift.token);
  await open('second browser', made.gift.token);
  await open('first browser again', made.gift.token, first);
  await open('third browser', made.gift.token);
  await open('forged', `${made.gift.token.slice(0, -3)}AAA`);
  return steps;
}

export async function runScenarios(): Promise<{ outcomes: Outcome[]; teaser: string; banner: string; gifts: string[] }> {
  let now = Date.parse('2027-03-31T12:00:00Z');
  const paywall = createPaywall({
    secret: 'runtime-matrix-secret-0123456789-abcd',
    now: () => now,
    period: { calendar: 'month', timeZone: 'Europe/London' },
    resolveReader: (request) => (request.headers.get('x-test-plan') ? { status: 'subscriber', id: 'sub-1' } : null),
  });
  let cookie = '';
  const outcomes: Outcome[] = [];
  const open = async (
    step: string,
    id: string,
    init: { method?: string; headers?: Record<string, string>; access?: 'free' | 'metered' | 'subscribers' } = {},
  ): Promise<Decision> => {
    const headers = new Headers(init.headers);
    if (cookie) headers.set('cookie', cookie);
    const request: RequestLike = new Request(`https://news.example/articles/${id}`, { method: init.method ?? 'GET', headers });
    const d = await paywall.decide(request, { id, access: init.access ?? 'metered' });
    const set = d.headers.get('set-cookie');
    if (set) cookie = set.split(';')[0] as string;
    outcomes.push({
      step,
      access: d.access,
      reason: d.reason,
      counted: d.counted,
      used: d.meter?.used ?? null,
      remaining: d.meter?.remaining ?? null,
      resetsAt: d.meter ? d.meter.resetsAt.toISOString() : null,
      setCookie: set !== null,
      cacheControl: d.headers.get('cache-control'),
    });
    return d;
  };
  await open('first view', 'a');
  await open('second view', 'b');
  await open('re-read', 'a');
  await open('HEAD', 'c', { method: 'HEAD' });
  await open('prefetch', 'c', { headers: { 'sec-purpose': 'prefetch' } });
  await open('Next prefetch', 'c', { headers: { rsc: '1', 'next-router-prefetch': '1' } });
  await open('image', 'c', { headers: { 'sec-fetch-dest': 'image' } });
  await open('link preview', 'c', { headers: { 'user-agent': 'Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)' } });
  await open('third view', 'c');
  const wall = await open('fourth view', 'd');
  await open('free article', 'f', { access: 'free' });
  await open('subscribers only', 's', { access: 'subscribers' });
  await open('subscriber', 's', { access: 'subscribers', headers: { 'x-test-plan': 'digital' } });
  const saved = cookie;
  cookie = `${saved.slice(0, -3)}AAA`;
  await open('forged token', 'e');
  cookie = saved;
  now = Date.parse('2027-03-31T23:00:00Z'); // 1 April 00:00 in London: a new month
  await open('new period', 'd');
  const article =
    '<p>First <em>paragraph</em> &amp; more.</p><!-- note --><p>Second.</p><script>var s="held"</script><p>Third held back.</p>';
  return {
    outcomes,
    teaser: cutTeaser(article, { paragraphs: 2 }),
    banner: createRenderer().render(wall, article, { id: 'd' }).banner,
    gifts: await giftScenarios(),
  };
}
