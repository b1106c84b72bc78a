// Sizes of what a site ships to an edge runtime: a Worker that only decides (createPaywall,
// decide, applyDecisionHeaders) and one that renders (createRenderer), each bundled from the
// built package with all its dependencies, minified, platform neutral, then gzipped.
// Usage: node scripts/bundle-size.mjs [--json]   (after npm run build)
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

const root = new URL('..', import.meta.url).pathname;
const entry = join(root, 'dist/index.js');

export const BUNDLES = {
  decide: `import { createPaywall, applyDecisionHeaders } from ${JSON.stringify(entry)};
let paywall;
export default { async fetch(request, env) {
  paywall ??= createPaywall({ secret: env.SECRET });
  const decision = await paywall.decide(request, { id: new URL(request.url).pathname });
  return applyDecisionHeaders(new Response(decision.access), decision);
} };`,
  render: `import { createRenderer } from ${JSON.stringify(entry)};
const renderer = createRenderer();
export function page(decision, html) { return renderer.render(decision, html); }`,
};

/** Bundles each entry and returns its minified and gzipped sizes in bytes, and the biggest inputs. */
export async function measureBundles() {
  const dir = mkdtempSync(join(tmpdir(), 'meterwall-bundle-'));
  try {
    const sizes = {};
    for (const [name, source] of Object.entries(BUNDLES)) {
      const file = join(dir, `${name}.js`);
      writeFileSync(file, source);
      const result = await build({
        entryPoints: [file],
        bundle: true,
        minify: true,
        platform: 'neutral',
        format: 'esm',
        mainFields: ['module', 'main'],
        conditions: ['worker', 'browser'],
        write: false,
        metafile: true,
        logLevel: 'silent',
      });
      const code = result.outputFiles[0].contents;
      const inputs = {};
      for (const [path, input] of Object.entries(Object.values(result.metafile.outputs)[0].inputs)) {
        const key = path.includes('node_modules/') ? path.split('node_modules/').at(-1).split('/')[0] : 'meterwall';
        inputs[key] = (inputs[key] ?? 0) + input.bytesInOutput;
      }
      sizes[name] = { minified: code.byteLength, gzip: gzipSync(code, { level: 9 }).byteLength, inputs };
    }
    return sizes;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const sizes = await measureBundles();
  if (process.argv.includes('--json')) console.log(JSON.stringify(sizes));
  else
    for (const [name, s] of Object.entries(sizes))
      console.log(`${name}: ${(s.gzip / 1024).toFixed(1)} KB gzipped (${(s.minified / 1024).toFixed(1)} KB minified)`, s.inputs);
}
