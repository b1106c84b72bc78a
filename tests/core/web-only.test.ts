import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..', 'src');

function files(dir: string): string[] {
  return readdirSync(join(root, dir), { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? files(join(dir, entry.name)) : entry.name.endsWith('.ts') ? [join(dir, entry.name)] : [],
  );
}

// The core must run unchanged on Node, Workers, Deno, Bun and edge middleware.
const core = [
  ...files('util'),
  'runtime/contract.ts',
  'runtime/web.ts',
  ...files('core'),
  ...files('options'),
  ...files('content'),
  'crawlers/ranges.ts',
  'stores/memory.ts',
  'index.ts',
  'types.ts',
  'errors.ts',
];

describe('the core uses Web APIs only', () => {
  it.each(core)('%s has no node: import, Buffer or process', (file) => {
    const source = readFileSync(join(root, file), 'utf8').replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, '');
    expect(source).not.toMatch(/from ['"]node:|require\(|\bBuffer\b|\bprocess\b/);
  });

  it('each runtime dependency is imported by one module only, and uPlot by none (the command inlines it)', () => {
    const all = files('.').map((file) => [file, readFileSync(join(root, file), 'utf8')] as const);
    const importers = (pkg: string) => all.filter(([, s]) => new RegExp(`from '${pkg}[/']`).test(s)).map(([f]) => f);
    const pkg = JSON.parse(readFileSync(join(root, '..', 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
    const owners: Record<string, string> = {
      cookie: 'core/cookies.ts',
      entities: 'content/html/references.ts',
      isbot: 'core/decide/automated-clients.ts',
      jose: 'core/jose.ts',
      'lru-cache': 'util/bounded-cache.ts',
    };
    expect(Object.keys(pkg.dependencies).sort()).toEqual(Object.keys(owners));
    for (const [name, owner] of Object.entries(owners)) expect(importers(name), name).toEqual([owner]);
    expect(importers('uplot')).toEqual(['cli/simulate/html.ts']); // `?raw`: its text, inlined at build time
    expect(importers('htmlparser2')).toEqual([]);
  });

  it('node:crypto is reached only through #runtime, which picks it under the node condition only', () => {
    const all = files('.').map((file) => [file, readFileSync(join(root, file), 'utf8')] as const);
    expect(all.filter(([, s]) => /from '[./]+runtime\/(node|web)\.js'/.test(s)).map(([f]) => f)).toEqual([]);
    const pkg = JSON.parse(readFileSync(join(root, '..', 'package.json'), 'utf8'));
    expect(pkg.imports['#runtime']).toEqual({
      node: { import: './dist/runtime/node.js', require: './dist/runtime/node.cjs' },
      default: { import: './dist/runtime/web.js', require: './dist/runtime/web.cjs' },
    });
  });

  it('the root entry never imports an adapter', () => {
    expect(readFileSync(join(root, 'index.ts'), 'utf8')).not.toMatch(/adapters\//);
  });
});
