/**
 * Where a raw-text element ends (the tokenizer's RCDATA, RAWTEXT and script data states): at its
 * end tag, which in a script the escaped (`<!--`) and double-escaped (`<!--<script>`) states
 * can hide. Pure functions over the source, so the tokenizer only asks where.
 */
import { DASH, GT, LT, SLASH, isSpace } from './chars.js';

/** Where `</name` followed by whitespace, `/` or `>` starts, from `from`; -1 when absent. */
export function endTagAt(src: string, name: string, from: number): number {
  let i = from;
  for (;;) {
    const at = src.indexOf('</', i);
    if (at === -1) return -1;
    const after = at + 2 + name.length;
    if (src.slice(at + 2, after).toLowerCase() === name) {
      const c = after < src.length ? src.charCodeAt(after) : -1;
      if (isSpace(c) || c === SLASH || c === GT) return at;
    }
    i = at + 2;
  }
}

/** The spec's script data states, from `from`: where the script's end tag starts, or -1. */
export function scriptDataEnd(src: string, from: number): number {
  const length = src.length;
  const startsName = (at: number): boolean => {
    // `<script` or `</script` followed by whitespace, `/` or `>` (the temporary buffer is "script").
    if (src.slice(at, at + 6).toLowerCase() !== 'script') return false;
    const c = at + 6 < length ? src.charCodeAt(at + 6) : -1;
    return isSpace(c) || c === SLASH || c === GT;
  };
  let state: 'data' | 'escaped' | 'double' = 'data';
  let i = from;
  while (i < length) {
    const c = src.charCodeAt(i);
    if (state === 'data') {
      if (c === LT) {
        if (src.charCodeAt(i + 1) === SLASH && startsName(i + 2)) return i;
        if (src.startsWith('!--', i + 1)) {
          state = 'escaped';
          i += 4;
          // `<!-->` and `<!--->` close the escape at once.
          while (src.charCodeAt(i) === DASH) i++;
          if (src.charCodeAt(i) === GT && src.charCodeAt(i - 1) === DASH && src.charCodeAt(i - 2) === DASH) {
            state = 'data';
            i++;
          }
          continue;
        }
      }
      i++;
      continue;
    }
    if (c === DASH && src.charCodeAt(i + 1) === DASH) {
      let j = i + 2;
      while (src.charCodeAt(j) === DASH) j++;
      if (src.charCodeAt(j) === GT) {
        state = 'data';
        i = j + 1;
        continue;
      }
      i = j;
      continue;
    }
    if (c === LT) {
      if (state === 'escaped') {
        if (src.charCodeAt(i + 1) === SLASH && startsName(i + 2)) return i;
        if (startsName(i + 1)) {
          state = 'double';
          i += 7;
          continue;
        }
      } else if (src.charCodeAt(i + 1) === SLASH && startsName(i + 2)) {
        state = 'escaped';
        i += 8;
        continue;
      }
    }
    i++;
  }
  return -1;
}
