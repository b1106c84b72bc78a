/**
 * The Next.js proxy (Next 16's name for middleware): decides for article pages, sets the meter
 * cookie, hands the page a signed variant. On Next 15 or earlier the same file is
 * `middleware.ts` with the export named `middleware` (the suite builds it both ways).
 */
import { meterwall } from 'meterwall/next';
import { STORIES } from '../shared/stories';
import { getPaywall } from './paywall';

export const proxy = meterwall(getPaywall, {
  // Real articles only: an unknown slug passes through to the 404 page, spending nothing.
  article: (request) => STORIES[request.nextUrl.pathname.split('/').pop() ?? ''] ?? null,
});

export const config = {
  matcher: [
    {
      source: '/articles/:slug*',
      // Next removes its prefetch headers before a proxy sees the request, so there a `<Link>`
      // prefetch looks like a click; the matcher still sees them. Keep prefetches out here: they
      // never reach the proxy (which would answer them with nothing and spend nothing anyway).
      missing: [
        { type: 'header', key: 'next-router-prefetch' },
        { type: 'header', key: 'purpose', value: 'prefetch' },
      ],
    },
  ],
};
