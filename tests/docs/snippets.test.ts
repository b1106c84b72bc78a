/**
 * Every TypeScript block of the README and docs/ compiles under the project's strict settings
 * against the package's built type declarations (built here, into a scratch directory, so no
 * other test's build can race it), as a user who installed the package would compile it. A
 * snippet that drifts from the API fails this test with its file and line.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allSnippets, buildDeclarations, compileSnippets, type Snippet, snippetsOf } from './snippets.js';

const root = process.cwd();
const scratch = join(root, '.tmp', `snippets-${process.pid}-${Date.now().toString(36)}`);
const compile = (snippets: readonly Snippet[]) => compileSnippets(root, scratch, snippets);

beforeAll(() => buildDeclarations(root, scratch), 120_000);

afterAll(() => {
  rmSync(scratch, { recursive: true, force: true });
});

describe('documentation snippets', () => {
  const snippets = allSnippets(root);

  it('finds the blocks of the README and of every guide in docs/', () => {
    const files = new Set(snippets.map((s) => s.file));
    expect(files.has('README.md')).toBe(true);
    expect([...files].filter((f) => f.startsWith('docs/')).length).toBeGreaterThanOrEqual(5);
    expect(snippets.length).toBeGreaterThanOrEqual(40);
  });

  it('every TypeScript block compiles under the strict settings against the built types', () => {
    expect(compile(snippets)).toEqual([]);
  }, 120_000);

  it('a block with a type error fails, pointing at its Markdown line (the check can fail)', () => {
    const broken = snippetsOf(
      'docs/example.md',
      ['# Example', '', '```ts', "import { createPaywall } from 'meterwall';", 'createPaywall({ secret: 42 });', '```', ''].join('\n'),
    );
    const problems = compile(broken);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^docs\/example\.md:5: TS2322 /);
  }, 60_000);
});
