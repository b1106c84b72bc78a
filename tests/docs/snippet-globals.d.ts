/**
 * What the documentation's snippets take as given, the way prose does ("your paywall", "the
 * request being handled"): declared once here, so a snippet shows only what it is about. A
 * snippet's own declarations shadow these. Kept small on purpose: a name only one snippet uses
 * belongs in that snippet's `ts-context` comment.
 */
import type { Article, Decision, Paywall, Renderer } from 'meterwall';

declare global {
  /** The site's meter secret: 32 random bytes or more (`METERWALL_SECRET`). */
  const secret: string;
  /** The site's paywall, made once with `createPaywall`. */
  const paywall: Paywall;
  /** The site's renderer, made once with `createRenderer`. */
  const renderer: Renderer;
  /** The request being handled (a Fetch `Request`). */
  const request: Request;
  /** The decision for the request being handled. */
  const decision: Decision;
  /** The site's CMS: an article by its slug, or `null`. */
  const cms: { article(slug: string): Promise<(Article & { html: string; title: string }) | null> };
  /** The article the page shows, as the CMS gives it. */
  const article: Article & { html: string; title: string; url: string; updatedAt: string };
  /** The site's page template around a decision. */
  function page(decision: Decision): string;
}
