/** Small Web-API-only encoding helpers (no `Buffer`); base64url encoding is the runtime's (`#runtime`). */

const encoder = /* @__PURE__ */ new TextEncoder();

/** UTF-8 bytes of a string. */
export function utf8(text: string): Uint8Array<ArrayBuffer> {
  return encoder.encode(text);
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

/** The text of UTF-8 bytes (invalid sequences replaced). */
export function textOf(bytes: Uint8Array): string {
  return decoder.decode(bytes);
}
