/** Server-rendered HTML of the example paper. Everything inserted is escaped with meterwall's `escapeHtml`. */
import { escapeHtml as e, type Decision, type PromptContext } from 'meterwall';
import type { Account } from './accounts.js';
import type { StoryArticle } from './articles.js';
import { authorBio } from './furniture.js';

export const PAPER = 'The Riverside Courier';

const dateFormat = new Intl.DateTimeFormat('en-GB', { dateStyle: 'long', timeZone: 'Europe/London' });
const shortDate = (iso: string) => dateFormat.format(new Date(iso));

/** The page frame: masthead, navigation with the reader's account links, footer. */
export function layout(page: { title: string; body: string; account: Account | undefined; head?: string; description?: string }): string {
  const { account } = page;
  const accountLinks = account
    ? `<span class="account-name">${e(account.name)}${account.subscriber ? ' <span class="badge badge--subscriber">Subscriber</span>' : ''}</span>` +
      (account.subscriber ? '' : '<a class="button button--small" href="/subscribe">Subscribe</a>') +
      `<form method="post" action="/signout" class="inline-form"><button class="link-button" type="submit">Sign out</button></form>`
    : '<a href="/signin">Sign in</a><a href="/register">Register</a><a class="button button--small" href="/subscribe">Subscribe</a>';
  return `<!doctype html>
<html lang="en-GB">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${e(page.title)}</title>
${page.description ? `<meta name="description" content="${e(page.description)}">` : ''}
<link rel="stylesheet" href="/styles.css">
${page.head ?? ''}
</head>
<body>
<a class="skip-link" href="#main">Skip to content</a>
<header class="masthead">
  <div class="masthead__top">
    <p class="masthead__date">${e(shortDate(new Date().toISOString()))}</p>
    <nav class="masthead__account" aria-label="Account">${accountLinks}</nav>
  </div>
  <a class="masthead__title" href="/">${PAPER}</a>
  <nav class="sections" aria-label="Sections">
    <a href="/">Home</a><a href="/#city">City</a><a href="/#politics">Politics</a><a href="/#culture">Culture</a><a href="/#sport">Sport</a><a href="/#food">Food</a>
  </nav>
</header>
<main id="main">
${page.body}
</main>
<footer class="footer">
  <p>${PAPER} is a demonstration site for meterwall, the metered paywall library. Its articles, people and places are invented.</p>
  <p>Accounts live in memory and vanish when the server stops. No payment is ever taken.</p>
</footer>
</body>
</html>`;
}

function accessBadge(article: StoryArticle, note: string | null = null): string {
  if (article.access === 'free') return '<span class="badge badge--free">Free to read</span>';
  if (article.access === 'subscribers') return '<span class="badge badge--subscribers">Subscribers only</span>';
  if (note !== null)
    return `<span class="badge ${note.startsWith('Free') ? 'badge--free' : note.startsWith('Archive') ? 'badge--subscribers' : 'badge--meter'}" data-rule>${e(note)}</span>`;
  return '';
}

/** The front page: a lead story and a grid of cards; `ruleNote` says what the desk's rules do with a story. */
export function frontPage(articles: readonly StoryArticle[], ruleNote: (article: StoryArticle) => string | null = () => null): string {
  const badge = (a: StoryArticle) => accessBadge(a, ruleNote(a));
  const [lead, ...rest] = articles;
  if (!lead) return '<p>No stories yet.</p>';
  const card = (a: StoryArticle) => `
    <article class="card" id="${e(a.section.toLowerCase())}">
      <a class="card__image" href="/articles/${e(a.slug)}" tabindex="-1" aria-hidden="true"><img src="/images/${e(a.slug)}.svg" alt="" width="600" height="338" loading="lazy"></a>
      <p class="kicker">${e(a.section)} ${badge(a)}</p>
      <h2 class="card__headline"><a href="/articles/${e(a.slug)}">${e(a.headline)}</a></h2>
      <p class="card__standfirst">${e(a.standfirst)}</p>
      <p class="byline">By ${e(a.author)}</p>
    </article>`;
  return `
  <section class="lead-story" id="${e(lead.section.toLowerCase())}">
    <a class="lead-story__image" href="/articles/${e(lead.slug)}" tabindex="-1" aria-hidden="true"><img src="/images/${e(lead.slug)}.svg" alt="" width="1200" height="675"></a>
    <div class="lead-story__text">
      <p class="kicker">${e(lead.section)} ${badge(lead)}</p>
      <h1 class="lead-story__headline"><a href="/articles/${e(lead.slug)}">${e(lead.headline)}</a></h1>
      <p class="lead-story__standfirst">${e(lead.standfirst)}</p>
      <p class="byline">By ${e(lead.author)} · ${e(shortDate(lead.published))}</p>
    </div>
  </section>
  <section class="grid" aria-label="More stories">${rest.map(card).join('')}</section>`;
}

