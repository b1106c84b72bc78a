/**
 * The teaser's options: one cut mode (paragraphs, words, characters or an editor's marker), what
 * happens to a short article, and what may stay in the kept part. Validated once, with a
 * `TypeError` naming the option.
 */
import { invalidOption } from '../errors.js';
import { createFurnitureTest, type FurnitureTest } from './furniture.js';
import { CLASS_TOKEN } from './sanitize.js';

/** Where to cut an article: choose one mode. */
export interface TeaserOptions {
  /**
   * Keep the first N paragraphs, as a reader sees them: blocks with visible text (`p`, `pre`,
   * each item of a list, each row of a table, each paragraph of a quotation, and text directly in
   * a `div` or `section`, where runs of two `<br>` also break paragraphs); not headings, nor what
   * lies in asides, figures or page furniture (promos, newsletter boxes, related links). The
   * default mode. A table is kept whole or not at all.
   * @default 2
   */
  readonly paragraphs?: number;
  /** Keep the first N words of visible text (Unicode word segmentation, so CJK text is cut between words). */
  readonly words?: number;
  /**
   * Keep at most N characters of visible text (code points, whitespace collapsed as a browser
   * shows it), cut at the last word boundary before.
   */
  readonly characters?: number;
  /**
   * Cut where the editor placed a marker: a comment (`<!-- paywall -->`) or an element with a
   * class. Without a marker in the article, the first 2 paragraphs are kept.
   */
  readonly marker?: { readonly comment?: string; readonly className?: string };
  /**
   * The most visible text any teaser keeps, in characters (code points, whitespace collapsed),
   * whatever the mode: a block the cut keeps whole (a long `pre`, a figure's caption, an aside)
   * never carries the article past it. Cut at the last word boundary before.
   * @default 1500
   */
  readonly maxCharacters?: number;
  /**
   * When the cut would keep the whole article (it is shorter than the cut, or looks so): `half`
   * keeps half of its text, at most 1,000 characters, so a teaser never gives the article away;
   * `full` keeps it all.
   * @default 'half'
   */
  readonly whenShort?: 'half' | 'full';
  /**
   * Classes whose elements are dropped with their content (e.g. hidden-by-CSS helpers).
   * @default []
   */
  readonly dropClasses?: readonly string[];
  /**
   * More page furniture that is never counted as an article paragraph (it stays in the teaser,
   * like a figure): class or id name parts (matched between `-` and `_`) and ARIA roles, beside
   * the defaults (promo, newsletter, signup, subscribe, related, share, ad, sponsored, cta, bio,
   * embeds…; roles complementary, navigation, banner…).
   * @default {}
   */
  readonly furniture?: { readonly names?: readonly string[]; readonly roles?: readonly string[] };
  /**
   * More attributes to keep beyond the safe default set (e.g. `['alt', 'title']`). Free-text
   * attributes can carry held-back text, so only allow what your articles need.
   * @default []
   */
  readonly allowAttributes?: readonly string[];
  /**
   * Keeps a `<script>` in the kept part when it returns `true` (scripts are dropped otherwise).
   * @default undefined
   */
  readonly allowScript?: (attributes: Readonly<Record<string, string>>, content: string) => boolean;
  /**
   * Keeps a comment in the kept part when it returns `true` (comments are dropped otherwise).
   * @default undefined
   */
  readonly allowComment?: (text: string) => boolean;
}

export type CutMode =
  | { readonly kind: 'paragraphs'; readonly n: number }
  | { readonly kind: 'words'; readonly n: number }
  | { readonly kind: 'characters'; readonly n: number }
  | { readonly kind: 'marker'; readonly comment: string | undefined; readonly className: string | undefined };

/** Teaser options after validation (internal). */
export interface ResolvedTeaserOptions {
  readonly mode: CutMode;
  /** The ceiling on every teaser's visible text, in characters. */
  readonly maxCharacters: number;
  readonly whenShort: 'half' | 'full';
  readonly dropClasses: ReadonlySet<string>;
  readonly furniture: FurnitureTest;
  readonly allowAttributes: ReadonlySet<string>;
  readonly allowScript: TeaserOptions['allowScript'];
  readonly allowComment: TeaserOptions['allowComment'];
}

export const DEFAULT_PARAGRAPHS = 2;
/** The default ceiling on a teaser's visible text: some five paragraphs of news copy. */
export const DEFAULT_MAX_CHARACTERS = 1500;
const NONE: ReadonlySet<string> = /* @__PURE__ */ new Set();
const MAX_CUT = 1_000_000;

