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