/** An article page: the banner, the body (full or teaser with a fade) and the prompt. */
export function articlePage(
  a: StoryArticle,
  parts: { html: string; prompt: string; banner: string; full: boolean; subscriber: boolean; debug: string; note?: string; after?: string },
): string {
  return `
  <article class="story${parts.subscriber ? ' story--subscriber' : ''}">
    ${parts.banner}
    ${parts.note ?? ''}
    <header class="story__header">
      <p class="kicker">${e(a.section)} ${accessBadge(a)}</p>
      <h1 class="story__headline">${e(a.headline)}</h1>
      <p class="story__standfirst">${e(a.standfirst)}</p>
      <p class="byline">By ${e(a.author)} · <time datetime="${e(a.published)}">${e(shortDate(a.published))}</time></p>
    </header>
    <div class="story__body${parts.full ? '' : ' story__body--teaser'}">${parts.html}</div>
    ${parts.prompt}
    ${parts.after ?? ''}
    ${authorBio(a.author)}
  </article>
  ${parts.debug}`;
}

/** The example's own prompt markup (meterwall's texts and links, with a registration form). */
export function promptMarkup(context: PromptContext): string {
  const { kind, texts, urls } = context;
  if (kind === null) return '';
  const signIn = `<p class="prompt__signin">${e(texts.signInQuestion)} <a href="${e(urls.signIn)}">${e(texts.signInAction)}</a></p>`;
  const offer = `
      <div class="prompt__offer">
        <h3>Subscribe to the Courier</h3>
        <ul class="ticks"><li>Unlimited access to every article</li><li>Exclusive newsletters from our reporters</li><li>Cancel or pause at any time</li></ul>
        <a class="button" href="${e(urls.subscribe)}">${e(texts.subscribeAction)}</a>
      </div>`;
  if (kind === 'register') {
    return `
    <section class="prompt" aria-labelledby="prompt-heading">
      <h2 id="prompt-heading">${e(texts.registerHeading)}</h2>
      <p class="prompt__lede">${e(texts.registerBody)}</p>
      <div class="prompt__columns">
        <form class="prompt__register" method="post" action="${e(urls.register)}">
          <h3>Register for free</h3>
          <label for="prompt-name">Name</label>
          <input id="prompt-name" name="name" autocomplete="name" required maxlength="80">
          <label for="prompt-email">Email address</label>
          <input id="prompt-email" name="email" type="email" autocomplete="email" required maxlength="254">
          <label for="prompt-password">Password (8 characters or more)</label>
          <input id="prompt-password" name="password" type="password" autocomplete="new-password" required minlength="8" maxlength="200">
          <button class="button" type="submit">${e(texts.registerAction)}</button>
        </form>
        ${offer}
      </div>
      ${signIn}
    </section>`;
  }
  if (kind === 'sign-in') {
    // Signed out on this browser this period: no anonymous allowance, sign in again.
    return `
    <section class="prompt" aria-labelledby="prompt-heading">
      <h2 id="prompt-heading">${e(texts.signedOutHeading)}</h2>
      <p class="prompt__lede">${e(texts.signedOutBody)}</p>
      <p><a class="button" href="${e(urls.signIn)}">${e(texts.signInAction)}</a></p>
      <div class="prompt__columns">${offer}</div>
    </section>`;
  }
  const heading =
    kind === 'subscribers-only'
      ? texts.subscribersOnlyHeading
      : kind === 'upgrade'
        ? texts.upgradeHeading
        : kind === 'unavailable'
          ? texts.unavailableHeading
          : texts.exhaustedHeading;
  return `
    <section class="prompt" aria-labelledby="prompt-heading">
      <h2 id="prompt-heading">${e(heading)}</h2>
      <p class="prompt__lede">${e(texts.subscribeBody)}</p>
      <div class="prompt__columns">${offer}</div>
      ${signIn}
    </section>`;
}

