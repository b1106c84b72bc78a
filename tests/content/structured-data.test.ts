import { parseFragment } from 'parse5';
import { describe, expect, it } from 'vitest';
import { jsonLdScript, paywallStructuredData } from '../../src/content/structured-data.js';
import type { Decision } from '../../src/index.js';

const decision = (access: Decision['access']) => ({ access }) as Decision;

describe('paywallStructuredData', () => {
  it('a metered article is not accessible for free and names the paywalled part', () => {
    const data = paywallStructuredData(decision('teaser'), {
      id: 'tram',
      headline: 'Tram line',
      url: 'https://news.example/tram',
      authors: ['Ada'],
      images: ['https://news.example/a.jpg'],
      publisher: 'The Example',
      datePublished: '2026-03-01T08:00:00Z',
    });
    expect(data).toEqual({
      '@context': 'https://schema.org',
      '@type': 'NewsArticle',
      headline: 'Tram line',
      url: 'https://news.example/tram',
      mainEntityOfPage: 'https://news.example/tram',
      datePublished: '2026-03-01T08:00:00Z',
      image: ['https://news.example/a.jpg'],
      author: [{ '@type': 'Person', name: 'Ada' }],
      publisher: { '@type': 'Organization', name: 'The Example' },
      isAccessibleForFree: false,
      hasPart: { '@type': 'WebPageElement', isAccessibleForFree: false, cssSelector: '.meterwall-paywalled' },
    });
  });

  it('a free article is accessible for free, with no paywalled part', () => {
    const data = paywallStructuredData(decision('full'), { id: 'x', access: 'free' });
    expect(data['isAccessibleForFree']).toBe(true);
    expect(data).not.toHaveProperty('hasPart');
  });

  it('a full decision stays not-free for a metered article; the body appears only in full decisions', () => {
    const full = paywallStructuredData(decision('full'), { id: 'x' }, { articleBody: 'Body', paywalledClass: 'held' });
    expect(full).toMatchObject({ isAccessibleForFree: false, articleBody: 'Body', hasPart: { cssSelector: '.held' } });
    expect(paywallStructuredData(decision('teaser'), { id: 'x' }, { articleBody: 'Body' })).not.toHaveProperty('articleBody');
    expect(paywallStructuredData(decision('prompt'), { id: 'x' }, { articleBody: 'Body' })).not.toHaveProperty('articleBody');
  });
});

describe('jsonLdScript', () => {
  it('no value can close the script: parse5 sees one script whose text is the whole JSON', () => {
    const data = { headline: '</script><script>alert(1)</script>', note: '<!-- & \u2028 \u2029 -->' };
    const html = `${jsonLdScript(data)}<p>after</p>`;
    const fragment = parseFragment(html);
    const [script, paragraph] = fragment.childNodes as Array<{ nodeName: string; childNodes: Array<{ value: string }> }>;
    expect([script?.nodeName, paragraph?.nodeName]).toEqual(['script', 'p']);
    const text = script?.childNodes[0]?.value ?? '';
    expect(JSON.parse(text)).toEqual(data);
  });
});
