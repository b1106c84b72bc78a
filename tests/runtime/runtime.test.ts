import { EdgeVM } from '@edge-runtime/vm';
import { build } from 'esbuild';
import { Miniflare } from 'miniflare';
import { beforeAll, describe, expect, it } from 'vitest';
import { runScenarios } from './scenarios.js';

/** The scenarios bundled for a Web-only runtime, as Wrangler or Next would bundle them. */
async function bundle(format: 'esm' | 'iife'): Promise<string> {
  const result = await build({
    stdin: {
      contents:
        format === 'esm'
          ? `import { runScenarios } from './tests/runtime/scenarios.ts';
             export default { async fetch() { return Response.json(await runScenarios()); } };`
          : `import { runScenarios } from './tests/runtime/scenarios.ts'; globalThis.__runScenarios = runScenarios;`,
      resolveDir: process.cwd(),
      loader: 'ts',
    },
    bundle: true,
    write: false,
    format,
    platform: 'browser',
    conditions: ['workerd', 'worker', 'edge-light', 'browser'],
    target: 'es2022',
    alias: { meterwall: './src/index.ts' },
    logLevel: 'silent',
  });
  return result.outputFiles[0]?.text ?? '';
}

let node: Awaited<ReturnType<typeof runScenarios>>;

beforeAll(async () => {
  node = await runScenarios();
});

describe('the same decisions on every runtime', () => {
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
  });

  it('in Cloudflare workerd (Miniflare): identical', async () => {
    const mf = new Miniflare({ modules: true, script: await bundle('esm'), compatibilityDate: '2025-09-01' });
    try {
      const response = await mf.dispatchFetch('https://runtime.test/');
      expect(await response.json()).toEqual(JSON.parse(JSON.stringify(node)));
    } finally {
      await mf.dispose();
    }
  }, 60_000);

  it('in the edge runtime (@edge-runtime/vm, as Vercel and Next middleware run): identical', async () => {
    const vm = new EdgeVM();
    vm.evaluate(await bundle('iife'));
    const result = await vm.evaluate<Promise<unknown>>('__runScenarios()');
    expect(JSON.parse(JSON.stringify(result))).toEqual(JSON.parse(JSON.stringify(node)));
  }, 60_000);
});
