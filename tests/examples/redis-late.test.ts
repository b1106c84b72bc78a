/**
 * The example site started the way docs/stores.md says, with Redis down: it listens and serves
 * from the first request (the failure policy answers the store's refusals), and once
 * redis-server comes up the client reconnects on its own and the meters go to Redis.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createClient } from 'redis';
import { afterAll, describe, expect, it } from 'vitest';
import { ARTICLES } from '../../examples/news-site/articles.js';
import { browserFetch } from '../helpers.js';
import { freePort, redisServerPath, startRedis, type TestRedis } from '../helpers-redis.js';

const binary = redisServerPath();
const title = binary
  ? 'the example site with Redis down at start'
  : 'the example site with Redis down at start — SKIPPED: no redis-server on PATH (apt-get install redis-server)';
if (!binary) console.warn(`[redis] ${title}`);

const metered = ARTICLES.filter((a) => a.access === 'metered' && a.section !== 'Sport' && a.type !== 'breaking').map((a) => a.slug);

describe.skipIf(!binary)(title, () => {
  let redis: TestRedis | undefined;
  let site: ChildProcess | undefined;
  afterAll(async () => {
    site?.kill('SIGKILL');
    await redis?.stop();
  });

  it.each(['open', 'closed'] as const)(
    '--store-failure %s: serves with Redis stopped, and keeps the meters in Redis once it starts',
    async (mode) => {
      site?.kill('SIGKILL');
      await redis?.stop();
      redis = await startRedis(binary as string);
      await redis.kill(); // its port is known and nothing listens on it
      const port = await freePort();
      site = spawn(
        process.execPath,
        ['node_modules/tsx/dist/cli.mjs', 'examples/news-site/server.ts', '--redis', redis.url, '--store-failure', mode],
        {
          env: {
            ...process.env,
            PORT: String(port),
            METERWALL_SECRET: 'redis-late-meter-secret-0123456789-abcdef',
            SESSION_SECRET: 'redis-late-session-secret-0123456789-abcdef',
          },
          stdio: ['ignore', 'pipe', 'pipe'],
        },
      );
      let output = '';
      site.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
      site.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
      const exited = new Promise<number | null>((resolve) => site?.once('exit', (code) => resolve(code)));
      // It listens though Redis refuses every connection.
      for (let waited = 0; !output.includes('is running at'); waited += 100) {
        if (waited > 60_000 || site.exitCode !== null) throw new Error(`the example did not start:\n${output}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      // The refusals are reported (on their own schedule, maybe after the server listens), not fatal.
      for (let waited = 0; !output.includes('[redis]'); waited += 100) {
        if (waited > 20_000 || site.exitCode !== null) throw new Error(`no refused connection was reported:\n${output}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      const base = `http://127.0.0.1:${port}`;

      /** A new browser reading two metered articles (the second view is claimed in the store): each page's status and whether it was the whole text. */
      const browser = async (n: number): Promise<Array<[number, boolean]>> => {
        const first = await browserFetch(`${base}/articles/${metered[n % metered.length]}`);
        const cookie = (first.headers.getSetCookie()[0] ?? '').split(';')[0] as string;
        const firstPage = await first.text();
        const second = await browserFetch(`${base}/articles/${metered[(n + 1) % metered.length]}`, { headers: { cookie } });
        const secondPage = await second.text();
        return [
          [first.status, !firstPage.includes('<section class="prompt"')],
          [second.status, !secondPage.includes('<section class="prompt"')],
        ];
      };
      // Redis down, from the first request: the failure policy answers the refused claim. A first
      // view claims nothing (the whole text either way); the second is a claim: the whole text
      // when the policy is open, the prompt when it is closed.
      for (const n of [0, 1])
        expect(await browser(n)).toEqual([
          [200, true],
          [200, mode === 'open'],
        ]);

      await redis.start();
      const reader = createClient({ url: redis.url });
      reader.on('error', () => {});
      await reader.connect();
      let keys: string[] = [];
      const deadline = Date.now() + 30_000;
      for (let n = 2; keys.length === 0; n++) {
        if (Date.now() > deadline) throw new Error(`no meter reached Redis after it started:\n${output.slice(-2000)}`);
        const pages = await browser(n);
        expect(pages.map(([status]) => status)).toEqual([200, 200]);
        keys = await reader.keys('meterwall:*');
        if (keys.length === 0) await new Promise((resolve) => setTimeout(resolve, 100));
      }
      await reader.close();
      expect(keys.length).toBeGreaterThan(0);
      // Redis up: the claim is made, and the second article is the whole text in either mode.
      expect(await browser(500)).toEqual([
        [200, true],
        [200, true],
      ]);
      expect(site.exitCode).toBeNull();
      site.kill('SIGTERM');
      await exited;
    },
    120_000,
  );
});
