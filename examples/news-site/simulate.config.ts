/**
 * Replays the example site's own access log (`npm run example -- --access-log access.log`):
 *
 *   npm run example:simulate -- access.log --set meters.anonymous.limit=3,5 --html report.html --decisions decisions.jsonl
 *
 * The options are the ones the site runs with (app.ts and server.ts); the articles are the site's.
 * Secrets, the session and the store are the simulator's own: the log says who read, and nothing
 * is signed.
 */
import { defineExperiments, defineGifts, defineRules } from 'meterwall';
import { articleFacts, EXPERIMENT, FRESH_METERS_PER_HOUR, GIFT_ALLOWANCE, GIFT_OPENS, METERS, PERIOD, REFERRALS, RULES } from './app.js';
import { ARTICLES } from './articles.js';

const bySlug = new Map(ARTICLES.map((article) => [article.slug, article]));

export default {
  options: {
    meters: METERS,
    rules: defineRules(RULES),
    period: PERIOD,
    referrals: REFERRALS,
    freshMeters: { perHour: FRESH_METERS_PER_HOUR },
    gifts: defineGifts({ allowance: { limit: GIFT_ALLOWANCE }, maxOpens: GIFT_OPENS }),
    // The desk's A/B test, when the site ran with it (`npm run example -- --experiment`):
    // NEWS_SITE_EXPERIMENT=1 npm run example:simulate -- access.log. Each reader gets the variant the log says.
    ...(process.env['NEWS_SITE_EXPERIMENT'] ? { experiments: defineExperiments([EXPERIMENT]) } : {}),
    // The site verifies search crawlers by DNS; a replay takes each verdict from the log instead.
    crawlers: { verifiers: [{ verify: () => false }] },
  },
  // Articles are /articles/<slug>; everything else (the front page, forms, images) is not one.
  article(url: URL) {
    const slug = /^\/articles\/([a-z0-9-]+)$/.exec(url.pathname)?.[1];
    const article = slug === undefined ? undefined : bySlug.get(slug);
    return article === undefined ? null : articleFacts(article);
  },
};
