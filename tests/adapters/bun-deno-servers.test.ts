/**
 * The Bun.serve and Deno.serve examples, run by the real runtimes (the npm packages `bun` and
 * `deno`) on 127.0.0.1: the same reader journey as every other framework.
 */
import type { ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe } from 'vitest';
import { startListening } from '../helpers-binaries.js';
import { SECRETS, httpGet, journey } from './journey.js';

const root = join(import.meta.dirname, '..', '..');
const bin = (name: string) => {
  const path = join(root, 'node_modules', '.bin', name);
  return existsSync(path) ? path : null;
};
const SERVERS = [
  { name: 'Bun.serve (examples/bun)', binary: bin('bun'), args: ['run', 'examples/bun/server.ts'] },
  {
    name: 'Deno.serve (examples/deno)',
    binary: bin('deno'),
    args: ['run', '--allow-net', '--allow-env', '--allow-read', 'examples/deno/server.ts'],
  },
];

for (const server of SERVERS) {
  const title = server.binary ? server.name : `${server.name} — SKIPPED: its runtime is missing from node_modules/.bin (npm install)`;
  describe.skipIf(!server.binary)(title, () => {
    let child: ChildProcess | undefined;
    let base = '';
    beforeAll(async () => {
      const started = startListening(server.binary as string, server.args, {
        cwd: root,
        env: { PORT: '0', METERWALL_SECRET: SECRETS.meterSecret, SESSION_SECRET: SECRETS.sessionSecret },
      });
      child = started.child;
      base = await started.url;
    }, 40_000);
    afterAll(() => {
      child?.kill('SIGKILL');
    });
    journey(server.name, () => httpGet(() => base));
  });
}
