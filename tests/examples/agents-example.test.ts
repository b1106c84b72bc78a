/**
 * The example site's AI policy (`npm run example -- --agent-directory URL`): a demo operator's
 * agents, signed by Cloudflare's `web-bot-auth` with a key in the directory at URL, read under the
 * site's licence; its training crawler gets 402 with a price, then the text for that price; the
 * same user agents unsigned get what any automated client gets.
 */
import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ARTICLES } from '../../examples/news-site/articles.js';
import { ruleNote } from '../../examples/news-site/policy.js';
import { type StartedSite, startNewsSite } from '../helpers-browser.js';
import { heldBack } from '../helpers-cdn.js';
import { type KeyDirectory, serveKeyDirectory, signedHeaders } from '../helpers-agents.js';
import { freePort } from '../helpers-redis.js';

const story = ARTICLES.find((a) => a.access === 'metered' && ruleNote(a, Date.now()) === null) as (typeof ARTICLES)[number];

describe('the example site with a demo AI operator (--agent-directory)', () => {
  let directory: KeyDirectory;
  let started: StartedSite;
  let url: string;

  beforeAll(async () => {
    directory = await serveKeyDirectory();
    started = await startNewsSite({ agentDirectory: directory.origin });
    url = `${started.url}/articles/${story.slug}`;
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => started?.server.close(() => resolve()));
    await directory?.close();
  });

  const get = async (headers: Record<string, string>) => {
    const response = await fetch(url, { headers });
    return { response, html: await response.text() };
  };

  it("the operator's agent reads in full under the licence; its training crawler pays (402, then crawler-exact-price)", async () => {
    const reading = await get(await signedHeaders(url, { agent: directory.origin, userAgent: 'Mozilla/5.0 (compatible; DemoAgent/1.0)' }));
    expect(reading.response.status).toBe(200);
    expect(reading.html).toContain(heldBack(story));
    expect(reading.response.headers.get('link')).toBe(`<${started.url}/license.xml>; rel="license"; type="application/rsl+xml"`);
    expect(reading.response.headers.getSetCookie().filter((c) => c.startsWith('__Host-meterwall='))).toEqual([]);

    const asked = await get(await signedHeaders(url, { agent: directory.origin, userAgent: 'DemoBot/1.0' }));
    expect(asked.response.status).toBe(402);
    expect(asked.response.headers.get('crawler-price')).toBe('USD 0.01');
    expect(asked.html).not.toContain(heldBack(story));
    const paid = await get(
      await signedHeaders(url, { agent: directory.origin, userAgent: 'DemoBot/1.0', headers: { 'crawler-exact-price': 'USD 0.01' } }),
    );
    expect(paid.response.status).toBe(200);
    expect(paid.response.headers.get('crawler-charged')).toBe('USD 0.01');
    expect(paid.html).toContain(heldBack(story));
  });

  it('unsigned, the same user agents get what any automated client gets: never the text, never a price', async () => {
    for (const userAgent of ['DemoBot/1.0', 'Mozilla/5.0 (compatible; GPTBot/1.2; +https://openai.com/gptbot)']) {
      const { response, html } = await get({ 'user-agent': userAgent, 'crawler-exact-price': 'USD 0.01' });
      expect(response.status, userAgent).toBe(200);
      expect(html, userAgent).not.toContain(heldBack(story));
      expect(response.headers.get('crawler-charged')).toBeNull();
    }
  });

  it('publishes the same policy in robots.txt and its RSL licence', async () => {
    const robots = await (await fetch(`${started.url}/robots.txt`)).text();
    expect(robots).toContain(`License: ${started.url}/license.xml`);
    expect(robots).toContain('User-agent: DemoBot\nContent-Signal: search=yes, ai-input=no, ai-train=no\nAllow: /');
    expect(robots).toContain('User-agent: DemoAgent\nContent-Signal: search=yes, ai-input=yes, ai-train=no\nAllow: /');
    const license = await fetch(`${started.url}/license.xml`);
    expect(license.headers.get('content-type')).toBe('application/rsl+xml');
    expect(await license.text()).toContain('<amount currency="USD">0.01</amount>');
  });

  it('npm run example -- --agent-directory URL says what it trusts', async () => {
    const port = await freePort();
    const child = spawn('npm', ['run', 'example', '--', '--agent-directory', directory.origin], {
      env: { ...process.env, PORT: String(port), NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    try {
      const said = await new Promise<string>((resolve, reject) => {
        let output = '';
        const timer = setTimeout(() => reject(new Error(output)), 30_000);
        child.stdout?.on('data', (chunk: Buffer) => {
          output += chunk.toString();
          if (output.includes('Policy: /robots.txt')) {
            clearTimeout(timer);
            resolve(output);
          }
        });
      });
      expect(said).toContain(`AI agents signed from the key directory at ${directory.origin} read under the site's licence`);
      const target = `http://127.0.0.1:${port}/articles/${story.slug}`;
      const response = await fetch(target, { headers: await signedHeaders(target, { agent: directory.origin, userAgent: 'DemoBot/1.0' }) });
      expect(response.status).toBe(402);
    } finally {
      process.kill(-(child.pid as number), 'SIGTERM');
      await new Promise((resolve) => child.once('exit', resolve));
    }
  }, 90_000);
});
