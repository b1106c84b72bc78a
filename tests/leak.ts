import { Parser } from 'htmlparser2';

const VOID = new Set('area base br col embed hr img input link meta source track wbr'.split(' '));
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

/** Problems that make `html` not well-formed: implied closes, unclosed elements. Empty when fine. */
export function wellFormedProblems(html: string): string[] {
  const problems: string[] = [];
  const parser = new Parser(
    {
      onclosetag(name, isImplied) {
        if (isImplied && !VOID.has(name)) problems.push(`<${name}> closed implicitly`);
      },
    },
    { decodeEntities: true },
  );
  parser.end(html);
  return problems;
}

/** The visible text of `html` (an independent oracle: skips scripts, styles, comments, hidden elements). */
export function textOf(html: string): string {
  let skip = 0;
  const parts: string[] = [];
  const parser = new Parser(
    {
      onopentag(name, attributes) {
        if (skip > 0 || INVISIBLE.has(name) || 'hidden' in attributes) skip++;
      },
      onclosetag() {
        if (skip > 0) skip--;
      },
      ontext(text) {
        if (skip === 0) parts.push(text);
      },
    },
    { decodeEntities: true },
  );
  parser.end(html);
  return parts.join('');
}
