import { readdir, readFile, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join, posix, sep } from 'node:path';
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
  'stores/upstash': 'src/stores/upstash.ts',
  'stores/durable-objects': 'src/stores/durable-objects.ts',
  'stores/deno-kv': 'src/stores/deno-kv.ts',
  'crawlers/dns': 'src/crawlers/dns.ts',
  'agents/index': 'src/agents/index.ts',
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

/**
 * Deletes the CommonJS files no CommonJS entry of the library reaches: the command's own
 * (package.json's bin runs as ESM on Node only), which would only weigh on the tarball.
 */
async function dropUnreachedCommonJs(outDir: string): Promise<void> {
  const reached = new Set<string>();
  const queue = Object.keys(library).map((entry) => `${entry}.cjs`);
  for (let file = queue.pop(); file !== undefined; file = queue.pop()) {
    if (reached.has(file)) continue;
    reached.add(file);
    const text = await readFile(join(outDir, file), 'utf8');
    for (const [, target] of text.matchAll(/require\(["'](\.\.?\/[^"']+\.cjs)["']\)/g))
      queue.push(posix.join(posix.dirname(file), target as string));
  }
  const files = await readdir(outDir, { recursive: true });
  await Promise.all(
    files
      .map((file) => file.split(sep).join('/'))
      .filter((file) => file.endsWith('.cjs') && !reached.has(file))
      .map((file) => rm(join(outDir, file))),
  );
}

export default defineConfig((overrides) => ({
  entry: {
    ...library,
    // The `meterwall` command (package.json's bin); no declarations, and no CommonJS copy.
    'cli/main': 'src/cli/main.ts',
    // Its worker threads (`meterwall simulate` replays partitions on them), loaded beside it.
    'cli/worker': 'src/cli/simulate/worker.ts',
  },
  // `redis` is the site's own (`meterwall inspect --redis` imports it when asked), never bundled.
  external: ['#runtime', 'redis'],
  esbuildPlugins: [rawText],
  format: ['esm', 'cjs'],
  dts: { entry: library },
  clean: true,
  // No source maps in the package: the output is readable, unminified ES2022, and the maps were
  // two thirds of the unpacked tarball (1.2 of 1.9 MB).
  sourcemap: false,
  target: 'es2022',
  platform: 'neutral',
  splitting: true,
  treeshake: true,
  onSuccess: () => dropUnreachedCommonJs(overrides.outDir ?? 'dist'),
}));
