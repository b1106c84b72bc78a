import type { Server } from 'node:http';
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { escapeHtml } from '../../src/index.js';
import { ARTICLES } from '../../examples/news-site/articles.js';
import { type StartedSite, startNewsSite } from '../helpers-browser.js';
import { browserFetch } from '../helpers.js';

let server: Server;
let base: string;
let started: StartedSite;
let site: StartedSite['site'];
const slug = ARTICLES.find((a) => a.access === 'metered')?.slug as string;
const PASSWORD = 'correct horse battery staple';

beforeAll(async () => {
  started = await startNewsSite();
  ({ server, url: base, site } = started);
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

/** Registers as a reader does: the form, then the emailed link's "Finish registering"; the confirming response. */
async function register(name: string, email: string, returnTo = '/', password = PASSWORD): Promise<Response> {
  const form = await post('/register', { name, email, password, returnTo });
  expect(form.status).toBe(200);
  const token = new URL(started.linkFor(email)).searchParams.get('token') ?? '';
  return post('/register/confirm', { token });
}

/** The session cookie a response set, as a `Cookie` header's pair. */
const sessionOf = (response: Response): string =>
  (response.headers.getSetCookie().find((c) => c.startsWith('__Host-courier_session=')) as string).split(';')[0] as string;

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
    expect(empty).toContain('Choose a password of 8 characters or more.');
    expect(empty).not.toContain(PASSWORD); // a password is never shown back
  });

  it('registering is finished from the emailed link; signing in needs the password', async () => {
    const first = await register('Lin', 'lin@example.com', `/articles/${slug}`);
    expect(first.status).toBe(303);
    expect(first.headers.get('location')).toBe(`/articles/${slug}`);
    expect(first.headers.getSetCookie().some((c) => c.startsWith('__Host-courier_session='))).toBe(true);
    // The link works once.
    const token = new URL(started.linkFor('lin@example.com')).searchParams.get('token') ?? '';
    expect((await post('/register/confirm', { token })).status).toBe(400);
    expect((await browserFetch(`${base}/register/confirm?token=${token}`)).status).toBe(400);
    const signIn = await post('/signin', { email: 'LIN@example.com', password: PASSWORD, returnTo: `/articles/${slug}` });
    expect(signIn.status).toBe(303);
    expect(signIn.headers.get('location')).toBe(`/articles/${slug}`);
    // An email alone signs nobody in (issue 23, finding 11: it handed a subscriber's account to anyone).
    for (const password of ['', 'wrong password', PASSWORD.toUpperCase()]) {
      const refused = await post('/signin', { email: 'lin@example.com', password });
      expect(refused.status).toBe(422);
      expect(refused.headers.getSetCookie()).toEqual([]);
    }
  });

  it('registration and sign-in say nothing about which emails have accounts (issue 23, finding 11)', async () => {
    expect((await register('Mo', 'mo@example.com')).status).toBe(303);
    const page = async (response: Response, email: string) => (await response.text()).replaceAll(email, '<email>');
    // Registering an address that has an account: the same page as a new one; only the mail differs.
    const taken = await post('/register', { name: 'Mo', email: 'mo@example.com', password: PASSWORD });
    const fresh = await post('/register', { name: 'Mo', email: 'mo2@example.com', password: PASSWORD });
    expect([taken.status, fresh.status]).toEqual([200, 200]);
    expect(await page(taken, 'mo@example.com')).toBe(await page(fresh, 'mo2@example.com'));
    expect(started.outbox.filter((m) => m.to === 'mo@example.com').at(-1)?.subject).toBe('You already have an account');
    expect(started.outbox.filter((m) => m.to === 'mo2@example.com').at(-1)?.subject).toBe('Finish registering');
    // Signing in: an unknown address and a wrong password get the same answer.
    const unknown = await post('/signin', { email: 'nobody@example.com', password: PASSWORD });
    const wrong = await post('/signin', { email: 'mo@example.com', password: 'not the password' });
    expect([unknown.status, wrong.status]).toEqual([422, 422]);
    const unknownPage = await page(unknown, 'nobody@example.com');
    expect(unknownPage).toBe(await page(wrong, 'mo@example.com'));
    expect(unknownPage).toContain('The email address or the password is not right.');
  });

  it('a gift link is made on the site’s own origin, never on the Host header a client sends (issue 23, finding 11)', async () => {
    const cookie = sessionOf(await register('Gil', 'gil@example.com'));
    const subscribed = sessionOf(await post('/subscribe', { plan: 'monthly' }, { cookie }));
    const made = await post(`/articles/${slug}/gift`, {}, { cookie: subscribed, host: 'evil.example' });
    expect(made.status).toBe(200);
    const link = /id="gift-link"[^>]*value="([^"]+)"/.exec(await made.text())?.[1] ?? '';
    expect(link.startsWith(`${base}/articles/${slug}?gift=`)).toBe(true);
  });

  it('a malformed request target gets a 400, never a 500 (issue 23, finding 11)', async () => {
    const raw = (target: string) =>
      new Promise<string>((resolve, reject) => {
        const socket = connect(Number(new URL(base).port), '127.0.0.1', () =>
          socket.end(`GET ${target} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`),
        );
        let answer = '';
        socket.on('data', (chunk) => (answer += chunk.toString()));
        socket.on('end', () => resolve(answer.split('\r\n')[0] ?? ''));
        socket.on('error', reject);
      });
    expect(await raw('http://[evil')).toBe('HTTP/1.1 400 Bad Request');
    expect(await raw('http://[::1')).toBe('HTTP/1.1 400 Bad Request');
    // A well-formed absolute form is an ordinary request.
    expect(await raw(`http://127.0.0.1/articles/${slug}`)).toBe('HTTP/1.1 200 OK');
  });

  it('article pages name their one canonical URL on the site’s origin, query strings and all', async () => {
    const html = await (await browserFetch(`${base}/articles/${slug}?gift=abc&debug=1`)).text();
    expect(html).toContain(`<link rel="canonical" href="${base}/articles/${slug}">`);
  });

  it('refuses cross-site form posts', async () => {
    for (const headers of [
      { origin: 'https://evil.example' },
      { 'sec-fetch-site': 'cross-site' },
      { 'sec-fetch-site': 'same-site', origin: base },
    ]) {
      const response = await post('/register', { name: 'Eve', email: 'eve@example.com', password: PASSWORD }, headers);
      expect(response.status).toBe(403);
    }
    expect(
      (
        await post(
          '/register',
          { name: 'Sam', email: 'sam@example.com', password: PASSWORD },
          { origin: base, 'sec-fetch-site': 'same-origin' },
        )
      ).status,
    ).toBe(200);
  });

  it('never redirects off the site after a form', async () => {
    for (const returnTo of ['//evil.example', 'https://evil.example/', '/\\evil.example', '/articles/../../x', 'javascript:alert(1)']) {
      const response = await register('R', `r${Math.random().toString(36).slice(2)}@example.com`, returnTo);
      expect(response.headers.get('location')).toBe('/');
    }
  });

  it('the mock checkout needs an account and a plan', async () => {
    expect((await post('/subscribe', { plan: 'annual' })).headers.get('location')).toBe('/register?returnTo=%2Fsubscribe');
    const cookie = sessionOf(await register('Kim', 'kim@example.com'));
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
    const cookie = sessionOf(await register('Ola', 'ola@example.com'));
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
