/**
 * Bun and Deno (the npm packages `bun` and `deno`, which ship their binaries): the same decision
 * scenarios and the same token verdicts as on Node, from a bundle of the scenarios resolved with
 * the `bun` (or `deno`) and `node` conditions, so on each runtime's own `node:crypto`. Each
 * runtime's tokens are accepted by Node, and Node's by it.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleScript } from '../helpers-bundle.js';
import { runScenarios } from './scenarios.js';
import { runTokenMatrix, type TokenMatrix } from './token-matrix.js';

const run = promisify(execFile);
const bin = (name: string) => {
  const path = join(import.meta.dirname, '..', '..', 'node_modules', '.bin', name);
  return existsSync(path) ? path : null;
};
const RUNTIMES = [
  { name: 'Bun', binary: bin('bun'), conditions: ['bun', 'node'], args: (file: string) => ['run', file] },
  { name: 'Deno', binary: bin('deno'), conditions: ['deno', 'node'], args: (file: string) => ['run', '--allow-env', '--allow-read', file] },
];

let dir = '';
let node: Awaited<ReturnType<typeof runScenarios>>;
let nodeTokens: TokenMatrix;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'meterwall-runtimes-'));
  node = await runScenarios();
  nodeTokens = await runTokenMatrix();
});
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function bundleFor(conditions: string[]): Promise<string> {
  const text = await bundleScript(
    `import { runScenarios } from './tests/runtime/scenarios.ts';
        import { runTokenMatrix } from './tests/runtime/token-matrix.ts';
        const args = globalThis.Deno ? globalThis.Deno.args : process.argv.slice(2);
        const runtime = globalThis.Deno ? 'Deno' : globalThis.Bun ? 'Bun' : 'Node';
        console.log(JSON.stringify({ runtime, scenarios: await runScenarios(), tokens: await runTokenMatrix(args) }));`,
    conditions,
  );
  if (!text.includes('name: "node"')) throw new Error('the bundle did not take the node:crypto runtime');
  const file = join(dir, `scenarios-${conditions[0]}.mjs`);
  writeFileSync(file, text);
  return file;
}

for (const runtime of RUNTIMES) {
  const title = runtime.binary
    ? `on ${runtime.name}: the same decisions and token verdicts as on Node`
    : `on ${runtime.name} — SKIPPED: node_modules/.bin/${runtime.name.toLowerCase()} missing (npm install)`;
  describe.skipIf(!runtime.binary)(title, () => {
    it('runs the scenarios and the token matrix, and agrees with Node both ways', async () => {
      const file = await bundleFor(runtime.conditions);
      const { stdout } = await run(runtime.binary as string, [...runtime.args(file), nodeTokens.token], {
        timeout: 60_000,
        env: { ...process.env, NO_COLOR: '1', DENO_NO_UPDATE_CHECK: '1' },
      });
      const result = JSON.parse(stdout.trim().split('\n').at(-1) as string) as { runtime: string; scenarios: unknown; tokens: TokenMatrix };
      expect(result.runtime).toBe(runtime.name);
      expect(result.scenarios).toEqual(JSON.parse(JSON.stringify(node)));
      expect(result.tokens.verdicts).toEqual([
        ...nodeTokens.verdicts,
        { name: 'signed on another runtime #1', reason: 'already-read', rejected: null },
      ]);
      const back = await runTokenMatrix([result.tokens.token]);
      expect(back.verdicts.at(-1)).toEqual({ name: 'signed on another runtime #1', reason: 'already-read', rejected: null });
    }, 90_000);
  });
}
