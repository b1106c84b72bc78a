/**
 * The meter token on one runtime, through the public API only: a token signed here verifies with
 * jose's `jwtVerify`; a token jose signs with the secret is accepted; a token signed on another
 * runtime (passed in) is accepted; and every tampering is refused with the same reason and code
 * on every runtime. Bundled for workerd and the edge runtime like scenarios.ts.
 */
import { SignJWT, jwtVerify } from 'jose';
import { createPaywall, type PaywallEvent } from 'meterwall';

export const MATRIX_SECRET = 'token-matrix-secret-0123456789-abcdefg';
const NOW = Date.parse('2027-03-10T12:00:00Z');
const TYP = 'meterwall-meter+jwt';

export interface TokenMatrix {
  /** A token signed on this runtime (not compared: its reader id is random). */
  readonly token: string;
  /** The verdicts, compared across runtimes. */
  readonly verdicts: Array<{ readonly name: string; readonly reason: string; readonly rejected: string | null }>;
}

const b64 = (value: unknown): string => btoa(JSON.stringify(value)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');

export async function runTokenMatrix(foreign: readonly string[] = []): Promise<TokenMatrix> {
  const events: PaywallEvent[] = [];
  const paywall = createPaywall({ secret: MATRIX_SECRET, now: () => NOW, onEvent: (e) => events.push(e) });
  const open = async (cookie: string | null) => {
    events.length = 0;
    const headers = new Headers(cookie === null ? {} : { cookie: `__Host-meterwall=${cookie}` });
    const d = await paywall.decide(new Request('https://news.example/articles/interop', { headers }), { id: 'interop' });
    const rejected = events.find((e) => e.type === 'token-rejected');
    const set = d.headers.get('set-cookie');
    return {
      reason: d.reason,
      rejected: rejected?.type === 'token-rejected' ? `${rejected.reason}${rejected.code ? ` ${rejected.code}` : ''}` : null,
      token: set ? ((set.split(';')[0] as string).split('=')[1] ?? '') : '',
    };
  };
  const first = await open(null);
  const token = first.token;
  const [header = '', payload = '', signature = ''] = token.split('.');
  const claims = JSON.parse(atob(payload.replace(/-/g, '+').replace(/_/g, '/'))) as Record<string, unknown>;
  const secret = new TextEncoder().encode(MATRIX_SECRET);
  const kid = (JSON.parse(atob(header.replace(/-/g, '+').replace(/_/g, '/'))) as { kid: string }).kid;

  // jose accepts what this runtime signed.
  const verified = await jwtVerify(token, secret, {
    algorithms: ['HS256'],
    typ: TYP,
    issuer: 'meterwall',
    audience: 'meterwall:meter',
    currentDate: new Date(NOW),
  }).then(
    () => 'jose accepts',
    (e: { code?: string }) => `jose refuses: ${e.code}`,
  );
  const joseSigned = (key: Uint8Array, extra: Record<string, unknown> = {}) =>
    new SignJWT({ ...claims, ...extra }).setProtectedHeader({ alg: 'HS256', typ: TYP, kid }).sign(key);

  const cases: Array<[string, string]> = [
    ['jose signs with the secret', await joseSigned(secret)],
    ['jose signs with another secret', await joseSigned(new TextEncoder().encode('another-secret-0123456789-abcdefghijk'))],
    ['jose signs an expired token', await joseSigned(secret, { exp: NOW / 1000 - 60 })],
    ['a flipped signature', `${header}.${payload}.${signature.slice(0, 5)}${signature[5] === 'A' ? 'B' : 'A'}${signature.slice(6)}`],
    ['a truncated signature', `${header}.${payload}.${signature.slice(0, -4)}`],
    ['alg none', `${b64({ alg: 'none', typ: TYP, kid })}.${payload}.`],
    ['alg none with a signature', `${b64({ alg: 'none', typ: TYP, kid })}.${payload}.${signature}`],
    ['HS512 claimed', `${b64({ alg: 'HS512', typ: TYP, kid })}.${payload}.${signature}`],
    ['an unknown kid', `${b64({ alg: 'HS256', typ: TYP, kid: 'other' })}.${payload}.${signature}`],
    ['a changed payload', `${header}.${b64({ ...claims, a: '' })}.${signature}`],
    ['a crit header', `${b64({ alg: 'HS256', typ: TYP, kid, crit: ['exp'] })}.${payload}.${signature}`],
    ['not a JWS', 'not-a-token'],
  ];
  for (const [i, t] of foreign.entries()) cases.push([`signed on another runtime #${i + 1}`, t]);
  const verdicts: TokenMatrix['verdicts'] = [{ name: 'signed here, verified by jose', reason: verified, rejected: null }];
  for (const [name, value] of cases) {
    const { reason, rejected } = await open(value);
    verdicts.push({ name, reason, rejected });
  }
  return { token, verdicts };
}