/** The debug panel (`?debug=1`): everything the decision says. */
export function debugPanel(decision: Decision): string {
  const meter = decision.meter;
  const rows = decision.trace
    .map(
      (t) =>
        `<tr${t.matched ? ' class="trace--matched"' : ''}><td>${e(t.rule)}</td><td>${t.matched ? 'yes' : ''}</td><td>${e(t.note)}</td></tr>`,
    )
    .join('');
  return `
  <aside class="debug" aria-label="Paywall decision">
    <h2>Paywall decision</h2>
    <dl>
      <dt>access</dt><dd data-debug="access">${e(decision.access)}</dd>
      <dt>reason</dt><dd data-debug="reason">${e(decision.reason)}</dd>
      <dt>rule</dt><dd data-debug="rule">${decision.rule === null ? 'none' : e(decision.rule)}</dd>
      <dt>A/B</dt><dd data-debug="buckets">${
        Object.entries(decision.buckets)
          .map(([experiment, variant]) => `${e(experiment)}: ${e(variant)}`)
          .join('; ') || 'none'
      }</dd>
      <dt>counted</dt><dd>${decision.counted ? 'yes, this view was spent' : 'no'}</dd>
      <dt>reader</dt><dd data-debug="reader">${e(decision.reader.status)}${decision.reader.id ? ` (${e(decision.reader.id)})` : ''}${decision.reader.entitlements.length ? ` · ${e(decision.reader.entitlements.join(', '))}` : ''}</dd>
      <dt>meter</dt><dd data-debug="meter">${meter ? `${meter.used} of ${meter.limit} used, ${meter.remaining} left, resets ${e(meter.resetsAt.toISOString())} (${e(meter.source)})` : 'none'}</dd>
      <dt>variant</dt><dd>${e(decision.variant)}</dd>
    </dl>
    <table><thead><tr><th>rule</th><th>decided</th><th>note</th></tr></thead><tbody>${rows}</tbody></table>
  </aside>`;
}

export interface FieldErrors {
  readonly [field: string]: string | undefined;
}

function field(name: string, label: string, value: string, error: string | undefined, attributes: string): string {
  const id = `field-${name}`;
  return `
      <div class="field${error ? ' field--error' : ''}">
        <label for="${id}">${e(label)}</label>
        <input id="${id}" name="${name}" value="${e(value)}" ${attributes}${error ? ` aria-invalid="true" aria-describedby="${id}-error"` : ''}>
        ${error ? `<p class="field__error" id="${id}-error">${e(error)}</p>` : ''}
      </div>`;
}

function errorSummary(errors: FieldErrors): string {
  const messages = Object.values(errors).filter((m): m is string => Boolean(m));
  if (messages.length === 0) return '';
  return `<div class="error-summary" role="alert"><h2>There is a problem</h2><ul>${messages.map((m) => `<li>${e(m)}</li>`).join('')}</ul></div>`;
}

/** The registration page. */
export function registerPage(
  values: { name: string; email: string; returnTo: string },
  errors: FieldErrors,
  registeredLimit: number,
): string {
  return `
  <section class="form-page">
    <h1>Register for free</h1>
    <p>Registered readers get ${registeredLimit} free articles a month, counted on their account on every device.</p>
    ${errorSummary(errors)}
    <form method="post" action="/register" novalidate>
      <input type="hidden" name="returnTo" value="${e(values.returnTo)}">
      ${field('name', 'Name', values.name, errors['name'], 'autocomplete="name" maxlength="80"')}
      ${field('email', 'Email address', values.email, errors['email'], 'type="email" autocomplete="email" maxlength="254"')}
      ${field('password', 'Password (8 characters or more)', '', errors['password'], 'type="password" autocomplete="new-password" minlength="8" maxlength="200"')}
      <button class="button" type="submit">Register</button>
    </form>
    <p>Already registered? <a href="/signin?returnTo=${e(encodeURIComponent(values.returnTo))}">Sign in</a></p>
  </section>`;
}

