/**
 * meterwall: a framework-agnostic metered paywall. One decision per article request (full,
 * teaser or prompt) from the reader's status and a meter in a signed cookie.
 */
export { createPaywall, applyDecisionHeaders, decisionForVariant, type Paywall } from './core/paywall.js';
export { createMemoryStore, type MemoryStoreOptions } from './stores/memory.js';
export { PaywallError, type PaywallErrorCode, type InvalidOptionError } from './errors.js';
export { createRangeVerifier, parseCrawlerRanges, fetchCrawlerRanges, type RangeVerifier } from './crawlers/ranges.js';
export { CRAWLERS, detectCrawler, type CrawlerDefinition } from './crawlers/detect.js';
export type {
  Access,
  Article,
  CdnOptions,
  CrawlersOptions,
  CrawlerVerifier,
  DecideContext,
  FreshMeterOptions,
  ProxyOptions,
  ReferralOptions,
  ArticleAccess,
  CacheOptions,
  CalendarPeriod,
  CookieOptions,
  Decision,
  DecisionReason,
  FailureOptions,
  MeterLimit,
  MeterSnapshot,
  MeterStore,
  PaywallEvent,
  PaywallOptions,
  PeriodOptions,
  Reader,
  ReaderInput,
  ReaderStatus,
  RequestLike,
  RollingPeriod,
  Secret,
  SessionKey,
  SessionOptions,
  SessionRejection,
  StoreClaim,
  StoreClaimResult,
  StoreMergeResult,
  StoreMergeView,
  StoreMergeWindow,
  StoreRecordResult,
  StoreSnapshot,
  StoreView,
  StoreWindow,
  TokenRejection,
  TraceEntry,
  TraceRule,
  Variant,
} from './types.js';
export { cutTeaser, escapeHtml, type TeaserOptions } from './content/teaser.js';
export {
  renderPrompt,
  renderBanner,
  type PromptContext,
  type PromptKind,
  type PromptOptions,
  type PromptTexts,
  type PromptUrls,
} from './content/prompt.js';
export { paywallStructuredData, jsonLdScript, type ArticleMetadata, type StructuredDataOptions } from './content/structured-data.js';
export type { ContentOptions, Rendered, RenderCallOptions } from './content/render.js';
