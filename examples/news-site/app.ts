/**
 * The Riverside Courier: a small news site that uses meterwall through its public entry points
 * only (`meterwall`, `meterwall/node`). `createNewsSite()` returns a node:http request handler.
 */
import { readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { parseCookie, stringifySetCookie } from 'cookie';
import {
  type AccessLogFields,
  createMemoryStore,
  createPaywall,
  createRenderer,
  type CrawlerVerifier,
  type Decision,
  defineExperiments,
  escapeHtml,
  type MeterStore,
  type PaywallEvent,
} from 'meterwall';
import { decideNode, toRequestLike } from 'meterwall/node';
import { createAccounts, createSessions, type Mail, SESSION_COOKIE, type Account } from './accounts.js';
import { ARTICLES as BUILT_IN, articleHtml, type StoryArticle } from './articles.js';
import { newsletterPage } from './furniture.js';
import { GIFT_NOTE, giftBox, giftCreatedPage, giftInvitation } from './gifts.js';
import { siteAgents } from './agents.js';
import { cdnRoute } from './cdn.js';
import { illustration } from './images.js';
import { articleFacts, CDN_TTL, EXPERIMENT, METERS, ruleNote, sharedOptions } from './policy.js';
import {
  articlePage,
  checkInboxPage,
  confirmPage,
  debugPanel,
  frontPage,
  layout,
  messagePage,
  PAPER,
  promptMarkup,
  registerPage,
  signInPage,
  subscribePage,
  type FieldErrors,
} from './views.js';

export {
  articleFacts,
  EXPERIMENT,
  FRESH_METERS_PER_HOUR,
  GIFT_ALLOWANCE,
  GIFT_OPENS,
  METERS,
  PERIOD,
  REFERRALS,
  RULES,
  ruleNote,
} from './policy.js';

export interface NewsSiteOptions {
  /** Secret(s) for meter tokens (32+ bytes; a list rotates: the first signs). */
  readonly meterSecret: string | Uint8Array | readonly (string | Uint8Array)[];
  /** Secret for the site's session cookies (32+ bytes). */
  readonly sessionSecret: Uint8Array;
  /** Meter store; in memory by default. */
  readonly store?: MeterStore;
  /** While the store fails: `open` (the cookie's meter decides; the default) or `closed` (the prompt). */
  readonly storeFailure?: 'open' | 'closed';
  /** Clock, for tests. */
  readonly now?: () => number;
  /** Receives meterwall's events (the server logs them with DEBUG=meterwall). */
  readonly onEvent?: (event: PaywallEvent) => void;
  /** The articles; the built-in ones by default. */
  readonly articles?: readonly StoryArticle[];
  /** Crawler verifiers (the server uses reverse and forward DNS); none by default. */
  readonly crawlerVerifiers?: readonly CrawlerVerifier[];
  /** New meters a network may start per hour before new ones start spent. */
  readonly freshMetersPerHour?: number;
  /**
   * Runs the desk's A/B test of the anonymous limit (`EXPERIMENT`): half of new readers get
   * three free articles, half four; `?debug=1` shows which. Off by default, so the path through
   * the site is always three articles, then the prompt.
   */
  readonly experiment?: boolean;
  /** How many browsers may open one gift link. */
  readonly giftOpens?: number;
  /** Receives one entry per request, when the response is sent (the server writes them with --access-log). */
  readonly accessLog?: (entry: AccessLogEntry) => void;
  /**
   * The site's own origin, for the links it makes (gift links, confirmation links, canonical
   * URLs): never taken from a request's `Host` header, which the client writes.
   */
  readonly origin?: string;
  /** Sends the site's messages (a registration's confirmation link); the server prints them. */
  readonly mail?: (mail: Mail) => void;
  /** Running on development secrets: pages say where development mail goes. */
  readonly development?: boolean;
  /**
   * Behind a shared cache (cdn.ts): the edge asks `/meterwall/decide/…` for the reader's variant
   * and caches article pages by variant; an article page renders only the variant the edge signed
   * (the teaser without one), with nothing per reader on it.
   */
  readonly cdn?: boolean;
  /**
   * A demo AI operator's Web Bot Auth key directory (`--agent-directory URL`): it reads in full
   * under the site's licence, its training crawler for a price (agents.ts).
   */
  readonly agentDirectory?: string;
}

/** One line of the site's access log (what `--access-log` writes as JSON lines). */
export interface AccessLogEntry {
  readonly time: string;
  readonly ip: string | null;
  readonly ua: string | null;
  readonly referer: string | null;
  readonly method: string;
  readonly url: string;
  readonly code: number;
  /** For article pages: what `meterwall simulate` needs to replay the decision, and the decision (`paywall.accessLogFields`). */
  readonly meterwall?: AccessLogFields;
}

const STYLES = readFileSync(new URL('./styles.css', import.meta.url), 'utf8');
const MAX_BODY = 16 * 1024;
const EMAIL = /^[^\s@<>"]{1,64}@[^\s@<>"]{1,185}\.[A-Za-z]{2,24}$/;
const MIN_PASSWORD = 8;
const MAX_PASSWORD = 200;

export function createNewsSite(options: NewsSiteOptions) {
  const now = options.now ?? Date.now;
  const ARTICLES = options.articles ?? BUILT_IN;
  const findArticle = (slug: string) => ARTICLES.find((a) => a.slug === slug);
  const origin = new URL(options.origin ?? 'http://localhost:3000').origin;
  const mail = options.mail ?? ((message: Mail) => console.log(`[mail] To: ${message.to}: ${message.subject}\n  ${message.text}`));
  const accounts = createAccounts(now);
  const sessions = createSessions(options.sessionSecret, now);

  /** Who is signed in, from the site's own session cookie. */
  async function accountFor(cookieHeader: string | null | undefined): Promise<Account | undefined> {
    const token = cookieHeader ? parseCookie(cookieHeader)[SESSION_COOKIE] : undefined;
    const id = await sessions.verify(token);
    return id === null ? undefined : accounts.find(id);
  }

  /** Each article request's access log fields (what meterwall decided, and what a replay needs). */
  const decided = new WeakMap<IncomingMessage, Promise<AccessLogFields>>();
  const aiPolicy = options.agentDirectory ? siteAgents(origin, options.agentDirectory) : null;
  const paywall = createPaywall({
    secret: options.meterSecret,
    ...sharedOptions({
      sessionSecret: options.sessionSecret,
      giftOpens: options.giftOpens,
      known: (id) => accounts.find(id) !== undefined,
    }),
    ...(options.experiment ? { experiments: defineExperiments([EXPERIMENT]) } : {}),
    store: options.store ?? createMemoryStore({ now }),
    ...(options.storeFailure ? { failure: { mode: options.storeFailure } } : {}),
    now,
    ...(options.onEvent ? { onEvent: options.onEvent } : {}),
    // Search crawlers get the full text only from a verified address; readers arriving from
    // search or social get one more article a month after their meter is spent.
    ...(options.crawlerVerifiers ? { crawlers: { verifiers: options.crawlerVerifiers } } : {}),
    ...(options.freshMetersPerHour ? { freshMeters: { perHour: options.freshMetersPerHour } } : {}),
    // Behind a cache (cdn.ts): signed variants, and the client's address from the one proxy in front.
    ...(options.cdn ? { cdn: { sharedMaxAge: CDN_TTL }, proxy: { trustedHops: 1 } } : {}),
    ...(aiPolicy ? { agents: aiPolicy.agents } : {}),
  });
  // What pages show: the teaser cut on the server, the site's own prompt markup with meterwall's texts.
  const renderer = createRenderer({
    teaser: { paragraphs: 2 },
    prompt: {
      urls: {
        register: '/register?returnTo={returnTo}',
        subscribe: '/subscribe?returnTo={returnTo}',
        signIn: '/signin?returnTo={returnTo}',
      },
      renderPrompt: promptMarkup,
    },
  });

  function send(res: ServerResponse, status: number, html: string, headers: Record<string, string> = {}): void {
    res.statusCode = status;
    res.setHeader('Content-Type', 'text/html; charset=utf-8');
    res.setHeader('X-Content-Type-Options', 'nosniff');
    // The site's policy, unless meterwall set a stricter one (a gift link's page: same-origin).
    if (!res.hasHeader('Referrer-Policy')) res.setHeader('Referrer-Policy', 'strict-origin-when-cross-origin');
    res.setHeader(
      'Content-Security-Policy',
      "default-src 'self'; img-src 'self'; style-src 'self'; script-src 'none'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    );
    if (!res.hasHeader('Cache-Control')) res.setHeader('Cache-Control', 'private, no-store');
    for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
    res.end(html);
  }

  function redirect(res: ServerResponse, location: string, status = 303): void {
    res.statusCode = status;
    res.setHeader('Location', location);
    res.setHeader('Cache-Control', 'no-store');
    res.end();
  }

  /** Only local article paths (and the checkout) are followed after a form: no open redirects. */
  function safeReturnTo(value: string | null | undefined): string {
    if (typeof value === 'string' && /^\/(?:articles\/[a-z0-9-]{1,100}|subscribe)?$/.test(value)) return value;
    return '/';
  }

  /** Refuses cross-site form posts: Fetch Metadata first, then the Origin header. */
  function crossSite(req: IncomingMessage): boolean {
    const site = req.headers['sec-fetch-site'];
    if (site === 'cross-site' || site === 'same-site') return true;
    const origin = req.headers.origin;
    if (origin === undefined) return false; // not a browser form post (curl, tests)
    const host = req.headers.host;
    return origin !== `http://${host}` && origin !== `https://${host}`;
  }

  async function readForm(req: IncomingMessage): Promise<URLSearchParams | null> {
    const type = req.headers['content-type'] ?? '';
    if (!type.startsWith('application/x-www-form-urlencoded')) return null;
    let size = 0;
    const chunks: Buffer[] = [];
    for await (const chunk of req as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > MAX_BODY) return null;
      chunks.push(chunk);
    }
    return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
  }

  async function signIn(res: ServerResponse, account: Account): Promise<void> {
    const { token, maxAge } = await sessions.issue(account);
    res.appendHeader(
      'Set-Cookie',
      stringifySetCookie({ name: SESSION_COOKIE, value: token, httpOnly: true, secure: true, sameSite: 'lax', path: '/', maxAge }),
    );
  }

  async function articleRoute(req: IncomingMessage, res: ServerResponse, slug: string, url: URL): Promise<void> {
    const article = findArticle(slug);
    if (!article)
      return send(
        res,
        404,
        layout({
          title: `Not found – ${PAPER}`,
          body: messagePage('Page not found', 'There is no article at this address.'),
          account: await accountFor(req.headers.cookie),
        }),
      );
    const decision = await decideNode(paywall, req, res, articleFacts(article));
    if (options.accessLog) decided.set(req, paywall.accessLogFields(toRequestLike(req), decision, { ip: req.socket.remoteAddress }));
    // An AI agent the site's policy refuses (403), or asks to pay (402: the teaser, with the price in a header).
    if (decision.status === 403)
      return send(
        res,
        403,
        layout({
          title: PAPER,
          body: messagePage('Forbidden', 'This site does not license its articles to this agent.'),
          account: undefined,
        }),
      );
    const account = decision.reader.id === undefined ? undefined : accounts.find(decision.reader.id);
    // A subscriber may gift what they read; a friend who opened a gift is told so, and invited.
    const giving =
      decision.reader.status === 'subscriber' && decision.access === 'full'
        ? giftBox(article, await paywall.giftAllowance(toRequestLike(req)))
        : '';
    send(res, decision.status, articleDocument(article, decision, { account, giving, debug: url.searchParams.get('debug') === '1' }));
  }

  /**
   * An article's page for a decision. With `perReader` (a reader's own page) it carries the meter
   * banner, the gift box or note, the debug panel and the signed-in account; without (a page a
   * cache keeps for everyone with this variant, cdn.ts) none of them.
   */
  function articleDocument(
    article: StoryArticle,
    decision: Decision,
    perReader: { readonly account: Account | undefined; readonly giving: string; readonly debug: boolean } | null,
  ): string {
    const rendered = renderer.render(decision, articleHtml(article, escapeHtml), {
      id: article.slug,
      access: article.access,
      version: article.published,
      headline: article.headline,
      description: article.standfirst,
      url: `/articles/${article.slug}`,
      datePublished: article.published,
      authors: [article.author],
      images: [`/images/${article.slug}.svg`],
      publisher: PAPER,
    });
    const gifted = perReader !== null && decision.reason === 'gift';
    const body = articlePage(article, {
      note: gifted ? GIFT_NOTE : '',
      after: perReader === null ? '' : gifted ? giftInvitation(article.slug, decision.reader.status) : perReader.giving,
      html: rendered.html,
      prompt: rendered.prompt,
      banner: perReader !== null && decision.access === 'full' ? rendered.banner : '',
      full: decision.access === 'full',
      subscriber: decision.reader.status === 'subscriber',
      debug: perReader?.debug ? debugPanel(decision) : '',
    });
    return layout({
      title: `${article.headline} – ${PAPER}`,
      description: article.standfirst,
      // One canonical URL per story: a gift link (?gift=…) or ?debug=1 is never the page to index.
      head: `<link rel="canonical" href="${escapeHtml(`${origin}/articles/${article.slug}`)}">${rendered.structuredData}`,
      body,
      account: perReader?.account,
    });
  }

  /** A subscriber asks for a gift link of an article (a form post from the article page). */
  async function giftRoute(req: IncomingMessage, res: ServerResponse, slug: string): Promise<void> {
    const article = findArticle(slug);
    const account = await accountFor(req.headers.cookie);
    if (!article)
      return send(res, 404, layout({ title: PAPER, body: messagePage('Page not found', 'There is no such article.'), account }));
    // The site's own origin: never the request's Host header, which the client writes.
    const result = await paywall.createGift(toRequestLike(req), articleFacts(article), { url: `${origin}/articles/${slug}` });
    send(res, result.ok ? 200 : 403, layout({ title: `Gift this article – ${PAPER}`, body: giftCreatedPage(article, result), account }));
  }

  async function registerRoute(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const limit = METERS.registered.limit;
    if (req.method === 'GET') {
      return send(
        res,
        200,
        layout({
          title: `Register – ${PAPER}`,
          body: registerPage({ name: '', email: '', returnTo: safeReturnTo(url.searchParams.get('returnTo')) }, {}, limit),
          account: await accountFor(req.headers.cookie),
        }),
      );
    }
    const form = await readForm(req);
    if (!form)
      return send(res, 400, layout({ title: PAPER, body: messagePage('Bad request', 'The form could not be read.'), account: undefined }));
    const values = {
      name: (form.get('name') ?? '').trim(),
      email: (form.get('email') ?? '').trim(),
      returnTo: safeReturnTo(form.get('returnTo') ?? url.searchParams.get('returnTo')),
    };
    const password = form.get('password') ?? '';
    // Only what the form itself says is checked here: whether the address has an account is
    // never said on the page (the email tells its owner).
    const errors: Record<string, string> = {};
    if (values.name === '') errors['name'] = 'Enter your name.';
    else if (values.name.length > 80) errors['name'] = 'Your name must be 80 characters or fewer.';
    if (values.email === '') errors['email'] = 'Enter your email address.';
    else if (!EMAIL.test(values.email)) errors['email'] = 'Enter an email address like name@example.com.';
    if (password.length < MIN_PASSWORD) errors['password'] = `Choose a password of ${MIN_PASSWORD} characters or more.`;
    else if (password.length > MAX_PASSWORD) errors['password'] = `Your password must be ${MAX_PASSWORD} characters or fewer.`;
    if (Object.keys(errors).length > 0) {
      return send(res, 422, layout({ title: `Register – ${PAPER}`, body: registerPage(values, errors, limit), account: undefined }));
    }
    mail(await accounts.register(values.name, values.email, password, values.returnTo, origin));
    send(
      res,
      200,
      layout({
        title: `Check your email – ${PAPER}`,
        body: checkInboxPage(values.email, options.development === true),
        account: undefined,
      }),
    );
  }

  /** The link in the confirmation email: a page with one button (GET), which finishes registering (POST). */
  async function confirmRoute(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const title = `Finish registering – ${PAPER}`;
    if (req.method === 'GET') {
      const token = url.searchParams.get('token') ?? '';
      const open = accounts.pending(token);
      return send(res, open ? 200 : 400, layout({ title, body: confirmPage(open ? token : null), account: undefined }));
    }
    const form = await readForm(req);
    const done = accounts.confirm(form?.get('token') ?? '');
    if (done === null) return send(res, 400, layout({ title, body: confirmPage(null), account: undefined }));
    await signIn(res, done.account);
    redirect(res, done.returnTo);
  }

  async function signInRoute(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    if (req.method === 'GET') {
      return send(
        res,
        200,
        layout({
          title: `Sign in – ${PAPER}`,
          body: signInPage({ email: '', returnTo: safeReturnTo(url.searchParams.get('returnTo')) }),
          account: await accountFor(req.headers.cookie),
        }),
      );
    }
    const form = await readForm(req);
    if (!form)
      return send(res, 400, layout({ title: PAPER, body: messagePage('Bad request', 'The form could not be read.'), account: undefined }));
    const values = { email: (form.get('email') ?? '').trim(), returnTo: safeReturnTo(form.get('returnTo')) };
    const password = form.get('password') ?? '';
    const account =
      EMAIL.test(values.email) && password.length <= MAX_PASSWORD ? await accounts.authenticate(values.email, password) : undefined;
    if (!account) {
      // One answer for an unknown address and a wrong password alike.
      const errors: FieldErrors = { email: 'The email address or the password is not right.' };
      return send(res, 422, layout({ title: `Sign in – ${PAPER}`, body: signInPage(values, errors), account: undefined }));
    }
    await signIn(res, account);
    redirect(res, values.returnTo);
  }

  async function subscribeRoute(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const account = await accountFor(req.headers.cookie);
    if (req.method === 'GET') {
      return send(
        res,
        200,
        layout({
          title: `Subscribe – ${PAPER}`,
          body: subscribePage(account, { plan: 'monthly', returnTo: safeReturnTo(url.searchParams.get('returnTo')) }),
          account,
        }),
      );
    }
    if (!account) return redirect(res, '/register?returnTo=%2Fsubscribe');
    const form = await readForm(req);
    if (!form) return send(res, 400, layout({ title: PAPER, body: messagePage('Bad request', 'The form could not be read.'), account }));
    const plan = form.get('plan') ?? '';
    const returnTo = safeReturnTo(form.get('returnTo'));
    if (plan !== 'monthly' && plan !== 'annual') {
      return send(
        res,
        422,
        layout({
          title: `Subscribe – ${PAPER}`,
          body: subscribePage(account, { plan, returnTo }, { plan: 'Choose a monthly or an annual plan.' }),
          account,
        }),
      );
    }
    account.subscriber = true;
    account.plan = plan;
    await signIn(res, account); // a new session token that carries the plan
    redirect(res, returnTo === '/' ? '/subscribe' : returnTo);
  }

  /** The newsletter sign-up behind the box in every article: on the reader's account when signed in. */
  async function newslettersRoute(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const account = await accountFor(req.headers.cookie);
    const title = `Newsletters – ${PAPER}`;
    if (req.method === 'GET') {
      const values = { email: account?.email ?? '', returnTo: safeReturnTo(url.searchParams.get('returnTo')) };
      return send(res, 200, layout({ title, body: newsletterPage(values, { done: account?.newsletters ?? false }), account }));
    }
    const form = await readForm(req);
    if (!form) return send(res, 400, layout({ title: PAPER, body: messagePage('Bad request', 'The form could not be read.'), account }));
    const values = { email: (form.get('email') ?? '').trim(), returnTo: safeReturnTo(form.get('returnTo')) };
    if (!EMAIL.test(values.email)) {
      const error = values.email === '' ? 'Enter your email address.' : 'Enter an email address like name@example.com.';
      return send(res, 422, layout({ title, body: newsletterPage(values, { error }), account }));
    }
    accounts.signUpForNewsletters(values.email);
    send(res, 200, layout({ title, body: newsletterPage(values, { done: true }), account }));
  }

  const cdn = { paywall, findArticle, send, page: (article: StoryArticle, decision: Decision) => articleDocument(article, decision, null) };

  return {
    paywall,
    accounts,
    async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
      const log = options.accessLog;
      if (log) {
        const time = new Date(now()).toISOString();
        res.once('finish', () => {
          const line = {
            time,
            ip: req.socket.remoteAddress ?? null,
            ua: req.headers['user-agent'] ?? null,
            referer: req.headers.referer ?? null,
            method: req.method ?? 'GET',
            url: req.url ?? '/',
            code: res.statusCode,
          };
          const fields = decided.get(req);
          if (fields === undefined) log(line);
          else void fields.then((meterwall) => log({ ...line, meterwall }));
        });
      }
      try {
        // A request target no URL parser reads (`GET http://[evil HTTP/1.1`) is a client's mistake: 400.
        const url = URL.parse(req.url ?? '/', origin);
        if (url === null)
          return send(
            res,
            400,
            layout({ title: PAPER, body: messagePage('Bad request', 'That address is not one of ours.'), account: undefined }),
          );
        const path = url.pathname;
        const method = req.method ?? 'GET';
        if (method === 'POST' && crossSite(req)) {
          return send(
            res,
            403,
            layout({ title: PAPER, body: messagePage('Forbidden', 'Forms can only be sent from this site.'), account: undefined }),
          );
        }
        if (method !== 'GET' && method !== 'HEAD' && method !== 'POST') {
          res.setHeader('Allow', 'GET, HEAD, POST');
          return send(res, 405, '');
        }
        if (aiPolicy && path === '/robots.txt') return send(res, 200, aiPolicy.robots, { 'Content-Type': 'text/plain; charset=utf-8' });
        if (aiPolicy && path === '/license.xml') return send(res, 200, aiPolicy.license, { 'Content-Type': 'application/rsl+xml' });
        if (path === '/styles.css')
          return send(res, 200, STYLES, { 'Content-Type': 'text/css; charset=utf-8', 'Cache-Control': 'public, max-age=3600' });
        const image = /^\/images\/([a-z0-9-]+)\.svg$/.exec(path);
        if (image) {
          const article = findArticle(image[1] as string);
          if (!article) return send(res, 404, '');
          return send(res, 200, illustration(article), { 'Content-Type': 'image/svg+xml', 'Cache-Control': 'public, max-age=3600' });
        }
        if (path === '/') {
          const account = await accountFor(req.headers.cookie);
          return send(
            res,
            200,
            layout({ title: `${PAPER} – News from Riverside`, body: frontPage(ARTICLES, (a) => ruleNote(a, now())), account }),
          );
        }
        if (options.cdn && (await cdnRoute(cdn, req, res, url))) return;
        const articlePath = /^\/articles\/([a-z0-9-]+)$/.exec(path);
        if (articlePath) return await articleRoute(req, res, articlePath[1] as string, url);
        const giftPath = /^\/articles\/([a-z0-9-]+)\/gift$/.exec(path);
        if (giftPath && method === 'POST') return await giftRoute(req, res, giftPath[1] as string);
        // A differently cased or slash-terminated address of an article: one canonical URL.
        const loose = /^\/articles\/([A-Za-z0-9-]+)\/?$/i.exec(path);
        if (loose && findArticle((loose[1] as string).toLowerCase()))
          return redirect(res, `/articles/${(loose[1] as string).toLowerCase()}`, 301);
        if (path === '/register' && method !== 'HEAD') return await registerRoute(req, res, url);
        if (path === '/register/confirm' && method !== 'HEAD') return await confirmRoute(req, res, url);
        if (path === '/signin' && method !== 'HEAD') return await signInRoute(req, res, url);
        if (path === '/subscribe' && method !== 'HEAD') return await subscribeRoute(req, res, url);
        if (path === '/newsletters' && method !== 'HEAD') return await newslettersRoute(req, res, url);
        if (path === '/signout' && method === 'POST') {
          res.appendHeader(
            'Set-Cookie',
            stringifySetCookie({ name: SESSION_COOKIE, value: '', httpOnly: true, secure: true, sameSite: 'lax', path: '/', maxAge: 0 }),
          );
          return redirect(res, '/');
        }
        send(
          res,
          404,
          layout({
            title: `Not found – ${PAPER}`,
            body: messagePage('Page not found', 'There is nothing at this address.'),
            account: undefined,
          }),
        );
      } catch (error) {
        console.error(error);
        if (!res.headersSent)
          send(res, 500, layout({ title: PAPER, body: messagePage('Something went wrong', 'Please try again.'), account: undefined }));
        else res.end();
      }
    },
  };
}
