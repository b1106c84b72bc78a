// Sizes of what a site ships to an edge runtime: a Worker that only decides (createPaywall,
// decide, applyDecisionHeaders) and one that renders (createRenderer), each bundled from the
// built package with all its dependencies, minified, platform neutral, then gzipped.
// Each dependency's weight is what it adds: the gzipped bundle with it, less the bundle with it
// left out (marked external).
// Usage: node scripts/bundle-size.mjs [--json] [dist directory]   (after npm run build)
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

const root = new URL('..', import.meta.url).pathname;

const sources = (entry) => ({
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
});
export const BUNDLES = sources(join(root, 'dist/index.js'));

/**
 * Bundles each entry from the build in `dist` and returns its minified and gzipped sizes in
 * bytes, its inputs (minified bytes by package) and each dependency's gzipped weight.
 */
export async function measureBundles(dist = join(root, 'dist')) {
  const dir = mkdtempSync(join(tmpdir(), 'meterwall-bundle-'));
  const bundle = async (file, external = []) => {
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
      external,
    });
    const code = result.outputFiles[0].contents;
    const inputs = {};
    for (const [path, input] of Object.entries(Object.values(result.metafile.outputs)[0].inputs)) {
      const key = path.includes('node_modules/') ? path.split('node_modules/').at(-1).split('/')[0] : 'meterwall';
      inputs[key] = (inputs[key] ?? 0) + input.bytesInOutput;
    }
    return { minified: code.byteLength, gzip: gzipSync(code, { level: 9 }).byteLength, inputs };
  };
  try {
    const sizes = {};
    for (const [name, source] of Object.entries(sources(join(resolve(dist), 'index.js')))) {
      const file = join(dir, `${name}.js`);
      writeFileSync(file, source);
      const whole = await bundle(file);
      const dependencies = {};
      for (const pkg of Object.keys(whole.inputs).filter((key) => key !== 'meterwall'))
        dependencies[pkg] = whole.gzip - (await bundle(file, [pkg])).gzip;
      sizes[name] = { ...whole, dependencies };
    }
    return sizes;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const dist = process.argv.slice(2).find((arg) => !arg.startsWith('--'));
  const sizes = await measureBundles(dist);
  if (process.argv.includes('--json')) console.log(JSON.stringify(sizes));
  else
    for (const [name, s] of Object.entries(sizes))
      console.log(
        `${name}: ${(s.gzip / 1024).toFixed(1)} KB gzipped (${(s.minified / 1024).toFixed(1)} KB minified)`,
        s.inputs,
        'gzipped by dependency:',
        s.dependencies,
      );
}
