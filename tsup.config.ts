import { rm } from 'node:fs/promises';
import { defineConfig } from 'tsup';

export default defineConfig({
  entry: {
    index: 'src/index.ts',
    'adapters/node': 'src/adapters/node.ts',
    'stores/redis': 'src/stores/redis.ts',
    'crawlers/dns': 'src/crawlers/dns.ts',
    'adapters/express': 'src/adapters/express.ts',
    'adapters/fastify': 'src/adapters/fastify.ts',
    'adapters/hono': 'src/adapters/hono.ts',
    'adapters/next': 'src/adapters/next.ts',
    // The `meterwall` command (package.json's bin).
    'cli/main': 'src/cli/main.ts',
    // Not a public entry (not in package.json's exports): it makes the renderer a chunk of its
    // own, so a bundle that only decides drops it whole, the HTML entities' tables included.
    'internal/content': 'src/content/render.ts',
    // The runtime primitives, picked at install time by package.json's `imports` map: the
    // `node` condition gets node:crypto, every other runtime Web Crypto. Never bundled in.
    'runtime/node': 'src/runtime/node.ts',
    'runtime/web': 'src/runtime/web.ts',
  },
  external: ['#runtime'],
  format: ['esm', 'cjs'],
  dts: true,
  clean: true,
  // No source maps in the package: the output is readable, unminified ES2022, and the maps were
  // two thirds of the unpacked tarball (1.2 of 1.9 MB).
  sourcemap: false,
  target: 'es2022',
  platform: 'neutral',
  splitting: true,
  treeshake: true,
  // The command (package.json's bin) runs as ESM on Node only: its CommonJS copy and type
  // declarations would only weigh on the tarball.
  async onSuccess() {
    await Promise.all(['dist/cli/main.cjs', 'dist/cli/main.d.cts', 'dist/cli/main.d.ts'].map((file) => rm(file, { force: true })));
  },
});
