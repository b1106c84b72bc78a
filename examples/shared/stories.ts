/** Three stories and a page template shared by the small framework examples. */
import { createRenderer, defineSession, escapeHtml, type Article, type Rendered } from 'meterwall';

export interface Story extends Article {
  readonly title: string;
  readonly html: string;
}

const paragraphs = (...texts: string[]) => texts.map((t) => `<p>${t}</p>`).join('');

export const STORIES: Readonly<Record<string, Story>> = {
  'harbour-wall': {
    id: 'harbour-wall',
    title: 'Harbour wall repairs finish a year early',
    html: paragraphs(
      'The harbour wall reopened on Monday.',
      'Engineers finished the repairs a year early.',
      'HELD-BACK: the final cost came in under budget.',
    ),
  },
  'night-buses': {
    id: 'night-buses',
    title: 'Night buses return to the east side',
    html: paragraphs(
      'Three night routes return next month.',
      'The council found the money in its reserves.',
      'HELD-BACK: drivers will be recruited locally.',
    ),
  },
  'river-festival': {
    id: 'river-festival',
    title: 'The river festival moves to September',
    html: paragraphs(
      'The river festival will move to September next year.',
      'Organisers hope for warmer water and longer evenings.',
      'HELD-BACK: the fireworks will be launched from a barge.',
    ),
  },
  'market-hall': {
    id: 'market-hall',
    title: 'The market hall gets a new roof',
    html: paragraphs(
      'Work on the market hall roof starts in spring.',
      'Traders will move to the square for six weeks.',
      'HELD-BACK: the old slates will be reused.',
    ),
  },
};

/** What the examples' pages show: the default teaser (2 paragraphs), prompt and banner. */
export const renderer = createRenderer();

/** A minimal page for a rendered story. */
export function storyPage(story: Story, rendered: Rendered): string {
  return `<!doctype html><title>${escapeHtml(story.title)}</title>${rendered.structuredData}<h1>${escapeHtml(story.title)}</h1>${rendered.banner}${rendered.html}${rendered.prompt}`;
}

/** The secrets every example reads from its environment (32+ bytes each). */
export interface ExampleSecrets {
  readonly meterSecret: string;
  readonly sessionSecret: string;
}

/** The paywall options the examples share: the meter, and the site's HS256 session cookie. */
export function paywallOptions({ meterSecret, sessionSecret }: ExampleSecrets) {
  return {
    secret: meterSecret,
    session: defineSession({
      cookie: 'session',
      key: { secret: sessionSecret },
      algorithms: ['HS256'],
      claims: (claims: Readonly<Record<string, unknown>>) =>
        typeof claims['sub'] !== 'string'
          ? null
          : claims['plan']
            ? { status: 'subscriber' as const, id: claims['sub'] }
            : { status: 'registered' as const, id: claims['sub'] },
    }),
  };
}
