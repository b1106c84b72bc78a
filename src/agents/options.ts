/**
 * `defineAgents`' options: the AI operators a site knows (where their keys are, their published ranges) and
 * what each gets per purpose, with the price and the licence; validated here, once.
 */
import { invalidOption } from '../errors.js';
import type { AgentPolicy, AgentPurpose, AgentsOptions, Article, CrawlerVerifier } from '../types.js';
import { at, integer, isRecord, oneOf, rejectUnknown } from '../util/schema.js';
import { type IpRange, parseRange } from '../util/ip.js';

export interface AgentOperatorSettings {
  readonly name: string;
  /** Its key directory's origin, or `null`. */
  readonly directory: string | null;
  readonly ranges: readonly IpRange[];
  /** Other confirmations of a user agent's claim from the address (reverse DNS…). */
  readonly verifiers: readonly CrawlerVerifier[];
  /** Its own user-agent tokens by purpose (matched as words, case-insensitively). */
  readonly userAgents: ReadonlyArray<{ readonly purpose: AgentPurpose; readonly token: string; readonly pattern: RegExp }>;
  readonly policy: Readonly<Record<AgentPurpose, AgentPolicy>>;
}

export interface AgentSettings {
  readonly operators: readonly AgentOperatorSettings[];
  readonly price: (article: Article) => number;
  readonly license: {
    readonly url: string;
    readonly verify: NonNullable<NonNullable<AgentsOptions['license']>['verify']> | null;
  } | null;
  readonly onBehalf: 'reader' | 'policy';
  readonly hosts: readonly string[];
  readonly maxValiditySec: number;
  readonly clockSkewSec: number;
  readonly directoryTimeoutMs: number;
  readonly directoryTtlMs: number;
  readonly fetch: (url: string, init: RequestInit) => Promise<Response>;
}

const POLICIES = ['block', 'teaser', 'licensed', 'paid'] as const;
const OPERATOR_KEYS = ['directory', 'ranges', 'verifiers', 'userAgents', 'training', 'search', 'user'];
const KEYS = ['operators', 'price', 'license', 'onBehalf', 'hosts', 'maxValiditySeconds', 'directoryTimeoutMs', 'directoryTtlMs', 'fetch'];

function origin(value: unknown, path: string): string | null {
  if (value === undefined) return null;
  const url = typeof value === 'string' ? URL.parse(value) : null;
  if (url === null || (url.protocol !== 'https:' && url.protocol !== 'http:') || url.origin === 'null')
    throw invalidOption(path, 'must be the origin of a key directory, e.g. "https://chatgpt.com"');
  return url.origin;
}

function operator(name: string, value: unknown, path: string): AgentOperatorSettings {
  if (!isRecord(value))
    throw invalidOption(path, 'must be an object ({ directory, ranges, verifiers, userAgents, training, search, user })');
  rejectUnknown(value, path, OPERATOR_KEYS, 'an agents operator option');
  const list = value['ranges'] ?? [];
  if (!Array.isArray(list)) throw invalidOption(at(path, 'ranges'), 'must list CIDR ranges');
  const ranges = list.map((text, i) => {
    const range = typeof text === 'string' ? parseRange(text) : null;
    if (range === null) throw invalidOption(at(at(path, 'ranges'), i), `is not a CIDR range: ${String(text)}`);
    return range;
  });
  const verifiers = value['verifiers'] ?? [];
  if (!Array.isArray(verifiers) || verifiers.some((v) => v === null || typeof v !== 'object' || typeof v.verify !== 'function'))
    throw invalidOption(at(path, 'verifiers'), 'must list verifiers ({ verify(operator, ip) })');
  const directory = origin(value['directory'], at(path, 'directory'));
  if (directory === null && ranges.length === 0 && verifiers.length === 0)
    throw invalidOption(path, 'needs a directory, ranges or verifiers: a user agent alone verifies nothing');
  const tokens = value['userAgents'] ?? {};
  if (!isRecord(tokens)) throw invalidOption(at(path, 'userAgents'), 'must map purposes to user-agent tokens');
  rejectUnknown(tokens, at(path, 'userAgents'), ['training', 'search', 'user'], 'a userAgents purpose');
  const userAgents = Object.entries(tokens).map(([purpose, token]) => {
    if (typeof token !== 'string' || !/^[A-Za-z0-9][A-Za-z0-9._-]{1,63}$/.test(token))
      throw invalidOption(at(at(path, 'userAgents'), purpose), 'must be a user-agent token, e.g. "DemoBot"');
    return Object.freeze({
      purpose: purpose as AgentPurpose,
      token,
      pattern: new RegExp(`(?:^|[^A-Za-z0-9-])${token.replace(/[.]/g, '\\.')}(?:[/ ;)]|$)`, 'i'),
    });
  });
  const policy = (purpose: AgentPurpose) => oneOf(POLICIES, 'teaser')(value[purpose], at(path, purpose));
  return Object.freeze({
    name,
    directory,
    ranges: Object.freeze(ranges),
    verifiers: Object.freeze([...(verifiers as CrawlerVerifier[])]),
    userAgents: Object.freeze(userAgents),
    policy: Object.freeze({ training: policy('training'), search: policy('search'), user: policy('user') }),
  });
}

