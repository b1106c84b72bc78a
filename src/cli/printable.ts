/**
 * Text the command prints that came from outside (a log line, a section, a cookie's unverified
 * header), made safe for a terminal: control characters (an escape sequence can clear the screen
 * and paint a fake report) and line separators are shown as `\uXXXX`, never sent.
 */
export function printable(text: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: the control characters are what this replaces.
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
