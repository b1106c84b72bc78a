/**
 * Bundling the source for another runtime as its bundler would: `#runtime` is resolved through
 * package.json's own `imports` map with the bundle's conditions (the first matching key wins,
 * as in Node's resolution algorithm), then pointed from the built file to its source, so a test
 * bundle needs no build and still proves which implementation a runtime gets.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Plugin } from 'esbuild';

const root = join(import.meta.dirname, '..');
type Target = string | { readonly [condition: string]: Target };

/** The file package.json's `imports` map gives `specifier` under `conditions` (with `import`). */
export function resolveImportsMap(specifier: string, conditions: readonly string[]): string {
  const map = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { imports: Record<string, Target> }).imports;
  let target: Target | undefined = map[specifier];
  const active = new Set([...conditions, 'import', 'default']);
  while (target !== undefined && typeof target !== 'string') {
    const current: { readonly [condition: string]: Target } = target;
    const key = Object.keys(current).find((condition) => active.has(condition));
    target = key === undefined ? undefined : current[key];
  }
  if (target === undefined) throw new Error(`package.json imports has no target for ${specifier} under ${conditions.join(', ')}`);
  return target;
}

/** The esbuild plugin: `#runtime` → the source of what the map gives for these conditions. */
export function runtimeImports(conditions: readonly string[]): Plugin {
  return {
    name: 'meterwall-runtime-imports',
    setup(build) {
      build.onResolve({ filter: /^#runtime$/ }, (args) => {
        const built = resolveImportsMap(args.path, conditions); // e.g. ./dist/runtime/web.js
        const source = built.replace(/^\.\/dist\//, './src/').replace(/\.js$/, '.ts');
        return { path: join(root, source) };
      });
    },
  };
}

/** The public entry points a test bundle takes from source (as the package's `exports` would give them built). */
const SOURCES: Readonly<Record<string, string>> = {
  meterwall: './src/index.ts',
  'meterwall/upstash': './src/stores/upstash.ts',
  'meterwall/durable-objects': './src/stores/durable-objects.ts',
  'meterwall/deno-kv': './src/stores/deno-kv.ts',
  'meterwall/agents': './src/agents/index.ts',
};

/** A script (source text) bundled for a server runtime (Deno, Bun) under `conditions`, the package's entry points from source. */
export async function bundleScript(contents: string, conditions: readonly string[]): Promise<string> {
  const { build } = await import('esbuild');
  const result = await build({
    stdin: { contents, resolveDir: root, loader: 'ts' },
    absWorkingDir: root,
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'node',
    conditions: [...conditions],
    plugins: [runtimeImports(conditions)],
    target: 'es2022',
    alias: { ...SOURCES },
    logLevel: 'silent',
  });
  return result.outputFiles[0]?.text ?? '';
}

/**
 * A Worker's module bundled as Wrangler bundles it (the `workerd` conditions, ESM), from a file or
 * from source text; throws if it reaches for a Node API.
 */
export async function bundleWorker(entry: { readonly path: string } | { readonly contents: string }): Promise<string> {
  const { build } = await import('esbuild');
  const conditions = ['workerd', 'worker', 'browser'];
  const result = await build({
    ...('path' in entry ? { entryPoints: [entry.path] } : { stdin: { contents: entry.contents, resolveDir: root, loader: 'ts' as const } }),
    absWorkingDir: root,
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'browser',
    conditions,
    plugins: [runtimeImports(conditions)],
    target: 'es2022',
    alias: SOURCES,
    logLevel: 'silent',
  });
  const text = result.outputFiles[0]?.text ?? '';
  if (/["']node:|require\("crypto"\)/.test(text)) throw new Error('the Worker bundle reached for a Node API');
  return text;
}
