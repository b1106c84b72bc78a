/**
 * The default "continue reading" prompt and meter banner: accessible, escaped HTML for each
 * decision. Every text and URL is configurable; the markup can be replaced by the site's own
 * render functions. Texts are plain text (escaped here); URLs are checked at construction.
 */
import { invalidOption } from '../errors.js';
import type { Decision } from '../types.js';
import { escapeHtml } from './teaser.js';

/** Texts of the prompt and banner. Placeholders: `{remaining}`, `{limit}`, `{period}` ("this month"), `{cadence}` ("each month"), `{date}`. */
export interface PromptTexts {
  /** @default 'Register for free to continue reading' */
  readonly registerHeading: string;
  /** @default 'To continue reading this article, register for free and get limited access {cadence}.' */
  readonly registerBody: string;
  /** @default 'Register for free' */
  readonly registerAction: string;
  /** @default "You've read your free articles {period}" */
  readonly exhaustedHeading: string;
  /** @default 'This article is for subscribers' */
  readonly subscribersOnlyHeading: string;
  /** @default 'This article is not part of your plan' */
  readonly upgradeHeading: string;
  /** @default 'Upgrade your subscription to read it, and everything else in the plan.' */
  readonly upgradeBody: string;
  /** @default 'Upgrade' */
  readonly upgradeAction: string;
  /** @default 'Subscribe for unlimited access to all our journalism. Cancel or pause at any time.' */
  readonly subscribeBody: string;
  /** @default 'Subscribe' */
  readonly subscribeAction: string;
  /** @default 'Or subscribe for unlimited access. Cancel or pause at any time.' */
  readonly subscribeAlternative: string;
  /** @default 'Sign in to continue reading' */
  readonly signedOutHeading: string;
  /** @default 'You signed out on this device. Sign in again to keep reading, or subscribe for unlimited access.' */
  readonly signedOutBody: string;
  /** @default 'We could not check your access just now' */
  readonly unavailableHeading: string;
  /** @default 'Please try again in a moment, or subscribe for unlimited access.' */
  readonly unavailableBody: string;
  /** @default 'Already a subscriber?' */
  readonly signInQuestion: string;
  /** @default 'Sign in' */
  readonly signInAction: string;
  /** Banner, one form per plural category of `{limit}`. @default { one: '{remaining} of {limit} free article left {period}', other: '{remaining} of {limit} free articles left {period}' } */
  readonly banner: Readonly<Partial<Record<Intl.LDMLPluralRule, string>>> & { readonly other: string };
  /** @default 'Your free articles reset on {date}.' */
  readonly resets: string;
  /** The current period, for `{period}`. @default { day: 'today', week: 'this week', month: 'this month', rolling: 'in this {days}-day window' } */
  readonly periods: { readonly day: string; readonly week: string; readonly month: string; readonly rolling: string };
  /** How often the allowance renews, for `{cadence}`. @default { day: 'each day', week: 'each week', month: 'each month', rolling: 'every {days} days' } */
  readonly cadence: { readonly day: string; readonly week: string; readonly month: string; readonly rolling: string };
}

/** Where the prompt's links go. A URL may contain `{returnTo}`, replaced by the article's URL (encoded). */
export interface PromptUrls {
  /** @default '/register' */
  readonly register: string;
  /** @default '/subscribe' */
  readonly subscribe: string;
  /** @default '/subscribe' */
  readonly upgrade: string;
  /** @default '/signin' */
  readonly signIn: string;
}

/** Which prompt a decision calls for. */
export type PromptKind = 'register' | 'sign-in' | 'subscribe' | 'subscribers-only' | 'upgrade' | 'unavailable';

/** What a site's own render function receives: everything already filled in, texts unescaped. */
export interface PromptContext {
  /** The decision being rendered. */
  readonly decision: Decision;
  /** Which prompt it calls for (`null` for the banner of a full decision). */
  readonly kind: PromptKind | null;
  /** The texts with placeholders filled in (plain text: escape them with `escapeHtml`). */
  readonly texts: Readonly<Record<Exclude<keyof PromptTexts, 'banner' | 'periods' | 'cadence'>, string>> & { readonly banner: string };
  /** The URLs with `{returnTo}` filled in (checked, not yet HTML-escaped). */
  readonly urls: PromptUrls;
  /** The reset date, formatted in the reader's time zone. */
  readonly resetDate: string | null;
}

