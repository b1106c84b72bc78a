/**
 * The prompt's and banner's options: every text, link, the locale and time zone, and the site's
 * own markup functions, validated once (URLs checked at construction).
 */
import { invalidOption } from '../errors.js';
import type { Decision, MeterPeriod } from '../types.js';
import { at, callback, isRecord, record, rejectUnknown } from '../util/schema.js';

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
   * @default the meter's time zone, or 'UTC'
   */
  readonly timeZone?: string;
  /**
   * The period `{period}` and `{cadence}` describe when a decision carries no meter (a decision's
   * meter says its own period).
   * @default { calendar: 'month', timeZone: 'UTC' }
   */
  readonly period?: MeterPeriod;
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
  readonly plural: Intl.PluralRules;
  readonly renderPrompt: PromptOptions['renderPrompt'];
  readonly renderBanner: PromptOptions['renderBanner'];
  readonly timeZone: string | undefined;
  readonly period: MeterPeriod;
}

/** A link target: a path or an absolute http(s) URL; never `javascript:`, `data:` or `//host`. */
function isLinkTarget(url: string): boolean {
  // No whitespace, control characters or backslashes (`/\\host` is another host to a browser).
  for (let i = 0; i < url.length; i++) {
    const c = url.charCodeAt(i);
    if (c <= 0x20 || c === 0x7f || c === 0x5c) return false;
  }
  if (url.startsWith('/')) return !url.startsWith('//');
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'https:' || parsed.protocol === 'http:';
  } catch {
    return false;
  }
}

/** Validates prompt options once (an `InvalidOptionError` naming the option under `path`). */
export function resolvePromptOptions(options: PromptOptions | undefined, path = 'prompt'): ResolvedPromptOptions {
  const o = record(options, path) as PromptOptions;
  rejectUnknown(
    o as Record<string, unknown>,
    path,
    ['texts', 'urls', 'locale', 'timeZone', 'period', 'renderPrompt', 'renderBanner'],
    'a prompt option',
  );
  const texts: Record<string, unknown> = { ...DEFAULT_TEXTS };
  const textsPath = at(path, 'texts');
  const givenTexts = record(o.texts, textsPath);
  rejectUnknown(givenTexts, textsPath, Object.keys(DEFAULT_TEXTS), 'a prompt text');
  for (const [key, value] of Object.entries(givenTexts)) {
    if (key === 'banner' || key === 'periods' || key === 'cadence') {
      if (!isRecord(value) || Object.values(value).some((v) => typeof v !== 'string'))
        throw invalidOption(at(textsPath, key), 'must be an object of strings');
      texts[key] = { ...(DEFAULT_TEXTS[key] as object), ...value };
    } else {
      if (typeof value !== 'string') throw invalidOption(at(textsPath, key), 'must be a string');
      texts[key] = value;
    }
  }
  const urls: Record<string, string> = { ...DEFAULT_URLS };
  const urlsPath = at(path, 'urls');
  const givenUrls = record(o.urls, urlsPath);
  rejectUnknown(givenUrls, urlsPath, Object.keys(DEFAULT_URLS), 'a prompt URL');
  for (const [key, value] of Object.entries(givenUrls)) {
    if (typeof value !== 'string' || !isLinkTarget(value.replace('{returnTo}', 'x'))) {
      throw invalidOption(at(urlsPath, key), 'must be a path starting with / or an absolute http(s) URL');
    }
    urls[key] = value;
  }
  const locale = o.locale ?? 'en-GB';
  let plural: Intl.PluralRules;
  try {
    plural = new Intl.PluralRules(locale);
  } catch {
    throw invalidOption(at(path, 'locale'), `is not a locale: ${String(locale)}`);
  }
  const timeZone = o.timeZone;
  if (timeZone !== undefined) {
    try {
      new Intl.DateTimeFormat(locale, { timeZone });
    } catch {
      throw invalidOption(at(path, 'timeZone'), `is not a time zone: ${String(timeZone)}`);
    }
  }
  return Object.freeze({
    texts: texts as unknown as PromptTexts,
    urls: urls as unknown as PromptUrls,
    locale,
    timeZone,
    period: resolvePeriod(o.period, at(path, 'period')),
    plural,
    renderPrompt: callback<NonNullable<PromptOptions['renderPrompt']>>()(o.renderPrompt, at(path, 'renderPrompt')),
    renderBanner: callback<NonNullable<PromptOptions['renderBanner']>>()(o.renderBanner, at(path, 'renderBanner')),
  });
}

const MONTH: MeterPeriod = /* @__PURE__ */ Object.freeze({ calendar: 'month', timeZone: 'UTC' });

function resolvePeriod(value: unknown, path: string): MeterPeriod {
  if (value === undefined) return MONTH;
  const period = record(value, path);
  if ('rollingDays' in period) {
    rejectUnknown(period, path, ['rollingDays'], 'an option of a rolling period');
    const days = period['rollingDays'];
    if (typeof days !== 'number' || !Number.isInteger(days) || days < 1 || days > 366)
      throw invalidOption(at(path, 'rollingDays'), 'must be an integer from 1 to 366');
    return Object.freeze({ rollingDays: days });
  }
  rejectUnknown(period, path, ['calendar', 'timeZone'], 'a period option');
  const calendar = period['calendar'];
  if (calendar !== 'day' && calendar !== 'week' && calendar !== 'month')
    throw invalidOption(at(path, 'calendar'), "must be 'day', 'week' or 'month'");
  const timeZone = period['timeZone'] ?? 'UTC';
  if (typeof timeZone !== 'string') throw invalidOption(at(path, 'timeZone'), 'must be a time zone');
  return Object.freeze({ calendar, timeZone });
}
