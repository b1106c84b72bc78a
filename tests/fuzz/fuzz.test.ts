/**
 * Fuzzing the request path with fast-check, 10,000 cases per target: no input makes decide(),
 * the teaser or render throw, and no input makes one call slow. Options either build a paywall
 * or throw the documented TypeError.
 */
import fc from 'fast-check';
import { SignJWT } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  createPaywall,
  defineSession,
  createRangeVerifier,
  createRenderer,
  cutTeaser,
  InvalidOptionError,
  type Decision,
  type Paywall,
  type PaywallOptions,
  type TeaserOptions,
} from '../../src/index.js';
import { wellFormedProblems } from '../leak.js';
import { collapse, structureProblems, visibleText } from '../html-reference.js';

const RUNS = Number(process.env['FUZZ_RUNS'] ?? 10_000);
const SECRET = 'fuzzing-meter-secret-0123456789-abcdefg';
const SESSION = 'fuzzing-session-secret-0123456789-abcde';

/** Slowest call seen per target, in ms. */
const slowest: Record<string, number> = {};
function timed<T>(target: string, call: () => T): T {
  const started = performance.now();
  try {
    return call();
  } finally {
    slowest[target] = Math.max(slowest[target] ?? 0, performance.now() - started);
  }
}
async function timedAsync<T>(target: string, call: () => Promise<T>): Promise<T> {
  const started = performance.now();
  try {
    return await call();
  } finally {
    slowest[target] = Math.max(slowest[target] ?? 0, performance.now() - started);
  }
}

let paywall: Paywall;
const genuine: string[] = [];
let session = '';

beforeAll(async () => {
  paywall = createPaywall({
    secret: SECRET,
    session: defineSession({ cookie: 'sid', key: { secret: SESSION }, algorithms: ['HS256'] }),
    crawlers: { verifiers: [createRangeVerifier({ googlebot: ['66.249.64.0/19', '2001:4860:4801::/48'] })] },
    proxy: { trustedHops: 1 },
    referrals: { budget: 2, sources: { search: ['google.com'] } },
    freshMeters: { perHour: 1_000_000 },
    cdn: {},
  });
  // Real tokens to mutate: a reader with one, two and three views.
  let cookie = '';
  for (const id of ['a', 'b', 'c']) {
    const d = await paywall.decide(new Request('https://x/', { headers: cookie ? { cookie } : {} }), { id });
    cookie = (d.headers.get('set-cookie') as string).split(';')[0] as string;
    genuine.push(cookie.slice(cookie.indexOf('=') + 1));
  }
  session = await new SignJWT({ status: 'subscriber' })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject('acct')
    .setExpirationTime('1h')
    .sign(new TextEncoder().encode(SESSION));
});

const tokenChars = fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.'.split(''));
const junk = fc.string({ unit: 'binary', maxLength: 300 });
/** Tokens: junk, JWT-shaped junk, and genuine ones with bytes flipped, cut or extended. */
const token = fc.oneof(
  junk,
  fc.string({ unit: tokenChars, maxLength: 600 }),
  fc.tuple(fc.constantFrom(0, 1, 2), fc.nat(), fc.string({ unit: tokenChars, maxLength: 4 })).map(([i, at, insert]) => {
    const t = genuine[i] as string;
    const cut = at % t.length;
    return t.slice(0, cut) + insert + t.slice(cut + 1);
  }),
  fc.nat(2).map((i) => genuine[i] as string),
  fc.constant('A'.repeat(5000)),
);
const cookieHeader = fc.oneof(
  junk,
  fc
    .array(fc.tuple(fc.constantFrom('__Host-meterwall', 'sid', 'other', ' __Host-meterwall', '__host-meterwall'), token), { maxLength: 4 })
    .map((pairs) => pairs.map(([k, v]) => `${k}=${v}`).join('; ')),
  fc.constant(`sid=${'x'}`).map(() => `sid=${session}`),
);
const header = (values: fc.Arbitrary<string>) => fc.option(values, { nil: undefined });
const request = fc.record({
  method: fc.constantFrom('GET', 'GET', 'GET', 'HEAD', 'POST', 'OPTIONS', 'get', 'PROPFIND'),
  cookie: header(cookieHeader),
  userAgent: header(fc.oneof(junk, fc.constantFrom('Mozilla/5.0 (compatible; Googlebot/2.1)', 'bingbot/2.0', 'DuckDuckBot'))),
  referer: header(fc.oneof(junk, fc.constantFrom('https://www.google.com/', 'https://google.com.evil/', 'javascript:x', 'http://[::1'))),
  xff: header(fc.oneof(junk, fc.constantFrom('66.249.66.1', '66.249.66.1, 203.0.113.9', '::ffff:66.249.66.1', '1.1.1.1,,,', ', , ,'))),
  forwarded: header(junk),
  purpose: header(fc.oneof(junk, fc.constantFrom('prefetch', 'prefetch;prerender'))),
  authorization: header(
    fc.oneof(
      junk,
      token.map((t) => `Bearer ${t}`),
    ),
  ),
  ip: fc.option(fc.oneof(junk, fc.constantFrom('66.249.66.1', '2001:4860:4801:10::1', '127.0.0.1', '::1', '')), { nil: undefined }),
  id: fc.oneof(fc.string({ maxLength: 40 }), fc.string({ unit: 'binary', maxLength: 2000 })),
  access: fc.constantFrom('free', 'metered', 'subscribers', undefined),
  requires: fc.option(fc.array(fc.string({ maxLength: 10 }), { maxLength: 3 }), { nil: undefined }),
});