/** Validates teaser options once; a wrong one throws a `TypeError` naming it under `path`. */
export function resolveTeaserOptions(options: TeaserOptions | undefined, path = 'teaser'): ResolvedTeaserOptions {
  if (options === undefined) options = {};
  if (options === null || typeof options !== 'object') throw invalidOption(path, 'must be an object');
  const known = [
    'paragraphs',
    'words',
    'characters',
    'marker',
    'maxCharacters',
    'whenShort',
    'dropClasses',
    'furniture',
    'allowAttributes',
    'allowScript',
    'allowComment',
  ];
  for (const key of Object.keys(options)) if (!known.includes(key)) throw invalidOption(`${path}.${key}`, 'is not a teaser option');
  const modes = (['paragraphs', 'words', 'characters', 'marker'] as const).filter((m) => options[m] !== undefined);
  if (modes.length > 1) throw invalidOption(path, `takes one cut mode, not ${modes.join(' and ')}`);
  const count = (name: 'paragraphs' | 'words' | 'characters'): number => {
    const n = options[name];
    if (typeof n !== 'number' || !Number.isInteger(n) || n < 1 || n > MAX_CUT)
      throw invalidOption(`${path}.${name}`, `must be an integer from 1 to ${MAX_CUT}`);
    return n;
  };
  let mode: CutMode;
  const chosen = modes[0] ?? 'paragraphs';
  if (chosen === 'marker') {
    const marker = options.marker;
    if (marker === null || typeof marker !== 'object') throw invalidOption(`${path}.marker`, 'must be { comment?, className? }');
    const { comment, className } = marker;
    if (comment !== undefined && (typeof comment !== 'string' || comment.trim() === '' || comment.includes('--'))) {
      throw invalidOption(`${path}.marker.comment`, 'must be a non-empty comment text without "--"');
    }
    if (className !== undefined && (typeof className !== 'string' || !CLASS_TOKEN.test(className))) {
      throw invalidOption(`${path}.marker.className`, 'must be a single class name');
    }
    if (comment === undefined && className === undefined) throw invalidOption(`${path}.marker`, 'needs a comment or a className');
    mode = { kind: 'marker', comment: comment?.trim().toLowerCase(), className };
  } else if (chosen === 'paragraphs' && options.paragraphs === undefined) {
    mode = { kind: 'paragraphs', n: DEFAULT_PARAGRAPHS };
  } else {
    mode = { kind: chosen, n: count(chosen) };
  }
  const ceiling = options.maxCharacters ?? DEFAULT_MAX_CHARACTERS;
  if (typeof ceiling !== 'number' || !Number.isInteger(ceiling) || ceiling < 1 || ceiling > MAX_CUT)
    throw invalidOption(`${path}.maxCharacters`, `must be an integer from 1 to ${MAX_CUT}`);
  if (mode.kind === 'characters' && mode.n > ceiling)
    throw invalidOption(`${path}.characters`, `is more than ${path}.maxCharacters (${ceiling}): raise the ceiling to keep more`);
  const whenShort = options.whenShort ?? 'half';
  if (whenShort !== 'half' && whenShort !== 'full') throw invalidOption(`${path}.whenShort`, "must be 'half' or 'full'");
  const strings = (name: 'dropClasses' | 'allowAttributes', valid: RegExp): ReadonlySet<string> => {
    const list = options[name] ?? [];
    if (Array.isArray(list) && list.length === 0) return NONE;
    if (!Array.isArray(list) || list.some((x) => typeof x !== 'string' || !valid.test(x))) {
      throw invalidOption(`${path}.${name}`, 'must be a list of names');
    }
    return new Set(name === 'allowAttributes' ? list.map((x: string) => x.toLowerCase()) : list);
  };
  for (const name of ['allowScript', 'allowComment'] as const) {
    if (options[name] !== undefined && typeof options[name] !== 'function') throw invalidOption(`${path}.${name}`, 'must be a function');
  }
  const furniture = options.furniture ?? {};
  if (furniture === null || typeof furniture !== 'object') throw invalidOption(`${path}.furniture`, 'must be { names?, roles? }');
  for (const key of Object.keys(furniture))
    if (key !== 'names' && key !== 'roles') throw invalidOption(`${path}.furniture.${key}`, 'is not a furniture option');
  for (const key of ['names', 'roles'] as const) {
    const list = furniture[key];
    if (list !== undefined && (!Array.isArray(list) || list.some((x) => typeof x !== 'string' || !CLASS_TOKEN.test(x)))) {
      throw invalidOption(`${path}.furniture.${key}`, 'must be a list of names');
    }
  }
  return Object.freeze({
    mode,
    maxCharacters: ceiling,
    whenShort,
    dropClasses: strings('dropClasses', CLASS_TOKEN),
    furniture: createFurnitureTest(furniture),
    allowAttributes: strings('allowAttributes', /^[A-Za-z][A-Za-z0-9_:-]*$/),
    allowScript: options.allowScript,
    allowComment: options.allowComment,
  });
}
