import { readdirSync, readFileSync } from 'node:fs';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
// @ts-expect-error: a plain ES module script without declarations
import { collect, render, withReference } from '../../scripts/api-reference.mjs';

interface Export {
  name: string;
  kind: string;
  summary: string;
  examples: string[];
}

const readme = readFileSync('README.md', 'utf8');
// The README and the guides it links (docs/*.md): where a reader finds each example.
const documentation = [
  readme,
  ...readdirSync('docs')
    .filter((f) => f.endsWith('.md'))
    .map((f) => readFileSync(`docs/${f}`, 'utf8')),
].join('\n');
const entries = collect() as Array<{ entry: string; exports: Export[] }>;
const squash = (text: string) => text.replace(/\s+/g, ' ').trim();

describe('the API reference in the README', () => {
  it('is generated from the current TSDoc (run node scripts/api-reference.mjs --write)', () => {
    expect(withReference(readme, render(entries))).toBe(readme);
  });

  it('every export of every entry point has a summary', () => {
    const missing = entries.flatMap(({ entry, exports }) => exports.filter((e) => e.summary === '').map((e) => `${entry}: ${e.name}`));
    expect(missing).toEqual([]);
  });

  it('every public function has an @example, and the README or a guide in docs/ shows it', () => {
    const problems: string[] = [];
    for (const { entry, exports } of entries) {
      for (const e of exports.filter((x) => x.kind === 'function')) {
        if (e.examples.length === 0) problems.push(`${entry}: ${e.name} has no @example`);
        for (const example of e.examples)
          if (!squash(documentation).includes(squash(example)))
            problems.push(`${entry}: ${e.name}'s example is not in the README or docs/`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('so does every method of the Paywall object', () => {
    const program = ts.createProgram(['src/core/paywall.ts'], {
      strict: true,
      skipLibCheck: true,
      moduleResolution: ts.ModuleResolutionKind.Bundler,
      module: ts.ModuleKind.ESNext,
    });
    const checker = program.getTypeChecker();
    const source = program.getSourceFile('src/core/paywall.ts') as ts.SourceFile;
    const paywall = checker
      .getExportsOfModule(checker.getSymbolAtLocation(source) as ts.Symbol)
      .find((s) => s.getName() === 'Paywall') as ts.Symbol;
    const methods = checker.getDeclaredTypeOfSymbol(paywall).getProperties();
    expect(methods.map((m) => m.getName()).sort()).toEqual([
      'accessLogFields',
      'createGift',
      'decide',
      'giftAllowance',
      'readVariant',
      'signVariant',
      'variantHeaders',
    ]);
    const problems: string[] = [];
    for (const method of methods) {
      const examples = method
        .getJsDocTags(checker)
        .filter((t) => t.name === 'example')
        .map((t) =>
          ts
            .displayPartsToString(t.text)
            .replace(/^```\w*\n?|```$/gm, '')
            .trim(),
        );
      if (examples.length === 0) problems.push(`${method.getName()} has no @example`);
      for (const example of examples)
        if (!squash(documentation).includes(squash(example))) problems.push(`${method.getName()}'s example is not in the README or docs/`);
    }
    expect(problems).toEqual([]);
  });
});
