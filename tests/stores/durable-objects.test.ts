/**
 * `meterwall/durable-objects` in workerd through Miniflare: the example Worker
 * (examples/worker-durable-objects) bundled as Wrangler bundles it and run as two Worker
 * instances that bind one Durable Object namespace, and the store contract run from here through
 * a third Worker that hands each operation to the store (the objects' state is real workerd
 * storage; nothing is simulated in Node).
 */
import { Miniflare } from 'miniflare';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPaywall, type MeterStore } from '../../src/index.js';
import { createDurableObjectStore, MeterwallStoreObject } from '../../src/stores/durable-objects.js';
import { bundleWorker } from '../helpers-bundle.js';
import { remoteStore } from '../helpers-remote-store.js';
import { articleRequest, BROWSER_UA } from '../helpers.js';
import { replayScenarios } from '../replay-scenarios.js';
import { storeContract } from './contract.js';
import { giftContract } from './gift-contract.js';

const SECRET = 'durable-objects-secret-0123456789-abcdef';

/** The store's operations, as a Worker that hands them to the store (the contract runs from Node through it). */
const PROXY = `
import { createDurableObjectStore } from 'meterwall/durable-objects';
export default {
  async fetch(request, env) {
    const { prefix, method, args } = await request.json();
    const store = createDurableObjectStore(env.METERWALL, { prefix });
    return Response.json({ result: await store[method](...args) });
  },
};`;

describe('the Durable Objects store in workerd (Miniflare)', () => {
  let mf: Miniflare;

  beforeAll(async () => {
    const site = await bundleWorker({ path: 'examples/worker-durable-objects/worker.ts' });
    const proxy = await bundleWorker({ contents: PROXY });
    mf = new Miniflare({
      workers: [
        // The example Worker, the class's home.
        {
          name: 'site',
          modules: true,
          script: site,
          compatibilityDate: '2025-09-01',
          bindings: { METERWALL_SECRET: SECRET },
          durableObjects: { METERWALL: 'MeterwallStoreObject' },
        },
        // A second instance of it, binding the same namespace.
        {
          name: 'site-2',
          modules: true,
          script: site,
          compatibilityDate: '2025-09-01',
          bindings: { METERWALL_SECRET: SECRET },
          durableObjects: { METERWALL: { className: 'MeterwallStoreObject', scriptName: 'site' } },
        },
        {
          name: 'proxy',
          modules: true,
          script: proxy,
          compatibilityDate: '2025-09-01',
          durableObjects: { METERWALL: { className: 'MeterwallStoreObject', scriptName: 'site' } },
        },
      ],
    });
    await mf.ready;
  }, 60_000);
  afterAll(async () => {
    await mf?.dispose();
  });

  /** One named Worker's `fetch` (Miniflare types it with workerd's own Request and Response). */
  type Fetch = (url: string, init?: { method?: string; body?: string; headers?: Record<string, string> }) => Promise<Response>;
  const worker = async (name: string): Promise<{ fetch: Fetch }> => (await mf.getWorker(name)) as unknown as { fetch: Fetch };

  let run = 0;
  /** The store in workerd, reached from Node through the proxy Worker. */
  const remote = (prefix: string): MeterStore =>
    remoteStore(prefix, async (body) => (await worker('proxy')).fetch('https://proxy.test/', { method: 'POST', body }));

  describe('the store contract', () => {
    storeContract(async () => ({ store: remote(`contract${++run}:`), key: (name) => name }));
    giftContract(async () => {
      const prefix = `gifts${++run}:`;
      return [remote(prefix), remote(prefix)] as const;
    });
  });

  describe('replay attacks', () => {
    replayScenarios(async () => remote(`replay${++run}:`));
  });

  it('a meter cookie replayed 200 times at once on two Worker instances opens exactly what is left of the limit', async () => {
    const [one, two] = [await worker('site'), await worker('site-2')];
    const headers = { 'user-agent': BROWSER_UA, 'sec-fetch-dest': 'document', 'sec-fetch-mode': 'navigate' };
    const first = await one.fetch('https://news.example/articles/first', { headers });
    expect(first.status).toBe(200);
    expect(await first.text()).toContain('The whole article');
    const cookie = (first.headers.getSetCookie()[0] ?? '').split(';')[0] as string;
    expect(cookie).toMatch(/^__Host-meterwall=/);
    // The same cookie (one view spent of three), 200 different articles, both instances at once.
    const pages = await Promise.all(
      Array.from({ length: 200 }, async (_, i) => {
        const response = await (i % 2 ? one : two).fetch(`https://news.example/articles/story-${i}`, { headers: { ...headers, cookie } });
        return response.text();
      }),
    );
    expect(pages.filter((p) => p.includes('The whole article'))).toHaveLength(2);
    expect(pages.filter((p) => p.includes('You have read your free articles'))).toHaveLength(198);
  }, 60_000);

  it('the reader journey: three reads, the wall; the spent cookie, and an older one, replayed on the other instance stay walled', async () => {
    const [one, two] = [await worker('site'), await worker('site-2')];
    const headers = { 'user-agent': BROWSER_UA, 'sec-fetch-dest': 'document', 'sec-fetch-mode': 'navigate' };
    let cookie = '';
    const cookies: string[] = [];
    const read = async (on: { fetch: Fetch }, slug: string, presented = cookie): Promise<string> => {
      const response = await on.fetch(`https://news.example/articles/${slug}`, {
        headers: presented ? { ...headers, cookie: presented } : headers,
      });
      const set = response.headers.getSetCookie()[0];
      if (set !== undefined && presented === cookie) cookie = set.split(';')[0] as string;
      return response.text();
    };
    for (const slug of ['journey-1', 'journey-2', 'journey-3']) {
      expect(await read(one, slug)).toContain('The whole article');
      cookies.push(cookie);
    }
    expect(await read(one, 'journey-4')).toContain('You have read your free articles');
    // The spent cookie on the other instance: walled. The cookie from after the first read (two
    // views left by its own count): the store knows three were claimed, so walled too.
    expect(await read(two, 'journey-5', cookie)).toContain('You have read your free articles');
    expect(await read(two, 'journey-6', cookies[0])).toContain('You have read your free articles');
    // A page already read stays open to its reader.
    expect(await read(two, 'journey-2', cookie)).toContain('The whole article');
  });

  it('an object that fails or answers too late: the failure policy answers, in either mode', async () => {
    const failing = {
      idFromName: (name: string) => name,
      get: () => ({ fetch: async () => Promise.reject(new Error('Durable Object reset')) }),
    };
    const late = {
      idFromName: (name: string) => name,
      get: () => ({ fetch: () => new Promise<Response>((resolve) => setTimeout(() => resolve(Response.json({ result: null })), 2_000)) }),
    };
    for (const namespace of [failing, late])
      for (const mode of ['open', 'closed'] as const) {
        const paywall = createPaywall({
          secret: SECRET,
          store: createDurableObjectStore(namespace),
          resolveReader: () => ({ status: 'registered', id: 'reader@example.com' }),
          failure: { mode, timeoutMs: 100 },
        });
        const decision = await paywall.decide(articleRequest(), { id: 'a' });
        if (mode === 'open') expect(decision).toMatchObject({ access: 'full', meter: { source: 'cookie' } });
        else expect(decision).toMatchObject({ access: 'prompt', reason: 'store-unavailable', counted: false });
      }
  });

  it('refuses something that is not a namespace binding; the class is exported for wrangler to bind', () => {
    expect(() => createDurableObjectStore({} as never)).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_OPTION', option: 'namespace' }),
    );
    expect(typeof MeterwallStoreObject).toBe('function');
  });
});
