/**
 * What a decision reads from a request, each fact read at most once and only when a stage
 * asks: the user agent, the meter cookie's every value and the session cookie's first, the
 * bearer token, the referer's host, the client's address and country (through trusted proxies
 * only), the gift link's token and whether the request is a page view. A returning reader
 * re-opening an article reads two.
 */
import type { OriginFacts, SessionFacts } from '../../contracts/features.js';
import type { ProxySettings } from '../../options/settings.js';
import type { DecideContext, RequestLike } from '../../types.js';
import { hostOf } from '../../util/hosts.js';
import type { IpAddress } from '../../util/ip.js';
import { readCookie, readMeterCookies } from '../cookies.js';
import { clientCountry, clientIp } from './client-address.js';
import { giftParameter } from './gift-parameter.js';
import { notPageView, type NotPageView, type PageViewSettings } from './page-view.js';

/** What the facts need to know of the options (internal). */
export interface FactSettings {
  /** The meter cookie's name. */
  readonly meterCookie: string;
  /** The session cookie's name, when the site names one. */
  readonly sessionCookie: string | undefined;
  readonly proxy: ProxySettings | null;
  readonly pageViews: PageViewSettings;
  /** The gift links' query parameter, when gift links are on. */
  readonly giftParam: string | null;
}

const NOT_READ = Symbol('not read');

/** The facts of one request. */
export class RequestFacts implements OriginFacts, SessionFacts {
  readonly request: RequestLike;
  readonly #settings: FactSettings;
  readonly #connection: string | null | undefined;
  #meterCookies: string[] | undefined;
  #sessionCookie: string | undefined | typeof NOT_READ = NOT_READ;
  #userAgent: string | null | typeof NOT_READ = NOT_READ;
  #address: IpAddress | null | typeof NOT_READ = NOT_READ;
  #notPageView: NotPageView | null | typeof NOT_READ = NOT_READ;
  #refererHost: string | null | typeof NOT_READ = NOT_READ;
  #country: string | null | typeof NOT_READ = NOT_READ;
  #giftToken: string | null | typeof NOT_READ = NOT_READ;

  constructor(request: RequestLike, context: DecideContext | undefined, settings: FactSettings) {
    this.request = request;
    this.#settings = settings;
    this.#connection = context?.ip;
  }

  /** The values of the meter cookie (usually one; two when a stale path or domain lingers). */
  get meterCookies(): readonly string[] {
    this.#meterCookies ??= readMeterCookies(this.request.headers.get('cookie'), this.#settings.meterCookie);
    return this.#meterCookies;
  }

  /** The session cookie's value, when the site names one and the request carries it. */
  get sessionCookie(): string | undefined {
    const name = this.#settings.sessionCookie;
    if (this.#sessionCookie === NOT_READ)
      this.#sessionCookie = name === undefined ? undefined : readCookie(this.request.headers.get('cookie'), name);
    return this.#sessionCookie;
  }

  /** The bearer token of an `Authorization: Bearer` header. */
  get bearer(): string | undefined {
    const authorization = this.request.headers.get('authorization');
    const match = authorization === null ? null : /^Bearer[ \t]+([^\s]+)\s*$/i.exec(authorization);
    return match?.[1];
  }

  /** The `User-Agent`, or `null`. */
  get userAgent(): string | null {
    if (this.#userAgent === NOT_READ) this.#userAgent = this.request.headers.get('user-agent');
    return this.#userAgent;
  }

  /** The client's address: the connection's, or what trusted proxies reported. */
  get clientAddress(): IpAddress | null {
    if (this.#address === NOT_READ) this.#address = clientIp(this.request, this.#connection, this.#settings.proxy);
    return this.#address;
  }

  /** The client's country, as a trusted proxy reported it (upper-case), or `null`. */
  get country(): string | null {
    if (this.#country === NOT_READ) this.#country = clientCountry(this.request, this.#connection, this.#settings.proxy);
    return this.#country;
  }

  /** The gift parameter's value in the URL (gift links on), or `null`: a gift link, if it verifies. */
  get giftToken(): string | null {
    if (this.#giftToken === NOT_READ) {
      const param = this.#settings.giftParam;
      this.#giftToken = param === null ? null : giftParameter(this.request.url, param);
    }
    return this.#giftToken;
  }

  /** Why the request is not a page view, or `null` when it is one. */
  get notPageView(): NotPageView | null {
    if (this.#notPageView === NOT_READ) this.#notPageView = notPageView(this.request, this.#settings.pageViews);
    return this.#notPageView;
  }

  /** The host of the `Referer`, lower case, or `null`. */
  get refererHost(): string | null {
    if (this.#refererHost === NOT_READ) this.#refererHost = hostOf(this.request.headers.get('referer'));
    return this.#refererHost;
  }
}
