/**
 * The default "continue reading" prompt and meter banner: accessible, escaped HTML for each
 * decision, the period and reset date read from the decision's meter. Texts are plain text
 * (escaped here); the markup can be replaced by the site's own render functions.
 */
import type { Decision } from '../types.js';
import {
  resolvePromptOptions,
  type PromptContext,
  type PromptKind,
  type PromptOptions,
  type PromptUrls,
  type ResolvedPromptOptions,
} from './prompt-options.js';
import { escapeHtml } from './sanitize.js';

/** Which prompt a decision calls for, or `null` for a full decision. */
function promptKind(decision: Decision): PromptKind | null {
  if (decision.access === 'full') return null;
  switch (decision.reason) {
    case 'register-to-continue':
      return 'register';
    case 'signed-out':
      return 'sign-in';
    case 'subscribers-only':
      return 'subscribers-only';
    case 'missing-entitlement':
      return 'upgrade';
    case 'store-unavailable':
      return 'unavailable';
    default:
      return decision.access === 'prompt' ? 'register' : 'subscribe';
  }
}

function fill(template: string, values: Readonly<Record<string, string>>): string {
  return template.replace(/\{(\w+)\}/g, (whole, key: string) => values[key] ?? whole);
}

const formats = new Map<string, Intl.DateTimeFormat>();
function formatDate(date: Date, locale: string, timeZone: string): string {
  const key = `${locale}\u0000${timeZone}`;
  let format = formats.get(key);
  if (!format) {
    format = new Intl.DateTimeFormat(locale, { dateStyle: 'long', timeZone });
    if (formats.size > 64) formats.clear();
    formats.set(key, format);
  }
  return format.format(date);
}

/** Builds the context for a decision (internal; also what custom render functions receive). */
export function promptContext(
  decision: Decision,
  options: ResolvedPromptOptions,
  call: { readonly returnTo?: string | undefined; readonly timeZone?: string | undefined } = {},
): PromptContext {
  const { texts } = options;
  const meter = decision.meter;
  const period = meter?.period ?? options.period;
  const unit = 'rollingDays' in period ? 'rolling' : period.calendar;
  const days = { days: 'rollingDays' in period ? String(period.rollingDays) : '' };
  const zone = options.timeZone ?? ('timeZone' in period ? period.timeZone : 'UTC');
  let resetDate: string | null = null;
  if (meter) {
    try {
      resetDate = formatDate(meter.resetsAt, options.locale, call.timeZone ?? zone);
    } catch {
      resetDate = formatDate(meter.resetsAt, options.locale, zone); // an unknown zone from the request
    }
  }
  const values: Record<string, string> = {
    period: fill(texts.periods[unit], days),
    cadence: fill(texts.cadence[unit], days),
    remaining: meter ? String(meter.remaining) : '',
    limit: meter ? String(meter.limit) : '',
    date: resetDate ?? '',
  };
  const filled = {} as Record<string, string>;
  for (const [key, value] of Object.entries(texts)) {
    if (typeof value === 'string') filled[key] = fill(value, values);
  }
  const category = meter ? options.plural.select(meter.limit) : 'other';
  filled['banner'] = meter ? fill(texts.banner[category] ?? texts.banner.other, values) : '';
  const returnTo = encodeURIComponent(call.returnTo ?? '');
  const urls = {} as Record<keyof PromptUrls, string>;
  for (const key of Object.keys(options.urls) as Array<keyof PromptUrls>) {
    urls[key] = options.urls[key].replace('{returnTo}', returnTo);
  }
  return { decision, kind: promptKind(decision), texts: filled as PromptContext['texts'], urls, resetDate };
}

const e = escapeHtml;

function link(url: string, text: string, className?: string): string {
  return `<a${className ? ` class="${className}"` : ''} href="${e(url)}">${e(text)}</a>`;
}

