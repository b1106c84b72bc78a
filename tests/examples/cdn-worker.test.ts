/**
 * The example site behind the Cache API Worker (examples/cloudflare-cache) in workerd through
 * Miniflare: the Worker bundled as Wrangler bundles it, deciding at the edge by the site's policy
 * with its meters on real Durable Objects, pages kept in workerd's cache per article and variant,
 * the origin a real Node server (the example in CDN mode). Readers go through Miniflare's own
 * HTTP port, as a browser would. The suite is cdn-suite.ts's, as behind Varnish.
 */
import { Miniflare } from 'miniflare';
import { describe } from 'vitest';
import { bundleWorker } from '../helpers-bundle.js';
import { edgeSuite, METER_SECRET, SESSION_SECRET } from './cdn-suite.js';

describe('the example site behind a Worker with the Cache API (workerd)', () => {
  edgeSuite(async (origin) => {
    const mf = new Miniflare({
      modules: true,
      script: await bundleWorker({ path: 'examples/cloudflare-cache/worker.ts' }),
      compatibilityDate: '2025-09-01',
      bindings: {
        ORIGIN: origin.url,
        METERWALL_SECRET: METER_SECRET,
        SESSION_SECRET,
        // The site's published crawler ranges: loopback stands for Googlebot's here.
        CRAWLER_RANGES: JSON.stringify({ googlebot: ['127.0.0.0/16'] }),
      },
      durableObjects: { METERWALL: 'MeterwallStoreObject' },
    });
    return { url: new URL(await mf.ready).origin, stop: () => mf.dispose() };
  });
});
