/** The Next.js example's paywall, shared by the middleware and the article page. */
import { createPaywall } from 'meterwall';
import { paywallOptions } from '../shared/stories';

export const paywall = createPaywall(
  paywallOptions({ meterSecret: process.env['METERWALL_SECRET'] ?? '', sessionSecret: process.env['SESSION_SECRET'] ?? '' }),
);
