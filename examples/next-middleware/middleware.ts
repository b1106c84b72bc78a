/** Next.js middleware: decides at the edge, sets the meter cookie, hands the page a signed variant. */
import { paywallMiddleware } from 'meterwall/next';
import { STORIES } from '../shared/stories.js';
import { paywall } from './paywall.js';

export const middleware = paywallMiddleware(paywall, {
  article: (request) => STORIES[request.nextUrl.pathname.split('/').pop() ?? ''],
});

export const config = { matcher: '/articles/:slug*' };
