// `node --import ./scripts/raw-import.mjs --import tsx script.ts`: `import text from 'pkg/file?raw'`
// gives the file's text, as the build (tsup.config.ts) and vitest give it, so scripts that reach
// the simulator's HTML report run under tsx.
import { register } from 'node:module';

register(
  `data:text/javascript,${encodeURIComponent(`
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
export async function resolve(specifier, context, next) {
  if (!specifier.endsWith('?raw')) return next(specifier, context);
  const { url } = await next(specifier.slice(0, -4), context);
  return { url: url + '?raw', shortCircuit: true };
}
export async function load(url, context, next) {
  if (!url.endsWith('?raw')) return next(url, context);
  const text = await readFile(fileURLToPath(url.slice(0, -4)), 'utf8');
  return { format: 'module', source: 'export default ' + JSON.stringify(text) + ';', shortCircuit: true };
}
`)}`,
);
