import { parse, structureProblems } from './html-reference.js';

type ParsedNode = ReturnType<typeof parse> | ReturnType<typeof parse>['childNodes'][number];

const INVISIBLE = new Set('script style noscript template textarea title'.split(' '));

/** Every form in which `word` could leak: raw, HTML-, JSON- and percent-encoded, base64 at each alignment. */
export function leakForms(word: string): string[] {
  const forms = new Set<string>([
    word,
    word.toLowerCase(),
    word.toUpperCase(),
    word.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`),
    JSON.stringify(word).slice(1, -1),
    encodeURIComponent(word),
    [...word].map((c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`).join(''),
    [...word].map((c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`).join(''),
  ]);
  const bytes = new TextEncoder().encode(word);
  for (let pad = 0; pad < 3; pad++) {
    const padded = new Uint8Array(pad + bytes.length);
    padded.set(bytes, pad);
    const b64 = btoa(String.fromCharCode(...padded));
    // Drop the characters that mix in padding bytes or the next bytes: the stable core remains.
    const start = pad === 0 ? 0 : Math.ceil((pad * 8) / 6);
    const stableEnd = Math.floor(((pad + bytes.length) * 8) / 6);
    const core = b64.slice(start, stableEnd);
    if (core.length >= 4) {
      forms.add(core);
      forms.add(core.replace(/\+/g, '-').replace(/\//g, '_'));
    }
  }
  return [...forms];
}

/** The first leak form of `word` found in `haystack`, or `null`. */
export function findLeak(haystack: string, word: string): string | null {
  const lower = haystack.toLowerCase();
  for (const form of leakForms(word)) {
    if (haystack.includes(form) || lower.includes(form.toLowerCase())) return form;
  }
  return null;
}

/** Problems that make `html` not well-formed: what a browser (parse5) would build differently from what is written. */
export function wellFormedProblems(html: string): string[] {
  return structureProblems(html);
}

/** The visible text of `html`, as parse5 builds it (an independent oracle: skips scripts, styles, templates, hidden elements). */
export function textOf(html: string): string {
  const parts: string[] = [];
  const walk = (node: ParsedNode): void => {
    if (node.nodeName === '#text') {
      parts.push((node as { value: string }).value);
      return;
    }
    if (!('childNodes' in node)) return;
    if ('tagName' in node) {
      const element = node as { tagName: string; attrs: Array<{ name: string }> };
      if (INVISIBLE.has(element.tagName) || element.attrs.some((a) => a.name === 'hidden')) return;
    }
    for (const child of (node as { childNodes: ParsedNode[] }).childNodes) walk(child);
  };
  walk(parse(html));
  return parts.join('');
}
