import { describe, expect, it } from 'vitest';
import { type ContentOptions, createPaywall, createRenderer, type PaywallOptions } from '../../src/index.js';
import { SECRET, articleRequest, createReader, fakeClock } from '../helpers.js';

describe('createRenderer', () => {
  const article = `<p>First paragraph.</p><p>Second paragraph.</p><p>Third ZQXHELDBACK paragraph.</p><p>Fourth.</p>`;

  function setup(content: ContentOptions = {}, extra: Partial<PaywallOptions> = {}) {
    const clock = fakeClock('2026-11-23T12:00:00Z');
    const paywall = createPaywall({ secret: SECRET, now: clock.now, period: { calendar: 'month', timeZone: 'Europe/London' }, ...extra });
    return { paywall, renderer: createRenderer(content), reader: createReader(paywall) };
  }

  it('a full decision: the whole article wrapped in the paywalled class, a banner, JSON-LD without a prompt', async () => {
    const { renderer, reader } = setup();
    const d = await reader.open('tram');
    const r = renderer.render(d, article, { id: 'tram', headline: 'Tram', url: 'https://news.example/articles/tram' });
    expect(r.html).toBe(`<div class="meterwall-paywalled">${article}</div>`);
    expect(r.prompt).toBe('');
    expect(r.banner).toContain('2 of 3 free articles left this month');
    const data = JSON.parse(r.structuredData.replace(/^<script type="application\/ld\+json">|<\/script>$/g, ''));
    expect(data).toMatchObject({
      '@type': 'NewsArticle',
      headline: 'Tram',
      isAccessibleForFree: false,
      hasPart: { '@type': 'WebPageElement', isAccessibleForFree: false, cssSelector: '.meterwall-paywalled' },
    });
    expect(data.articleBody).toBeUndefined();
  });

  it('a prompt decision: the cut, the prompt, and nothing held back anywhere in the result', async () => {
    const { renderer, reader } = setup({ articleBody: true });
    for (const id of ['a', 'b', 'c']) await reader.open(id);
    const d = await reader.open('tram');
    expect(d.access).toBe('prompt');
    const r = renderer.render(d, article, { id: 'tram', url: '/articles/tram' });
    expect(r.html).toBe('<p>First paragraph.</p><p>Second paragraph.</p>');
    expect(r.prompt).toContain('Register for free');
    expect(JSON.stringify(r)).not.toContain('ZQXHELDBACK');
    expect(r.structuredData).not.toContain('articleBody');
  });

  it('articleBody (plain text) only in a full decision, when enabled', async () => {
    const { renderer, reader } = setup({ articleBody: true });
    const d = await reader.open('tram');
    const r = renderer.render(d, article, { id: 'tram' });
    expect(r.structuredData).toContain('"articleBody":"First paragraph.Second paragraph.Third ZQXHELDBACK paragraph.Fourth."');
  });

  it('a free article is accessible for free, unwrapped, with no hasPart', async () => {
    const { renderer, reader } = setup();
    const d = await reader.open({ id: 'f', access: 'free' });
    const r = renderer.render(d, article, { id: 'f', access: 'free' });
    expect(r.html).toBe(article);
    expect(r.structuredData).toContain('"isAccessibleForFree":true');
    expect(r.structuredData).not.toContain('hasPart');
  });

  it('JSON-LD cannot be broken out of', async () => {
    const { renderer, reader } = setup();
    const d = await reader.open('x');
    const r = renderer.render(d, article, { id: 'x', headline: '</script><script>alert(1)</script>' });
    expect(r.structuredData.match(/<\/script>/g)).toHaveLength(1);
    expect(r.structuredData).toContain('\\u003c/script\\u003e');
  });

  it('caches cuts by article id and version: a new version is cut again', async () => {
    const { renderer, reader } = setup({ teaser: { paragraphs: 1 } });
    for (const id of ['a', 'b', 'c']) await reader.open(id);
    const d = await reader.open('tram');
    expect(renderer.render(d, '<p>v1</p><p>x</p>', { id: 'tram', version: 1 }).html).toBe('<p>v1</p>');
    // Same id and version: the cached cut (the site promised the content did not change).
    expect(renderer.render(d, '<p>changed</p><p>x</p>', { id: 'tram', version: 1 }).html).toBe('<p>v1</p>');
    expect(renderer.render(d, '<p>v2</p><p>x</p>', { id: 'tram', version: 2 }).html).toBe('<p>v2</p>');
    // Without a version nothing is cached.
    expect(renderer.render(d, '<p>v3</p><p>x</p>', { id: 'tram' }).html).toBe('<p>v3</p>');
  });

  it('content options are validated at construction', () => {
    expect(() => createRenderer({ teaser: { paragraphs: -1 } })).toThrow(expect.objectContaining({ option: 'content.teaser.paragraphs' }));
    expect(() => createRenderer({ paywalledClass: 'a b' })).toThrow(expect.objectContaining({ option: 'content.paywalledClass' }));
    expect(() => createRenderer({ prompt: { locale: 'not a locale!' } })).toThrow(
      expect.objectContaining({ option: 'content.prompt.locale' }),
    );
    // Rendering moved out of createPaywall: the old option says where it went.
    expect(() => createPaywall({ secret: SECRET, content: {} } as never)).toThrow(
      expect.objectContaining({ option: 'content', message: expect.stringContaining('createRenderer') }),
    );
  });

  it('the banner date uses the meter’s zone unless the call names the reader’s', async () => {
    const { paywall, renderer } = setup();
    const d = await paywall.decide(articleRequest(), { id: 'a' });
    expect(renderer.render(d, article, { id: 'a' }).banner).toContain('reset on 1 December 2026');
    expect(renderer.render(d, article, { id: 'a' }, { timeZone: 'America/Los_Angeles' }).banner).toContain('reset on 30 November 2026');
  });
  it('a teaser and a prompt on the same meter get their own markup; the cached markup follows the meter', async () => {
    const { renderer, reader } = setup();
    const first = await reader.open('a');
    const second = await reader.open('b');
    expect(renderer.render(first, article, { id: 'a' }).banner).toContain('2 of 3');
    expect(renderer.render(second, article, { id: 'b' }).banner).toContain('1 of 3');
    expect(renderer.render(first, article, { id: 'a' }).banner).toContain('2 of 3');
  });

  it('a body that is not a string is refused with the option error', async () => {
    const { renderer, reader } = setup();
    const d = await reader.open('a');
    expect(() => renderer.render(d, undefined as never)).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_OPTION', option: 'articleHtml' }),
    );
  });

  it('unknown content options are refused, naming the one meant', () => {
    expect(() => createRenderer({ teasr: {} } as never)).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_OPTION', option: 'content.teasr', message: expect.stringContaining('teaser') }),
    );
  });
});
