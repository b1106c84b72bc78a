/**
 * AI agents as tests drive them: RFC 9421's Ed25519 test key, a key directory served on
 * 127.0.0.1 (down or slow on demand), and requests signed by Cloudflare's `web-bot-auth`
 * package (an implementation that is not ours).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { generateNonce, signatureHeaders } from 'web-bot-auth';
import { signerFromJWK } from 'web-bot-auth/crypto';

/** RFC 9421 Appendix B.1.4: test-key-ed25519 (private: the signer's; `publicJwk` for a directory). */
export const RFC_9421_ED25519 = {
  kty: 'OKP',
  crv: 'Ed25519',
  kid: 'test-key-ed25519',
  d: 'n4Ni-HpISpVObnQMW0wOhCKROaIKqKtW_2ZYb2p9KcU',
  x: 'JrQLj5P_89iXES9-vFgrIy29clF9CC_oPPsw3c5D0bs',
} as const;

/** Another Ed25519 key, in no directory (a stranger's). */
export async function strangerJwk(): Promise<JsonWebKey> {
  const pair = (await crypto.subtle.generateKey({ name: 'Ed25519' }, true, ['sign', 'verify'])) as CryptoKeyPair;
  return crypto.subtle.exportKey('jwk', pair.privateKey);
}

export const publicJwk = (jwk: JsonWebKey): JsonWebKey => ({ kty: 'OKP', crv: 'Ed25519', x: jwk.x as string });

/** A key directory on 127.0.0.1: `mode` switches it between serving, down (503) and slow (no answer for `slowMs`). */
export interface KeyDirectory {
  readonly origin: string;
  readonly server: Server;
  mode: 'up' | 'down' | 'slow';
  /** How many times it was asked. */
  fetches: number;
  close(): Promise<void>;
}

export async function serveKeyDirectory(keys: readonly JsonWebKey[] = [publicJwk(RFC_9421_ED25519)], slowMs = 5000): Promise<KeyDirectory> {
  const directory = {
    mode: 'up' as KeyDirectory['mode'],
    fetches: 0,
  } as KeyDirectory;
  const server = createServer((req, res) => {
    directory.fetches++;
    if (req.url !== '/.well-known/http-message-signatures-directory' || directory.mode === 'down') {
      res.writeHead(directory.mode === 'down' ? 503 : 404).end();
      return;
    }
    const answer = () => {
      res.writeHead(200, { 'content-type': 'application/http-message-signatures-directory+json' });
      res.end(JSON.stringify({ keys }));
    };
    if (directory.mode === 'slow') setTimeout(answer, slowMs).unref();
    else answer();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return Object.assign(directory, {
    origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  });
}

export interface SignOptions {
  /** The Signature-Agent the request names (the directory's origin, as a structured string). */
  readonly agent: string;
  readonly key?: JsonWebKey;
  readonly created?: Date;
  readonly validForMs?: number;
  readonly nonce?: string;
  readonly userAgent?: string;
  /** Components to sign (web-bot-auth's default: @authority and signature-agent). */
  readonly components?: string[];
  readonly headers?: Record<string, string>;
}

/** Headers of a request to `url` signed by web-bot-auth as an agent would send them. */
export async function signedHeaders(url: string, options: SignOptions): Promise<Record<string, string>> {
  const created = options.created ?? new Date();
  const agentHeader = `"${options.agent}"`;
  const signed = await signatureHeaders(
    new Request(url, { headers: { 'signature-agent': agentHeader, ...options.headers } }),
    await signerFromJWK(options.key ?? RFC_9421_ED25519),
    {
      created,
      expires: new Date(created.getTime() + (options.validForMs ?? 60_000)),
      nonce: options.nonce ?? generateNonce(),
      ...(options.components ? { components: options.components } : {}),
    },
  );
  return {
    ...options.headers,
    'user-agent': options.userAgent ?? 'Mozilla/5.0 (compatible; DemoAgent/1.0)',
    'signature-agent': agentHeader,
    signature: signed.Signature,
    'signature-input': signed['Signature-Input'],
  };
}
