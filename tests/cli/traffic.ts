/**
 * A traffic generator for the example site, written apart from the simulator: browsers with
 * their own cookie jars behind shared addresses (several on one address with one frozen
 * user-agent string), reading articles from search and social, prefetching, sending HEADs,
 * link-preview bots and crawlers, registering, signing in on a second browser, signing out,
 * subscribing, giving gift links that others open (and some that were tampered with), clearing
 * their cookies and sending junk ones. Requests go over HTTP from the browser's own loopback
 * address (127.0.<network>.<host>), one at a time, on a clock the test moves.
 */
import { request as httpRequest } from 'node:http';
import type { Mail } from '../../examples/news-site/accounts.js';
import { ARTICLES } from '../../examples/news-site/articles.js';

/** A frozen user-agent string (Chrome's reduced UA): many browsers send exactly this. */
export const FROZEN_UA = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36';
const BOT_UA = 'Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)';
const CRAWLER_UA = 'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)';
/** Articles read without keeping a cookie, in a row (past the test's fresh-meter cap). */
const FRESH_BURST = 24;
const PASSWORD = 'correct horse battery staple';
const METER_COOKIE = '__Host-meterwall';

interface Response {
  readonly status: number;
  readonly body: string;
}

/** One browser: its address, user agent and cookie jar. */
export class Browser {
  readonly jar = new Map<string, string>();
  email: string | null = null;
  subscribed = false;
  signedIn = false;
  constructor(
    readonly port: number,
    readonly address: string,
    readonly ua: string,
  ) {}

  request(path: string, init: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<Response> {
    const headers: Record<string, string> = { 'user-agent': this.ua, ...init.headers };
    if (this.jar.size > 0) headers['cookie'] = [...this.jar].map(([k, v]) => `${k}=${v}`).join('; ');
    if (init.body !== undefined) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      headers['origin'] = `http://127.0.0.1:${this.port}`;
    }
    return new Promise((resolve, reject) => {
      const req = httpRequest(
        { host: '127.0.0.1', port: this.port, path, method: init.method ?? 'GET', headers, localAddress: this.address, agent: false },
        (res) => {
          for (const cookie of res.headers['set-cookie'] ?? []) {
            const [pair = ''] = cookie.split(';');
            const eq = pair.indexOf('=');
            if (/Max-Age=0\b/i.test(cookie) || eq === pair.length - 1) this.jar.delete(pair.slice(0, eq));
            else this.jar.set(pair.slice(0, eq), pair.slice(eq + 1));
          }
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
        },
      );
      req.on('error', reject);
      req.end(init.body);
    });
  }

  /** A reader opening an article: a top-level navigation, from where `referer` says. */
  read(path: string, referer?: string): Promise<Response> {
    const headers: Record<string, string> = { 'sec-fetch-dest': 'document', 'sec-fetch-mode': 'navigate', 'sec-fetch-site': 'none' };
    if (referer) {
      headers['referer'] = referer;
      headers['sec-fetch-site'] = 'cross-site';
    }
    return this.request(path, { headers });
  }
}

export interface TrafficOptions {
  readonly port: number;
  readonly seed: number;
  /** Steps to run (each one or a few requests). */
  readonly steps: number;
  /** Moves the site's clock on by `ms`. */
  readonly advance: (ms: number) => void;
  /** The site's mail so far (registration links). */
  readonly mail: readonly Mail[];
}

