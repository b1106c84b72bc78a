/**
 * The Next.js example's paywall, shared by the proxy and the article page. Made on first use, not
 * at import: `next build` imports both to collect their configuration, where the secrets may not
 * be set; a missing secret then fails on the first request, with `createPaywall`'s own error.
 */
import { Redis } from '@upstash/redis';
import { createPaywall, type MeterStore, type Paywall } from 'meterwall';
import { createUpstashStore } from 'meterwall/upstash';
import { paywallOptions } from '../shared/stories';

let paywall: Paywall | undefined;

/**
 * With UPSTASH_REDIS_REST_URL and UPSTASH_REDIS_REST_TOKEN (Upstash, or Vercel KV's KV_REST_API_*),
 * the meters are kept in Redis over HTTP, which every instance (and every edge region) shares;
 * without them, in this instance's memory.
 */
function store(): MeterStore | undefined {
  const url = process.env['UPSTASH_REDIS_REST_URL'] ?? process.env['KV_REST_API_URL'];
  const token = process.env['UPSTASH_REDIS_REST_TOKEN'] ?? process.env['KV_REST_API_TOKEN'];
  if (!url || !token) return undefined;
  return createUpstashStore(new Redis({ url, token, retry: { retries: 1 } }));
}

export function getPaywall(): Paywall {
  const shared = store();
  paywall ??= createPaywall({
    ...paywallOptions({ meterSecret: process.env['METERWALL_SECRET'] ?? '', sessionSecret: process.env['SESSION_SECRET'] ?? '' }),
    ...(shared ? { store: shared } : {}),
  });
  return paywall;
}
