/**
 * The same Web Bot Auth verification on workerd (Miniflare) and Deno as on Node: requests signed
 * here by web-bot-auth, the key directory served here on 127.0.0.1, the decisions made there.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Miniflare } from 'miniflare';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleScript, bundleWorker } from '../helpers-bundle.js';
import { type KeyDirectory, serveKeyDirectory, signedHeaders, strangerJwk } from '../helpers-agents.js';
import { type AgentCase, runAgentScenario, SCENARIO_URL } from './agent-scenario.js';

const run = promisify(execFile);
const deno = join(import.meta.dirname, '..', '..', 'node_modules', '.bin', 'deno');

let directory: KeyDirectory;
let cases: AgentCase[];
/** What Node decides for the cases (each runtime must agree). */
const EXPECTED: Array<[string, string, number, string]> = [
  ['person', 'metered', 200, 'no agent'],
  ['signed agent', 'agent-licensed', 200, 'demo (user): Web Bot Auth signature verified'],
  ['the same signature replayed', 'not-counted', 200, 'signature replayed (its nonce was seen)'],
  ['tampered', 'not-counted', 200, 'signature does not verify'],
  ['unknown key', 'not-counted', 200, 'key not in the operator’s directory'],
];

beforeAll(async () => {
  directory = await serveKeyDirectory();
  const agent = directory.origin;
  const good = await signedHeaders(SCENARIO_URL, { agent, userAgent: 'DemoAgent/1.0' });
  cases = [
    {
      name: 'person',
      headers: { 'user-agent': 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36' },
    },
    { name: 'signed agent', headers: good },
    { name: 'the same signature replayed', headers: good },
    {
      name: 'tampered',
      headers: { ...good, signature: (good['signature'] as string).replace(/:(.)/, (_, c: string) => `:${c === 'A' ? 'B' : 'A'}`) },
    },
    { name: 'unknown key', headers: await signedHeaders(SCENARIO_URL, { agent, userAgent: 'DemoAgent/1.0', key: await strangerJwk() }) },
  ];
});
afterAll(() => directory?.close());

describe('Web Bot Auth verification on other runtimes', () => {
  it('on Node (the reference for the others)', async () => {
    expect(await runAgentScenario(directory.origin, cases)).toEqual(EXPECTED);
  });

  it('on workerd (Miniflare): the same decisions', async () => {
    const script = await bundleWorker({
      contents: `import { runAgentScenario } from './tests/agents/agent-scenario.ts';
        export default { async fetch(request) { const { directory, cases } = await request.json(); return Response.json(await runAgentScenario(directory, cases)); } };`,
    });
    const mf = new Miniflare({ modules: true, script, compatibilityDate: '2025-09-01' });
    try {
      const response = await mf.dispatchFetch('https://runner.test/', {
        method: 'POST',
        body: JSON.stringify({ directory: directory.origin, cases: cases }),
      });
      expect(await response.json()).toEqual(EXPECTED);
    } finally {
      await mf.dispose();
    }
  });

  it.skipIf(!existsSync(deno))(
    'on Deno: the same decisions',
    async () => {
      const dir = mkdtempSync(join(tmpdir(), 'meterwall-agents-deno-'));
      try {
        const text = await bundleScript(
          `import { runAgentScenario } from './tests/agents/agent-scenario.ts';
          const { directory, cases } = JSON.parse(Deno.args[0]);
          console.log(JSON.stringify(await runAgentScenario(directory, cases)));`,
          ['deno', 'node'],
        );
        const file = join(dir, 'agents.mjs');
        writeFileSync(file, text);
        const { stdout } = await run(
          deno,
          ['run', '--allow-net', '--allow-env', '--allow-read', file, JSON.stringify({ directory: directory.origin, cases: cases })],
          {
            timeout: 60_000,
            env: { ...process.env, NO_COLOR: '1', DENO_NO_UPDATE_CHECK: '1' },
          },
        );
        expect(JSON.parse(stdout.trim().split('\n').at(-1) as string)).toEqual(EXPECTED);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
    90_000,
  );
});