/** Runs the traffic; resolves to how many requests of each kind it made. */
export async function runTraffic(options: TrafficOptions, random: () => number): Promise<Map<string, number>> {
  const kinds = new Map<string, number>();
  const did = (kind: string) => kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)] as T;
  const slugs = ARTICLES.map((a) => a.slug);
  const browsers: Browser[] = [];
  const make = (network: number, host: number, ua: string) => {
    const b = new Browser(options.port, `127.0.${network}.${host}`, ua);
    browsers.push(b);
    return b;
  };
  // Eight networks; on each, offices and homes where several browsers share an address and the frozen UA.
  for (let i = 0; i < 160; i++) {
    const network = 1 + (i % 8);
    const shared = i % 3 === 0;
    make(
      network,
      shared ? 10 : 20 + i,
      shared ? FROZEN_UA : `Mozilla/5.0 (X11; Linux x86_64; rv:${100 + (i % 40)}.0) Gecko/20100101 Firefox/${100 + (i % 40)}.0`,
    );
  }
  const bot = new Browser(options.port, '127.0.50.1', BOT_UA);
  const crawler = new Browser(options.port, '127.0.51.1', CRAWLER_UA);
  // And one that only says it is Googlebot.
  const impostor = new Browser(options.port, '127.0.9.77', CRAWLER_UA);
  const gifts: string[] = [];
  const accounts: Array<{ email: string; subscribed: boolean }> = [];
  let registered = 0;

  for (let step = 0; step < options.steps; step++) {
    options.advance(Math.floor(random() * 4.5 * 60_000) + 1000);
    if (step % 2000 === 1000) {
      // A reader whose browser keeps no cookies (or a script): a new meter on every article, from one network, until the cap.
      for (let i = 0; i < FRESH_BURST; i++) {
        options.advance(90_000);
        await new Browser(options.port, `127.0.9.${1 + (i % 3)}`, FROZEN_UA).read(`/articles/${pick(slugs)}`);
        did('no-cookies');
      }
    }
    const roll = random();
    const b = pick(browsers);
    const slug = pick(slugs);
    if (roll < 0.5) {
      const from = random();
      await b.read(`/articles/${slug}`, from < 0.1 ? 'https://www.google.com/' : from < 0.15 ? 'https://t.co/x' : undefined);
      did('read');
    } else if (roll < 0.58) {
      // A prefetch (Speculation Rules), then most often the navigation it was for.
      await b.request(`/articles/${slug}`, { headers: { 'sec-purpose': 'prefetch', 'sec-fetch-dest': 'document' } });
      did('prefetch');
      if (random() < 0.7) await b.read(`/articles/${slug}`);
    } else if (roll < 0.61) {
      await b.request(`/articles/${slug}`, { method: 'HEAD' });
      did('head');
    } else if (roll < 0.63) {
      const which = random();
      await (which < 0.4 ? bot : which < 0.8 ? crawler : impostor).request(`/articles/${slug}`);
      did('bot');
    } else if (roll < 0.65) {
      b.jar.clear(); // cleared cookies: a new meter, and the session gone
      b.signedIn = false;
      did('clear');
    } else if (roll < 0.67) {
      const meter = b.jar.get(METER_COOKIE);
      if (meter) b.jar.set(METER_COOKIE, random() < 0.5 ? `${meter.slice(0, -3)}AAA` : 'junk');
      else b.jar.set(METER_COOKIE, 'junk');
      did('tamper');
    } else if (roll < 0.7 && registered < 40 && b.email === null && !b.signedIn) {
      const email = `reader${registered++}@example.com`;
      const body = new URLSearchParams({ name: 'A Reader', email, password: PASSWORD, returnTo: '/' }).toString();
      await b.request('/register', { method: 'POST', body });
      const link = options.mail.filter((m) => m.to === email).at(-1)?.link ?? '';
      const token = new URL(link, 'http://x').searchParams.get('token') ?? '';
      await b.request('/register/confirm', { method: 'POST', body: `token=${encodeURIComponent(token)}` });
      b.email = email;
      b.signedIn = true;
      accounts.push({ email, subscribed: false });
      did('register');
    } else if (roll < 0.72 && accounts.length > 0 && !b.signedIn) {
      // Signing in on another browser (a phone), or again after signing out.
      const account = pick(accounts);
      const body = new URLSearchParams({ email: account.email, password: PASSWORD, returnTo: '/' }).toString();
      await b.request('/signin', { method: 'POST', body });
      b.email = account.email;
      b.signedIn = true;
      b.subscribed = account.subscribed;
      did('signin');
    } else if (roll < 0.74 && b.signedIn) {
      await b.request('/signout', { method: 'POST', body: '' });
      b.signedIn = false;
      did('signout');
    } else if (roll < 0.755 && b.signedIn && !b.subscribed) {
      await b.request('/subscribe', { method: 'POST', body: 'plan=monthly&returnTo=%2F' });
      b.subscribed = true;
      const account = accounts.find((a) => a.email === b.email);
      if (account) account.subscribed = true;
      did('subscribe');
    } else if (roll < 0.8 && b.signedIn && b.subscribed) {
      const made = await b.request(`/articles/${slug}/gift`, { method: 'POST', body: '' });
      const url = /id="gift-link"[^>]*value="([^"]+)"/.exec(made.body)?.[1]?.replace(/&amp;/g, '&');
      if (url) gifts.push(new URL(url).pathname + new URL(url).search);
      did('gift-made');
    } else if (roll < 0.86 && gifts.length > 0) {
      let link = pick(gifts);
      if (random() < 0.15) link = link.replace(/.{4}$/, 'AAAA'); // a tampered gift link
      if (random() < 0.2) await bot.request(link); // the link's preview in a chat
      await b.read(link, 'https://t.co/x');
      did('gift-open');
    } else {
      await b.request('/');
      did('front');
    }
  }
  return kinds;
}
