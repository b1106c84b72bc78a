/**
 * `meterwall/deno-kv` on Deno KV's own engine, twice over: in Node through `@deno/kv` (the
 * store contract, 200 concurrent views from two paywalls on two handles of one database file,
 * contention past the attempts), and in the real `deno` binary (`--unstable-kv`), where a server
 * of the test's own hands each operation to the store on `Deno.openKv()`: the contract again,
 * and 200 concurrent views counted exactly at the limit.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openKv } from '@deno/kv';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPaywall, type MeterStore, type PaywallOptions } from '../../src/index.js';
import { createDenoKvStore, type DenoKvLike } from '../../src/stores/deno-kv.js';
import { runtimeImports } from '../helpers-bundle.js';
import { articleRequest, SECRET } from '../helpers.js';
import { remoteStore } from '../helpers-remote-store.js';
import { replayScenarios } from '../replay-scenarios.js';
import { storeContract } from './contract.js';
import { giftContract } from './gift-contract.js';

let dir = '';
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'meterwall-deno-kv-'));
});
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

let run = 0;
const unique = () => `test${++run}-${Math.random().toString(36).slice(2)}`;

function registered(store: MeterStore, extra: Partial<PaywallOptions> = {}) {
  return createPaywall({ secret: SECRET, store, resolveReader: () => ({ status: 'registered', id: 'reader@example.com' }), ...extra });
}

describe('the Deno KV store in Node (@deno/kv)', () => {
  const handles: Array<{ close(): void }> = [];
  const database = async (name = 'node.sqlite'): Promise<DenoKvLike> => {
    const kv = await openKv(join(dir, name));
    handles.push(kv);
    return kv as unknown as DenoKvLike;
  };
  afterAll(() => {
    for (const kv of handles) kv.close();
  });

  storeContract(async () => ({ store: createDenoKvStore(await database(), { prefix: unique() }), key: (name) => name }));
  giftContract(async () => {
    const prefix = unique();
    return [
      createDenoKvStore(await database('gifts.sqlite'), { prefix }),
      createDenoKvStore(await database('gifts.sqlite'), { prefix }),
    ] as const;
  });

  describe('replay attacks', () => {
    replayScenarios(async () => createDenoKvStore(await database(), { prefix: unique() }));
  });

  it('200 concurrent views from one account on two paywalls, each on its own handle of the database: exactly the limit counted', async () => {
    const prefix = unique();
    // Optimistic commits from two handles at once retry (and two handles of one SQLite file meet
    // its lock): an answer may take longer than the default wait (250 ms). Closed: a view the
    // store did not answer is not counted from the cookie either, so what is counted is the store's.
    const failure = { timeoutMs: 10_000, mode: 'closed' as const };
    const one = registered(createDenoKvStore(await database('shared.sqlite'), { prefix }), { failure });
    const two = registered(createDenoKvStore(await database('shared.sqlite'), { prefix }), { failure });
    const decisions = await Promise.all(
      Array.from({ length: 200 }, (_, i) => (i % 2 ? one : two).decide(articleRequest(), { id: `story-${i}` })),
    );
    expect(decisions.filter((d) => d.counted)).toHaveLength(10);
    expect(decisions.filter((d) => d.counted).every((d) => d.meter?.source === 'store')).toBe(true);
    expect(decisions.filter((d) => d.reason === 'meter-exhausted' || d.reason === 'store-unavailable')).toHaveLength(190);
  }, 60_000);

  it('an operation that keeps meeting concurrent changes fails after its attempts (the failure policy answers), and the options are checked', async () => {
    const kv = await database();
    // A database whose every commit loses to another instance.
    const contended: DenoKvLike = {
      get: (key) => kv.get(key),
      atomic: () => {
        const real = kv.atomic();
        const chain = { check: () => chain, set: () => chain, commit: async () => ({ ok: false }) };
        void real;
        return chain;
      },
    };
    const store = createDenoKvStore(contended, { prefix: unique(), attempts: 3 });
    await expect(store.record('m', 'a', { limit: 3, at: Date.now(), since: 0, expiresAt: Date.now() + 60_000 })).rejects.toMatchObject({
      code: 'ERR_STORE_FAILED',
    });
    const closed = registered(createDenoKvStore(contended, { prefix: unique(), attempts: 3 }), { failure: { mode: 'closed' } });
    expect(await closed.decide(articleRequest(), { id: 'a' })).toMatchObject({ access: 'prompt', reason: 'store-unavailable' });
    // A database that is busy a few times (SQLite's lock, several processes on one file) is tried
    // again; one that keeps failing fails the operation.
    const busy = (times: number): DenoKvLike => {
      let left = times;
      return {
        get: (key) => kv.get(key),
        atomic: () => {
          const real = kv.atomic();
          const chain: ReturnType<DenoKvLike['atomic']> = {
            check(...checks) {
              real.check(...checks);
              return chain;
            },
            set(...args) {
              real.set(...args);
              return chain;
            },
            async commit() {
              if (left-- > 0) throw new Error('database is locked');
              return real.commit();
            },
          };
          return chain;
        },
      };
    };
    const view = { limit: 3, at: Date.now(), since: 0, expiresAt: Date.now() + 60_000 };
    expect(await createDenoKvStore(busy(3), { prefix: unique() }).record('m', 'a', view)).toMatchObject({ added: true });
    await expect(createDenoKvStore(busy(100), { prefix: unique() }).record('m', 'a', view)).rejects.toThrow('database is locked');
    expect(() => createDenoKvStore({} as never)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_OPTION', option: 'kv' }));
    expect(() => createDenoKvStore(kv, { attempts: 0 })).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_OPTION', option: 'attempts' }),
    );
  });
});

const deno = join(import.meta.dirname, '..', '..', 'node_modules', '.bin', 'deno');
const title = existsSync(deno)
  ? 'the Deno KV store in the deno binary'
  : 'the Deno KV store in the deno binary — SKIPPED: no deno (npm ci installs the deno package)';
if (!existsSync(deno)) console.warn(`[deno-kv] ${title}`);

/** Hands each operation to the store on Deno.openKv(); prints its port once it listens. */
const SERVER = `
import { createDenoKvStore } from 'meterwall/deno-kv';
const kv = await Deno.openKv(Deno.args[0]);
Deno.serve({ hostname: '127.0.0.1', port: 0, onListen: ({ port }) => console.log('listening ' + port) }, async (request) => {
  const { prefix, method, args } = await request.json();
  try {
    return Response.json({ result: await createDenoKvStore(kv, { prefix })[method](...args) });
  } catch (error) {
    return Response.json({ error: String(error), code: error?.code ?? null }, { status: 500 });
  }
});`;

