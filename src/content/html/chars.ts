/** The characters the tokenizer compares against, as char codes, and the classes it tests. */
export const LT = 0x3c;
export const GT = 0x3e;
export const SLASH = 0x2f;
export const BANG = 0x21;
export const DASH = 0x2d;
export const EQ = 0x3d;
export const QUESTION = 0x3f;

/** ASCII whitespace as the tokenizer knows it (space, tab, LF, FF, CR). */
export function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0c || c === 0x0d;
}

/** An ASCII letter. */
export function isAlpha(c: number): boolean {
  return (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a);
}
