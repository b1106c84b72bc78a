import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import type { Plugin } from 'esbuild';
import { defineConfig } from 'tsup';

/**
 * `import text from 'some/file?raw'`: the file's text, inlined into the build (as Vite does
 * under vitest). The command's HTML report carries uPlot this way, so uPlot is not installed.
 */
const rawText: Plugin = {
  name: 'raw-text',
  setup(build) {
    const require = createRequire(import.meta.url);
    // The path keeps its `?raw`, so no other plugin (tsup's for CSS) takes the file for its own.
    build.onResolve({ filter: /\?raw$/ }, (args) => ({ path: `${require.resolve(args.path.slice(0, -4))}?raw`, namespace: 'raw-text' }));
    build.onLoad({ filter: /\?raw$/, namespace: 'raw-text' }, async (args) => ({
      contents: await readFile(args.path.slice(0, -4), 'utf8'),
      loader: 'text',
    }));
  },
};

/** The package's entries (package.json's exports, and what they load). */
const library = {
  index: 'src/index.ts',
  'adapters/node': 'src/adapters/node.ts',
  'stores/redis': 'src/stores/redis.ts',
  'crawlers/dns': 'src/crawlers/dns.ts',
  'adapters/express': 'src/adapters/express.ts',
  'adapters/fastify': 'src/adapters/fastify.ts',
  'adapters/hono': 'src/adapters/hono.ts',
  'adapters/next': 'src/adapters/next.ts',
  // Not a public entry (not in package.json's exports): it makes the renderer a chunk of its
  // own, so a bundle that only decides drops it whole, the HTML entities' tables included.
  'internal/content': 'src/content/render.ts',
  // The runtime primitives, picked at install time by package.json's `imports` map: the
  // `node` condition gets node:crypto, every other runtime Web Crypto. Never bundled in.
  'runtime/node': 'src/runtime/node.ts',
  'runtime/web': 'src/runtime/web.ts',
};

const shared = {
  external: ['#runtime'],
  // No source maps in the package: the output is readable, unminified ES2022, and the maps were
  // two thirds of the unpacked tarball (1.2 of 1.9 MB).
  sourcemap: false,
  target: 'es2022',
  platform: 'neutral',
  splitting: true,
  treeshake: true,
  dts: { entry: library },
} as const;

// Two builds writing into one `dist` (package.json's build script empties it first: a `clean`
// in either would race the other). The `meterwall` command (package.json's bin) runs as ESM on
// Node only, so it is in the ESM build alone, without declarations, sharing its chunks.
export default defineConfig([
  { ...shared, entry: { ...library, 'cli/main': 'src/cli/main.ts' }, format: ['esm'], esbuildPlugins: [rawText] },
  { ...shared, entry: library, format: ['cjs'] },
]);
