/**
 * Gift links on the example paper: the box under an article that a subscriber uses to gift it
 * ("Gift this article (7 of 10 left this month)"), the page that shows the link to copy, and
 * what the friend who opens it sees: a note above the article and an invitation below it.
 */
import { escapeHtml as e, type GiftAllowance, type GiftResult } from 'meterwall';
import type { StoryArticle } from './articles.js';

/** The giving box under an article, for a reader who may give. */
export function giftBox(article: StoryArticle, allowance: GiftAllowance): string {
  if (!allowance.eligible) return '';
  const left = `${allowance.remaining} of ${allowance.limit} left this month`;
  if (allowance.remaining === 0) {
    return `
    <section class="gift" aria-label="Gift this article">
      <p>You have used all ${allowance.limit} of this month’s gifts. More on ${e(allowance.resetsAt.toISOString().slice(0, 10))}.</p>
    </section>`;
  }
  return `
    <section class="gift" aria-label="Gift this article">
      <form method="post" action="/articles/${e(article.slug)}/gift">
        <button class="button" type="submit">Gift this article (${e(left)})</button>
      </form>
      <p class="gift__help">Anyone with the link can read this article in full, free, for 30 days.</p>
    </section>`;
}

/** The page after a subscriber asked for a gift: the link to copy, or why there is none. */
export function giftCreatedPage(article: StoryArticle, result: GiftResult): string {
  const back = `<p><a href="/articles/${e(article.slug)}">Back to the article</a></p>`;
  if (!result.ok) {
    const why =
      result.reason === 'allowance-spent'
        ? 'You have used all of this month’s gifts.'
        : result.reason === 'store-unavailable'
          ? 'Gifts are unavailable just now. Please try again in a minute.'
          : 'Only subscribers can gift articles.';
    return `<section class="form-page"><h1>No gift link</h1><p>${e(why)}</p>${back}</section>`;
  }
  const { gift, allowance } = result;
  return `
  <section class="form-page gift-created">
    <h1>Your gift link</h1>
    <p>Send this link to anyone: it opens “${e(article.headline)}” in full until ${e(gift.expiresAt.toISOString().slice(0, 10))}, without using their free articles.</p>
    <label for="gift-link">Copy the link</label>
    <input id="gift-link" class="gift__link" readonly value="${e(gift.url ?? '')}">
    <p class="gift__help">${allowance.remaining} of ${allowance.limit} gifts left this month.</p>
    ${back}
  </section>`;
}

/** Above a gifted article. */
export const GIFT_NOTE = '<p class="gift-note" role="note">A subscriber shared this article with you.</p>';

/** Below a gifted article, for a reader without an account or a subscription. */
export function giftInvitation(slug: string, status: 'anonymous' | 'registered' | 'subscriber'): string {
  if (status === 'subscriber') return '';
  const returnTo = encodeURIComponent(`/articles/${slug}`);
  const register = status === 'anonymous' ? `<a class="button" href="/register?returnTo=${returnTo}">Register for free</a> ` : '';
  return `
    <section class="gift-invitation" aria-labelledby="gift-invitation-heading">
      <h2 id="gift-invitation-heading">Enjoyed this article?</h2>
      <p>${status === 'anonymous' ? 'Register for free to read more each month, or subscribe for everything.' : 'Subscribe for unlimited access to every article.'}</p>
      <p>${register}<a class="button" href="/subscribe?returnTo=${returnTo}">Subscribe</a></p>
    </section>`;
}
