/**
 * `meterwall inspect` on a registered reader's cookie and after sign-out, against a real
 * redis-server: the cookie alone says where the meter lives (the store, under the account) and
 * that signed out this browser is walled; with `--account` and `--redis` the command reads the
 * account's meter from the store, the count the page showed (`5 of 5`) and which articles are in
 * it. The built command is run as a user runs it.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createClient } from 'redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPaywall, type Decision } from '../../src/index.js';
import { createRedisStore } from '../../src/stores/redis.js';
import { SECRET, tokenOf } from '../helpers.js';
import { redisServerPath, startRedis, type TestRedis } from '../helpers-redis.js';

const bin = 'dist/cli/main.js';
const binary = redisServerPath();
const title = binary
  ? 'meterwall inspect on registered and signed-out cookies, with the meter in a real redis-server'
  : 'meterwall inspect with Redis — SKIPPED: no redis-server on PATH (apt-get install redis-server)';
if (!binary) console.warn(`[redis] ${title}`);

describe.skipIf(!binary || !existsSync(bin))(title, () => {
  let redis: TestRedis;
  let dir = '';
  const run = promisify(execFile);
  beforeAll(async () => {
    redis = await startRedis(binary as string);
    dir = mkdtempSync(join(tmpdir(), 'meterwall-inspect-'));
    writeFileSync(
      join(dir, 'config.mjs'),
      `export default {
        options: { meters: { anonymous: { limit: 3 }, registered: { limit: 5 } }, period: { calendar: 'month', timeZone: 'UTC' } },
        article: () => null,
      };\n`,
    );
  });
  afterAll(async () => {
    await redis?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const inspect = async (cookie: string, ...extra: string[]) => {
    try {
      return (
        await run(process.execPath, [bin, 'inspect', cookie, '--config', join(dir, 'config.mjs'), ...extra], {
          env: { ...process.env, METERWALL_SECRET: SECRET },
        })
      ).stdout;
    } catch (error) {
      return (error as { stdout: string }).stdout;
    }
  };

  it('a registered reader: where the meter lives, read from the store; signed out: walled', async () => {
    const client = createClient({ url: redis.url, disableOfflineQueue: true });
    client.on('error', () => {});
    await client.connect();
    try {
      const paywall = createPaywall({
        secret: SECRET,
        meters: { anonymous: { limit: 3 }, registered: { limit: 5 } },
        period: { calendar: 'month', timeZone: 'UTC' },
        store: createRedisStore(client),
        resolveReader: (request) => {
          const id = request.headers.get('x-account');
          return id === null ? null : { status: 'registered', id };
        },
      });
      let cookie = '';
      const open = async (id: string, account: string | null): Promise<Decision> => {
        const headers: Record<string, string> = {};
        if (cookie) headers['cookie'] = `__Host-meterwall=${cookie}`;
        if (account) headers['x-account'] = account;
        const decision = await paywall.decide(new Request(`https://news.example/${id}`, { headers }), { id });
        cookie = tokenOf(decision) ?? cookie;
        return decision;
      };
      await open('a1', null); // one anonymous view, merged on sign-in
      for (const id of ['a2', 'a3', 'a4', 'a5']) expect((await open(id, 'alice@example.com')).access).toBe('full');
      const walled = await open('a6', 'alice@example.com');
      expect(walled.access).not.toBe('full');
      expect(walled.meter).toMatchObject({ used: 5, limit: 5 });

      // The cookie alone: it says where the meter is, and what signing out means.
      const alone = await inspect(cookie);
      expect(alone).toContain('signed in here  yes');
      expect(alone).toContain('in the store, not in this cookie');
      expect(alone).toContain('signed out, this browser is walled');

      // With the store: the count the page showed, and the articles in it.
      const stored = await inspect(
        cookie,
        '--account',
        'alice@example.com',
        '--redis',
        redis.url,
        '--article',
        'a1',
        '--article',
        'a4',
        '--article',
        'a6',
      );
      expect(stored).toMatch(/account meter\s+in the store under meterwall:[0-9a-z]+:[A-Za-z0-9_-]{22}/);
      expect(stored).toContain('meter default   5 used of 5 (store)');
      expect(stored).toContain('article "a1": read this period (account)');
      expect(stored).toContain('article "a4": read this period (account)');
      expect(stored).toContain('article "a6": not read this period (account)');
      expect(stored).not.toContain('alice'); // the account id is never printed

      // Signed out: the page walls the browser, and inspect says so.
      const out = await open('a7', null);
      expect(out.access).not.toBe('full');
      expect(await inspect(cookie)).toContain('none left while signed out');
      // --account without --redis is refused, with why.
      await expect(
        run(process.execPath, [bin, 'inspect', cookie, '--account', 'x'], { env: { ...process.env, METERWALL_SECRET: SECRET } }),
      ).rejects.toMatchObject({ code: 2, stderr: expect.stringContaining('give --redis') });
    } finally {
      client.destroy();
    }
  }, 60_000);
});
