/**
 * mergeVaryHeaders: a real node:http server whose handler sets `Vary` twice, as Next's app
 * router does after a proxy: the response varies on both, each field once.
 */
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { mergeVaryHeaders } from '../../src/adapters/node.js';

async function varyOf(handler: (res: ServerResponse) => void): Promise<string | null> {
  const server = createServer((_req, res) => {
    handler(res);
    res.end('ok');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const response = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
    return response.headers.get('vary');
  } finally {
    await new Promise((resolve) => server.close(resolve));
  }
}

describe('mergeVaryHeaders', () => {
  it('before: a second setHeader replaces Vary (what drops Cookie behind Next)', async () => {
    expect(
      await varyOf((res) => {
        res.setHeader('Vary', 'Cookie');
        res.setHeader('Vary', 'rsc, next-router-state-tree');
      }),
    ).toBe('rsc, next-router-state-tree');
  });

  it('after: Vary values merge, each field once (case-insensitively), the first one’s first; `*` absorbs the rest', async () => {
    mergeVaryHeaders();
    mergeVaryHeaders(); // idempotent: the patch is not stacked
    expect(
      await varyOf((res) => {
        res.setHeader('Vary', 'Cookie');
        res.setHeader('Vary', 'rsc, next-router-state-tree, cookie');
      }),
    ).toBe('Cookie, rsc, next-router-state-tree');
    expect(
      await varyOf((res) => {
        res.setHeader('vary', ['Accept-Encoding']);
        res.setHeader('VARY', ['Cookie', 'Accept-Encoding']);
      }),
    ).toBe('Accept-Encoding, Cookie');
    expect(
      await varyOf((res) => {
        res.setHeader('Vary', '*');
        res.setHeader('Vary', 'Cookie');
      }),
    ).toBe('*');
    // Other headers are still replaced, and a removed Vary can be set anew.
    expect(
      await varyOf((res) => {
        res.setHeader('Vary', 'Cookie');
        res.removeHeader('Vary');
        res.setHeader('Vary', 'rsc');
      }),
    ).toBe('rsc');
  });
});
