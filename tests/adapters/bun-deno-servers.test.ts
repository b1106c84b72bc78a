/**
 * The Bun.serve and Deno.serve examples, run by the real runtimes (the npm packages `bun` and
 * `deno`) on 127.0.0.1: the same reader journey as every other framework.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe } from 'vitest';
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
      child = spawn(server.binary as string, server.args, {
        cwd: root,
        env: { ...process.env, PORT: '0', METERWALL_SECRET: SECRETS.meterSecret, SESSION_SECRET: SECRETS.sessionSecret, NO_COLOR: '1' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      base = await new Promise<string>((resolve, reject) => {
        let output = '';
        const timer = setTimeout(() => reject(new Error(`${server.name} did not start: ${output}`)), 30_000);
        const read = (chunk: Buffer) => {
          output += chunk.toString();
          const url = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(output)?.[1];
          if (url) {
            clearTimeout(timer);
            resolve(url);
          }
        };
        child?.stdout?.on('data', read);
        child?.stderr?.on('data', read);
        child?.once('exit', (code) => reject(new Error(`${server.name} exited (${code}): ${output}`)));
      });
    }, 40_000);
    afterAll(() => {
      child?.kill('SIGKILL');
    });
    journey(server.name, () => httpGet(() => base));
  });
}
