/**
 * A store that lives in another runtime (a Worker in workerd, a deno process), reached from the
 * tests through a small server there that hands each call to the store: `{ prefix, method, args }`
 * in, `{ result }` out. The contract then runs here against the real engine there.
 */
import type { MeterStore } from '../src/index.js';

/** `send` posts one call's JSON body and resolves to the response. */
export function remoteStore(prefix: string, send: (body: string) => Promise<Response>): MeterStore {
  const call =
    (method: keyof MeterStore) =>
    async (...args: unknown[]) => {
      const response = await send(JSON.stringify({ prefix, method, args }));
      if (!response.ok) throw new Error(`the remote store answered ${response.status}: ${await response.text()}`);
      return ((await response.json()) as { result: unknown }).result;
    };
  return {
    peek: call('peek'),
    record: call('record'),
    merge: call('merge'),
    claimView: call('claimView'),
    countFresh: call('countFresh'),
  } as MeterStore;
}