/** The built-in prompt markup for a context ('' for a full decision). */
export function defaultPromptMarkup(context: PromptContext): string {
  const { kind, texts, urls } = context;
  if (kind === null) return '';
  const signIn =
    kind === 'sign-in' ? '' : `<p class="meterwall-signin">${e(texts.signInQuestion)} ${link(urls.signIn, texts.signInAction)}</p>`;
  const section = (heading: string, body: string): string =>
    `<section class="meterwall-prompt meterwall-prompt--${kind}" aria-labelledby="meterwall-prompt-heading">` +
    `<h2 id="meterwall-prompt-heading">${e(heading)}</h2>${body}${signIn}</section>`;
  const subscribe = `<p>${e(texts.subscribeBody)}</p><p>${link(urls.subscribe, texts.subscribeAction, 'meterwall-button')}</p>`;
  switch (kind) {
    case 'register':
      return section(
        texts.registerHeading,
        `<p>${e(texts.registerBody)}</p><p>${link(urls.register, texts.registerAction, 'meterwall-button')}</p>` +
          `<p class="meterwall-alternative">${link(urls.subscribe, texts.subscribeAlternative)}</p>`,
      );
    case 'sign-in':
      return section(
        texts.signedOutHeading,
        `<p>${e(texts.signedOutBody)}</p><p>${link(urls.signIn, texts.signInAction, 'meterwall-button')}</p>` +
          `<p class="meterwall-alternative">${link(urls.subscribe, texts.subscribeAlternative)}</p>`,
      );
    case 'subscribers-only':
      return section(texts.subscribersOnlyHeading, subscribe);
    case 'upgrade':
      return section(
        texts.upgradeHeading,
        `<p>${e(texts.upgradeBody)}</p><p>${link(urls.upgrade, texts.upgradeAction, 'meterwall-button')}</p>`,
      );
    case 'unavailable':
      return section(
        texts.unavailableHeading,
        `<p>${e(texts.unavailableBody)}</p><p>${link(urls.subscribe, texts.subscribeAction, 'meterwall-button')}</p>`,
      );
    default:
      return section(texts.exhaustedHeading, subscribe);
  }
}

/** The built-in banner markup ('' without a meter). */
export function defaultBannerMarkup(context: PromptContext): string {
  const meter = context.decision.meter;
  if (!meter) return '';
  const reset = context.resetDate === null ? '' : ` <span class="meterwall-banner__reset">${e(context.texts.resets)}</span>`;
  return `<p class="meterwall-banner" role="status">${e(context.texts.banner)}.${reset}</p>`;
}

/**
 * The prompt for a decision as HTML: register-to-continue, sign in again (after a sign-out),
 * subscribe, subscribers-only, upgrade or unavailable, with "Already a subscriber? Sign in";
 * '' for a full decision.
 *
 * @example
 * ```ts
 * import { renderPrompt } from 'meterwall';
 * const html = renderPrompt(decision, { urls: { register: '/join?next={returnTo}' } }, { returnTo: '/articles/tram' });
 * ```
 */
export function renderPrompt(
  decision: Decision,
  options?: PromptOptions,
  call?: { readonly returnTo?: string; readonly timeZone?: string },
): string {
  const resolved = resolvePromptOptions(options, 'options');
  const context = promptContext(decision, resolved, call);
  return (resolved.renderPrompt ?? defaultPromptMarkup)(context);
}

/**
 * The meter banner for a decision as HTML ("2 of 3 free articles left this month. Your free
 * articles reset on 1 December 2026."); '' when the decision has no meter.
 *
 * @example
 * ```ts
 * import { renderBanner } from 'meterwall';
 * const html = renderBanner(decision, { timeZone: 'Europe/London' });
 * ```
 */
export function renderBanner(decision: Decision, options?: PromptOptions, call?: { readonly timeZone?: string }): string {
  const resolved = resolvePromptOptions(options, 'options');
  const context = promptContext(decision, resolved, call);
  return (resolved.renderBanner ?? defaultBannerMarkup)(context);
}
