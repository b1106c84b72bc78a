import { decodeJwt } from 'jose';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decideNode, toRequestLike } from '../../src/adapters/node.js';
import { createPaywall, type Decision } from '../../src/index.js';
import { SECRET, browserFetch } from '../helpers.js';

const FULL = '<p>First.</p><p>Second.</p><p>HELD-BACK paragraph.</p>';
const CUT = '<p>First.</p><p>Second.</p>';

let server: Server;
let base: string;
const decisions: Decision[] = [];

beforeAll(async () => {
  const paywall = createPaywall({
    secret: SECRET,
    resolveReader: (request) => (request.headers.get('x-test-subscriber') === '1' ? { status: 'subscriber', id: 's1' } : null),
  });
  server = createServer(async (req, res) => {
    res.setHeader('Set-Cookie', 'site_session=abc; Path=/; HttpOnly');
    const id = (req.url ?? '/').split('/').pop() ?? '';
    const decision = await decideNode(paywall, req, res, { id });
    decisions.push(decision);
    res.setHeader('Content-Type', 'text/html; charset=utf-8');
    res.end(decision.access === 'full' ? FULL : CUT);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

async function get(path: string, cookie: string | null, headers: Record<string, string> = {}, method = 'GET') {
  const response = await browserFetch(base + path, { method, headers: cookie ? { ...headers, cookie } : headers });
  const meter = response.headers.getSetCookie().find((c) => c.startsWith('__Host-meterwall='));
  return { response, body: await response.text(), meter, next: meter ? (meter.split(';')[0] as string) : cookie };
}

describe('decideNode on a real node:http server', () => {
  it('serves an anonymous reader three articles, then the cut text, with the right headers', async () => {
    let cookie: string | null = null;
    for (const id of ['a', 'b', 'c']) {
      const r = await get(`/articles/${id}`, cookie);
      expect(r.body).toBe(FULL);
      expect(r.meter).toMatch(/HttpOnly; Secure; SameSite=Lax$/);
      expect(r.response.headers.get('cache-control')).toBe('private, no-store');
      expect(r.response.headers.get('vary')).toBe('Cookie');
      // The site's own cookie is kept beside the meter cookie.
      expect(r.response.headers.getSetCookie()).toContain('site_session=abc; Path=/; HttpOnly');
      cookie = r.next;
    }
    const wall = await get('/articles/d', cookie);
    expect(wall.body).toBe(CUT);
    expect(wall.body).not.toContain('HELD-BACK');
    expect(wall.meter).toBeUndefined();
    expect(decisions.at(-1)).toMatchObject({ access: 'prompt', reason: 'register-to-continue' });
    const again = await get('/articles/a', cookie);
    expect(again.body).toBe(FULL);
    expect(decisions.at(-1)?.reason).toBe('already-read');
  });

  it('HEAD never counts', async () => {
    const head = await get('/articles/h', null, {}, 'HEAD');
    expect(head.meter).toBeUndefined();
    expect(decisions.at(-1)).toMatchObject({ reason: 'not-counted', counted: false });
  });

  it('a subscriber reads everything and spends nothing: the cookie only marks the browser as signed in, once', async () => {
    const r = await get('/articles/z', null, { 'x-test-subscriber': '1' });
    expect(r.body).toBe(FULL);
    expect(decodeJwt(r.meter?.split(';')[0]?.split('=')[1] as string)).toMatchObject({ a: '', o: 1 });
    expect(r.response.headers.get('cache-control')).toBe('private, no-store');
    const again = await get('/articles/y', r.next, { 'x-test-subscriber': '1' });
    expect(again.body).toBe(FULL);
    expect(again.meter).toBeUndefined();
  });
});

describe('toRequestLike', () => {
  it('reads headers case-insensitively, joins repeated ones and builds the URL only on demand', () => {
    const req = {
      method: 'GET',
      url: '/articles/a?x=1',
      headers: { host: 'news.example', 'x-forwarded-for': ['1.1.1.1', '2.2.2.2'] as unknown as string, cookie: 'm=1' },
      socket: {},
    };
    const like = toRequestLike(req as never);
    expect(like.headers.get('Cookie')).toBe('m=1');
    expect(like.headers.get('X-Forwarded-For')).toBe('1.1.1.1, 2.2.2.2');
    expect(like.headers.get('missing')).toBeNull();
    expect(like.url).toBe('http://news.example/articles/a?x=1');
    expect(like.method).toBe('GET');
  });
});