/** Options of the prompt and banner. */
export interface PromptOptions {
  /**
   * Texts to replace (plain text, escaped when rendered).
   * @default English texts, see PromptTexts
   */
  readonly texts?: Partial<PromptTexts>;
  /**
   * Link targets: a path (`/register`) or an absolute http(s) URL.
   * @default { register: '/register', subscribe: '/subscribe', upgrade: '/subscribe', signIn: '/signin' }
   */
  readonly urls?: Partial<PromptUrls>;
  /**
   * Locale for plurals and dates.
   * @default 'en-GB'
   */
  readonly locale?: string;
  /**
   * Time zone the reset date is shown in (the reader's; `render` can override it per call).
   * @default the period's time zone, or 'UTC'
   */
  readonly timeZone?: string;
  /**
   * Replaces the prompt markup; must return HTML (escape what you insert).
   * @default the built-in accessible markup
   */
  readonly renderPrompt?: (context: PromptContext) => string;
  /**
   * Replaces the banner markup; must return HTML (escape what you insert).
   * @default the built-in markup
   */
  readonly renderBanner?: (context: PromptContext) => string;
}

/** How the meter's period reads (internal). */
export interface PeriodDescription {
  readonly unit: 'day' | 'week' | 'month' | 'rolling';
  readonly days: number;
  readonly timeZone: string;
}

const DEFAULT_TEXTS: PromptTexts = {
  registerHeading: 'Register for free to continue reading',
  registerBody: 'To continue reading this article, register for free and get limited access {cadence}.',
  registerAction: 'Register for free',
  exhaustedHeading: "You've read your free articles {period}",
  subscribersOnlyHeading: 'This article is for subscribers',
  upgradeHeading: 'This article is not part of your plan',
  upgradeBody: 'Upgrade your subscription to read it, and everything else in the plan.',
  upgradeAction: 'Upgrade',
  subscribeBody: 'Subscribe for unlimited access to all our journalism. Cancel or pause at any time.',
  subscribeAction: 'Subscribe',
  subscribeAlternative: 'Or subscribe for unlimited access. Cancel or pause at any time.',
  signedOutHeading: 'Sign in to continue reading',
  signedOutBody: 'You signed out on this device. Sign in again to keep reading, or subscribe for unlimited access.',
  unavailableHeading: 'We could not check your access just now',
  unavailableBody: 'Please try again in a moment, or subscribe for unlimited access.',
  signInQuestion: 'Already a subscriber?',
  signInAction: 'Sign in',
  banner: { one: '{remaining} of {limit} free article left {period}', other: '{remaining} of {limit} free articles left {period}' },
  resets: 'Your free articles reset on {date}.',
  periods: { day: 'today', week: 'this week', month: 'this month', rolling: 'in this {days}-day window' },
  cadence: { day: 'each day', week: 'each week', month: 'each month', rolling: 'every {days} days' },
};

const DEFAULT_URLS: PromptUrls = { register: '/register', subscribe: '/subscribe', upgrade: '/subscribe', signIn: '/signin' };

/** Prompt options after validation (internal). */
export interface ResolvedPromptOptions {
  readonly texts: PromptTexts;
  readonly urls: PromptUrls;
  readonly locale: string;
  readonly timeZone: string;
  readonly plural: Intl.PluralRules;
  readonly renderPrompt: PromptOptions['renderPrompt'];
  readonly renderBanner: PromptOptions['renderBanner'];
  readonly period: PeriodDescription;
}

/** A link target: a path or an absolute http(s) URL; never `javascript:`, `data:` or `//host`. */
export function isLinkTarget(url: string): boolean {
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u0020\u007f\\]/.test(url)) return false; // no whitespace, controls or backslashes (/\\host)
  if (url.startsWith('/')) return !url.startsWith('//');
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'https:' || parsed.protocol === 'http:';
  } catch {
    return false;
  }
}

