/**
 * `meterwall/next`'s types tell the truth about a missing decision (issue 24): the page behind
 * the proxy never holds a `Decision` that may be absent, only the variant, which is always one
 * (`teaser` when the proxy decided nothing for it); the proxy's `article` may give `null` for a
 * page that is not an article, and must be given. Type-checked with the suite; the
 * `@ts-expect-error` lines fail it if the types loosened.
 */
import type { NextRequest } from 'next/server.js';
import { describe, expect, it } from 'vitest';
import { meterwall, readPageVariant, type NextMeterwallOptions } from '../../src/adapters/next.js';
import { type Article, createPaywall, type Variant } from '../../src/index.js';
import { SECRET } from '../helpers.js';

const paywall = createPaywall({ secret: SECRET });
const cms = { article: async (slug: string): Promise<Article | null> => (slug === 'tram' ? { id: 'tram' } : null) };

describe('meterwall/next typing', () => {
  it('the proxy’s article may be null (not an article: it passes through), and must be given', () => {
    const options: NextMeterwallOptions = { article: (request: NextRequest) => cms.article(request.nextUrl.pathname.slice(1)) };
    expect(typeof meterwall(paywall, options)).toBe('function');
    // @ts-expect-error -- without `article` the proxy cannot tell an article from any other page
    expect(() => meterwall(paywall, {})).toThrow(expect.objectContaining({ code: 'ERR_INVALID_OPTION', option: 'article' }));
  });

  it('the page gets a Variant, never undefined: teaser without the proxy’s signed header', async () => {
    const variant: Variant = await readPageVariant(paywall, new Headers(), { id: 'tram' });
    expect(variant).toBe('teaser');
    // @ts-expect-error -- a Variant is never undefined, so a page has nothing missing to forget
    const missing: undefined = await readPageVariant(paywall, new Headers(), { id: 'tram' });
    expect(missing).toBe('teaser');
  });
});
