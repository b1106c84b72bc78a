/**
 * Every relative link of the README and docs/ leads somewhere: the file exists and, for a
 * `#fragment` into Markdown, a heading with that anchor (GitHub's slugs) exists in it.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import { describe, expect, it } from 'vitest';
import { documentationFiles } from './snippets.js';

const root = process.cwd();

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens. */
function slug(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[`*]/g, '')
    .replace(/[^\p{L}\p{N} _-]/gu, '')
    .replace(/ /g, '-');
}

/** The anchors of a Markdown file's headings (outside code fences). */
function anchors(text: string): Set<string> {
  const found = new Set<string>();
  let fenced = false;
  for (const line of text.split('\n')) {
    if (line.startsWith('```')) fenced = !fenced;
    const heading = !fenced && /^#{1,6} (.*)$/.exec(line);
    if (heading) found.add(slug(heading[1] as string));
  }
  return found;
}

/** The Markdown links `[text](target)` outside code, with their line. */
function links(text: string): Array<{ target: string; line: number }> {
  const found: Array<{ target: string; line: number }> = [];
  let fenced = false;
  text.split('\n').forEach((line, i) => {
    if (line.startsWith('```')) fenced = !fenced;
    if (fenced) return;
    for (const match of line.replace(/`[^`]*`/g, '').matchAll(/\]\(([^)\s]+)\)/g)) found.push({ target: match[1] as string, line: i + 1 });
    for (const match of line.matchAll(/<img src="([^"]+)"/g)) found.push({ target: match[1] as string, line: i + 1 });
  });
  return found;
}

describe('documentation links', () => {
  it('every relative link and anchor of the README and docs/ resolves', () => {
    const broken: string[] = [];
    for (const file of documentationFiles(root)) {
      const text = readFileSync(join(root, file), 'utf8');
      for (const { target, line } of links(text)) {
        if (/^[a-z]+:/i.test(target)) continue; // http:, https:, mailto:
        const [path = '', fragment] = target.split('#');
        const resolved = path === '' ? file : normalize(join(dirname(file), path));
        if (!existsSync(join(root, resolved))) {
          broken.push(`${file}:${line}: ${target} (no ${resolved})`);
          continue;
        }
        if (fragment && resolved.endsWith('.md') && !anchors(readFileSync(join(root, resolved), 'utf8')).has(fragment))
          broken.push(`${file}:${line}: ${target} (no heading #${fragment} in ${resolved})`);
      }
    }
    expect(broken).toEqual([]);
  });
});
