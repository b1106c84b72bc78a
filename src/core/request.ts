/** What meterwall reads from a request besides cookies: whether it may spend a view. */
import type { RequestLike } from '../types.js';

/** Why a request may not spend a view, or `null` when it may. */
export type UncountedCause = 'head' | 'method' | 'prefetch' | 'prerender' | null;

const PREFETCH = /\bprefetch\b/i;
const PRERENDER = /\bprerender\b/i;
const SPECULATIVE = /\b(?:prefetch|prerender|preview)\b/i;
const LEGACY_PURPOSE = ['purpose', 'x-purpose', 'x-moz'] as const;

/**
 * Tells whether a request is a real reader's page view. Only `GET` counts: `HEAD` and other
 * methods, and speculative loads (`Sec-Purpose: prefetch` or `prefetch;prerender`, `Purpose`,
 * `X-Purpose: preview`, `X-Moz: prefetch`) never spend a view.
 */
export function uncountedCause(request: RequestLike): UncountedCause {
  const method = request.method;
  if (method !== 'GET' && method !== 'get') return method === 'HEAD' || method === 'head' ? 'head' : 'method';
  const headers = request.headers;
  const secPurpose = headers.get('sec-purpose');
  if (secPurpose !== null) {
    if (PRERENDER.test(secPurpose)) return 'prerender';
    if (PREFETCH.test(secPurpose)) return 'prefetch';
  }
  for (const name of LEGACY_PURPOSE) {
    const purpose = headers.get(name);
    if (purpose !== null && SPECULATIVE.test(purpose)) return 'prefetch';
  }
  return null;
}