/** `defineAgents`' options, resolved. */
export function resolveAgents(value: unknown): AgentSettings {
  if (!isRecord(value)) throw invalidOption('agents', 'must be an object ({ operators, price, license… })');
  rejectUnknown(value, 'agents', KEYS, 'an agents option');
  const ops = value['operators'];
  if (!isRecord(ops) || Object.keys(ops).length === 0) throw invalidOption('agents.operators', 'must name at least one operator');
  const operators = Object.entries(ops).map(([name, v]) => {
    if (!/^[a-z0-9][a-z0-9_-]{0,63}$/.test(name))
      throw invalidOption(at('agents.operators', name), 'must be a name of lowercase letters, digits, - and _');
    return operator(name, v, at('agents.operators', name));
  });
  const directories = operators.flatMap((o) => (o.directory === null ? [] : [o.directory]));
  if (new Set(directories).size !== directories.length)
    throw invalidOption('agents.operators', 'name one key directory for one operator only');
  const price = value['price'] ?? 0.01;
  const priceOf =
    typeof price === 'function'
      ? (price as (article: Article) => number)
      : typeof price === 'number' && Number.isFinite(price) && price > 0 && price <= 1000
        ? () => price
        : null;
  if (priceOf === null) throw invalidOption('agents.price', 'must be a price in USD (0 < price ≤ 1000) or a function of the article');
  const license = value['license'];
  if (license !== undefined) {
    if (!isRecord(license)) throw invalidOption('agents.license', 'must be { url, verify? }');
    rejectUnknown(license, 'agents.license', ['url', 'verify'], 'a license option');
    if (typeof license['url'] !== 'string' || URL.parse(license['url']) === null)
      throw invalidOption('agents.license.url', 'must be the licence’s URL');
    if (license['verify'] !== undefined && typeof license['verify'] !== 'function')
      throw invalidOption('agents.license.verify', 'must be a function');
  }
  const hosts = value['hosts'] ?? [];
  if (!Array.isArray(hosts) || hosts.some((h) => typeof h !== 'string' || !/^[a-z0-9.-]+(:\d{1,5})?$/.test(h)))
    throw invalidOption('agents.hosts', 'must list the site’s hosts in lowercase, e.g. ["news.example"]');
  const fetcher = value['fetch'] ?? ((url: string, init: RequestInit) => fetch(url, init));
  if (typeof fetcher !== 'function') throw invalidOption('agents.fetch', 'must be a function');
  return Object.freeze({
    operators: Object.freeze(operators),
    price: priceOf,
    license:
      license === undefined
        ? null
        : Object.freeze({
            url: license['url'] as string,
            verify: (license['verify'] as NonNullable<AgentSettings['license']>['verify']) ?? null,
          }),
    onBehalf: oneOf(['reader', 'policy'] as const, 'reader')(value['onBehalf'], 'agents.onBehalf'),
    hosts: Object.freeze([...(hosts as string[])]),
    maxValiditySec: integer(10, 86_400, 600)(value['maxValiditySeconds'], 'agents.maxValiditySeconds'),
    clockSkewSec: 60,
    directoryTimeoutMs: integer(50, 30_000, 1500)(value['directoryTimeoutMs'], 'agents.directoryTimeoutMs'),
    directoryTtlMs: integer(1000, 7 * 86_400_000, 3_600_000)(value['directoryTtlMs'], 'agents.directoryTtlMs'),
    fetch: fetcher as AgentSettings['fetch'],
  });
}
