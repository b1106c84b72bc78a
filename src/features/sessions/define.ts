/** `defineSession`: the site's session token, validated when the site defines it, so a paywall without one ships no jose. */
import { plugSession, type ReaderEnvironment } from '../../contracts/features.js';
import { invalidOption } from '../../errors.js';
import { resolveSession } from '../../options/session-options.js';
import type { SessionOptions, SessionSet } from '../../types.js';
import { sessionReaders } from './readers.js';

/**
 * The site's session token, verified with jose, for `createPaywall({ session })`: where it is
 * read (a cookie, `Authorization: Bearer`), the key (a secret, a public key or a JWKS URL), the
 * pinned algorithms, issuer and audience, and how claims map to a reader. Throws an
 * `InvalidOptionError` naming the option on any mistake.
 *
 * @example
 * ```ts
 * import { createPaywall, defineSession } from 'meterwall';
 * const session = defineSession({
 *   cookie: 'session',
 *   key: { jwksUrl: 'https://id.news.example/.well-known/jwks.json' },
 *   algorithms: ['RS256'],
 *   claims: (payload) => ({ status: payload['plan'] ? 'subscriber' : 'registered', id: String(payload.sub) }),
 * });
 * const paywall = createPaywall({ secret, session });
 * ```
 */
export function defineSession(options: SessionOptions): SessionSet {
  const settings = resolveSession(options);
  if (settings === undefined) throw invalidOption('session', 'must be an object');
  return plugSession(
    Object.freeze({ cookie: settings.cookie, bearer: settings.bearer }),
    Object.freeze({ settings, readers: (environment: ReaderEnvironment) => sessionReaders(settings, environment) }),
  );
}
