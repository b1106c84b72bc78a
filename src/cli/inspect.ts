/**
 * `meterwall inspect`: for support staff, a meter cookie explained. It is verified with the
 * site's secrets (from the environment, never printed) by the same token code `decide()` uses:
 * valid or why not, the key it was signed with, its period and when that ends, the views used on
 * each meter and what else it carries (referral views, views started spent, the sign-in and merge
 * marks, a gift it opened); and whether candidate article ids were read (the cookie holds keyed
 * hashes, so ids are checked, never listed).
 */
import { readCookie, readCookieValues, readSetCookie, unquote } from '../core/cookies.js';
import { TOKEN_GRACE_MS } from '../core/decide/context.js';
import { ARTICLE_HASH_LENGTH, createIdHasher } from '../core/hashing.js';
import { importKeyring } from '../core/keys.js';
import { createMeterTokens, type MeterState } from '../core/meter-token.js';
import { contains, hasRead, namedValue, sampledViews, usedViews } from '../core/meter.js';
import { COMPACT_JWS, protectedHeader } from '../core/jws.js';
import { DEFAULTS } from '../options/defaults.js';
import { printable } from './printable.js';
import { normalizeSecrets } from '../options/secrets.js';
import type { TokenRejection } from '../types.js';
import type { AccountReport } from './inspect-account.js';

/** What `inspect` is given. */
export interface InspectInput {
  /**
   * The cookie as support staff paste it: its value, `name=value`, a whole `Cookie:` header (the
   * meter cookie is found by its name), or a `Set-Cookie` line.
   */
  readonly token: string;
  /** The meter cookie's name, to find it in a `Cookie:` header (the default `__Host-meterwall`). */
  readonly cookieName?: string;
  /** The secrets, first signing (as the site lists them). */
  readonly secrets: readonly (string | Uint8Array)[];
  /** Article ids to check. */
  readonly articles?: readonly string[];
  /** The site's meter limits by meter (`default` and named ones), when known. */
  readonly limits?: Readonly<Record<string, number>>;
  readonly issuer?: string;
  readonly audience?: string;
  /** Now, ms. */
  readonly now?: number;
}

/** The explanation. */
export type InspectReport =
  | {
      readonly valid: false;
      readonly reason: TokenRejection;
      /** jose's code for the failure, when there is one. */
      readonly code: string | null;
      /** The `kid` the token claims (unverified), to tell a rotated-out key. */
      readonly kid: string | null;
      readonly kids: readonly string[];
    }
  | {
      readonly valid: true;
      readonly kid: string;
      readonly readerId: string;
      /** The calendar period's start (ISO), or `null` for a rolling window. */
      readonly periodStart: string | null;
      /** When the token expires (ISO): the end of the last of its meters' periods, plus a short grace. */
      readonly expiresAt: string;
      /** When its meters reset (ISO): the end of the last of their periods (for a rolling window, when its newest view leaves it). */
      readonly resetsAt: string;
      readonly meters: ReadonlyArray<{
        readonly meter: string;
        readonly used: number;
        readonly limit: number | null;
        readonly periodStart: string | null;
      }>;
      readonly referralViews: number;
      readonly startedSpent: number;
      readonly signedIn: boolean;
      readonly merged: boolean;
      readonly gift: { readonly id: string; readonly openedAt: string; readonly status: string } | null;
      readonly articles: ReadonlyArray<{ readonly id: string; readonly read: boolean; readonly meter: string | null }>;
    };

const iso = (ms: number): string => new Date(ms).toISOString();

/**
 * The meter token in what was pasted: a bare token, `name=value`, a `Cookie:` header (the pair
 * named `name`, else the one value shaped as a token) or a `Set-Cookie` line (its first pair),
 * each read as `cookie` reads them.
 */
export function tokenIn(pasted: string, name: string): string {
  const text = pasted.trim();
  const prefix = /^(set-)?cookie\s*:\s*/i.exec(text);
  const rest = prefix === null ? text : text.slice(prefix[0].length);
  return unquote(prefix?.[1] !== undefined ? readSetCookie(rest).value : rest.includes('=') ? inCookieHeader(rest, name, text) : rest);
}

function inCookieHeader(header: string, name: string, text: string): string {
  const named = readCookie(header, name);
  if (named !== undefined) return named;
  const values = readCookieValues(header).map(unquote);
  return values.length === 1 ? (values[0] as string) : (values.find((value) => COMPACT_JWS.test(value)) ?? text);
}

