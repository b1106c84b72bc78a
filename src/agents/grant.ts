/**
 * What the site's policy gives a verified AI operator for its purpose, before the policy stage
 * turns it into access (policy.ts): refused (403), the teaser, the text under a licence (with
 * `Link: <…>; rel="license"`), or for a price (Cloudflare's pay per crawl in-band: `402` with
 * `crawler-price`; an agent that accepts the price with `crawler-exact-price` or
 * `crawler-max-price` gets the text and `crawler-charged`). An RSL licence token
 * (`Authorization: License <token>`) the site's callback accepts reads as licensed where the
 * policy licenses or sells the text. Only a verified agent gets here.
 */
import type { AgentGrant, AgentOutcome, ArticleFacts } from '../contracts/features.js';
import type { AgentSettings } from './options.js';
import type { AgentPurpose, Article, Reader, RequestLike } from '../types.js';
import { andThen, isPromiseLike, type MaybePromise } from '../util/maybe-async.js';

/** The article as the site's price and licence callbacks see it. */
function articleOf(facts: ArticleFacts): Article {
  return {
    id: facts.id,
    access: facts.access,
    requires: facts.requires,
    tags: facts.tags,
    ...(facts.section === undefined ? {} : { section: facts.section }),
    ...(facts.type === undefined ? {} : { type: facts.type }),
    ...(facts.publishedAt === null ? {} : { publishedAt: new Date(facts.publishedAt) }),
  };
}

/** `USD 0.01` as pay per crawl writes a price; a price read back, or `null`. */
const formatPrice = (usd: number): string => `USD ${usd.toFixed(6).replace(/0+$/, '').replace(/\.$/, '')}`;
function readPrice(value: string | null): number | null {
  const m = value === null ? null : /^\s*USD\s+(\d{1,7}(?:\.\d{1,9})?)\s*$/i.exec(value);
  return m === null ? null : Number(m[1]);
}

/**
 * The grant for a verified agent, or `null` when the policy stays out of it (an agent fetching
 * for a subscriber whose session it carries, with `onBehalf: 'reader'`).
 */
export function agentGrant(
  settings: AgentSettings,
  agent: { readonly operator: string; readonly purpose: AgentPurpose },
  reader: Reader,
  facts: ArticleFacts,
  request: RequestLike,
  logged?: boolean,
): MaybePromise<AgentGrant | null> {
  const article = articleOf(facts);
  if (agent.purpose === 'user' && reader.status === 'subscriber' && settings.onBehalf === 'reader') return null;
  const policy = settings.operators.find((o) => o.name === agent.operator)?.policy[agent.purpose] ?? 'teaser';
  let token: AgentGrant['token'] = null;
  const grant = (
    outcome: AgentOutcome,
    note: string,
    headers: ReadonlyArray<readonly [string, string]> = [],
    price: number | null = null,
  ): AgentGrant => ({
    operator: agent.operator,
    purpose: agent.purpose,
    token,
    outcome,
    note: `${agent.operator} (${agent.purpose}): ${note}`,
    headers,
    price,
  });
  const license = settings.license;
  const licensed: ReadonlyArray<readonly [string, string]> =
    license === null ? [] : [['Link', `<${license.url}>; rel="license"; type="application/rsl+xml"`]];
  if (policy === 'block') return grant('refused', 'refused by the site’s policy');
  if (policy === 'teaser') return grant('teaser', 'the teaser, by the site’s policy');
  const presented = /^License\s+(\S{1,4096})$/i.exec(request.headers.get('authorization') ?? '')?.[1] ?? null;
  const byToken =
    presented === null || license?.verify == null
      ? false
      : logged !== undefined
        ? logged
        : (() => {
            try {
              return license.verify(presented, agent, article);
            } catch {
              return false;
            }
          })();
  const safe = isPromiseLike(byToken) ? Promise.resolve(byToken).catch(() => false) : byToken;
  return andThen(safe, (accepted) => {
    if (presented !== null && license?.verify != null) token = accepted === true ? 'accepted' : 'refused';
    if (accepted === true) return grant('licensed', 'licence token accepted', licensed);
    if (policy === 'licensed') return grant('licensed', 'licensed by the site’s policy', licensed);
    let price: number;
    try {
      price = settings.price(article);
    } catch {
      price = Number.NaN;
    }
    if (!Number.isFinite(price) || price <= 0) return grant('teaser', 'no price for this article: the teaser');
    const asked = formatPrice(price);
    const exact = readPrice(request.headers.get('crawler-exact-price'));
    const max = readPrice(request.headers.get('crawler-max-price'));
    if ((exact !== null && Math.abs(exact - price) < 1e-9) || (max !== null && max + 1e-9 >= price))
      return grant('paid', `paid ${asked}`, [['crawler-charged', asked], ...licensed], price);
    const challenge: ReadonlyArray<readonly [string, string]> =
      license === null ? [] : [['WWW-Authenticate', presented === null ? 'License' : 'License error="invalid_token"']];
    return grant('payment-required', `payment required: ${asked}`, [['crawler-price', asked], ...challenge], price);
  });
}