/** After registering: the same page whether or not the address has an account (the email says which). */
export function checkInboxPage(email: string, development: boolean): string {
  const where = development ? '<p class="note">Development: the message was printed in the terminal that runs the server.</p>' : '';
  return `
  <section class="form-page">
    <h1>Check your email</h1>
    <p>We have sent a message to ${e(email)}. Open the link in it within an hour to finish registering.</p>
    ${where}
  </section>`;
}

/** The page a confirmation link opens: one button finishes registering (a link preview that fetches the link changes nothing). */
export function confirmPage(token: string | null): string {
  if (token === null) {
    return `<section class="form-page"><h1>This link has expired</h1><p>It was already used, or it is more than an hour old. <a href="/register">Register again</a> or <a href="/signin">sign in</a>.</p></section>`;
  }
  return `
  <section class="form-page">
    <h1>Finish registering</h1>
    <form method="post" action="/register/confirm">
      <input type="hidden" name="token" value="${e(token)}">
      <button class="button" type="submit">Finish registering</button>
    </form>
  </section>`;
}

/** The sign-in page. */
export function signInPage(values: { email: string; returnTo: string }, errors: FieldErrors = {}): string {
  return `
  <section class="form-page">
    <h1>Sign in</h1>
    ${errorSummary(errors)}
    <form method="post" action="/signin" novalidate>
      <input type="hidden" name="returnTo" value="${e(values.returnTo)}">
      ${field('email', 'Email address', values.email, errors['email'], 'type="email" autocomplete="email" maxlength="254"')}
      ${field('password', 'Password', '', errors['password'], 'type="password" autocomplete="current-password" maxlength="200"')}
      <button class="button" type="submit">Sign in</button>
    </form>
    <p>New here? <a href="/register?returnTo=${e(encodeURIComponent(values.returnTo))}">Register for free</a></p>
  </section>`;
}

/** The mock checkout: no payment, just a choice of plan and a confirmation. */
export function subscribePage(account: Account | undefined, values: { plan: string; returnTo: string }, errors: FieldErrors = {}): string {
  if (!account) {
    return `
  <section class="form-page">
    <h1>Subscribe to ${PAPER}</h1>
    <ul class="ticks"><li>Unlimited access to every article</li><li>Exclusive newsletters from our reporters</li><li>Cancel or pause at any time</li></ul>
    <p>To subscribe, first <a href="/register?returnTo=${e(encodeURIComponent('/subscribe'))}">register for free</a> or <a href="/signin?returnTo=${e(encodeURIComponent('/subscribe'))}">sign in</a>.</p>
  </section>`;
  }
  if (account.subscriber) {
    return `<section class="form-page"><h1>You are a subscriber</h1><p>Thank you, ${e(account.name)}. Every article is open to you.</p><p><a href="/">Back to the front page</a></p></section>`;
  }
  const plan = (value: string, label: string, price: string) => `
      <label class="plan"><input type="radio" name="plan" value="${value}"${values.plan === value ? ' checked' : ''}> <span class="plan__name">${label}</span> <span class="plan__price">${price}</span></label>`;
  return `
  <section class="form-page">
    <h1>Subscribe to ${PAPER}</h1>
    <ul class="ticks"><li>Unlimited access to every article</li><li>Exclusive newsletters from our reporters</li><li>Cancel or pause at any time</li></ul>
    ${errorSummary(errors)}
    <form method="post" action="/subscribe" novalidate>
      <input type="hidden" name="returnTo" value="${e(values.returnTo)}">
      <fieldset class="field${errors['plan'] ? ' field--error' : ''}">
        <legend>Choose a plan</legend>
        ${plan('monthly', 'Monthly', '£0 a month (demo)')}
        ${plan('annual', 'Annual', '£0 a year (demo)')}
        ${errors['plan'] ? `<p class="field__error">${e(errors['plan'])}</p>` : ''}
      </fieldset>
      <p class="note">This is a demonstration checkout: no card is asked for and nothing is charged.</p>
      <button class="button" type="submit">Start my subscription</button>
    </form>
  </section>`;
}

/** A plain message page (errors, not found). */
export function messagePage(heading: string, text: string): string {
  return `<section class="form-page"><h1>${e(heading)}</h1><p>${e(text)}</p><p><a href="/">Go to the front page</a></p></section>`;
}
