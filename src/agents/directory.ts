/**
 * Key directories of Web Bot Auth signers: `GET <origin>/.well-known/http-message-signatures-directory`,
 * a JSON `{ "keys": [JWK…] }`. Only the directories of operators the site configured are ever
 * fetched (a `Signature-Agent` header never makes the server fetch a URL a client chose). Each is
 * fetched with a timeout, its Ed25519 keys kept by JWK thumbprint (the `keyid` signers use) for
 * `ttlMs`; a directory that is down, slow or unreadable is remembered as such for a short while,
 * and verifies nothing.
 */
import { ed25519Key, jwkThumbprint } from './message-signature.js';

export const DIRECTORY_PATH = '/.well-known/http-message-signatures-directory';
/** How long a failed fetch is remembered before the directory is asked again. */
const RETRY_AFTER_MS = 10_000;
const MAX_BYTES = 64 * 1024;
const MAX_KEYS = 32;

export interface DirectorySettings {
  readonly timeoutMs: number;
  readonly ttlMs: number;
  readonly fetch: (input: string, init: RequestInit) => Promise<Response>;
}

type Keys = ReadonlyMap<string, CryptoKey>;
interface Entry {
  readonly until: number;
  readonly keys: Promise<Keys | null>;
}

/** The key directories of the configured operators, fetched on demand and cached. */
export class KeyDirectories {
  readonly #settings: DirectorySettings;
  readonly #entries = new Map<string, Entry>();

  constructor(settings: DirectorySettings) {
    this.#settings = settings;
  }

  /** The keys of the directory at `origin` by thumbprint, or `null` when it cannot be had. */
  keys(origin: string, now: number): Promise<Keys | null> {
    const cached = this.#entries.get(origin);
    if (cached !== undefined && cached.until > now) return cached.keys;
    const keys = this.#fetch(origin);
    const entry = { until: now + this.#settings.ttlMs, keys };
    this.#entries.set(origin, entry);
    void keys.then((found) => {
      if (found === null && this.#entries.get(origin) === entry) this.#entries.set(origin, { until: now + RETRY_AFTER_MS, keys });
    });
    return keys;
  }

  async #fetch(origin: string): Promise<Keys | null> {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), this.#settings.timeoutMs);
    try {
      const response = await this.#settings.fetch(`${origin}${DIRECTORY_PATH}`, {
        headers: { accept: 'application/http-message-signatures-directory+json, application/json' },
        redirect: 'manual', // a redirect is not followed (workerd has no 'error'): a 3xx is not ok
        signal: controller.signal,
      });
      if (!response.ok) return null;
      const text = await response.text();
      if (text.length > MAX_BYTES) return null;
      const body = JSON.parse(text) as { keys?: unknown };
      if (!Array.isArray(body.keys)) return null;
      const keys = new Map<string, CryptoKey>();
      for (const jwk of body.keys.slice(0, MAX_KEYS) as JsonWebKey[]) {
        if (jwk === null || typeof jwk !== 'object') continue;
        const [thumbprint, key] = await Promise.all([jwkThumbprint(jwk), ed25519Key(jwk)]);
        if (thumbprint !== null && key !== null) keys.set(thumbprint, key);
      }
      return keys;
    } catch {
      return null; // down, slow (aborted), not JSON: nothing verifies against it
    } finally {
      clearTimeout(timer);
    }
  }
}