/** Headers from fuzzed values: strings a Fetch Headers refuses are passed through a plain getter. */
function headersOf(values: Record<string, string | undefined>): { get(name: string): string | null } {
  const map = new Map(Object.entries(values).filter((e): e is [string, string] => e[1] !== undefined));
  return { get: (name) => map.get(name.toLowerCase()) ?? null };
}

/**
 * Article markup built from the places where a naive tokenizer (htmlparser2) and the HTML spec
 * disagree: script data escapes, comment endings, raw-text and RCDATA elements, foreign content
 * and CDATA, stray table parts and end tags, foster-parented table content, entities.
 */
const divergent = fc
  .array(
    fc.oneof(
      {
        weight: 4,
        arbitrary: fc.constantFrom(
          'One two.',
          'Three four five.',
          'Six',
          ' ',
          '\n',
          'Nakt&#299;',
          '&nbsp;',
          '&amp',
          '&notin;',
          '&#128104;&zwj;&#128105;',
          'a<b',
          'x > y',
        ),
      },
      {
        weight: 3,
        arbitrary: fc.constantFrom(
          '<p>',
          '</p>',
          '<div>',
          '</div>',
          '<br>',
          '<br><br>',
          '<em>',
          '</em>',
          '<b>',
          '</b>',
          '<h2>',
          '</h2>',
          '<ul><li>',
          '</li></ul>',
          '<li>',
          '<blockquote>',
          '</blockquote>',
          '<aside>',
          '</aside>',
          '<figure>',
          '</figure>',
          '<a href="/x">',
          '</a>',
          '<span hidden>',
          '</span>',
          '<div class="newsletter">',
          '<section>',
          '</section>',
          '<pre>',
          '</pre>',
        ),
      },
      {
        weight: 2,
        arbitrary: fc.constantFrom(
          '<script>',
          '</script>',
          '<script><!--',
          '<!--<script>',
          '-->',
          '<script>a="<!--<script></script>";</script>',
          '<!--',
          '--!>',
          '<!-->',
          '<!--->',
          '--->',
          '<!-- x -->',
          '<!x>',
          '<?x>',
          '</ x>',
          '</>',
          '<!DOCTYPE html>',
          '<textarea>',
          '</textarea>',
          '<title>',
          '</title>',
          '<xmp>',
          '</xmp>',
          '<noscript>',
          '</noscript>',
          '<iframe>',
          '</iframe>',
          '<template>',
          '</template>',
          '<style>',
          '</style>',
          '<noembed>',
          '<noframes>',
          '</noembed>',
          '<svg>',
          '</svg>',
          '<math>',
          '</math>',
          '<mtext>',
          '<desc>',
          '<foreignObject>',
          '<![CDATA[',
          ']]>',
          '<svg/>',
          '<font color=red>',
          '<table>',
          '</table>',
          '<tr>',
          '<td>',
          '</td>',
          '</tr>',
          '<tbody>',
          '<caption>',
          '<th>',
          '<col>',
          '<select>',
          '<option>',
          '</select>',
          '<form>',
          '</form>',
          '<button>',
          '<input>',
          '</br>',
          '<image src=x>',
          '<a href="/y">',
          '<nobr>',
          '<listing>',
          '<b hidden>',
          '<i style="display:none">',
          '</i>',
          '<dd>',
          '<dt>',
          '</dl>',
          '<dl>',
          '<object>',
          '</object>',
          '<marquee>',
          '<li>',
          '</ul>',
          '<ol>',
          '<h1>',
          '</h3>',
          '<p hidden>',
          '<address>',
          '<center>',
          '<applet>',
          '<ruby>',
          '<rt>',
          '<rp>',
        ),
      },
    ),
    { maxLength: 80, size: 'max' },
  )
  .map((parts) => parts.join(''));

