// Builds the README's API reference from the TSDoc of every entry point, with the TypeScript
// compiler: one line per export (its kind, name and the summary line of its TSDoc).
// `node scripts/api-reference.mjs --write` rewrites the block between the markers in README.md;
// the test suite checks the block is current and that every export is documented.
import { readFileSync, writeFileSync } from 'node:fs';
import ts from 'typescript';

export const ENTRIES = [
  ['meterwall', 'src/index.ts'],
  ['meterwall/node', 'src/adapters/node.ts'],
  ['meterwall/redis', 'src/stores/redis.ts'],
  ['meterwall/upstash', 'src/stores/upstash.ts'],
  ['meterwall/durable-objects', 'src/stores/durable-objects.ts'],
  ['meterwall/deno-kv', 'src/stores/deno-kv.ts'],
  ['meterwall/dns', 'src/crawlers/dns.ts'],
  ['meterwall/agents', 'src/agents/index.ts'],
  ['meterwall/express', 'src/adapters/express.ts'],
  ['meterwall/fastify', 'src/adapters/fastify.ts'],
  ['meterwall/hono', 'src/adapters/hono.ts'],
  ['meterwall/next', 'src/adapters/next.ts'],
];

const START = '<!-- api:start -->';
const END = '<!-- api:end -->';

function kindOf(declaration) {
  if (ts.isFunctionDeclaration(declaration)) return 'function';
  if (ts.isClassDeclaration(declaration)) return 'class';
  if (ts.isInterfaceDeclaration(declaration)) return 'interface';
  if (ts.isTypeAliasDeclaration(declaration)) return 'type';
  if (ts.isVariableDeclaration(declaration)) return 'const';
  return 'export';
}

/** Every export of every entry point, with its TSDoc summary and examples. */
export function collect() {
  const program = ts.createProgram(
    ENTRIES.map(([, file]) => file),
    {
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.ESNext,
      moduleResolution: ts.ModuleResolutionKind.Bundler,
      strict: true,
      skipLibCheck: true,
    },
  );
  const checker = program.getTypeChecker();
  return ENTRIES.map(([entry, file]) => {
    const source = program.getSourceFile(file);
    const module = checker.getSymbolAtLocation(source);
    const exports = checker.getExportsOfModule(module).map((symbol) => {
      const target = symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol;
      const declaration = target.declarations?.[0];
      const docs = ts.displayPartsToString(target.getDocumentationComment(checker)).trim();
      const examples = target
        .getJsDocTags(checker)
        .filter((tag) => tag.name === 'example')
        .map((tag) =>
          ts
            .displayPartsToString(tag.text)
            .replace(/^```\w*\n?|```$/gm, '')
            .trim(),
        );
      // The summary is the first paragraph of the TSDoc, on one line.
      const summary = (docs.split(/\n\s*\n/)[0] ?? '')
        .replace(/\s+/g, ' ')
        .replace(/\{@link\s+([^}\s]+)\s*\}/g, '`$1`')
        .trim();
      return { name: symbol.getName(), kind: declaration ? kindOf(declaration) : 'export', summary, examples };
    });
    exports.sort((a, b) => a.kind.localeCompare(b.kind) || a.name.localeCompare(b.name));
    return { entry, exports };
  });
}

/** The Markdown block for the README. */
export function render(entries = collect()) {
  const lines = [START, '', '_Generated from the TSDoc by `node scripts/api-reference.mjs --write`; a test keeps it current._', ''];
  for (const { entry, exports } of entries) {
    lines.push(`**\`${entry}\`**`, '');
    for (const e of exports) lines.push(`- ${e.kind} \`${e.name}\`: ${e.summary || '(undocumented)'}`);
    lines.push('');
  }
  lines.push(END);
  return lines.join('\n');
}

/** The README with its API block replaced. */
export function withReference(readme, block = render()) {
  const start = readme.indexOf(START);
  const end = readme.indexOf(END);
  if (start === -1 || end === -1) throw new Error('README.md has no API reference markers');
  return readme.slice(0, start) + block + readme.slice(end + END.length);
}

if (process.argv.includes('--write')) {
  const readme = readFileSync('README.md', 'utf8');
  writeFileSync('README.md', withReference(readme));
  console.log('README.md API reference updated');
}
