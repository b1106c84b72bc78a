/**
 * The Deno.serve example with its store on Deno KV (examples/deno-kv), run by the real `deno`
 * binary as two instances on one database file: the reader journey on the first, then the spent
 * cookie, and an older one, replayed on the second instance stay walled (the claims are in KV).
 */
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startListening } from '../helpers-binaries.js';
import { type Get, httpGet, journey, SECRETS } from './journey.js';

const root = join(import.meta.dirname, '..', '..');
const deno = join(root, 'node_modules', '.bin', 'deno');
const title = existsSync(deno)
  ? 'Deno.serve with Deno KV (examples/deno-kv), two instances on one database'
  : 'Deno.serve with Deno KV — SKIPPED: no deno in node_modules/.bin (npm install)';

describe.skipIf(!existsSync(deno))(title, () => {
  const children: ChildProcess[] = [];
  const bases: string[] = [];
  let dir = '';

  /** Starts one instance on the shared database; resolves to its base URL. */
  const start = (kvPath: string): Promise<string> => {
    const { child, url } = startListening(
      deno,
      ['run', '--unstable-kv', '--allow-net', '--allow-env', '--allow-read', '--allow-write', 'examples/deno-kv/server.ts'],
      { cwd: root, env: { PORT: '0', KV_PATH: kvPath, METERWALL_SECRET: SECRETS.meterSecret, SESSION_SECRET: SECRETS.sessionSecret } },
    );
    children.push(child);
    return url;
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'meterwall-deno-kv-example-'));
    const kvPath = join(dir, 'meters.sqlite');
    bases.push(await start(kvPath), await start(kvPath));
  }, 60_000);
  afterAll(() => {
    for (const child of children) child.kill('SIGKILL');
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  journey('the first instance', () => httpGet(() => bases[0] as string));

  it('three reads on the first instance, the wall; the spent cookie and an older one replayed on the second stay walled', async () => {
    const [one, two] = [httpGet(() => bases[0] as string), httpGet(() => bases[1] as string)] as [Get, Get];
    let cookie: string | undefined;
    const cookies: string[] = [];
    for (const slug of ['harbour-wall', 'night-buses', 'market-hall']) {
      const page = await one(`/articles/${slug}`, cookie);
      expect(page.body).toContain('HELD-BACK');
      cookie = page.meterCookie?.split(';')[0] ?? cookie;
      cookies.push(cookie as string);
    }
    expect((await one('/articles/river-festival', cookie)).body).toContain('Register for free to continue reading');
    const spent = await two('/articles/river-festival', cookie);
    expect(spent.body).not.toContain('HELD-BACK');
    expect(spent.body).toContain('Register for free to continue reading');
    // The cookie from after the first read says two views are left; the store on the shared database says none.
    const older = await two('/articles/river-festival', cookies[0]);
    expect(older.body).not.toContain('HELD-BACK');
    expect(older.body).toContain('Register for free to continue reading');
  });
});
