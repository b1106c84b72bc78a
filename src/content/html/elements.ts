/**
 * The element categories of the HTML standard's tree construction, defined once for the tree
 * builder that reads an article and the cutter that writes a teaser a parser must read back the
 * same: which start tags close a `p`, which elements are special, void, formatting, scoping,
 * which table parts and which tags end foreign content.
 */
import { set, union } from '../../util/sets.js';

/** The namespaces content is parsed in. */
export type Namespace = 'html' | 'svg' | 'math';

/** The start tags of the spec's first block group: each closes an open `p` (in button scope). */
export const CLOSES_P = /* @__PURE__ */ set(
  'address article aside blockquote center details dialog dir div dl fieldset figcaption figure footer header hgroup main menu nav ol p search section summary ul',
);
export const HEADINGS = /* @__PURE__ */ set('h1 h2 h3 h4 h5 h6');
/** Every start tag that closes an open `p` (in button scope): the block group, headings and the tags the spec lists one by one. */
export const ENDS_P = /* @__PURE__ */ union(union(CLOSES_P, 'h1 h2 h3 h4 h5 h6'), 'pre listing form li dd dt plaintext table hr xmp');
/** Elements without content or an end tag. */
export const VOID = /* @__PURE__ */ set('area base basefont bgsound br col embed hr img input keygen link meta param source track wbr');
export const IMPLIED_END = /* @__PURE__ */ set('dd dt li optgroup option p rb rp rt rtc');
const SPECIAL = /* @__PURE__ */ set(
  'address applet area article aside base basefont bgsound blockquote body br button caption center col colgroup dd details dir div dl dt embed fieldset figcaption figure footer form frame frameset h1 h2 h3 h4 h5 h6 head header hgroup hr html iframe img input keygen li link listing main marquee menu meta nav noembed noframes noscript object ol p param plaintext pre script search section select source style summary table tbody td template textarea tfoot th thead title tr track ul wbr xmp',
);
/** Elements that bound the (default) scope; with `button`, the button scope in which a `p` closes. */
export const SCOPE = /* @__PURE__ */ set('applet caption html table td th marquee object template');
export const FORMATTING = /* @__PURE__ */ set('a b big code em font i nobr s small strike strong tt u');
export const BLOCK_END = /* @__PURE__ */ set(
  'address article aside blockquote button center details dialog dir div dl fieldset figcaption figure footer header hgroup listing main menu nav ol pre search section summary ul',
);
export const RAWTEXT = /* @__PURE__ */ set('style xmp iframe noembed noframes noscript');
export const TABLE_SECTIONS = /* @__PURE__ */ set('tbody thead tfoot');
export const TABLE_CONTEXT = /* @__PURE__ */ set('table tbody thead tfoot tr');
export const IGNORED_IN_BODY = /* @__PURE__ */ set('caption col colgroup frame head tbody td tfoot th thead tr html body frameset');
/** Start tags that end foreign content (and `font` with color, face or size). */
export const BREAKOUT = /* @__PURE__ */ set(
  'b big blockquote body br center code dd div dl dt em embed h1 h2 h3 h4 h5 h6 head hr i img li listing menu meta nobr ol p pre ruby s small span strong strike sub sup table tt u ul var',
);
export const MATHML_TEXT_POINTS = /* @__PURE__ */ set('mi mo mn ms mtext');

export const BUTTON = /* @__PURE__ */ set('button');
export const LIST_ITEM = /* @__PURE__ */ set('ol ul');
export const LI = /* @__PURE__ */ set('li');
export const DD_DT = /* @__PURE__ */ set('dd dt');
export const TABLE_ONLY = /* @__PURE__ */ set('table template html');
/**
 * Elements whose marker on the list of active formatting elements is cleared whenever they are
 * popped (a cell, a caption, a template: every way the spec closes them clears it). An `applet`,
 * `marquee` or `object` clears it only at its own end tag: popped by a `</table>` (fostered out of
 * the table, it was still open inside it), its formatting elements stay active and are re-opened
 * after the table (`<table><object><b hidden></table>text`: the text is in a hidden `b`).
 */
export const MARKERS = /* @__PURE__ */ set('td th caption template');
/** Start tags that do not re-open active formatting elements first. */
export const NO_RECONSTRUCT = /* @__PURE__ */ set(
  'address article aside blockquote center details dialog dir div dl fieldset figcaption figure footer header hgroup main menu nav ol p search section summary ul h1 h2 h3 h4 h5 h6 pre listing form li dd dt plaintext table hr textarea iframe noembed noscript noframes style script template title base basefont bgsound link meta param source track rb rp rt rtc',
);
export const TABLE_PARTS = /* @__PURE__ */ set('table tbody thead tfoot tr td th caption colgroup col');
export const CELL_BREAKERS = /* @__PURE__ */ set('caption col colgroup tbody td tfoot th thead tr');
export const SECTION_CONTEXT = /* @__PURE__ */ set('tbody thead tfoot template html');
export const ROW_CONTEXT = /* @__PURE__ */ set('tr template html');

/** An svg element whose content is HTML (an HTML integration point). */
export function isIntegrationPoint(node: { readonly name: string; readonly ns: Namespace }): boolean {
  if (node.ns === 'svg') return node.name === 'foreignobject' || node.name === 'desc' || node.name === 'title';
  return false;
}

/** Where popping out of foreign content stops: HTML, an HTML or a MathML text integration point. */
export function endsForeign(node: { readonly name: string; readonly ns: Namespace }): boolean {
  return node.ns === 'html' || isIntegrationPoint(node) || (node.ns === 'math' && MATHML_TEXT_POINTS.has(node.name));
}

/** An element of the special category (HTML, and the MathML and SVG integration points). */
export function isSpecial(node: { readonly name: string; readonly ns: Namespace }): boolean {
  if (node.ns === 'html') return SPECIAL.has(node.name);
  return isIntegrationPoint(node) || (node.ns === 'math' && (MATHML_TEXT_POINTS.has(node.name) || node.name === 'annotation-xml'));
}

export function sameAttributes(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i += 2) {
    const j = b.indexOf(a[i] as string);
    if (j === -1 || j % 2 !== 0 || b[j + 1] !== a[i + 1]) return false;
  }
  return true;
}

export function hasAny(attrs: readonly string[], names: readonly string[]): boolean {
  for (let i = 0; i < attrs.length; i += 2) if (names.includes(attrs[i] as string)) return true;
  return false;
}
