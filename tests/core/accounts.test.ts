import { decodeJwt } from 'jose';
import { describe, expect, it } from 'vitest';
import {
  createMemoryStore,
  createPaywall,
  type MeterStore,
  type PaywallEvent,
  type PaywallOptions,
  type ReaderInput,
} from '../../src/index.js';
import { SECRET, articleRequest, createReader, fakeClock } from '../helpers.js';

/** A paywall whose reader the test switches, like a browser signing in and out. */
function setup(extra: Partial<PaywallOptions> = {}) {
  const clock = fakeClock('2026-11-10T09:00:00Z');
  const events: PaywallEvent[] = [];
  let who: ReaderInput | null = null;
  const paywall = createPaywall({
    secret: SECRET,
    now: clock.now,
    resolveReader: () => who,
    onEvent: (e) => events.push(e),
    ...extra,
  });
  return {
    paywall,
    events,
    clock,
    browser: createReader(paywall),
    signIn: (id = 'acct-1') => {
      who = { status: 'registered', id };
    },
    signOut: () => {
      who = null;
    },
  };
}

describe('merge on sign-in', () => {
  it('articles read anonymously this period are merged into the account once, without double counting', async () => {
    const { browser, signIn, events } = setup();
    await browser.open('a');
    await browser.open('b');
    signIn();
    const first = await browser.open('c');
    expect(first).toMatchObject({ access: 'full', reason: 'metered', meter: { used: 3, limit: 10, source: 'store' } });
    expect(events.filter((e) => e.type === 'meter-merged')).toEqual([expect.objectContaining({ merged: 2 })]);
    // Articles read anonymously are already read on the account.
    expect(await browser.open('a')).toMatchObject({ reason: 'already-read', meter: { used: 3 } });
    // The anonymous cookie was replaced by one marked as merged: nothing merges twice.
    expect(decodeJwt(browser.token as string)['m']).toBe(1);
    await browser.open('d');
    expect(events.filter((e) => e.type === 'meter-merged')).toHaveLength(1);
    expect((await browser.open('e')).meter?.used).toBe(5);
  });

  it('an article already on the account is not counted twice', async () => {
    const { paywall, browser: laptop, signIn, signOut, events } = setup();
    const phone = createReader(paywall);
    signIn();
    await phone.open('a'); // read on the account, on the phone
    signOut();
    await laptop.open('a'); // and anonymously on the laptop
    await laptop.open('b');
    signIn();
    expect((await laptop.open('c')).meter?.used).toBe(3); // a, b, c: a once
    expect(events.find((e) => e.type === 'meter-merged')).toMatchObject({ merged: 1 });
  });

  it('is capped at the account limit', async () => {
    const { paywall, browser: laptop, signIn, signOut, events } = setup({ meters: { anonymous: { limit: 3 }, registered: { limit: 3 } } });
    const phone = createReader(paywall);
    signIn();
    for (const id of ['a', 'b']) await phone.open(id); // two on the account, on the phone
    signOut();
    for (const id of ['c', 'd', 'e']) await laptop.open(id); // three anonymously on the laptop
    signIn();
    const d = await laptop.open('f');
    expect(d).toMatchObject({ access: 'teaser', reason: 'meter-exhausted', meter: { used: 3, limit: 3 } });
    expect(events.find((e) => e.type === 'meter-merged')).toMatchObject({ merged: 1 });
  });

  it('signing out returns to the anonymous meter: it is kept, not emptied, and asks to sign in again', async () => {
    const { browser, signIn, signOut } = setup();
    for (const id of ['a', 'b', 'c']) await browser.open(id);
    signIn();
    await browser.open('d');
    signOut();
    expect(await browser.open('e')).toMatchObject({ access: 'prompt', reason: 'signed-out', meter: { used: 3 } });
    expect((await browser.open('a')).reason).toBe('already-read');
  });
});

