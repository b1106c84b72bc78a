/**
 * Express typing: a handler that names `MeterwallLocals` reads `res.locals.meterwall` as a
 * `Decision` (not `any`), and the README's snippet runs in a real Express app. This file is
 * type-checked with the suite (`npm run typecheck`); the `@ts-expect-error` lines fail it if the
 * decision were typed `any`.
 */
import type { AddressInfo } from 'node:net';
import express, { type Response } from 'express';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { type Article, createPaywall, type Decision } from '../../src/index.js';
import { meterwall, type MeterwallLocals } from '../../src/adapters/express.js';
import { BROWSER_UA, SECRET } from '../helpers.js';

const paywall = createPaywall({ secret: SECRET });
const cms = { article: async (slug: string): Promise<Article | null> => (slug === 'tram' ? { id: 'tram' } : null) };
const page = (decision: Decision): string => `<p>${decision.access}</p>`;

describe('meterwall/express typing', () => {
  it('res.locals.meterwall is a Decision | undefined with MeterwallLocals, and the README snippet runs', async () => {
    const app = express();
    // The README's snippet, unchanged:
    app.use('/articles/:slug', meterwall(paywall, { article: (req) => cms.article(req.params['slug'] ?? '') }));
    app.get('/articles/:slug', (_req, res: Response<string, MeterwallLocals>) => {
      const decision = res.locals.meterwall;
      if (!decision) return void res.status(404).send('Not found');
      res.send(page(decision));
    });
    app.get('/types', (_req, res: Response<string, MeterwallLocals>) => {
      expectTypeOf(res.locals.meterwall).toEqualTypeOf<Decision | undefined>();
      // @ts-expect-error -- a Decision has no such field (this line compiles only if the type were `any`)
      void res.locals.meterwall?.notAField;
      // @ts-expect-error -- the decision may be missing (a page that is not an article): the types say so
      void page(res.locals.meterwall);
      res.send('ok');
    });

    const server = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const found = await fetch(`${base}/articles/tram`, { headers: { 'user-agent': BROWSER_UA } });
      expect(await found.text()).toBe('<p>full</p>');
      expect(found.headers.get('set-cookie')).toMatch(/^__Host-meterwall=/);
      const missing = await fetch(`${base}/articles/nothing`, { headers: { 'user-agent': BROWSER_UA } });
      expect(missing.status).toBe(404);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
