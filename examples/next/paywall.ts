/**
 * The Next.js example's paywall, shared by the proxy and the article page. Made on first use, not
 * at import: `next build` imports both to collect their configuration, where the secrets may not
 * be set; a missing secret then fails on the first request, with `createPaywall`'s own error.
 */
import { createPaywall, type Paywall } from 'meterwall';
import { paywallOptions } from '../shared/stories';

let paywall: Paywall | undefined;

export function getPaywall(): Paywall {
  paywall ??= createPaywall(
    paywallOptions({ meterSecret: process.env['METERWALL_SECRET'] ?? '', sessionSecret: process.env['SESSION_SECRET'] ?? '' }),
  );
  return paywall;
}
