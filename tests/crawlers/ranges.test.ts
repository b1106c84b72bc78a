import { describe, expect, it } from 'vitest';
import { createRangeVerifier, detectCrawler, fetchCrawlerRanges, parseCrawlerRanges } from '../../src/index.js';

describe('published range lists', () => {
  const googleFormat = JSON.stringify({
    creationTime: '2026-11-20T23:00:00.000000',
    prefixes: [{ ipv6Prefix: '2001:4860:4801:10::/64' }, { ipv4Prefix: '66.249.64.0/27' }],
  });

  it('reads the JSON format Google and Bing publish, or a plain list', () => {
    expect(parseCrawlerRanges(googleFormat)).toEqual(['2001:4860:4801:10::/64', '66.249.64.0/27']);
    expect(parseCrawlerRanges(['66.249.64.0/27'])).toEqual(['66.249.64.0/27']);
    expect(() => parseCrawlerRanges('{nope')).toThrow(TypeError);
    expect(() => parseCrawlerRanges({ prefixes: [{ other: 1 }] })).toThrow(expect.objectContaining({ option: 'source.prefixes[0]' }));
  });

  it('fetches a list with a timeout', async () => {
    const fake = (async () => new Response(googleFormat)) as unknown as typeof fetch;
    expect(await fetchCrawlerRanges('https://developers.google.com/search/apis/ipranges/googlebot.json', { fetch: fake })).toHaveLength(2);
    const failing = (async () => new Response('', { status: 503 })) as unknown as typeof fetch;
    await expect(fetchCrawlerRanges('https://example.invalid/x.json', { fetch: failing })).rejects.toMatchObject({
      name: 'PaywallError',
      code: 'ERR_RANGES_UNAVAILABLE',
    });
  });

  it.each(['0.0.0.0/0', '::/0', '10.0.0.0/8', '66.0.0.0/15', '2001::/16', 'not-a-range', '66.249.66.1/19'])('refuses %s', (range) => {
    expect(() => createRangeVerifier({ googlebot: [range] })).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_OPTION', option: 'ranges.googlebot[0]' }),
    );
  });

  it('swaps a crawler’s list on refresh, validated the same way', () => {
    const verifier = createRangeVerifier({ googlebot: ['66.249.64.0/27'] });
    expect(verifier.verify('googlebot', '66.249.64.5')).toBe(true);
    verifier.update('googlebot', ['66.249.70.0/27']);
    expect(verifier.verify('googlebot', '66.249.64.5')).toBe(false);
    expect(verifier.verify('googlebot', '66.249.70.5')).toBe(true);
    expect(() => verifier.update('googlebot', ['0.0.0.0/0'])).toThrow(TypeError);
    expect(verifier.verify('bingbot', '66.249.70.5')).toBe(false);
    expect(verifier.verify('googlebot', 'garbage')).toBe(false);
    expect(verifier.sizes).toEqual({ googlebot: 1 });
  });
});

describe('crawler user agents', () => {
  it.each([
    ['Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)', 'googlebot'],
    ['Googlebot-News', 'googlebot'],
    ['Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)', 'bingbot'],
    ['Mozilla/5.0 (Macintosh) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/13.1 Safari/605.1.15 (Applebot/0.1)', 'applebot'],
    ['DuckDuckBot/1.1; (+http://duckduckgo.com/duckduckbot.html)', 'duckduckbot'],
    ['Mozilla/5.0 (compatible; YandexBot/3.0)', 'yandexbot'],
  ])('%s is %s', (ua, name) => {
    expect(detectCrawler(ua)?.name).toBe(name);
  });

  it('ordinary browsers are not crawlers', () => {
    expect(detectCrawler('Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0 Safari/537.36')).toBeNull();
    expect(detectCrawler(null)).toBeNull();
  });
});
