/**
 * What each element of an article is to the cut (cutter.ts): dropped or shown, side content
 * (never counted), the context its text is counted in, the paragraph unit it belongs to, kept
 * (written to the teaser) or unwrapped. Worked out from the element and its parent as the tree
 * builder opens it, and again when the builder moves it.
 */
import { set, union } from '../util/sets.js';
import { HEADINGS } from './html/elements.js';
import { KEPT } from './sanitize.js';

/** Blocks that count as one paragraph when they hold visible text (outermost only). */
const UNITS = /* @__PURE__ */ set('p pre ul ol dl table');
/**
 * In a list or a table, each item, row or caption is a paragraph of its own (a list of fifty
 * reviews is not one paragraph, and never carries the article past the cut); the list counts as
 * one only for text outside its items.
 */
const ITEMS: Readonly<Record<string, ReadonlySet<string>>> = /* @__PURE__ */ Object.freeze({
  ul: set('li'),
  ol: set('li'),
  dl: set('dt dd'),
  table: set('tr caption'),
});
/** Containers whose side content never counts. */
const SIDE = /* @__PURE__ */ set('aside figure nav header footer details address');
/** Headings, and their group: their text never counts. */
const HEADING_BLOCKS = /* @__PURE__ */ union(HEADINGS, 'hgroup');
/**
 * Blocks that hold running text directly: their text, between blocks and `<br><br>`, makes
 * paragraphs, and the paragraphs in them count one by one (a quotation of ten paragraphs is ten).
 */
const CONTAINERS = /* @__PURE__ */ set('div section article main center search blockquote');
/** Elements that start or end a line box: they end an anonymous paragraph and a word. */
export const BLOCKS = /* @__PURE__ */ set(
  'address article aside blockquote center details dialog dir div dl dd dt fieldset figcaption figure footer form ' +
    'h1 h2 h3 h4 h5 h6 header hgroup hr li listing main menu nav ol p pre search section summary table caption td th tr ul',
);
/** Elements between which no word continues. */
export const WORD_BREAKS = /* @__PURE__ */ union(BLOCKS, 'br img');

/** Where an element's text is counted. */
export type Context = 'container' | 'heading' | 'unit' | 'side' | 'other';

/** An element as the cut sees it. */
export interface Frame {
  readonly name: string;
  readonly attrs: readonly string[];
  /** Of itself: an element never carried, or hidden. */
  readonly ownDropped: boolean;
  /** Of itself: side content or furniture (worked out when needed). */
  ownSide: boolean | undefined;
  parent: Frame | null;
  /** The start tag as written (to write again when the element is moved). */
  tag: string;
  /** Written out: its end tag is written when it closes (unless the output was cut back before it). */
  kept: boolean;
  /** Already closed in the output, where a start tag written after it implies its end. */
  closed: boolean;
  /** Where its start tag was written. */
  at: number;
  /** Not shown to a reader (itself or an ancestor dropped or hidden). */
  dropped: boolean;
  /** Side content or furniture: shown, never counted. */
  side: boolean;
  context: Context;
  /** The paragraph unit it belongs to (itself, or an ancestor), if any. */
  unit: Frame | null;
  /** A unit that is an item or row of a list or table unit (counted on its own). */
  item: boolean;
  /** A unit: whether a reader sees text in it. */
  hasText: boolean;
  /** Whitespace is kept as written (`pre`). */
  pre: boolean;
  /** A site-allowed script being collected. */
  script: { readonly attrs: readonly string[]; content: string } | null;
}

/** A frame for an element that opens at `at` in the output, settled under `parent`. */
export function newFrame(
  name: string,
  attrs: readonly string[],
  ownDropped: boolean,
  parent: Frame | null,
  at: number,
  furniture: (name: string, attrs: readonly string[]) => boolean,
): Frame {
  const frame: Frame = {
    name,
    attrs,
    ownDropped,
    ownSide: undefined,
    parent,
    tag: '',
    kept: false,
    closed: false,
    at,
    dropped: true,
    side: false,
    context: 'other',
    unit: null,
    item: false,
    hasText: false,
    pre: false,
    script: null,
  };
  settle(frame, parent, furniture);
  return frame;
}

/** Works out what an element is from its parent: dropped, side content, its context and unit, kept. */
export function settle(frame: Frame, parent: Frame | null, furniture: (name: string, attrs: readonly string[]) => boolean): void {
  const { name } = frame;
  frame.parent = parent;
  frame.dropped = (parent?.dropped ?? false) || frame.ownDropped;
  if (!frame.dropped && frame.ownSide === undefined) frame.ownSide = SIDE.has(name) || furniture(name, frame.attrs);
  frame.side = (parent?.side ?? false) || frame.ownSide === true;
  const parentContext: Context = parent?.context ?? 'container';
  const isUnit = UNITS.has(name) && !frame.side && parentContext !== 'unit';
  const composite = parent?.unit ?? null;
  const isItem = !isUnit && !frame.side && composite !== null && !composite.item && ITEMS[composite.name]?.has(name) === true;
  frame.item = isItem;
  frame.context = frame.side
    ? 'side'
    : isUnit || parentContext === 'unit'
      ? 'unit'
      : HEADING_BLOCKS.has(name)
        ? 'heading'
        : CONTAINERS.has(name)
          ? 'container'
          : BLOCKS.has(name)
            ? 'other'
            : parentContext;
  frame.unit = isUnit || isItem ? frame : parent?.unit && frame.context === 'unit' ? parent.unit : null;
  frame.pre = (parent?.pre ?? false) || name === 'pre' || name === 'listing';
  frame.kept = !frame.dropped && KEPT.has(name);
}
