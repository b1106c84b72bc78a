import type { Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { escapeHtml } from '../../src/index.js';
import { ARTICLES } from '../../examples/news-site/articles.js';
import { startNewsSite } from '../helpers-browser.js';
import { browserFetch } from '../helpers.js';

let server: Server;
let base: string;
let site: Awaited<ReturnType<typeof startNewsSite>>['site'];
const slug = ARTICLES.find((a) => a.access === 'metered')?.slug as string;

beforeAll(async () => {
  ({ server, url: base, site } = await startNewsSite());
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

function post(path: string, body: Record<string, string>, headers: Record<string, string> = {}) {
  return browserFetch(base + path, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams(body).toString(),
  });
}

describe('the example site over HTTP', () => {
  it('serves articles with the meter cookie, private caching and the paywall JSON-LD', async () => {
    const response = await browserFetch(`${base}/articles/${slug}`);
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('private, no-store');
    expect(response.headers.get('vary')).toBe('Cookie');
    expect(response.headers.getSetCookie()[0]).toMatch(/^__Host-meterwall=/);
    const html = await response.text();
    expect(html).toContain('<script type="application/ld+json">');
    expect(html).toContain('2 of 3 free articles left this month');
  });

  it('registration validates and re-shows what was typed, escaped', async () => {
    const response = await post('/register', { name: '<b>Ada</b>', email: 'not-an-email', returnTo: `/articles/${slug}` });
    expect(response.status).toBe(422);
    const html = await response.text();
    expect(html).toContain('Enter an email address like name@example.com.');
    expect(html).toContain('value="&lt;b&gt;Ada&lt;/b&gt;"');
    expect(html).toContain('value="not-an-email"');
    expect(html).toContain(`value="/articles/${slug}"`);
    const empty = await (await post('/register', { name: ' ', email: '' })).text();
    expect(empty).toContain('Enter your name.');
    expect(empty).toContain('Enter your email address.');
  });

  it('a registered email cannot register twice, and signs in instead', async () => {
    const first = await post('/register', { name: 'Lin', email: 'lin@example.com', returnTo: '/' });
    expect(first.status).toBe(303);
    expect(first.headers.getSetCookie().some((c) => c.startsWith('__Host-courier_session='))).toBe(true);
    const again = await post('/register', { name: 'Lin', email: 'LIN@example.com' });
    expect(again.status).toBe(422);
    expect(await again.text()).toContain('An account with this email address already exists.');
    const signIn = await post('/signin', { email: 'lin@example.com', returnTo: `/articles/${slug}` });
    expect(signIn.status).toBe(303);
    expect(signIn.headers.get('location')).toBe(`/articles/${slug}`);
    const unknown = await post('/signin', { email: 'nobody@example.com' });
    expect(unknown.status).toBe(422);
    expect(await unknown.text()).toContain('value="nobody@example.com"');
  });

  it('refuses cross-site form posts', async () => {
    for (const headers of [
      { origin: 'https://evil.example' },
      { 'sec-fetch-site': 'cross-site' },
      { 'sec-fetch-site': 'same-site', origin: base },
    ]) {
      const response = await post('/register', { name: 'Eve', email: 'eve@example.com' }, headers);
      expect(response.status).toBe(403);
    }
    expect(
      (await post('/register', { name: 'Sam', email: 'sam@example.com' }, { origin: base, 'sec-fetch-site': 'same-origin' })).status,
    ).toBe(303);
  });

  it('never redirects off the site after a form', async () => {
    for (const returnTo of ['//evil.example', 'https://evil.example/', '/\\evil.example', '/articles/../../x', 'javascript:alert(1)']) {
      const response = await post('/register', { name: 'R', email: `r${Math.random().toString(36).slice(2)}@example.com`, returnTo });
      expect(response.headers.get('location')).toBe('/');
    }
  });

  it('the mock checkout needs an account and a plan', async () => {
    expect((await post('/subscribe', { plan: 'annual' })).headers.get('location')).toBe('/register?returnTo=%2Fsubscribe');
    const reg = await post('/register', { name: 'Kim', email: 'kim@example.com' });
    const cookie = (reg.headers.getSetCookie()[0] as string).split(';')[0] as string;
    const noPlan = await post('/subscribe', { plan: 'lifetime' }, { cookie });
    expect(noPlan.status).toBe(422);
    expect(await noPlan.text()).toContain('Choose a monthly or an annual plan.');
    const done = await post('/subscribe', { plan: 'monthly', returnTo: `/articles/${slug}` }, { cookie });
    expect(done.headers.get('location')).toBe(`/articles/${slug}`);
    // The subscription comes with a new session token carrying the plan, which meterwall verifies.
    const subscribed = (done.headers.getSetCookie()[0] as string).split(';')[0] as string;
    expect(subscribed).not.toBe(cookie);
    const page = await (await browserFetch(`${base}/articles/${slug}?debug=1`, { headers: { cookie: subscribed } })).text();
    expect(page).toContain('data-debug="reason">subscriber<');
  });

  it('one canonical address per article; anything else is not found', async () => {
    const upper = await browserFetch(`${base}/articles/${slug.toUpperCase()}`, { redirect: 'manual' });
    expect(upper.status).toBe(301);
    expect(upper.headers.get('location')).toBe(`/articles/${slug}`);
    expect((await browserFetch(`${base}/articles/${slug}/`, { redirect: 'manual' })).status).toBe(301);
    expect((await browserFetch(`${base}/articles/${slug}/a.css`)).status).toBe(404);
    expect((await browserFetch(`${base}/articles/no-such-story`)).status).toBe(404);
  });

  it('sends security headers and refuses other methods', async () => {
    const response = await browserFetch(base);
    expect(response.headers.get('content-security-policy')).toContain("script-src 'none'");
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect((await browserFetch(base, { method: 'DELETE' })).status).toBe(405);
  });

  it('the teaser meets the promo and newsletter boxes and still keeps 2 paragraphs of the article', async () => {
    for (const article of ARTICLES.filter((a) => a.access === 'subscribers')) {
      const html = await (await browserFetch(`${base}/articles/${article.slug}`)).text();
      const body = html.slice(html.indexOf('class="story__body'), html.indexOf('class="prompt"'));
      expect(body).toContain('Subscribe to The Riverside Courier');
      expect(body).toContain('Sign up for The Riverside Courier’s free newsletters');
      expect(body).toContain(`href="/newsletters?returnTo=%2Farticles%2F${article.slug}"`);
      for (const kept of article.paragraphs.slice(0, 2)) expect(body).toContain(escapeHtml(kept));
      for (const held of article.paragraphs.slice(2)) expect(html).not.toContain(escapeHtml(held).slice(0, 40));
      expect(html).toContain(`<strong>${escapeHtml(article.author)}</strong>`); // the bio, after the article
    }
  });

  it('the newsletter box signs an email up, on its account when there is one', async () => {
    const form = await (await browserFetch(`${base}/newsletters?returnTo=%2Farticles%2F${slug}`)).text();
    expect(form).toContain(`value="/articles/${slug}"`);
    const bad = await post('/newsletters', { email: 'nope', returnTo: `/articles/${slug}` });
    expect(bad.status).toBe(422);
    expect(await bad.text()).toContain('Enter an email address like name@example.com.');
    const done = await post('/newsletters', { email: 'Ola@Example.com', returnTo: `/articles/${slug}` });
    expect(done.status).toBe(200);
    expect(await done.text()).toContain('The morning briefing will go to Ola@Example.com');
    // Registering later with that email keeps the sign-up on the new account.
    const reg = await post('/register', { name: 'Ola', email: 'ola@example.com' });
    const cookie = (reg.headers.getSetCookie()[0] as string).split(';')[0] as string;
    expect(await (await browserFetch(`${base}/newsletters`, { headers: { cookie } })).text()).toContain('You’re signed up');
    expect(site.accounts.getsNewsletters('OLA@example.com')).toBe(true);
    expect(site.accounts.getsNewsletters('other@example.com')).toBe(false);
  });

  it('a HEAD request spends no view', async () => {
    const head = await browserFetch(`${base}/articles/${slug}`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.headers.getSetCookie()).toEqual([]);
  });
});
