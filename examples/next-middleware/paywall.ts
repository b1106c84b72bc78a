/** The Next.js example's paywall, shared by the middleware and the route. */
import { createPaywall } from 'meterwall';
import { paywallOptions } from '../shared/stories.js';

export const paywall = createPaywall(
  paywallOptions({ meterSecret: process.env['METERWALL_SECRET'] ?? '', sessionSecret: process.env['SESSION_SECRET'] ?? '' }),
);
