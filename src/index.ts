/**
 * meterwall: a framework-agnostic metered paywall. One decision per article request (full,
 * teaser or prompt) from the reader's status and a meter in a signed cookie; what the page
 * shows is rendered separately (`createRenderer`), so an edge that only decides stays small.
 */
export { createPaywall, type Paywall } from './core/paywall.js';
export type { AccessLogFields } from './core/decide/access-log.js';
export { defineRules } from './features/rules/define.js';
export { defineExperiments } from './features/experiments/define.js';
export { defineSession } from './features/sessions/define.js';
export { defineGifts } from './features/gifts/define.js';
export { applyDecisionHeaders } from './core/decide/headers.js';
export { decisionForVariant } from './core/decide/variants.js';
export { createMemoryStore, type MemoryStoreOptions } from './stores/memory.js';
export { PaywallError, InvalidOptionError, isMeterwallError, type MeterwallError, type PaywallErrorCode } from './errors.js';
export { createRangeVerifier, parseCrawlerRanges, fetchCrawlerRanges, type RangeVerifier } from './crawlers/ranges.js';
export { CRAWLERS, detectCrawler, type CrawlerDefinition } from './core/decide/crawler.js';
export type {
  Access,
  Article,
  ArticleAccess,
  CacheOptions,
  CalendarPeriod,
  CdnOptions,
  CookieOptions,
  CrawlersOptions,
  CrawlerVerifier,
  DecideContext,
  Decision,
  DecisionReason,
  Experiment,
  ExperimentMeters,
  ExperimentVariant,
  ExperimentSet,
  CreatedGift,
  FailureOptions,
  GiftAllowance,
  GiftOptions,
  GiftRefusal,
  GiftResult,
  GiftSet,
  OpenedGift,
  FreshMeterOptions,
  GiftCreateOptions,
  MeterLimit,
  MeterPeriod,
  MeterSnapshot,
  MeterStore,
  NamedMeterOptions,
  PaywallEvent,
  PaywallOptions,
  PeriodOptions,
  ProxyOptions,
  Reader,
  ReaderInput,
  ReaderStatus,
  ReferralOptions,
  RequestLike,
  RollingPeriod,
  Rule,
  RuleConditions,
  RuleDuration,
  RuleSet,
  RuleTreatment,
  Secret,
  PublicJwk,
  SessionKey,
  SessionOptions,
  SessionRejection,
  SessionSet,
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
  AgentOperatorOptions,
  AgentSet,
  AgentPolicy,
  AgentPurpose,
  AgentsOptions,
  DecisionAgent,
} from './types.js';
export { createRenderer, type ContentOptions, type Renderer, type Rendered, type RenderCallOptions } from './content/render.js';
export { cutTeaser, escapeHtml, type TeaserOptions } from './content/teaser.js';
export { renderPrompt, renderBanner } from './content/prompt.js';
export type { PromptContext, PromptKind, PromptOptions, PromptTexts, PromptUrls } from './content/prompt-options.js';
export { paywallStructuredData, jsonLdScript, type ArticleMetadata, type StructuredDataOptions } from './content/structured-data.js';
