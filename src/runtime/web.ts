/**
 * The runtime primitives on Web Crypto: Workers, Deno, Bun, browsers and edge runtimes (and
 * Node, when the `node` condition is not set). See `contract.ts`.
 */
import type { HmacKey, Runtime } from './contract.js';

const encoder = /* @__PURE__ */ new TextEncoder();
const HMAC = { name: 'HMAC', hash: 'SHA-256' } as const;

function base64Url(bytes: Uint8Array): string {
  let binary = '';
  for (let i = 0; i < bytes.length; i++) binary += String.fromCharCode(bytes[i] as number);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** The Web Crypto primitives (internal). */
export const runtime: Runtime = {
  name: 'web',
  importHmacKey: (raw) => crypto.subtle.importKey('raw', new Uint8Array(raw), HMAC, false, ['sign', 'verify']),
  hmacSha256: async (key, data) =>
    new Uint8Array(
      await crypto.subtle.sign('HMAC', key as CryptoKey, typeof data === 'string' ? encoder.encode(data) : new Uint8Array(data)),
    ),
  hmacVerify: (key, data, mac) => crypto.subtle.verify('HMAC', key as CryptoKey, new Uint8Array(mac), encoder.encode(data)),
  base64Url,
  base64UrlOfText: (text) => base64Url(encoder.encode(text)),
  randomId: (bytes) => base64Url(crypto.getRandomValues(new Uint8Array(bytes))),
};

export type { HmacKey };