describe.skipIf(!existsSync(deno))(title, () => {
  let server: ChildProcess | undefined;
  let base = '';

  beforeAll(async () => {
    const conditions = ['deno', 'node'];
    const bundled = await build({
      stdin: { contents: SERVER, resolveDir: process.cwd(), loader: 'ts' },
      bundle: true,
      write: false,
      format: 'esm',
      platform: 'neutral',
      conditions,
      plugins: [runtimeImports(conditions)],
      target: 'es2022',
      alias: { 'meterwall/deno-kv': './src/stores/deno-kv.ts' },
      logLevel: 'silent',
    });
    const file = join(dir, 'server.mjs');
    writeFileSync(file, bundled.outputFiles[0]?.text ?? '');
    server = spawn(
      deno,
      ['run', '--unstable-kv', '--allow-net=127.0.0.1', `--allow-read=${dir}`, `--allow-write=${dir}`, file, join(dir, 'deno.sqlite')],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let output = '';
    base = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`deno did not listen: ${output}`)), 30_000);
      const read = (chunk: Buffer) => {
        output += chunk.toString();
        const port = /listening (\d+)/.exec(output)?.[1];
        if (port !== undefined) {
          clearTimeout(timer);
          resolve(`http://127.0.0.1:${port}`);
        }
      };
      server?.stdout?.on('data', read);
      server?.stderr?.on('data', read);
      server?.once('exit', (code) => reject(new Error(`deno exited (${code}): ${output}`)));
    });
  }, 60_000);
  afterAll(() => {
    server?.kill('SIGKILL');
  });

  /** The store in the deno process, reached over its server. */
  const remote = (prefix: string): MeterStore => remoteStore(prefix, (body) => fetch(base, { method: 'POST', body }));

  describe('the store contract', () => {
    storeContract(async () => ({ store: remote(unique()), key: (name) => name }));
    giftContract(async () => {
      const prefix = unique();
      return [remote(prefix), remote(prefix)] as const;
    });
  });

  it('200 concurrent views of one meter: exactly the limit counted', async () => {
    const store = remote(unique());
    const at = Date.now();
    const results = await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        store.record('meter', `story-${i}`, { limit: 10, at: at + i, since: 0, expiresAt: at + 60_000 }),
      ),
    );
    expect(results.filter((r) => r.added)).toHaveLength(10);
    expect((await store.peek('meter', '', { since: 0 })).used).toBe(10);
  }, 60_000);
});
