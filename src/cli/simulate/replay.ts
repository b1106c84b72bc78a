/**
 * The simulator's paywall: the very engine `decide()` runs (rules, policy, meters, store claims,
 * page-view detection), with the cryptography taken out. A meter "token" is a handle to the
 * meter state kept in memory, and article and account ids are interned instead of hashed, so a
 * replay of a million log lines works on meter state alone. One per candidate configuration,
 * each with its own memory store and its own clock, which follows the log.
 */
import type { ResolvedReader } from '../../contracts/features.js';
import { resolveFeatures } from '../../contracts/resolve.js';
import { EngineContext } from '../../core/decide/context.js';
import { Engine } from '../../core/decide/stages.js';
import { writeDecisionHeaders } from '../../core/decide/headers.js';
import type { IdHasher } from '../../core/hashing.js';
import type { Keyring } from '../../core/keys.js';
import type { MeterState, MeterTokens, TokenReadResult } from '../../core/meter-token.js';
import { engineSettings } from '../../core/paywall.js';
import { resolveOptions } from '../../options/paywall-options.js';
import { createMemoryStore } from '../../stores/memory.js';
import type { Article, Decision, PaywallOptions, Reader, RequestLike } from '../../types.js';
import { isPromiseLike, type MaybePromise } from '../../util/maybe-async.js';

/** A secret for option validation only: nothing is ever signed with it. */
const PLACEHOLDER_SECRET = 'meterwall-simulation-placeholder-secret';
const KID = 'sim';

/** Meter "tokens" that are handles to states kept here: no signing, no verifying. */
class MeterHandles implements MeterTokens {
  readonly #states = new Map<string, { state: MeterState; expiresAt: number }>();
  #next = 0;

  read(handle: string, now: number): TokenReadResult {
    const entry = this.#states.get(handle);
    if (entry === undefined) return { ok: false, reason: 'malformed' };
    if (entry.expiresAt <= now) return { ok: false, reason: 'expired' };
    return { ok: true, token: { state: entry.state, kid: KID, expiresAt: entry.expiresAt } };
  }

  sign(state: MeterState, _now: number, expiresAt: number): string {
    const handle = (this.#next++).toString(36);
    this.#states.set(handle, { state, expiresAt });
    return handle;
  }

  /** Drops a handle no reader holds any more (the memory stays bounded by the readers). */
  forget(handle: string): void {
    this.#states.delete(handle);
  }
}

/** Ids interned to short distinct strings of the lengths the real hashes have. */
function internedIds(): IdHasher {
  const articles = new Map<string, string>();
  const accounts = new Map<string, string>();
  const intern = (map: Map<string, string>, id: string, length: number, mixed: boolean): string => {
    let value = map.get(id);
    if (value === undefined) {
      // Distinct by the count; an account's starts with a well-mixed prefix (A/B buckets read it).
      const count = map.size.toString(36);
      if (!mixed) value = count.padStart(length, '0');
      else {
        let h = 0x811c9dc5;
        for (let i = 0; i < id.length; i++) h = Math.imul(h ^ id.charCodeAt(i), 0x01000193) >>> 0;
        value = `${h.toString(36).padStart(7, '0')}${count.padStart(length - 7, '0')}`;
      }
      map.set(id, value);
    }
    return value;
  };
  return {
    article: (_kid, id) => intern(articles, id, 8, false),
    account: (id) => intern(accounts, id, 22, true),
    giver: (id) => intern(accounts, `giver\u0000${id}`, 22, true),
  };
}

/** Who is reading, as the log says. */
export interface SimulatedReader {
  /** The key the log tells readers apart by (a cookie id, an account, address and user agent). */
  readonly key: string;
  readonly reader: Reader;
}

/** A request from the log, as the engine sees it. */
export interface SimulatedRequest {
  readonly method: string;
  readonly url: string;
  readonly userAgent: string | null;
  readonly referer: string | null;
  /** The client's address, as the log has it. */
  readonly ip: string | null;
}

/** One candidate configuration's paywall, replaying a log in order. */
export interface Replayer {
  /** Decides `request` for `reader` at `time` (ms), as the live paywall would have; keeps the reader's meter. */
  decide(time: number, reader: SimulatedReader, request: SimulatedRequest, article: Article): MaybePromise<Decision>;
}

/** Creates a replayer for `options` (the site's paywall options; `secret`, `store`, `now`, readers and events are the simulator's). */
export function createReplayer(options: Partial<PaywallOptions>): Replayer {
  let now = 0;
  const clock = () => now;
  let current: ResolvedReader = { reader: { status: 'anonymous', entitlements: [] }, note: 'simulated' };
  // The log says who read (no session to verify); crawler verification is not replayed (no DNS
  // lookups offline: a crawler's user agent is an automated client, never counted).
  // Gift links are not replayed either (a gift's opens are not in the log).
  const {
    session: _session,
    resolveReader: _resolve,
    onEvent: _events,
    store: _store,
    now: _now,
    crawlers: _crawlers,
    gifts: _gifts,
    ...site
  } = options;
  const replayed: PaywallOptions = {
    ...site,
    secret: PLACEHOLDER_SECRET,
    store: createMemoryStore({ now: clock, max: 10_000_000 }),
    now: clock,
  };
  const resolved = resolveOptions(replayed);
  const settings = engineSettings(resolved, resolveFeatures(replayed, resolved));
  const keyring = {
    signing: { kid: KID, key: { type: 'secret' } },
    verify: new Map(),
    hashing: new Map([[KID, { type: 'secret' }]]),
  } as Keyring;
  const handles = new MeterHandles();
  const ctx = new EngineContext(
    { ...settings, onEvent: undefined },
    resolved.store as NonNullable<typeof resolved.store>,
    keyring,
    handles,
    internedIds(),
  );
  const engine = new Engine(ctx, () => current);
  const cookieName = resolved.cookie.name;
  const cookies = new Map<string, string>();
  let written: string | null = null;
  const sink = {
    get: () => null,
    set() {},
    append(name: string, value: string) {
      if (name === 'Set-Cookie') written = value;
    },
  };

  return {
    decide(time, who, request, article) {
      now = time;
      current = { reader: who.reader, note: 'from the log' };
      const cookie = cookies.get(who.key);
      const headers = { get: (name: string): string | null => headerOf(name, cookie, cookieName, request) };
      // The path and query only: a log's scheme and host are the server's view, and a plain-http
      // one would set off the live paywall's warning about Secure cookies (core/decide/plain-http.ts).
      const req: RequestLike = { method: request.method, url: request.url.replace(/^[a-z][a-z\d+.-]*:\/\/[^/?#]*/i, '') || '/', headers };
      const keep = (decision: Decision): Decision => {
        written = null;
        writeDecisionHeaders(sink, decision);
        if (written !== null) {
          const value = (written as string).slice(cookieName.length + 1, (written as string).indexOf(';'));
          if (cookie !== undefined && cookie !== value) handles.forget(cookie);
          cookies.set(who.key, value);
        }
        return decision;
      };
      const decision = engine.decide(req, article, request.ip === null ? undefined : { ip: request.ip });
      return isPromiseLike(decision) ? Promise.resolve(decision).then(keep) : keep(decision);
    },
  };
}

function headerOf(name: string, cookie: string | undefined, cookieName: string, request: SimulatedRequest): string | null {
  switch (name) {
    case 'cookie':
      return cookie === undefined ? null : `${cookieName}=${cookie}`;
    case 'user-agent':
      return request.userAgent;
    case 'referer':
      return request.referer;
    default:
      return null;
  }
}
