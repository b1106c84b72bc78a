/** Small Web-API-only encoding helpers (no `Buffer`). */

const encoder = /* @__PURE__ */ new TextEncoder();

/** UTF-8 bytes of a string. */
export function utf8(text: string): Uint8Array<ArrayBuffer> {
  return encoder.encode(text);
}

/** Unpadded base64url of bytes. */
export function toBase64Url(bytes: Uint8Array): string {
  let binary = '';
  for (let i = 0; i < bytes.length; i++) binary += String.fromCharCode(bytes[i] as number);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** A random id of `bytes` random bytes, base64url. */
export function randomId(bytes = 16): string {
  return toBase64Url(crypto.getRandomValues(new Uint8Array(bytes)));
}

const decoder = /* @__PURE__ */ new TextDecoder();
const URL_SAFE = /^[A-Za-z0-9_-]*$/;

/** The bytes of unpadded base64url text, or `null` when it is not base64url. */
export function fromBase64Url(text: string): Uint8Array<ArrayBuffer> | null {
  if (!URL_SAFE.test(text) || text.length % 4 === 1) return null;
  let binary: string;
  try {
    binary = atob(text.replace(/-/g, '+').replace(/_/g, '/'));
  } catch {
    return null;
  }
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/** Unpadded base64url of a string's UTF-8 bytes. */
export function base64UrlOfText(text: string): string {
  return toBase64Url(utf8(text));
}

/** The text of UTF-8 bytes (invalid sequences replaced). */
export function textOf(bytes: Uint8Array): string {
  return decoder.decode(bytes);
}
