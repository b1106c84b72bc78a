/**
 * What a CMS puts into an article body besides the article: a subscribe promo, a newsletter
 * sign-up box and, after the article, the author's bio, as on the pages of real papers. The
 * teaser keeps them where they stand and never counts them as article paragraphs.
 */
import { escapeHtml as e } from 'meterwall';
import { PAPER } from './views.js';

const BIOS: Readonly<Record<string, string>> = {
  'Nadia Okafor': 'is the Courier’s transport and city hall correspondent. She has covered Riverside’s council since 2015.',
  'Tomás Herrera': 'writes about culture, libraries and the people who keep them open. He joined the Courier from the Evening Post.',
  'Priya Raman': 'is the Courier’s political editor. She previously reported on local government finance for a national paper.',
  'Dr Elif Şahin': 'is the Courier’s health correspondent and a former emergency doctor at Riverside General.',
  'Sam Lindqvist': 'covers Riverside United and grassroots sport across the county.',
  'Léa Fontaine': 'is the Courier’s food writer and a judge of the Riverside market awards.',
};

const returnTo = (slug: string) => encodeURIComponent(`/articles/${slug}`);

/** The subscribe promo inside the body (hidden by the page's CSS for subscribers). */
export function subscribePromo(slug: string): string {
  return (
    `<div class="subscribe-promo"><p class="subscribe-promo__title">Subscribe to ${PAPER}</p>` +
    '<ul class="subscribe-promo__benefits"><li>Every article, on every device</li><li>The weekend edition as a digital replica</li><li>Cancel or pause at any time</li></ul>' +
    `<p><a class="button" href="/subscribe?returnTo=${returnTo(slug)}">Subscribe &amp; save</a></p></div>`
  );
}

/** The newsletter sign-up box inside the body; the button leads to the sign-up form. */
export function newsletterBox(slug: string): string {
  return (
    `<div class="newsletter-signup"><p class="newsletter-signup__title">Sign up for ${PAPER}’s free newsletters</p>` +
    '<p>The morning briefing on what matters in Riverside, and the best of the week’s reporting on Saturdays.</p>' +
    `<p><a class="button" href="/newsletters?returnTo=${returnTo(slug)}">Sign up</a></p></div>`
  );
}

/** The author's bio, shown after the article. */
export function authorBio(author: string): string {
  const bio = BIOS[author] ?? `writes for ${PAPER}.`;
  return `<aside class="author-bio" aria-label="About the author"><p><strong>${e(author)}</strong> ${e(bio)}</p></aside>`;
}

/** The newsletter sign-up page: a form, or the confirmation. */
export function newsletterPage(values: { email: string; returnTo: string }, state: { error?: string; done?: boolean }): string {
  const back = `<p><a href="${e(values.returnTo)}">Back to ${values.returnTo === '/' ? 'the front page' : 'the article'}</a></p>`;
  if (state.done) {
    return `<section class="form-page"><h1>You’re signed up</h1><p>The morning briefing will go to ${e(values.email)} from tomorrow.</p>${back}</section>`;
  }
  const error = state.error;
  return `
  <section class="form-page">
    <h1>Sign up for ${PAPER}’s free newsletters</h1>
    <p>The morning briefing on what matters in Riverside, and the best of the week’s reporting on Saturdays. Free, whether or not you subscribe.</p>
    ${error ? `<div class="error-summary" role="alert"><h2>There is a problem</h2><ul><li>${e(error)}</li></ul></div>` : ''}
    <form method="post" action="/newsletters" novalidate>
      <input type="hidden" name="returnTo" value="${e(values.returnTo)}">
      <div class="field${error ? ' field--error' : ''}">
        <label for="field-email">Email address</label>
        <input id="field-email" name="email" value="${e(values.email)}" type="email" autocomplete="email" maxlength="254"${error ? ' aria-invalid="true"' : ''}>
      </div>
      <button class="button" type="submit">Sign up</button>
    </form>
    ${back}
  </section>`;
}