/** Verifies and explains a meter token. */
export async function inspectToken(input: InspectInput): Promise<InspectReport> {
  const token = tokenIn(input.token, input.cookieName ?? DEFAULTS.cookie.name);
  const keyring = await importKeyring(normalizeSecrets(input.secrets as never));
  const tokens = createMeterTokens(keyring, {
    issuer: input.issuer ?? 'meterwall',
    audience: input.audience ?? 'meterwall:meter',
    cacheSize: 1,
  });
  const read = await tokens.read(token, input.now ?? Date.now());
  if (!read.ok) {
    const kid = protectedHeader(token)?.['kid'];
    return {
      valid: false,
      reason: read.reason,
      code: read.code ?? null,
      kid: typeof kid === 'string' ? kid : null,
      kids: [...keyring.verify.keys()],
    };
  }
  const { state, kid, expiresAt } = read.token;
  const hasher = createIdHasher(keyring, 16);
  const articles = [];
  for (const id of input.articles ?? []) {
    const hash = await hasher.article(state.hashKid, id);
    articles.push({ id, ...whereRead(state, hash) });
  }
  return {
    valid: true,
    kid,
    readerId: state.rid,
    periodStart: state.period === null ? null : iso(state.period),
    expiresAt: iso(expiresAt),
    resetsAt: iso(expiresAt - TOKEN_GRACE_MS),
    meters: metersOf(state, input.limits ?? {}),
    referralViews: sampledViews(state),
    startedSpent: state.spent,
    signedIn: state.signedIn,
    merged: state.merged,
    gift: state.gift === null ? null : { id: state.gift.id, openedAt: iso(state.gift.at), status: state.gift.status },
    articles,
  };
}

function metersOf(state: MeterState, limits: Readonly<Record<string, number>>) {
  const meters = [{ meter: 'default', used: usedViews(state), limit: limits['default'] ?? null, periodStart: null as string | null }];
  for (const [name, value] of Object.entries(state.named)) {
    const { start, hashes } = namedValue(value);
    meters.push({
      meter: name,
      used: hashes.length / ARTICLE_HASH_LENGTH,
      limit: limits[name] ?? null,
      periodStart: start === null ? null : iso(start),
    });
  }
  return meters;
}

function whereRead(state: MeterState, hash: string | undefined): { read: boolean; meter: string | null } {
  if (hash === undefined) return { read: false, meter: null };
  if (hasRead(state, hash)) return { read: true, meter: 'default' };
  for (const [name, value] of Object.entries(state.named)) if (contains(namedValue(value).hashes, hash)) return { read: true, meter: name };
  return { read: false, meter: null };
}

/** The report as support staff read it, every value that came from the cookie or the command line escaped for the terminal. */
export function formatInspection(report: InspectReport): string {
  const p = printable;
  if (!report.valid) {
    const why: Record<TokenRejection, string> = {
      oversized: 'it is longer than any meter token can be',
      malformed: 'it is not a meter token (malformed)',
      'bad-signature': 'its signature does not match: it was altered or forged, or signed with another secret',
      algorithm: 'it is not signed with HS256',
      'unknown-key': `it was signed with a key this site no longer holds (kid ${p(report.kid ?? '?')}; held: ${p(report.kids.join(', '))})`,
      expired: 'it has expired: the reader gets a fresh meter',
      claims: 'it is not a meter token of this site (type, issuer or audience)',
      'old-format': 'it is in an old format',
    };
    return `INVALID: ${why[report.reason]}${report.code ? ` [${p(report.code)}]` : ''}\nThe reader is treated as new: a fresh meter.`;
  }
  const lines = [
    `VALID meter token, signed with key ${p(report.kid)}`,
    `reader id       ${p(report.readerId)}`,
    `period          ${report.periodStart === null ? 'rolling window' : `from ${report.periodStart}`}`,
    `resets          ${report.resetsAt}`,
    `token expires   ${report.expiresAt} (5 minutes of grace after that)`,
  ];
  for (const m of report.meters) {
    // After a sign-in the cookie's anonymous allowance is gone: its count is not what the reader meets.
    const left = report.signedIn ? ' (none left while signed out: an account signed in on this browser)' : '';
    lines.push(
      `meter ${p(m.meter).padEnd(9)} ${m.used} used${m.limit === null ? '' : ` of ${m.limit}`}${m.periodStart ? ` (its own period from ${m.periodStart})` : ''}${left}`,
    );
  }
  lines.push(`referral views  ${report.referralViews}`, `started spent   ${report.startedSpent}`);
  lines.push(`signed in here  ${report.signedIn ? 'yes: an account signed in on this browser this period' : 'no'}`);
  if (report.signedIn)
    lines.push(
      'where it lives  signed in, the reader is metered on their account: in the store, not in this cookie',
      '                (read it with --account <id> --redis <url>);',
      '                signed out, this browser is walled: it is asked to sign in again',
    );
  else if (report.merged)
    lines.push('where it lives  these views were merged into an account: its meter is in the store (--account, --redis)');
  lines.push(`merged          ${report.merged ? 'yes: these views were merged into an account' : 'no'}`);
  if (report.gift) lines.push(`gift opened     ${p(report.gift.id)} at ${report.gift.openedAt} (as ${p(report.gift.status)})`);
  for (const a of report.articles)
    lines.push(`article ${p(JSON.stringify(a.id))}: ${a.read ? `read this period (${a.meter} meter)` : 'not read this period'}`);
  return lines.join('\n');
}

/** A registered reader's meters, as the store holds them. */
export function formatAccount(account: AccountReport, prefix: string): string {
  const p = printable;
  const lines = [`account meter   in the store under ${p(prefix + account.key)}`];
  for (const m of account.meters)
    lines.push(`meter ${p(m.meter).padEnd(9)} ${m.used} used${m.limit === null ? '' : ` of ${m.limit}`} (store)`);
  for (const a of account.articles)
    lines.push(`article ${p(JSON.stringify(a.id))}: ${a.read ? 'read this period (account)' : 'not read this period (account)'}`);
  return lines.join('\n');
}