describe(`fuzzing (${RUNS} cases per target)`, () => {
  it('decide() never throws for any cookie, token, header, address or article id, and stays fast', async () => {
    await fc.assert(
      fc.asyncProperty(request, async (r) => {
        const headers = headersOf({
          cookie: r.cookie,
          'user-agent': r.userAgent,
          referer: r.referer,
          'x-forwarded-for': r.xff,
          forwarded: r.forwarded,
          'sec-purpose': r.purpose,
          authorization: r.authorization,
        });
        const article = { id: r.id, ...(r.access ? { access: r.access as 'free' } : {}), ...(r.requires ? { requires: r.requires } : {}) };
        const d: Decision = await timedAsync('decide', () =>
          paywall.decide({ method: r.method, url: '/x', headers }, article, { ip: r.ip }),
        );
        expect(['full', 'teaser', 'prompt']).toContain(d.access);
        expect(d.headers.get('cache-control')).toBe('private, no-store');
        const cookie = d.headers.get('set-cookie');
        if (cookie !== null) expect(cookie.length).toBeLessThan(4096);
      }),
      { numRuns: RUNS },
    );
    expect(slowest['decide']).toBeLessThan(250);
  }, 300_000);

  const html = fc.oneof(
    fc.string({
      unit: fc.constantFrom(
        '<',
        '>',
        '/',
        '!',
        '-',
        '"',
        "'",
        '=',
        '&',
        ';',
        '#',
        'p',
        'a',
        'b',
        'i',
        ' ',
        'x',
        'é',
        '😀',
        '\n',
        'script',
        'style',
        'div',
        'img',
      ),
      maxLength: 400,
    }),
    fc
      .array(
        fc.oneof(
          fc.string({ maxLength: 30 }).map((t) => `<p>${t}</p>`),
          fc.constantFrom(
            '<p>',
            '</p>',
            '<em>',
            '</b>',
            '<!--',
            '-->',
            '<script>',
            '</script>',
            '<template>',
            '<br>',
            '<img src=x alt="',
            '&amp',
            '&#x1F600;',
            '<!-- paywall -->',
            '<div class="pw">',
          ),
          fc.string({ maxLength: 20 }),
        ),
        { maxLength: 60 },
      )
      .map((parts) => parts.join('')),
    fc.string({ unit: 'binary', maxLength: 2000 }),
    divergent,
  );
  const teaserOptions: fc.Arbitrary<TeaserOptions> = fc.oneof(
    fc.record({ paragraphs: fc.integer({ min: 1, max: 10 }) }),
    fc.record({ words: fc.integer({ min: 1, max: 200 }) }),
    fc.record({ characters: fc.integer({ min: 1, max: 1500 }) }),
    fc.record({ paragraphs: fc.integer({ min: 1, max: 10 }), maxCharacters: fc.integer({ min: 1, max: 3000 }) }),
    fc.constant({ marker: { comment: 'paywall' } }),
    fc.constant({ marker: { className: 'pw' }, whenShort: 'full' as const }),
  );

  it('cutTeaser() never throws, always gives well-formed HTML, and stays fast', () => {
    fc.assert(
      fc.property(html, teaserOptions, (source, options) => {
        const out = timed('teaser', () => cutTeaser(source, options));
        expect(wellFormedProblems(out)).toEqual([]);
      }),
      { numRuns: RUNS },
    );
    expect(slowest['teaser']).toBeLessThan(100);
  }, 300_000);

  it('cutTeaser() shows the start of what a browser shows on the shapes the fuzzer found, judged by parse5', () => {
    for (const source of [
      // An applet or object fostered out of a table is popped by `</table>`: its formatting stays active, the text after is hidden.
      '<table><applet><b hidden></table>One two.',
      '<table><object><b hidden></table>One two. Three four.',
      '<table><marquee><i hidden>x</marquee></table>One two.',
      '<applet><b hidden></applet>One two.',
    ])
      for (const options of [{ marker: { comment: 'paywall' } }, { words: 1 }, { paragraphs: 1 }] as const) {
        const out = cutTeaser(source, options);
        const article = collapse(visibleText(source, [], false));
        const kept = collapse(visibleText(out, [], false));
        expect(article.startsWith(kept), `${source}: ${JSON.stringify(kept)} is not a prefix of ${JSON.stringify(article)}`).toBe(true);
      }
  });

  it('cutTeaser() shows the start of what a browser shows, judged by parse5, on the shapes where tokenizers disagree', () => {
    fc.assert(
      fc.property(divergent, teaserOptions, (source, options) => {
        const out = timed('teaser', () => cutTeaser(source, options));
        expect(structureProblems(out)).toEqual([]);
        const article = collapse(visibleText(source, [], false));
        const kept = collapse(visibleText(out, [], false));
        expect(article.startsWith(kept), `${JSON.stringify(kept)} is not a prefix of ${JSON.stringify(article)}`).toBe(true);
      }),
      { numRuns: RUNS },
    );
  }, 300_000);

  it('render() never throws for any article HTML or metadata', async () => {
    const renderer = createRenderer();
    const decisions = await Promise.all(
      (['free', 'metered', 'subscribers'] as const).map((access) => paywall.decide(new Request('https://x/'), { id: 'r', access })),
    );
    fc.assert(
      fc.property(
        html,
        fc.constantFrom(...decisions),
        fc.record({ id: fc.string(), headline: fc.string(), url: fc.string(), version: fc.nat() }, { requiredKeys: ['id'] }),
        (source, decision, meta) => {
          const out = timed('render', () => renderer.render(decision, source, meta));
          expect(out.structuredData.match(/<\/script>/gi)).toHaveLength(1);
        },
      ),
      { numRuns: RUNS },
    );
    expect(slowest['render']).toBeLessThan(100);
  }, 300_000);

  it('options either build a paywall or throw a TypeError with ERR_INVALID_OPTION', () => {
    const value = fc.oneof(fc.anything({ maxDepth: 2 }), fc.integer(), fc.string(), fc.constant(undefined));
    const options = fc.record(
      {
        secret: fc.oneof(
          fc.constant(SECRET),
          fc.string({ maxLength: 40 }),
          fc.array(fc.string({ minLength: 30, maxLength: 40 }), { maxLength: 3 }),
          value,
        ),
        meters: fc.oneof(value, fc.record({ anonymous: fc.record({ limit: fc.oneof(fc.integer({ min: -5, max: 120 }), value) }) })),
        period: fc.oneof(
          value,
          fc.record({
            calendar: fc.constantFrom('day', 'week', 'month', 'year'),
            timeZone: fc.constantFrom('UTC', 'Europe/London', 'Mars/Base'),
          }),
          fc.record({ rollingDays: fc.integer({ min: -1, max: 400 }) }),
        ),
        cookie: fc.oneof(
          value,
          fc.record({ name: fc.string({ maxLength: 20 }), secure: fc.boolean(), sameSite: fc.constantFrom('lax', 'strict', 'none', 'x') }),
        ),
        failure: value,
        cache: value,
        proxy: value,
        referrals: value,
        cdn: value,
      },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(options, value, (o, content) => {
        try {
          createRenderer(content as never);
        } catch (error) {
          expect(error).toBeInstanceOf(InvalidOptionError);
          expect((error as { code?: string }).code).toBe('ERR_INVALID_OPTION');
        }
        try {
          createPaywall(o as unknown as PaywallOptions);
        } catch (error) {
          expect(error).toBeInstanceOf(TypeError);
          expect((error as { code?: string }).code).toBe('ERR_INVALID_OPTION');
          expect(typeof (error as { option?: string }).option).toBe('string');
        }
      }),
      { numRuns: RUNS },
    );
  }, 300_000);
});
