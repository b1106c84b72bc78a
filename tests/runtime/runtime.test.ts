import { EdgeVM } from '@edge-runtime/vm';
import { build } from 'esbuild';
import { runtimeImports } from '../helpers-bundle.js';
import { Miniflare } from 'miniflare';
import { beforeAll, describe, expect, it } from 'vitest';
import { runScenarios } from './scenarios.js';
import { runTokenMatrix, type TokenMatrix } from './token-matrix.js';

/** The scenarios bundled for a Web-only runtime, as Wrangler or Next would bundle them. */
async function bundle(format: 'esm' | 'iife'): Promise<string> {
  const result = await build({
    stdin: {
      contents:
        format === 'esm'
          ? `import { runScenarios } from './tests/runtime/scenarios.ts';
             import { runTokenMatrix } from './tests/runtime/token-matrix.ts';
             export default { async fetch(request) {
               if (new URL(request.url).pathname === '/tokens')
                 return Response.json(await runTokenMatrix(new URL(request.url).searchParams.getAll('token')));
               return Response.json(await runScenarios());
             } };`
          : `import { runScenarios } from './tests/runtime/scenarios.ts';
             import { runTokenMatrix } from './tests/runtime/token-matrix.ts';
             globalThis.__runScenarios = runScenarios; globalThis.__runTokenMatrix = runTokenMatrix;`,
      resolveDir: process.cwd(),
      loader: 'ts',
    },
    bundle: true,
    write: false,
    format,
    platform: 'browser',
    conditions: ['workerd', 'worker', 'edge-light', 'browser'],
    plugins: [runtimeImports(['workerd', 'worker', 'edge-light', 'browser'])],
    target: 'es2022',
    alias: { meterwall: './src/index.ts' },
    logLevel: 'silent',
  });
  const text = result.outputFiles[0]?.text ?? '';
  // The runtime's own build: Web Crypto, never node:crypto (the `node` condition is not set).
  if (text.includes('node:crypto') || !text.includes('name: "web"')) throw new Error('the bundle did not take the Web Crypto runtime');
  return text;
}

let node: Awaited<ReturnType<typeof runScenarios>>;
let nodeTokens: TokenMatrix;

beforeAll(async () => {
  node = await runScenarios();
  nodeTokens = await runTokenMatrix();
});

/**
 * A runtime's token matrix against Node's: the same verdicts, plus the Node-signed token
 * accepted there; and the runtime's own token accepted by Node (node:crypto) and by jose.
 */
async function expectSameTokens(other: TokenMatrix): Promise<void> {
  expect(other.verdicts).toEqual([
    ...nodeTokens.verdicts,
    { name: 'signed on another runtime #1', reason: 'already-read', rejected: null },
  ]);
  const back = await runTokenMatrix([other.token]);
  expect(back.verdicts.at(-1)).toEqual({ name: 'signed on another runtime #1', reason: 'already-read', rejected: null });
}

describe('the same decisions and the same token verdicts on every runtime', () => {
  it('on Node: the reference outcomes', () => {
    expect(node.outcomes.map((o) => `${o.step}: ${o.access}/${o.reason}`)).toEqual([
      'first view: full/metered',
      'second view: full/metered',
      're-read: full/already-read',
      'HEAD: prompt/not-counted',
      'prefetch: prompt/not-counted',
      'Next prefetch: prompt/not-counted',
      'image: prompt/not-counted',
      'link preview: prompt/not-counted',
      'third view: full/metered',
      'fourth view: prompt/register-to-continue',
      'free article: full/free-article',
      'subscribers only: teaser/subscribers-only',
      'subscriber: full/subscriber',
      'forged token: full/metered',
      'new period: full/metered',
    ]);
    expect(node.outcomes[9]?.resetsAt).toBe('2027-03-31T23:00:00.000Z');
    expect(node.teaser).toBe('<p>First <em>paragraph</em> &amp; more.</p><p>Second.</p>');
    expect(node.banner).toContain('0 of 3 free articles left this month');
    expect(node.gifts).toEqual([
      'created: 9 left',
      'first browser: full/gift (1 of 2)',
      'second browser: full/gift (2 of 2)',
      'first browser again: full/gift (2 of 2)',
      'third browser: full/metered',
      'forged: full/metered',
    ]);
  });

  it('on Node (node:crypto): jose accepts its tokens, it accepts jose’s, and refuses every tampering with jose’s codes', () => {
    expect(nodeTokens.verdicts.map((v) => `${v.name}: ${v.reason}${v.rejected ? ` (${v.rejected})` : ''}`)).toEqual([
      'signed here, verified by jose: jose accepts',
      'jose signs with the secret: already-read',
      'jose signs with another secret: metered (bad-signature ERR_JWS_SIGNATURE_VERIFICATION_FAILED)',
      'jose signs an expired token: metered (expired ERR_JWT_EXPIRED)',
      'a flipped signature: metered (bad-signature ERR_JWS_SIGNATURE_VERIFICATION_FAILED)',
      'a truncated signature: metered (bad-signature ERR_JWS_SIGNATURE_VERIFICATION_FAILED)',
      'alg none: metered (malformed)',
      'alg none with a signature: metered (algorithm ERR_JOSE_ALG_NOT_ALLOWED)',
      'HS512 claimed: metered (algorithm ERR_JOSE_ALG_NOT_ALLOWED)',
      'an unknown kid: metered (unknown-key ERR_JWKS_NO_MATCHING_KEY)',
      'a changed payload: metered (bad-signature ERR_JWS_SIGNATURE_VERIFICATION_FAILED)',
      'a crit header: metered (algorithm ERR_JOSE_NOT_SUPPORTED)',
      'not a JWS: metered (malformed)',
    ]);
  });

  it('in Cloudflare workerd (Miniflare): identical', async () => {
    const mf = new Miniflare({ modules: true, script: await bundle('esm'), compatibilityDate: '2025-09-01' });
    try {
      const response = await mf.dispatchFetch('https://runtime.test/');
      expect(await response.json()).toEqual(JSON.parse(JSON.stringify(node)));
      const tokens = await mf.dispatchFetch(`https://runtime.test/tokens?token=${encodeURIComponent(nodeTokens.token)}`);
      await expectSameTokens((await tokens.json()) as TokenMatrix);
    } finally {
      await mf.dispose();
    }
  }, 60_000);

  it('in the edge runtime (@edge-runtime/vm, as Vercel and Next middleware run): identical', async () => {
    const vm = new EdgeVM();
    vm.evaluate(await bundle('iife'));
    const result = await vm.evaluate<Promise<unknown>>('__runScenarios()');
    expect(JSON.parse(JSON.stringify(result))).toEqual(JSON.parse(JSON.stringify(node)));
    const tokens = await vm.evaluate<Promise<TokenMatrix>>(`__runTokenMatrix([${JSON.stringify(nodeTokens.token)}])`);
    await expectSameTokens(JSON.parse(JSON.stringify(tokens)) as TokenMatrix);
  }, 60_000);
});
