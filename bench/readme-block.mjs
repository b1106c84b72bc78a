// Writes one bench's block of bench/README.md: the text between `<!-- name:start -->` and
// `<!-- name:end -->` (which `block` carries), or appends it under `heading` the first time.
import { readFileSync, writeFileSync } from 'node:fs';

/**
 * @param {string} name the block's marker name
 * @param {string} block the whole block, markers included
 * @param {string} heading the section heading when the block is new
 */
export function writeReadmeBlock(name, block, heading) {
  const readme = new URL('README.md', import.meta.url);
  const text = readFileSync(readme, 'utf8');
  const start = `<!-- ${name}:start -->`;
  const end = `<!-- ${name}:end -->`;
  const at = text.indexOf(start);
  const until = text.indexOf(end);
  writeFileSync(
    readme,
    at !== -1 && until > at
      ? text.slice(0, at) + block + text.slice(until + end.length)
      : `${text.trimEnd()}\n\n## ${heading}\n\n${block}\n`,
  );
  console.log(`bench/README.md updated (${name})`);
}
