/**
 * HTTP Message Signatures (RFC 9421) as Web Bot Auth uses them: the request's `Signature-Input`
 * member tagged `web-bot-auth`, its `Signature`, the signature base rebuilt from the covered
 * components, and an Ed25519 check of it with Web Crypto. Only what a request's signature can
 * cover is computed (`@method`, `@authority`, `@path`, `@query`, header fields); a component this
 * cannot compute, or one with parameters, leaves the signature unverifiable, never accepted.
 */
import type { RequestLike } from '../types.js';
import { type InnerList, isInnerList, type Item, parseDictionary, serializeInnerList } from './structured-fields.js';

/** The tag Web Bot Auth signatures carry. */
export const WEB_BOT_AUTH_TAG = 'web-bot-auth';

/** A request's Web Bot Auth signature, as its headers give it. */
export interface MessageSignature {
  readonly label: string;
  /** The covered components, in order (`@authority`, `signature-agent`…). */
  readonly components: readonly string[];
  readonly created: number | null;
  readonly expires: number | null;
  readonly nonce: string | null;
  readonly keyid: string | null;
  readonly alg: string | null;
  readonly signature: Uint8Array;
  /** The `@signature-params` line's value. */
  readonly params: string;
}

const paramOf = (list: InnerList, name: string): string | number | null => {
  const v = list.params.get(name);
  return typeof v === 'string' || typeof v === 'number' ? v : null;
};

/**
 * The request's signature tagged `web-bot-auth`: `null` when it carries none, `'malformed'`
 * when its signature headers do not parse or do not match each other.
 */
export function readSignature(request: RequestLike): MessageSignature | null | 'malformed' {
  const inputText = request.headers.get('signature-input');
  const signatureText = request.headers.get('signature');
  if (inputText === null && signatureText === null) return null;
  const inputs = parseDictionary(inputText);
  const signatures = parseDictionary(signatureText);
  if (inputs === null || signatures === null) return 'malformed';
  for (const [label, member] of inputs) {
    if (!isInnerList(member) || member.params.get('tag') !== WEB_BOT_AUTH_TAG) continue;
    const signed = signatures.get(label);
    const bytes = signed !== undefined && !isInnerList(signed) ? (signed as Item).value : null;
    if (!(bytes instanceof Uint8Array)) return 'malformed';
    const components: string[] = [];
    for (const item of member.items) {
      if (typeof item.value !== 'string' || item.params.size > 0) return 'malformed';
      components.push(item.value);
    }
    const num = (name: string) => {
      const v = paramOf(member, name);
      return typeof v === 'number' ? v : null;
    };
    const str = (name: string) => {
      const v = paramOf(member, name);
      return typeof v === 'string' ? v : null;
    };
    return {
      label,
      components,
      created: num('created'),
      expires: num('expires'),
      nonce: str('nonce'),
      keyid: str('keyid'),
      alg: str('alg'),
      signature: bytes,
      params: serializeInnerList(member),
    };
  }
  return null;
}

/** A request's authority as RFC 9421 normalizes it: lowercase host, default port left out. */
export function authorityOf(request: RequestLike): string | null {
  const host = request.headers.get('host') ?? URL.parse(request.url)?.host ?? null;
  if (host === null || host === '') return null;
  return host.toLowerCase().replace(/:(80|443)$/, '');
}

/** The signature base of `signature` over `request`, or `null` when a component cannot be computed. */
export function signatureBase(request: RequestLike, signature: MessageSignature): string | null {
  const url = URL.parse(request.url, 'http://placeholder.invalid');
  if (url === null) return null;
  let base = '';
  const seen = new Set<string>();
  for (const name of signature.components) {
    if (seen.has(name)) return null; // a component twice is an error (RFC 9421 §2.5)
    seen.add(name);
    let value: string | null;
    if (name === '@method') value = request.method.toUpperCase();
    else if (name === '@authority') value = authorityOf(request);
    else if (name === '@path') value = url.pathname === '' ? '/' : url.pathname;
    else if (name === '@query') value = url.search === '' ? '?' : url.search;
    else if (name.startsWith('@') || name !== name.toLowerCase()) value = null;
    else {
      const field = request.headers.get(name);
      value = field === null ? null : field.trim();
    }
    if (value === null || /[\r\n]/.test(value)) return null;
    base += `"${name}": ${value}\n`;
  }
  return `${base}"@signature-params": ${signature.params}`;
}

/** The public key of a JWK for Ed25519 verification, or `null` when it is not one. */
export async function ed25519Key(jwk: JsonWebKey): Promise<CryptoKey | null> {
  if (jwk.kty !== 'OKP' || jwk.crv !== 'Ed25519' || typeof jwk.x !== 'string') return null;
  try {
    return await crypto.subtle.importKey('jwk', { kty: 'OKP', crv: 'Ed25519', x: jwk.x }, { name: 'Ed25519' }, false, ['verify']);
  } catch {
    return null;
  }
}

/** Whether `signature` is `key`'s Ed25519 signature of `base`. */
export async function verifyEd25519(key: CryptoKey, base: string, signature: Uint8Array): Promise<boolean> {
  try {
    return await crypto.subtle.verify({ name: 'Ed25519' }, key, new Uint8Array(signature), new TextEncoder().encode(base));
  } catch {
    return false;
  }
}

/** A JWK's thumbprint (RFC 7638, SHA-256, base64url): the `keyid` Web Bot Auth signs with. */
export async function jwkThumbprint(jwk: JsonWebKey): Promise<string | null> {
  if (jwk.kty !== 'OKP' || typeof jwk.crv !== 'string' || typeof jwk.x !== 'string') return null;
  // The required members in lexicographic order, no whitespace (RFC 7638 §3.2).
  const canonical = `{"crv":${JSON.stringify(jwk.crv)},"kty":"OKP","x":${JSON.stringify(jwk.x)}}`;
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(canonical)));
  return btoa(String.fromCharCode(...digest))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '');
}
