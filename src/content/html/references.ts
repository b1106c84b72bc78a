/**
 * Character references (`&amp;`, `&#x2014;`, `&copy` without its semicolon) decoded as a browser
 * decodes them, in text and in attribute values: the one module that imports `entities`
 * (README, "Dependencies"), whose tables are the spec's.
 */
import { decodeHTML, decodeHTMLAttribute } from 'entities';

/** Decodes character references in text (data state rules). */
export function decodeText(raw: string): string {
  return raw.indexOf('&') === -1 ? raw : decodeHTML(raw);
}

/** Decodes character references in an attribute value (attribute rules: `&copy=` stays). */
export function decodeAttribute(raw: string): string {
  return raw.indexOf('&') === -1 ? raw : decodeHTMLAttribute(raw);
}
