/**
 * The part of the WHATWG tree construction that decides what a browser does with each token of
 * an article (parsed as the content of a `<div>`): which element a start or end tag opens or
 * closes (implied ends of `p`, `li`, `dd`, headings, cells and rows; end tags without an open
 * element ignored; `</br>` and `</p>` repaired), which tags are dropped (`<td>` outside a table,
 * a `<head>`), when text is read raw (RCDATA, RAWTEXT, script data, PLAINTEXT), foreign content
 * (`svg`, `math`: integration points, elements that break out, CDATA), `select` and `template`,
 * and table structure (implied `tbody` and `tr`). Content a browser would move out of a table
 * (foster parenting) is reported, not moved. Formatting elements are closed where they end
 * rather than re-opened (the adoption agency): text order and visibility are the same.
 * A handler receives elements as they open and close, always properly nested, and the text.
 *
 * Over 300 lines: one job, the spec's tree construction (insertion modes for body, tables and
 * select, foreign content, the stack of open elements and the list of active formatting
 * elements), whose steps all act on the same two stacks.
 */
import {
  BLOCK_END,
  BREAKOUT,
  CELL_BREAKERS,
  CLOSES_P,
  BUTTON,
  FORMATTING,
  HEADINGS,
  IGNORED_IN_BODY,
  LIST_ITEM,
  MATHML_TEXT_POINTS,
  NO_RECONSTRUCT,
  RAWTEXT,
  ROW_CONTEXT,
  SECTION_CONTEXT,
  TABLE_ONLY,
  TABLE_SECTIONS,
  VOID,
  endsForeign,
  hasAny,
  isIntegrationPoint,
} from './elements.js';
import { type Node, OpenElements, type TreeHandler, isHtml } from './open-elements.js';
import { decodeText } from './references.js';
import { COMMENT, DOCTYPE, END, EOF, START, TEXT, Tokenizer, type TextState } from './tokenizer.js';

export type { Namespace } from './elements.js';
export type { TreeHandler } from './open-elements.js';

/** Builds the tree of `source` for `handler`, stopping when the handler says so. */
export class TreeBuilder<T> {
  readonly #tok: Tokenizer;
  readonly #handler: TreeHandler<T>;
  readonly #open: OpenElements<T>;
  #skipNewline = false;
  #form: Node<T> | null = null;

  constructor(source: string, handler: TreeHandler<T>) {
    this.#tok = new Tokenizer(source.includes('\r') ? source.replace(/\r\n?/g, '\n') : source);
    this.#handler = handler;
    this.#open = new OpenElements(handler);
  }

  /** Runs until the end of the input or until the handler stops; then closes what is open. */
  run(): void {
    const tok = this.#tok;
    const handler = this.#handler;
    while (!handler.stopped) {
      const type = tok.next();
      if (type === EOF) break;
      if (type === TEXT) this.#text(tok.text);
      else if (type === START) this.#start(tok.name, tok.attrs, tok.selfClosing);
      else if (type === END) this.#end(tok.name);
      else if (type === COMMENT) {
        this.#skipNewline = false;
        handler.comment(tok.text);
      } else if (type === DOCTYPE) this.#skipNewline = false;
      const current = this.#open.current();
      tok.foreign = current !== undefined && current.ns !== 'html';
    }
  }

  /** Closes every open element (the end of the input, or the cut). */
  closeAll(): void {
    this.#open.closeAll();
  }

