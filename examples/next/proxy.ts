/** Next.js middleware: decides for article pages, sets the meter cookie, hands the page a signed variant. */
import { paywallMiddleware } from 'meterwall/next';
import { STORIES } from '../shared/stories';
import { paywall } from './paywall';

export const middleware = paywallMiddleware(paywall, {
  article: (request) => STORIES[request.nextUrl.pathname.split('/').pop() ?? ''] ?? null,
});

export const config = {
  matcher: [
    {
      source: '/articles/:slug*',
      // Next removes its prefetch headers before a middleware sees the request, so a `<Link>`
      // prefetch looks like a click. Keep prefetches out here: they never reach the paywall,
      // never spend a view, and the page renders the teaser for them.
      missing: [
        { type: 'header', key: 'next-router-prefetch' },
        { type: 'header', key: 'purpose', value: 'prefetch' },
      ],
    },
  ],
};
