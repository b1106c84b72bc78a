/**
 * The part of RFC 8941 (Structured Field Values) that HTTP Message Signatures' headers use:
 * dictionaries whose members are items or inner lists, with parameters; items that are
 * integers, strings, tokens, byte sequences or booleans. Anything else (decimals, dates, a member
 * that does not parse) makes the whole field unreadable, as the RFC asks.
 *
 * Our own: the general-purpose parsers on npm add several kilobytes to the decide bundle for the
 * two headers read here, and a parse failure must be a typed `null`, never a throw.
 */

export type BareItem = number | string | boolean | Uint8Array | { readonly token: string };
export type Params = ReadonlyMap<string, BareItem>;
export interface Item {
  readonly value: BareItem;
  readonly params: Params;
}
export interface InnerList {
  readonly items: readonly Item[];
  readonly params: Params;
}
export type Member = Item | InnerList;

const KEY = /^[a-z*][a-z0-9_\-.*]*/;
const TOKEN = /^[A-Za-z*][!#$%&'*+\-.^_`|~0-9A-Za-z:/]*/;
const INTEGER = /^-?\d{1,15}(?![\d.])/;
const BYTES = /^:([A-Za-z0-9+/=]*):/;

/** A cursor over the field's text. */
class Reader {
  pos = 0;
  constructor(readonly text: string) {}
  get rest(): string {
    return this.text.slice(this.pos);
  }
  skipSpaces(): void {
    while (this.text[this.pos] === ' ') this.pos++;
  }
  skipOws(): void {
    while (this.text[this.pos] === ' ' || this.text[this.pos] === '\t') this.pos++;
  }
  take(pattern: RegExp): RegExpExecArray | null {
    const m = pattern.exec(this.rest);
    if (m !== null) this.pos += m[0].length;
    return m;
  }
}

function bareItem(r: Reader): BareItem | null {
  const c = r.text[r.pos];
  if (c === '"') {
    let out = '';
    for (r.pos++; r.pos < r.text.length; r.pos++) {
      const ch = r.text[r.pos] as string;
      if (ch === '\\') {
        const next = r.text[++r.pos];
        if (next !== '"' && next !== '\\') return null;
        out += next;
      } else if (ch === '"') {
        r.pos++;
        return out;
      } else if (ch < ' ' || ch > '~') return null;
      else out += ch;
    }
    return null;
  }
  if (c === ':') {
    const m = r.take(BYTES);
    if (m === null) return null;
    try {
      return Uint8Array.from(atob(m[1] as string), (ch) => ch.charCodeAt(0));
    } catch {
      return null;
    }
  }
  if (c === '?') {
    const v = r.text[r.pos + 1];
    if (v !== '0' && v !== '1') return null;
    r.pos += 2;
    return v === '1';
  }
  const integer = r.take(INTEGER);
  if (integer !== null) return Number(integer[0]);
  const token = r.take(TOKEN);
  return token === null ? null : { token: token[0] };
}

function params(r: Reader): Params | null {
  const out = new Map<string, BareItem>();
  while (r.text[r.pos] === ';') {
    r.pos++;
    r.skipSpaces();
    const key = r.take(KEY);
    if (key === null) return null;
    let value: BareItem | null = true;
    if (r.text[r.pos] === '=') {
      r.pos++;
      value = bareItem(r);
      if (value === null) return null;
    }
    out.set(key[0], value);
  }
  return out;
}

function item(r: Reader): Item | null {
  const value = bareItem(r);
  const p = value === null ? null : params(r);
  return value === null || p === null ? null : { value, params: p };
}

function member(r: Reader): Member | null {
  if (r.text[r.pos] !== '(') return item(r);
  r.pos++;
  const items: Item[] = [];
  for (;;) {
    r.skipSpaces();
    if (r.text[r.pos] === ')') {
      r.pos++;
      const p = params(r);
      return p === null ? null : { items, params: p };
    }
    const next = item(r);
    if (next === null) return null;
    items.push(next);
    const after = r.text[r.pos];
    if (after !== ' ' && after !== ')') return null;
  }
}

/** A dictionary field's members in order, or `null` when any of it does not parse (or it is too long). */
export function parseDictionary(text: string | null, maxLength = 8192): ReadonlyMap<string, Member> | null {
  if (text === null || text.length > maxLength) return null;
  const r = new Reader(text);
  const out = new Map<string, Member>();
  r.skipSpaces();
  while (r.pos < text.length) {
    const key = r.take(KEY);
    if (key === null) return null;
    let value: Member | null;
    if (r.text[r.pos] === '=') {
      r.pos++;
      value = member(r);
    } else {
      const p = params(r);
      value = p === null ? null : { value: true, params: p };
    }
    if (value === null) return null;
    out.set(key[0], value);
    r.skipOws();
    if (r.pos >= text.length) return out;
    if (r.text[r.pos] !== ',') return null;
    r.pos++;
    r.skipOws();
    if (r.pos >= text.length) return null; // a trailing comma
  }
  return out;
}

/** A single item field (`Signature-Agent: "https://…"`), or `null`. */
export function parseItem(text: string | null): Item | null {
  if (text === null || text.length > 2048) return null;
  const r = new Reader(text.trim());
  const parsed = item(r);
  return parsed !== null && r.pos === r.text.length ? parsed : null;
}

function serializeBare(value: BareItem): string {
  if (typeof value === 'number') return String(value);
  if (typeof value === 'string') return `"${value.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
  if (typeof value === 'boolean') return value ? '?1' : '?0';
  if (value instanceof Uint8Array) return `:${btoa(String.fromCharCode(...value))}:`;
  return value.token;
}

function serializeParams(p: Params): string {
  let out = '';
  for (const [key, value] of p) out += value === true ? `;${key}` : `;${key}=${serializeBare(value)}`;
  return out;
}

/** An inner list as RFC 8941 serializes it (the `@signature-params` line of a signature base). */
export function serializeInnerList(list: InnerList): string {
  return `(${list.items.map((i) => serializeBare(i.value) + serializeParams(i.params)).join(' ')})${serializeParams(list.params)}`;
}

export const isInnerList = (m: Member): m is InnerList => 'items' in m;
