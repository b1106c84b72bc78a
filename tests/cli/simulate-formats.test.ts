/**
 * Logs from before meterwall: each format read as docs/simulate.md documents it (its sample lines
 * are in the docs, word for word), readers told apart as well as the format allows and the run
 * saying how: nginx `combined` (by address and user agent, with a warning), with a visitor-id
 * cookie field, behind a CDN (the client from `X-Forwarded-For` through the trusted proxies, and a
 * warning when they are not given), Cloudflare Logpush JSON, Fastly's JSON, and JSON lines with a
 * field map.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { clientBehind, logFormat, parseCombined, parseJsonLine } from '../../src/cli/simulate/formats.js';
import { formatKeying } from '../../src/cli/simulate/report.js';
import { simulate } from '../../src/cli/simulate/run.js';
import type { SimulationConfig } from '../../src/cli/simulate/simulate.js';

const DOCS = readFileSync('docs/simulate.md', 'utf8');

const SAMPLES = {
  combined:
    '203.0.113.9 - - [02/Nov/2026:10:00:00 +0000] "GET /news/tram-line HTTP/1.1" 200 5120 "https://www.google.com/" "Mozilla/5.0 (X11; Linux x86_64; rv:131.0) Gecko/20100101 Firefox/131.0"',
  visitor:
    '203.0.113.9 - - [02/Nov/2026:10:00:00 +0000] "GET /news/tram-line HTTP/1.1" 200 5120 "-" "Mozilla/5.0 (X11; Linux x86_64; rv:131.0) Gecko/20100101 Firefox/131.0" "v-5f2c1e"',
  cdn: '198.51.100.20 - - [02/Nov/2026:10:00:00 +0000] "GET /news/tram-line HTTP/1.1" 200 5120 "-" "Mozilla/5.0 (X11; Linux x86_64; rv:131.0) Gecko/20100101 Firefox/131.0" "192.0.2.44, 198.51.100.7"',
  cloudflare:
    '{"ClientIP":"192.0.2.44","ClientRequestHost":"news.example","ClientRequestMethod":"GET","ClientRequestURI":"/news/tram-line?utm_source=x","ClientRequestUserAgent":"Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15","ClientRequestReferer":"https://t.co/","EdgeResponseStatus":200,"EdgeStartTimestamp":1793613600000000000}',
  fastly:
    '{"timestamp":"2026-11-02T10:00:00+0000","client_ip":"192.0.2.44","host":"news.example","url":"/news/tram-line","request_method":"GET","request_referer":"","request_user_agent":"Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15","response_status":200}',
  mapped: '{"ts":"2026-11-02T10:00:00Z","req":{"path":"/news/tram-line","verb":"GET"},"Cookies":{"vid":"v-5f2c1e"},"addr":"192.0.2.44"}',
};

const TIME = Date.parse('2026-11-02T10:00:00Z');
const UA = 'Mozilla/5.0 (X11; Linux x86_64; rv:131.0) Gecko/20100101 Firefox/131.0';
const IPHONE = 'Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15';

const CONFIG: SimulationConfig = {
  options: { meters: { anonymous: { limit: 2 } }, period: { calendar: 'month', timeZone: 'UTC' } },
  article: (url) => {
    const m = /^\/news\/([\w-]+)$/.exec(url.pathname);
    return m ? { id: m[1] as string } : null;
  },
};

describe('pre-meterwall log formats, as documented', () => {
  it('every sample line is in docs/simulate.md', () => {
    for (const [name, line] of Object.entries(SAMPLES)) expect(DOCS, name).toContain(line);
  });

  it('nginx combined: address and user agent only', () => {
    expect(parseCombined(SAMPLES.combined)).toMatchObject({
      time: TIME,
      method: 'GET',
      url: '/news/tram-line',
      ip: '203.0.113.9',
      userAgent: UA,
      reader: null,
    });
  });

  it('combined with a visitor-id cookie field: the reader is the visitor id', () => {
    const format = logFormat({ extraFields: ['visitor'] });
    expect(parseCombined(SAMPLES.visitor, format)).toMatchObject({ reader: 'v-5f2c1e', ip: '203.0.113.9', userAgent: UA });
    // Without saying what the extra field is, it is ignored: no guess.
    expect(parseCombined(SAMPLES.visitor)).toMatchObject({ reader: null });
  });

  it('behind a CDN: the client is the last X-Forwarded-For hop outside the trusted proxies', () => {
    const format = logFormat({ extraFields: ['forwarded-for'], trustedProxies: ['198.51.100.0/24'] });
    expect(parseCombined(SAMPLES.cdn, format)).toMatchObject({ ip: '192.0.2.44' });
    // Untrusted: the connection's address stands (a forwarded-for header is the client's to write).
    expect(parseCombined(SAMPLES.cdn, logFormat({ extraFields: ['forwarded-for'] }))).toMatchObject({ ip: '198.51.100.20' });
    expect(clientBehind('203.0.113.1', '192.0.2.44', logFormat({ trustedProxies: ['198.51.100.0/24'] }).trusted)).toBe('203.0.113.1');
    expect(
      clientBehind('198.51.100.20', '10.0.0.1, 192.0.2.44, 198.51.100.9', logFormat({ trustedProxies: ['198.51.100.0/24'] }).trusted),
    ).toBe('192.0.2.44');
  });

  it('Cloudflare Logpush JSON (unixnano, RFC 3339 or Unix timestamps)', () => {
    expect(parseJsonLine(SAMPLES.cloudflare)).toMatchObject({
      format: 'cloudflare',
      time: TIME,
      method: 'GET',
      url: '/news/tram-line?utm_source=x',
      ip: '192.0.2.44',
      userAgent: IPHONE,
      referer: 'https://t.co/',
      code: 200,
    });
    for (const stamp of ['"2026-11-02T10:00:00Z"', '1793613600', '1793613600000'])
      expect(parseJsonLine(SAMPLES.cloudflare.replace('1793613600000000000', stamp))?.time).toBe(TIME);
  });

  it("Fastly's JSON", () => {
    expect(parseJsonLine(SAMPLES.fastly)).toMatchObject({
      format: 'fastly',
      time: TIME,
      ip: '192.0.2.44',
      userAgent: IPHONE,
      referer: null,
      code: 200,
    });
  });

  it('JSON lines with a field map (dotted paths); a map naming no field is refused', () => {
    const format = logFormat({ fields: { time: 'ts', url: 'req.path', method: 'req.verb', reader: 'Cookies.vid', ip: 'addr' } });
    expect(parseJsonLine(SAMPLES.mapped, format)).toMatchObject({
      time: TIME,
      url: '/news/tram-line',
      reader: 'v-5f2c1e',
      ip: '192.0.2.44',
    });
    expect(parseJsonLine(SAMPLES.mapped)).toBeNull(); // no time or URL under the known names
    expect(() => logFormat({ fields: { visitor: 'x' } as never })).toThrow(/log.fields.visitor is not a field/);
    expect(() => logFormat({ trustedProxies: ['cdn'] })).toThrow(/log.trustedProxies: cdn/);
    expect(() => logFormat({ format: 'x' } as never)).toThrow(/log.format is not an option/);
  });

  it('the run says how readers were keyed, and warns where address and user agent merge readers', async () => {
    // Forty-five readers behind one CDN address, one frozen user agent: one "reader" without the proxies, forty-five with them.
    const lines = Array.from({ length: 45 }, (_, i) =>
      SAMPLES.cdn.replace('192.0.2.44', `192.0.2.${i + 1}`).replace('10:00:00', `10:${String(i).padStart(2, '0')}:00`),
    ).flatMap((line, i) => [line.replace('tram-line', `a${i}`), line.replace('tram-line', `b${i}`), line.replace('tram-line', `c${i}`)]);
    const run = (options: Parameters<typeof logFormat>[0]) =>
      simulate(
        lines.map((l) => parseCombined(l, logFormat(options))).filter((e) => e !== null),
        CONFIG,
      );
    const blind = await run({ extraFields: ['forwarded-for'] });
    expect(blind.configurations[0]?.readers).toBe(1);
    expect(blind.configurations[0]?.total).toMatchObject({ full: 2, teaser: 133 });
    expect(formatKeying(blind.keying, blind.addresses)).toMatch(/1 address\(es\) made 135 article requests.*log\.trustedProxies/s);
    const seen = await run({ extraFields: ['forwarded-for'], trustedProxies: ['198.51.100.0/24'] });
    expect(seen.configurations[0]?.readers).toBe(45);
    expect(seen.configurations[0]?.total).toMatchObject({ full: 90, teaser: 45 });
    expect(formatKeying(seen.keying, seen.addresses)).toMatch(
      /100\.0% of article requests by address and user agent only[\s\S]*had no visitor id/,
    );
  });
});