/** Validates prompt options once (a `TypeError` naming the option under `path`). */
export function resolvePromptOptions(options: PromptOptions | undefined, period: PeriodDescription, path = 'prompt'): ResolvedPromptOptions {
  const o = options ?? {};
  if (o === null || typeof o !== 'object') throw invalidOption(path, 'must be an object');
  const known = ['texts', 'urls', 'locale', 'timeZone', 'renderPrompt', 'renderBanner'];
  for (const key of Object.keys(o)) if (!known.includes(key)) throw invalidOption(`${path}.${key}`, 'is not a prompt option');

  const texts: Record<string, unknown> = { ...DEFAULT_TEXTS };
  for (const [key, value] of Object.entries(o.texts ?? {})) {
    if (!(key in DEFAULT_TEXTS)) throw invalidOption(`${path}.texts.${key}`, 'is not a prompt text');
    if (key === 'banner' || key === 'periods' || key === 'cadence') {
      if (value === null || typeof value !== 'object' || Object.values(value).some((v) => typeof v !== 'string')) {
        throw invalidOption(`${path}.texts.${key}`, 'must be an object of strings');
      }
      const merged = { ...(DEFAULT_TEXTS[key] as object), ...value };
      texts[key] = merged;
    } else {
      if (typeof value !== 'string') throw invalidOption(`${path}.texts.${key}`, 'must be a string');
      texts[key] = value;
    }
  }
  const urls: Record<string, string> = { ...DEFAULT_URLS };
  for (const [key, value] of Object.entries(o.urls ?? {})) {
    if (!(key in DEFAULT_URLS)) throw invalidOption(`${path}.urls.${key}`, 'is not a prompt URL');
    if (typeof value !== 'string' || !isLinkTarget(value.replace('{returnTo}', 'x'))) {
      throw invalidOption(`${path}.urls.${key}`, 'must be a path starting with / or an absolute http(s) URL');
    }
    urls[key] = value;
  }
  const locale = o.locale ?? 'en-GB';
  let plural: Intl.PluralRules;
  try {
    plural = new Intl.PluralRules(locale);
  } catch {
    throw invalidOption(`${path}.locale`, `is not a locale: ${String(locale)}`);
  }
  const timeZone = o.timeZone ?? period.timeZone;
  try {
    new Intl.DateTimeFormat(locale, { timeZone });
  } catch {
    throw invalidOption(`${path}.timeZone`, `is not a time zone: ${String(timeZone)}`);
  }
  for (const name of ['renderPrompt', 'renderBanner'] as const) {
    if (o[name] !== undefined && typeof o[name] !== 'function') throw invalidOption(`${path}.${name}`, 'must be a function');
  }
  return Object.freeze({
    texts: texts as unknown as PromptTexts,
    urls: urls as unknown as PromptUrls,
    locale,
    timeZone,
    plural,
    renderPrompt: o.renderPrompt,
    renderBanner: o.renderBanner,
    period,
  });
}

/** Which prompt a decision calls for, or `null` for a full decision. */
export function promptKind(decision: Decision): PromptKind | null {
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
  const { texts, period } = options;
  const meter = decision.meter;
  const days = { days: String(period.days) };
  let resetDate: string | null = null;
  if (meter) {
    try {
      resetDate = formatDate(meter.resetsAt, options.locale, call.timeZone ?? options.timeZone);
    } catch {
      resetDate = formatDate(meter.resetsAt, options.locale, options.timeZone); // an unknown zone from the request
    }
  }
  const values: Record<string, string> = {
    period: fill(texts.periods[period.unit], days),
    cadence: fill(texts.cadence[period.unit], days),
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
  const signIn = kind === 'sign-in' ? '' : `<p class="meterwall-signin">${e(texts.signInQuestion)} ${link(urls.signIn, texts.signInAction)}</p>`;
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
      return section(texts.upgradeHeading, `<p>${e(texts.upgradeBody)}</p><p>${link(urls.upgrade, texts.upgradeAction, 'meterwall-button')}</p>`);
    case 'unavailable':
      return section(texts.unavailableHeading, `<p>${e(texts.unavailableBody)}</p><p>${link(urls.subscribe, texts.subscribeAction, 'meterwall-button')}</p>`);
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
  call?: { readonly returnTo?: string; readonly timeZone?: string; readonly period?: Partial<PeriodDescription> },
): string {
  const resolved = resolvePromptOptions(options, { unit: 'month', days: 30, timeZone: 'UTC', ...call?.period }, 'options');
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
export function renderBanner(
  decision: Decision,
  options?: PromptOptions,
  call?: { readonly timeZone?: string; readonly period?: Partial<PeriodDescription> },
): string {
  const resolved = resolvePromptOptions(options, { unit: 'month', days: 30, timeZone: 'UTC', ...call?.period }, 'options');
  const context = promptContext(decision, resolved, call);
  return (resolved.renderBanner ?? defaultBannerMarkup)(context);
}