describe('rollback protection', () => {
  it('an older cookie with room left is counted on top of what the store knows, and the replay is reported', async () => {
    const { browser, events } = setup();
    await browser.open('a');
    const older = browser.token; // one view spent
    await browser.open('b');
    browser.token = older;
    const replayed = await browser.open('c');
    expect(replayed).toMatchObject({ access: 'full', reason: 'metered', counted: true, meter: { used: 3, remaining: 0 } });
    expect(events.filter((e) => e.type === 'rollback-detected')).toEqual([{ type: 'rollback-detected', presented: 1, known: 2 }]);
    expect(await browser.open('d')).toMatchObject({ access: 'prompt', reason: 'register-to-continue' });
  });

  it('a request without a cookie never writes to the store, so a flood of them cannot evict real readers’ claims', async () => {
    const memory = createMemoryStore({ max: 4 });
    let claims = 0;
    const counting: MeterStore = {
      ...memory,
      claimView: (...args) => {
        claims++;
        return memory.claimView?.(...args) as never;
      },
    };
    const { paywall, browser, events } = setup({ store: counting });
    await browser.open('a');
    const older = browser.token; // one view spent: not claimed (nothing older can be replayed)
    await browser.open('b'); // claimed: the store knows 2
    expect(claims).toBe(1);
    for (let i = 0; i < 50; i++) await paywall.decide(articleRequest(), { id: `flood-${i}` });
    expect(claims).toBe(1);
    browser.token = older;
    expect(await browser.open('c')).toMatchObject({ reason: 'metered', meter: { used: 3 } });
    expect(events.filter((e) => e.type === 'rollback-detected')).toEqual([{ type: 'rollback-detected', presented: 1, known: 2 }]);
  });

  it('replaying an older meter cookie does not bring views back', async () => {
    const { browser, events } = setup();
    await browser.open('a');
    const older = browser.token; // one view spent
    await browser.open('b');
    await browser.open('c');
    browser.token = older;
    const replayed = await browser.open('d');
    expect(replayed).toMatchObject({ access: 'prompt', reason: 'register-to-continue', counted: false });
    expect(events.find((e) => e.type === 'rollback-detected')).toEqual({ type: 'rollback-detected', presented: 1, known: 3 });
    // The article in the replayed cookie is still recognised.
    expect((await browser.open('a')).reason).toBe('already-read');
  });

  it('a replay under the limit counts from the highest known count', async () => {
    const { browser } = setup({ meters: { anonymous: { limit: 5 }, registered: { limit: 10 } } });
    await browser.open('a');
    const older = browser.token;
    await browser.open('b');
    await browser.open('c');
    browser.token = older;
    expect((await browser.open('d')).meter).toMatchObject({ used: 4, remaining: 1 });
  });

  it('starts again in a new period', async () => {
    const { browser, clock } = setup();
    for (const id of ['a', 'b', 'c']) await browser.open(id);
    clock.set('2026-12-01T00:00:00Z');
    expect((await browser.open('d')).reason).toBe('metered');
  });

  it('without a store that keeps counts (claimView), a replay works: a documented limitation', async () => {
    const memory = createMemoryStore();
    const plain: MeterStore = { peek: memory.peek, record: memory.record };
    const { browser } = setup({ store: plain });
    await browser.open('a');
    const older = browser.token;
    await browser.open('b');
    await browser.open('c');
    browser.token = older;
    expect((await browser.open('d')).reason).toBe('metered');
  });

  it('a store failure during the check follows the failure policy', async () => {
    const memory = createMemoryStore();
    const failing: MeterStore = { ...memory, claimView: () => Promise.reject(new Error('down')) };
    // A meter minted by the request itself has nothing to claim (no older cookie of it exists):
    // its first view never asks the store. The second one does.
    const open = setup({ store: failing });
    expect(await open.browser.open('a')).toMatchObject({ access: 'full', reason: 'metered' });
    expect(await open.browser.open('b')).toMatchObject({ access: 'full', reason: 'metered' });
    const closed = setup({ store: failing, failure: { mode: 'closed' } });
    expect(await closed.browser.open('a')).toMatchObject({ access: 'full', reason: 'metered' });
    expect(await closed.browser.open('b')).toMatchObject({ access: 'prompt', reason: 'store-unavailable', counted: false });
  });
});
