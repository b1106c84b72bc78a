/**
 * Who an AI client is, verified: a Web Bot Auth signature (RFC 9421) from a key in the key
 * directory of an operator the site configured, or an address in an operator's published ranges.
 * A user agent alone verifies nothing. Every check that fails says why, and leaves the client an
 * unverified claimant (no more than any automated client gets).
 *
 * A signature is accepted once: its nonce (or, without one, the signature itself) is claimed for
 * as long as the signature is valid, so a replayed signed request is refused.
 */
import type { AgentCheck, ClaimOnce } from '../contracts/features.js';
import type { CrawlerVerifier, RequestLike } from '../types.js';
import { formatIp, inRange, type IpAddress, type IpRange } from '../util/ip.js';
import type { KeyDirectories } from './directory.js';
import { authorityOf, type MessageSignature, readSignature, signatureBase, verifyEd25519 } from './message-signature.js';
import { type AgentPurpose, claimedAgent } from './operators.js';
import { parseDictionary, parseItem } from './structured-fields.js';

/** An operator the site knows: where its keys are, its ranges. */
export interface OperatorIdentity {
  readonly name: string;
  /** The origin of its key directory (what its `Signature-Agent` names), or `null`. */
  readonly directory: string | null;
  readonly ranges: readonly IpRange[];
  /** Other confirmations of a user agent's claim from the address (reverse DNS…). */
  readonly verifiers: readonly CrawlerVerifier[];
  /** Its own user-agent tokens by purpose. */
  readonly userAgents: ReadonlyArray<{ readonly purpose: AgentPurpose; readonly pattern: RegExp }>;
}

export interface AgentVerification {
  readonly operators: readonly OperatorIdentity[];
  /** The site's own authorities (`news.example`): a signature for any other is refused. Empty: the request's `Host`. */
  readonly hosts: readonly string[];
  /** The longest validity a signature may declare (`expires - created`), seconds. */
  readonly maxValiditySec: number;
  /** How far in the future `created` may be (clocks differ), seconds. */
  readonly clockSkewSec: number;
  readonly directories: KeyDirectories;
}

/** The operator origin a `Signature-Agent` header names (`"https://…"`, or a dictionary member for `label`). */
function signatureAgent(request: RequestLike, label: string): string | null {
  const text = request.headers.get('signature-agent');
  if (text === null) return null;
  const item = parseItem(text);
  let value = item !== null && typeof item.value === 'string' ? item.value : null;
  if (value === null) {
    const member = parseDictionary(text)?.get(label);
    value = member !== undefined && 'value' in member && typeof member.value === 'string' ? member.value : null;
  }
  const url = value === null ? null : URL.parse(value);
  return url === null || (url.protocol !== 'https:' && url.protocol !== 'http:') ? null : url.origin;
}

const unverified = (operator: string, purpose: AgentPurpose, note: string): AgentCheck => ({ operator, purpose, verified: false, note });

/** Whether `request` may come from an AI client (a signature, or a known agent's user agent): a synchronous test before the check. */
export function mayBeAgent(request: RequestLike, userAgent: string | null): boolean {
  return request.headers.get('signature-input') !== null || claimedAgent(userAgent) !== null;
}

/**
 * Checks the AI client `request` comes from, or `null` when it neither carries a Web Bot Auth
 * signature nor claims to be a known AI agent.
 */
export async function checkAgent(
  request: RequestLike,
  client: IpAddress | null,
  settings: AgentVerification,
  now: number,
  claim: ClaimOnce,
): Promise<AgentCheck | null> {
  const claimed = claimedAgent(request.headers.get('user-agent'));
  const signature = readSignature(request);
  if (signature === null) {
    if (claimed === null) return null;
    const operator = settings.operators.find((o) => o.name === claimed.operator);
    if (operator !== undefined && client !== null && operator.ranges.some((range) => inRange(client, range)))
      return { ...claimed, verified: true, note: `${claimed.operator} (${claimed.purpose}): address in its published ranges` };
    if (operator !== undefined && client !== null && (await confirmed(operator.verifiers, operator.name, formatIp(client))))
      return { ...claimed, verified: true, note: `${claimed.operator} (${claimed.purpose}): address confirmed by its verifier` };
    return unverified(claimed.operator, claimed.purpose, `claims ${claimed.operator} (${claimed.purpose}) by its user agent only`);
  }
  const fallback = claimed ?? { operator: 'unknown', purpose: 'user' as const };
  if (signature === 'malformed') return unverified(fallback.operator, fallback.purpose, 'signature headers malformed');
  const origin = signatureAgent(request, signature.label);
  const operator = origin === null ? undefined : settings.operators.find((o) => o.directory === origin);
  if (operator === undefined) return unverified(fallback.operator, fallback.purpose, `signature agent not trusted: ${origin ?? 'none'}`);
  // The purpose its user agent says: the operator's own tokens, a known token of the same operator, else a person's.
  const userAgent = request.headers.get('user-agent') ?? '';
  const purpose =
    operator.userAgents.find((t) => t.pattern.test(userAgent))?.purpose ??
    (claimed !== null && claimed.operator === operator.name ? claimed.purpose : 'user');
  const refuse = (why: string) => unverified(operator.name, purpose, why);
  const problem = checkParams(request, signature, settings, now);
  if (problem !== null) return refuse(problem);
  const keys = await settings.directories.keys(operator.directory as string, now);
  if (keys === null) return refuse('key directory unavailable');
  const key = keys.get(signature.keyid as string);
  if (key === undefined) return refuse('key not in the operator’s directory');
  const base = signatureBase(request, signature);
  if (base === null || !(await verifyEd25519(key, base, signature.signature))) return refuse('signature does not verify');
  const ttlMs = Math.max(1000, (signature.expires as number) * 1000 - now + settings.clockSkewSec * 1000);
  const once = signature.nonce ?? btoa(String.fromCharCode(...signature.signature));
  if (!(await claim(`${operator.name}\u0000${once}`, ttlMs))) return refuse('signature replayed (its nonce was seen)');
  return { operator: operator.name, purpose, verified: true, note: `${operator.name} (${purpose}): Web Bot Auth signature verified` };
}

/** Whether one of `verifiers` confirms `ip` for the operator (one that throws confirms nothing). */
async function confirmed(verifiers: readonly CrawlerVerifier[], operator: string, ip: string): Promise<boolean> {
  for (const verifier of verifiers) {
    try {
      if ((await verifier.verify(operator, ip)) === true) return true;
    } catch {
      // a verifier that fails confirms nothing
    }
  }
  return false;
}

/** Why the signature's parameters are refused, or `null`. */
function checkParams(request: RequestLike, s: MessageSignature, settings: AgentVerification, now: number): string | null {
  if (!s.components.includes('@authority')) return '@authority not covered';
  if (!s.components.includes('signature-agent')) return 'signature-agent not covered';
  if (s.alg !== null && s.alg !== 'ed25519') return `algorithm ${s.alg} not accepted`;
  if (s.keyid === null) return 'no keyid';
  if (s.created === null || s.expires === null) return 'no created or expires';
  const seconds = now / 1000;
  if (s.created > seconds + settings.clockSkewSec) return 'created in the future';
  if (s.expires <= seconds) return 'expired';
  if (s.expires - s.created > settings.maxValiditySec) return `valid for more than ${settings.maxValiditySec} s`;
  const authority = authorityOf(request);
  if (authority === null || (settings.hosts.length > 0 && !settings.hosts.includes(authority)))
    return `authority ${authority ?? 'missing'} not this site`;
  return null;
}
