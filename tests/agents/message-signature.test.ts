/**
 * HTTP Message Signatures as Web Bot Auth uses them, judged against references that are not
 * ours: RFC 9421's own Ed25519 example (Appendix B.2.6, its test key from B.1.4), and signatures
 * made by Cloudflare's `web-bot-auth` package.
 */
import { generateNonce, signatureHeaders } from 'web-bot-auth';
import { signerFromJWK } from 'web-bot-auth/crypto';
import { describe, expect, it } from 'vitest';
import {
  ed25519Key,
  jwkThumbprint,
  readSignature,
  signatureBase,
  verifyEd25519,
  type MessageSignature,
} from '../../src/agents/message-signature.js';
import { parseDictionary } from '../../src/agents/structured-fields.js';
import type { RequestLike } from '../../src/types.js';
import { publicJwk, RFC_9421_ED25519 } from '../helpers-agents.js';

const PUBLIC = publicJwk(RFC_9421_ED25519);

const requestOf = (url: string, headers: Record<string, string>, method = 'GET'): RequestLike => {
  const lower = new Map(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
  return { method, url, headers: { get: (name) => lower.get(name.toLowerCase()) ?? null } };
};

describe('HTTP Message Signatures (RFC 9421) for Web Bot Auth', () => {
  it("verifies RFC 9421's Ed25519 example (B.2.6) over its own signature base", async () => {
    const request = requestOf(
      '/foo?param=Value&Pet=dog',
      {
        host: 'example.com',
        date: 'Tue, 20 Apr 2021 02:07:55 GMT',
        'content-type': 'application/json',
        'content-length': '18',
      },
      'POST',
    );
    const input = parseDictionary(
      'sig-b26=("date" "@method" "@path" "@authority" "content-type" "content-length");created=1618884473;keyid="test-key-ed25519"',
    );
    const signature = parseDictionary('sig-b26=:wqcAqbmYJ2ji2glfAMaRy4gruYYnx2nEFN2HN6jrnDnQCK1u02Gb04v9EDgwUPiu4A0w6vuQv5lIp5WPpBKRCw==:');
    expect(input).not.toBeNull();
    // The example carries no web-bot-auth tag: its base and signature are checked directly.
    const sig: MessageSignature = {
      label: 'sig-b26',
      components: ['date', '@method', '@path', '@authority', 'content-type', 'content-length'],
      created: 1618884473,
      expires: null,
      nonce: null,
      keyid: 'test-key-ed25519',
      alg: null,
      signature: ((signature as NonNullable<typeof signature>).get('sig-b26') as { value: Uint8Array }).value,
      params: '("date" "@method" "@path" "@authority" "content-type" "content-length");created=1618884473;keyid="test-key-ed25519"',
    };
    const base = signatureBase(request, sig);
    expect(base).toBe(
      [
        '"date": Tue, 20 Apr 2021 02:07:55 GMT',
        '"@method": POST',
        '"@path": /foo',
        '"@authority": example.com',
        '"content-type": application/json',
        '"content-length": 18',
        '"@signature-params": ("date" "@method" "@path" "@authority" "content-type" "content-length");created=1618884473;keyid="test-key-ed25519"',
      ].join('\n'),
    );
    const key = (await ed25519Key(PUBLIC)) as CryptoKey;
    expect(await verifyEd25519(key, base as string, sig.signature)).toBe(true);
    expect(await verifyEd25519(key, `${base} `, sig.signature)).toBe(false);
  });

  it("reads and verifies what web-bot-auth signs; its keyid is the key's JWK thumbprint", async () => {
    const url = 'https://news.example/articles/tram?x=1';
    const created = new Date('2026-12-07T10:00:00Z');
    const agentHeader = '"http://127.0.0.1:8787"';
    const nonce = generateNonce();
    const signed = await signatureHeaders(
      new Request(url, { headers: { 'signature-agent': agentHeader } }),
      await signerFromJWK(RFC_9421_ED25519),
      { created, expires: new Date(created.getTime() + 60_000), nonce },
    );
    const request = requestOf(url, {
      host: 'news.example',
      'signature-agent': agentHeader,
      signature: signed.Signature,
      'signature-input': signed['Signature-Input'],
    });
    const sig = readSignature(request);
    expect(sig).not.toBeNull();
    expect(sig).not.toBe('malformed');
    const s = sig as MessageSignature;
    expect(s.components).toEqual(['@authority', 'signature-agent']);
    expect([s.created, s.expires, s.nonce]).toEqual([created.getTime() / 1000, created.getTime() / 1000 + 60, nonce]);
    expect(s.keyid).toBe(await jwkThumbprint(PUBLIC));
    const key = (await ed25519Key(PUBLIC)) as CryptoKey;
    expect(await verifyEd25519(key, signatureBase(request, s) as string, s.signature)).toBe(true);
    // Another authority, another Signature-Agent: the same signature no longer verifies.
    for (const changed of [{ host: 'other.example' }, { 'signature-agent': '"https://evil.example"' }]) {
      const moved = requestOf(url, {
        host: 'news.example',
        'signature-agent': agentHeader,
        signature: signed.Signature,
        'signature-input': signed['Signature-Input'],
        ...changed,
      });
      expect(await verifyEd25519(key, signatureBase(moved, s) as string, s.signature)).toBe(false);
    }
  });

  it('malformed signature headers are a typed answer, never a throw', () => {
    const cases: Array<[Record<string, string>, null | 'malformed']> = [
      [{}, null],
      [{ 'signature-input': 'sig1=("@authority");tag="web-bot-auth"' }, 'malformed'],
      [{ 'signature-input': 'sig1=("@authority";tag="web-bot-auth"', signature: 'sig1=:AAAA:' }, 'malformed'],
      [{ 'signature-input': 'sig1=("@authority");tag="web-bot-auth"', signature: 'sig1="not bytes"' }, 'malformed'],
      [{ 'signature-input': 'sig1=("@authority");tag="other"', signature: 'sig1=:AAAA:' }, null],
      [{ 'signature-input': `sig1=(${'"a" '.repeat(3000)})`, signature: 'sig1=:AAAA:' }, 'malformed'],
      [{ 'signature-input': 'sig1=("@authority";k=1);tag="web-bot-auth"', signature: 'sig1=:AAAA:' }, 'malformed'],
    ];
    for (const [headers, expected] of cases) expect(readSignature(requestOf('/a', headers)), JSON.stringify(headers)).toBe(expected);
  });
});
