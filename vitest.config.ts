import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const src = (path: string) => fileURLToPath(new URL(`./src/${path}`, import.meta.url));

export default defineConfig({
  resolve: {
    // The examples import the public entry points; in tests they run from source.
    alias: [
      // On Node the package's `node` condition picks the node:crypto runtime; so do the tests.
      { find: /^#runtime$/, replacement: src('runtime/node.ts') },
      { find: /^meterwall\/node$/, replacement: src('adapters/node.ts') },
      { find: /^meterwall\/redis$/, replacement: src('stores/redis.ts') },
      { find: /^meterwall\/upstash$/, replacement: src('stores/upstash.ts') },
      { find: /^meterwall\/durable-objects$/, replacement: src('stores/durable-objects.ts') },
      { find: /^meterwall\/deno-kv$/, replacement: src('stores/deno-kv.ts') },
      { find: /^meterwall\/dns$/, replacement: src('crawlers/dns.ts') },
      { find: /^meterwall\/agents$/, replacement: src('agents/index.ts') },
      { find: /^meterwall\/(express|fastify|hono|next)$/, replacement: src('adapters/$1.ts') },
      { find: /^meterwall$/, replacement: src('index.ts') },
    ],
  },
  test: {
    include: ['tests/**/*.test.ts'],
    environment: 'node',
    // uPlot's stylesheet, imported `?raw` by the simulator's HTML report: its text, as the build
    // inlines it (vitest otherwise gives CSS files as empty strings).
    css: { include: [/uPlot\.min\.css/] },
    testTimeout: 20_000,
    hookTimeout: 60_000,
  },
});
