/**
 * `meterwall inspect --account <id> --redis <url>`: a registered reader's meter, read where it
 * lives: in the store, under the account's keyed hash, one key per meter and period (the cookie
 * holds only the browser's anonymous views, and whether an account signed in on it). Read with
 * the store's own `peek`, never written.
 */
import { DEFAULT_METER } from '../options/rules-options.js';
import { meterSuffix } from '../core/decide/store-claims.js';
import { createIdHasher } from '../core/hashing.js';
import { importKeyring } from '../core/keys.js';
import { windowAt } from '../core/meter.js';
import { engineSettings } from '../core/paywall.js';
import { resolveOptions } from '../options/paywall-options.js';
import type { MeterStore, PaywallOptions } from '../types.js';

/** A registered reader's meters as the store holds them. */
export interface AccountReport {
  /** The store key of the site's meter (after the store's own prefix). */
  readonly key: string;
  readonly meters: ReadonlyArray<{ readonly meter: string; readonly used: number; readonly limit: number | null }>;
  readonly articles: ReadonlyArray<{ readonly id: string; readonly read: boolean }>;
}

export interface AccountInput {
  /** The account id, as the site gives it to meterwall (`reader.id`). */
  readonly account: string;
  readonly secrets: readonly string[];
  /** The site's paywall options (limits, period, named meters), from the simulate config. */
  readonly options: Partial<PaywallOptions>;
  readonly store: MeterStore;
  readonly articles: readonly string[];
  readonly now: number;
}

/** Reads the account's meters from the store. */
export async function inspectAccount(input: AccountInput): Promise<AccountReport> {
  const { store: _store, now: _now, ...site } = input.options;
  const resolved = resolveOptions({ ...site, secret: input.secrets });
  const settings = engineSettings(resolved);
  const keyring = await importKeyring(resolved.secrets);
  const hasher = createIdHasher(keyring, 16);
  const account = await hasher.account(input.account);
  const meters: Array<{ meter: string; used: number; limit: number | null; key: string; since: number }> = [];
  const add = (meter: string, limit: number | null, period = settings.period) => {
    const window = windowAt(period, input.now);
    const key = `${window.period === null ? 'r' : window.period.toString(36)}:${account}${meterSuffix(meter)}`;
    meters.push({ meter, used: 0, limit, key, since: window.since });
  };
  add(DEFAULT_METER, resolved.registeredLimit);
  for (const [name, meter] of resolved.namedMeters) add(name, meter.registered, settings.namedPeriods.get(name));
  // The count: a peek with an article no meter holds.
  for (const m of meters) m.used = (await input.store.peek(m.key, '~', { since: m.since })).used;
  const articles = [];
  for (const id of input.articles) {
    const hash = await hasher.article(keyring.signing.kid, id);
    let read = false;
    for (const m of meters) if ((await input.store.peek(m.key, hash, { since: m.since })).read) read = true;
    articles.push({ id, read });
  }
  return {
    key: (meters[0] as (typeof meters)[number]).key,
    meters: meters.map(({ meter, used, limit }) => ({ meter, used, limit })),
    articles,
  };
}