  /** Whether a start tag (or text, `name` null) is processed by the foreign-content rules. */
  #foreign(name: string | null): boolean {
    const node = this.#open.current();
    if (!node || node.ns === 'html' || isIntegrationPoint(node)) return false;
    if (node.ns === 'math' && MATHML_TEXT_POINTS.has(node.name) && name !== 'mglyph' && name !== 'malignmark') return false;
    return !(node.ns === 'math' && node.name === 'annotation-xml' && name === 'svg');
  }

  #text(raw: string): void {
    const handler = this.#handler;
    const into = this.#open.current()?.data ?? null;
    if (this.#tok.state !== 'data') {
      handler.rawText(raw, into);
      return;
    }
    let text = raw;
    if (this.#skipNewline) {
      this.#skipNewline = false;
      if (text.startsWith('\n')) text = text.slice(1);
    }
    if (this.#foreign(null)) {
      handler.text(decodeText(text), false, into);
      return;
    }
    text = decodeText(text);
    if (text.includes('\u0000')) text = text.replaceAll('\u0000', '');
    if (text === '') return;
    const fostered = this.#open.inTable() && /[^\t\n\f\r ]/.test(text);
    if (fostered || this.#open.inTable() || this.#open.inSelect()) {
      handler.text(text, fostered, into);
      return;
    }
    this.#open.reconstruct();
    handler.text(text, false, this.#open.current()?.data ?? null);
  }

  #rawElement(name: string, attrs: readonly string[], state: TextState): void {
    this.#open.push(name, 'html', attrs);
    this.#tok.switchTo(state, name);
  }

  #start(name: string, attrs: readonly string[], selfClosing: boolean): void {
    this.#skipNewline = false;
    if (this.#foreign(name)) {
      if (BREAKOUT.has(name) || (name === 'font' && hasAny(attrs, ['color', 'face', 'size']))) {
        // An HTML element inside svg or math ends them.
        while (this.#open.current() && !endsForeign(this.#open.current() as Node<T>)) this.#open.pop();
        this.#start(name, attrs, selfClosing);
        return;
      }
      const node = this.#open.push(name, (this.#open.current() as Node<T>).ns, attrs);
      if (selfClosing) this.#open.popUntil((n) => n === node);
      return;
    }
    if (this.#open.inSelect()) return this.#startInSelect(name, attrs, selfClosing);
    if (CELL_BREAKERS.has(name)) {
      // Table structure inside a cell or caption closes it first.
      const part = this.#open.nearestTablePart();
      if (part === 'td' || part === 'th' || part === 'caption') {
        this.#open.generateImpliedEnds();
        this.#open.popUntil(isHtml(part));
        return this.#start(name, attrs, selfClosing);
      }
    }
    if (this.#open.tableMode()) return this.#startInTable(name, attrs, selfClosing);
    this.#startInBody(name, attrs, selfClosing, false);
  }

  #startInBody(name: string, attrs: readonly string[], selfClosing: boolean, fostered: boolean): void {
    if (IGNORED_IN_BODY.has(name)) return;
    if (name === 'image') name = 'img';
    if (name === 'a' && this.#open.lastActive('a')) {
      // An `a` still open ends first (the adoption agency).
      this.#open.adopt('a');
    } else if (name === 'nobr') {
      this.#open.reconstruct(fostered);
      if (this.#open.inScope('nobr')) this.#open.adopt('nobr');
    }
    if (!NO_RECONSTRUCT.has(name)) this.#open.reconstruct(fostered);
    if (FORMATTING.has(name)) {
      this.#open.addActive(this.#open.push(name, 'html', attrs, fostered));
      return;
    }
    if (name === 'applet' || name === 'marquee' || name === 'object') {
      this.#open.push(name, 'html', attrs, fostered);
      this.#open.marker();
      return;
    }
    if (VOID.has(name)) {
      if (name === 'hr') this.#open.closeP();
      this.#open.void(name, attrs, fostered);
      return;
    }
    if (name === 'svg' || name === 'math') {
      const node = this.#open.push(name, name, attrs, fostered);
      if (selfClosing) this.#open.popUntil((n) => n === node);
      return;
    }
    if (name === 'script') return this.#rawElement(name, attrs, 'script');
    if (name === 'template') {
      this.#open.push(name, 'html', attrs, fostered);
      this.#open.marker();
      return;
    }
    if (name === 'title' || name === 'textarea') {
      this.#rawElement(name, attrs, 'rcdata');
      if (name === 'textarea') this.#skipNewline = true;
      return;
    }
    if (RAWTEXT.has(name)) {
      if (name === 'xmp') this.#open.closeP();
      return this.#rawElement(name, attrs, 'rawtext');
    }
    if (name === 'plaintext') {
      this.#open.closeP();
      return this.#rawElement(name, attrs, 'plaintext');
    }
    if (CLOSES_P.has(name)) this.#open.closeP();
    else if (HEADINGS.has(name)) {
      this.#open.closeP();
      const current = this.#open.current();
      if (current && current.ns === 'html' && HEADINGS.has(current.name)) this.#open.pop();
    } else if (name === 'pre' || name === 'listing') {
      this.#open.closeP();
      this.#skipNewline = true;
    } else if (name === 'form') {
      if (this.#form !== null && !this.#open.hasTemplate()) return;
      this.#open.closeP();
    } else if (name === 'li' || name === 'dd' || name === 'dt') {
      this.#open.closeListItem(name);
      this.#open.closeP();
    } else if (name === 'button') {
      if (this.#open.inScope('button')) {
        this.#open.generateImpliedEnds();
        this.#open.popUntil(isHtml('button'));
      }
    } else if (name === 'table') {
      this.#open.closeP();
    } else if (name === 'select') {
      // In select, most tags are ignored until `</select>`.
    } else if (name === 'option' || name === 'optgroup') {
      if (this.#open.current()?.name === 'option') this.#open.pop();
    } else if (name === 'rb' || name === 'rtc' || name === 'rp' || name === 'rt') {
      if (this.#open.inScope('ruby')) this.#open.generateImpliedEnds(name === 'rp' || name === 'rt' ? 'rtc' : undefined);
    }
    const node = this.#open.push(name, 'html', attrs, fostered);
    if (name === 'form') this.#form = node;
  }

  #startInSelect(name: string, attrs: readonly string[], selfClosing: boolean): void {
    if (name === 'option') {
      if (this.#open.current()?.name === 'option') this.#open.pop();
      this.#open.push(name, 'html', attrs);
    } else if (name === 'optgroup') {
      if (this.#open.current()?.name === 'option') this.#open.pop();
      if (this.#open.current()?.name === 'optgroup') this.#open.pop();
      this.#open.push(name, 'html', attrs);
    } else if (name === 'hr') {
      if (this.#open.current()?.name === 'option') this.#open.pop();
      if (this.#open.current()?.name === 'optgroup') this.#open.pop();
      this.#open.void(name, attrs);
    } else if (name === 'select' || name === 'input' || name === 'keygen' || name === 'textarea') {
      this.#open.popUntil(isHtml('select'));
      if (name !== 'select') this.#start(name, attrs, selfClosing);
    } else if (name === 'script' || name === 'template') {
      this.#startInBody(name, attrs, selfClosing, false);
    }
    // Any other start tag in a select is ignored.
  }

  /**
   * Start tags in a table, a table section or a row (even when something foster-parented is the
   * current node: the table's modes still apply): table parts clear the stack back to their
   * context and get the sections and rows a browser implies; anything else is foster-parented.
   */
  #startInTable(name: string, attrs: readonly string[], selfClosing: boolean): void {
    const part = this.#open.nearestTablePart();
    if (name === 'caption' || name === 'colgroup' || name === 'col' || TABLE_SECTIONS.has(name)) {
      this.#open.clearTo(TABLE_ONLY);
      if (name === 'col') {
        this.#open.push('colgroup', 'html', []);
        this.#open.void('col', attrs);
        this.#open.pop();
        return;
      }
      this.#open.push(name, 'html', attrs);
      if (name === 'caption') this.#open.marker();
      return;
    }
    if (name === 'tr' || name === 'td' || name === 'th') {
      if (part === 'table') {
        this.#open.clearTo(TABLE_ONLY);
        this.#open.push('tbody', 'html', []);
      } else if (part !== 'tr' || name === 'tr') this.#open.clearTo(SECTION_CONTEXT);
      else this.#open.clearTo(ROW_CONTEXT);
      if (name !== 'tr' && this.#open.current()?.name !== 'tr') this.#open.push('tr', 'html', []);
      this.#open.push(name, 'html', attrs);
      if (name !== 'tr') this.#open.marker();
      return;
    }
    if (name === 'table') {
      // A table start tag inside a table ends it, and starts a new one.
      this.#open.popUntil(isHtml('table'));
      this.#start(name, attrs, selfClosing);
      return;
    }
    if (name === 'style' || name === 'script' || name === 'template') return this.#startInBody(name, attrs, selfClosing, false);
    if (name === 'input' && attrs.some((v, i) => i % 2 === 0 && v === 'type' && attrs[i + 1]?.toLowerCase() === 'hidden')) {
      this.#open.void(name, attrs);
      return;
    }
    if (name === 'form') {
      if (this.#form === null) this.#open.void(name, attrs);
      return;
    }
    // Anything else in a table: a browser moves it in front of the table.
    this.#startInBody(name, attrs, selfClosing, true);
  }

  #end(name: string): void {
    this.#skipNewline = false;
    const current = this.#open.current();
    if (current && current.ns !== 'html' && !(name === 'p' || name === 'br')) {
      // Foreign content: close the element of that name, or hand the tag to the HTML rules.
      if (this.#open.closeForeign(name)) return;
    } else if (current && !endsForeign(current)) {
      // `</p>` and `</br>` end foreign content.
      while (this.#open.current() && !endsForeign(this.#open.current() as Node<T>)) this.#open.pop();
    }
    if (this.#open.inSelect()) {
      if (name === 'select') this.#open.popUntil(isHtml('select'));
      else if ((name === 'option' || name === 'optgroup') && this.#open.current()?.name === name) this.#open.pop();
      else if (name === 'template') this.#open.endGeneric(name);
      return;
    }
    if (
      name === 'table' ||
      TABLE_SECTIONS.has(name) ||
      name === 'tr' ||
      name === 'td' ||
      name === 'th' ||
      name === 'caption' ||
      name === 'colgroup'
    ) {
      if (this.#open.inTableScope(name)) {
        this.#open.generateImpliedEnds();
        this.#open.popUntil(isHtml(name));
      }
      return;
    }
    if (name === 'col') return;
    if (name === 'body' || name === 'html') return;
    if (name === 'br') {
      this.#startInBody('br', [], false, this.#open.inTable());
      return;
    }
    if (name === 'p') {
      if (!this.#open.inScope('p', BUTTON)) {
        // `</p>` with no paragraph open: an empty paragraph.
        this.#open.push('p', 'html', [], this.#open.inTable());
        this.#open.pop();
        return;
      }
      this.#open.generateImpliedEnds('p');
      this.#open.popUntil(isHtml('p'));
      return;
    }
    if (name === 'li') {
      if (this.#open.inScope('li', LIST_ITEM)) {
        this.#open.generateImpliedEnds('li');
        this.#open.popUntil(isHtml('li'));
      }
      return;
    }
    if (name === 'dd' || name === 'dt') {
      if (this.#open.inScope(name)) {
        this.#open.generateImpliedEnds(name);
        this.#open.popUntil(isHtml(name));
      }
      return;
    }
    if (HEADINGS.has(name)) {
      if (this.#open.inScope(HEADINGS)) {
        this.#open.generateImpliedEnds();
        this.#open.popUntil((n) => n.ns === 'html' && HEADINGS.has(n.name));
      }
      return;
    }
    if (name === 'form') {
      const form = this.#form;
      this.#form = null;
      if (form === null || !this.#open.inScope('form')) return;
      this.#open.generateImpliedEnds();
      this.#open.removeForm(form);
      return;
    }
    if (BLOCK_END.has(name) || name === 'applet' || name === 'marquee' || name === 'object' || name === 'template') {
      if (!this.#open.inScope(name)) return;
      this.#open.generateImpliedEnds();
      this.#open.popUntil(isHtml(name));
      if (name === 'applet' || name === 'marquee' || name === 'object') this.#open.clearToMarker();
      return;
    }
    if (FORMATTING.has(name)) return this.#open.adopt(name);
    this.#open.endGeneric(name);
  }
}
