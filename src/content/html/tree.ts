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
  BUTTON,
  CELL_BREAKERS,
  CLOSES_P,
  DD_DT,
  FORMATTING,
  HEADINGS,
  IGNORED_IN_BODY,
  IMPLIED_END,
  LI,
  LIST_ITEM,
  MARKERS,
  MATHML_TEXT_POINTS,
  NO_RECONSTRUCT,
  RAWTEXT,
  ROW_CONTEXT,
  SCOPE,
  SECTION_CONTEXT,
  TABLE_CONTEXT,
  TABLE_ONLY,
  TABLE_PARTS,
  TABLE_SECTIONS,
  VOID,
  endsForeign,
  hasAny,
  isIntegrationPoint,
  isSpecial,
  sameAttributes,
  type Namespace,
} from './elements.js';
import { COMMENT, DOCTYPE, END, EOF, START, TEXT, Tokenizer, decodeText, type TextState } from './tokenizer.js';

export type { Namespace } from './elements.js';

/** Receives what the tree builder builds. `data` is the handler's own record of an element. */
export interface TreeHandler<T> {
  /** An element opens (void elements open and close at once). `fostered`: a browser would move it before its table. */
  open(name: string, ns: Namespace, attrs: readonly string[], fostered: boolean, parent: T | null): T;
  /**
   * An element closes; children always close before their parent. `suspended`: it is closed
   * only to be opened again at once (`reopen`), with what it holds, elsewhere in the tree.
   */
  close(data: T, suspended?: boolean): void;
  /** An element closed with `suspended` opens again, as the child of the current element. */
  reopen(data: T, parent: T | null): void;
  /** Text the browser inserts (references decoded, NULs removed) into `into` (`null`: the root). */
  text(text: string, fostered: boolean, into: T | null): void;
  /** Text of a raw-text element (script, style, title, textarea, xmp, iframe, noembed, noframes, noscript, plaintext). */
  rawText(text: string, into: T | null): void;
  /** A comment. */
  comment(data: string): void;
  /** Return `true` to stop building (the cut). */
  readonly stopped: boolean;
}

interface Node<T> {
  readonly name: string;
  readonly ns: Namespace;
  readonly attrs: readonly string[];
  readonly data: T;
}

/** Builds the tree of `source` for `handler`, stopping when the handler says so. */
export class TreeBuilder<T> {
  readonly #tok: Tokenizer;
  readonly #handler: TreeHandler<T>;
  readonly #stack: Array<Node<T>> = [];
  /** The list of active formatting elements (`null`: a marker, at a cell, caption, object or template). */
  readonly #active: Array<Node<T> | null> = [];
  #skipNewline = false;
  #form: Node<T> | null = null;
  /** Open tables and selects: without any, their algorithms are skipped at once. */
  #tables = 0;
  #selects = 0;

  constructor(source: string, handler: TreeHandler<T>) {
    this.#tok = new Tokenizer(source.includes('\r') ? source.replace(/\r\n?/g, '\n') : source);
    this.#handler = handler;
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
      const current = this.#stack[this.#stack.length - 1];
      tok.foreign = current !== undefined && current.ns !== 'html';
    }
  }

  /** Closes every open element (the end of the input, or the cut). */
  closeAll(): void {
    while (this.#stack.length > 0) this.#pop();
  }

  #current(): Node<T> | undefined {
    return this.#stack[this.#stack.length - 1];
  }

  #push(name: string, ns: Namespace, attrs: readonly string[], fostered = false): Node<T> {
    const parent = this.#current();
    const node: Node<T> = { name, ns, attrs, data: this.#handler.open(name, ns, attrs, fostered, parent?.data ?? null) };
    this.#stack.push(node);
    this.#count(node, 1);
    return node;
  }

  #count(node: Node<T>, by: number): void {
    if (node.ns !== 'html') return;
    if (node.name === 'table') this.#tables += by;
    else if (node.name === 'select') this.#selects += by;
  }

  #void(name: string, attrs: readonly string[], fostered = false): void {
    this.#handler.close(this.#push(name, 'html', attrs, fostered).data);
    this.#stack.pop();
  }

  #pop(): Node<T> | undefined {
    const node = this.#stack.pop();
    if (node) {
      this.#count(node, -1);
      if (node.ns === 'html' && MARKERS.has(node.name)) this.#clearToMarker();
      this.#handler.close(node.data);
    }
    return node;
  }

  /** The last active formatting element named `name` after the last marker. */
  #lastActive(name: string): Node<T> | undefined {
    for (let i = this.#active.length - 1; i >= 0; i--) {
      const entry = this.#active[i];
      if (entry === null || entry === undefined) return undefined;
      if (entry.name === name) return entry;
    }
    return undefined;
  }

  #clearToMarker(): void {
    while (this.#active.length > 0 && this.#active.pop() !== null);
  }

  /** A formatting element joins the list (no more than three alike after the last marker). */
  #addActive(node: Node<T>): void {
    let alike = 0;
    let earliest = -1;
    for (let i = this.#active.length - 1; i >= 0; i--) {
      const entry = this.#active[i];
      if (entry === null || entry === undefined) break;
      if (entry.name === node.name && sameAttributes(entry.attrs, node.attrs)) {
        alike++;
        earliest = i;
      }
    }
    if (alike >= 3) this.#active.splice(earliest, 1);
    this.#active.push(node);
  }

  /** Re-opens the formatting elements that a block or a cell closed but that still apply (`<b>` goes on after `</p><p>`). */
  #reconstruct(fostered = false): void {
    const active = this.#active;
    if (active.length === 0) return;
    let i = active.length - 1;
    const last = active[i];
    if (last === undefined || last === null || this.#stack.includes(last)) return;
    while (i > 0) {
      const previous = active[i - 1];
      if (previous === null || previous === undefined || this.#stack.includes(previous)) break;
      i--;
    }
    for (; i < active.length; i++) {
      const entry = active[i] as Node<T>;
      active[i] = this.#push(entry.name, 'html', entry.attrs, fostered);
    }
  }

  /** Pops up to and including the nearest open element that matches. */
  #popUntil(match: (node: Node<T>) => boolean): void {
    while (this.#stack.length > 0) {
      const node = this.#pop() as Node<T>;
      if (match(node)) return;
    }
  }

  #html(name: string): (node: Node<T>) => boolean {
    return (node) => node.ns === 'html' && node.name === name;
  }

  /** Whether an HTML element named `name` is in scope (`extra` adds boundaries: button, list item). */
  #inScope(name: string | ReadonlySet<string>, extra?: ReadonlySet<string>): boolean {
    for (let i = this.#stack.length - 1; i >= 0; i--) {
      const node = this.#stack[i] as Node<T>;
      if (node.ns === 'html') {
        if (typeof name === 'string' ? node.name === name : name.has(node.name)) return true;
        if (SCOPE.has(node.name) || extra?.has(node.name)) return false;
      } else if (isIntegrationPoint(node) || (node.ns === 'math' && (MATHML_TEXT_POINTS.has(node.name) || node.name === 'annotation-xml')))
        return false;
    }
    return false;
  }

  #inTableScope(name: string | ReadonlySet<string>): boolean {
    for (let i = this.#stack.length - 1; i >= 0; i--) {
      const node = this.#stack[i] as Node<T>;
      if (node.ns !== 'html') continue;
      if (typeof name === 'string' ? node.name === name : name.has(node.name)) return true;
      if (node.name === 'table' || node.name === 'template' || node.name === 'html') return false;
    }
    return false;
  }

  #generateImpliedEnds(except?: string): void {
    for (
      let node = this.#current();
      node && node.ns === 'html' && IMPLIED_END.has(node.name) && node.name !== except;
      node = this.#current()
    )
      this.#pop();
  }

  #closeP(): void {
    if (!this.#inScope('p', BUTTON)) return;
    this.#generateImpliedEnds('p');
    this.#popUntil(this.#html('p'));
  }

  /** Whether text and tags go to the table algorithm (the current node is a table, a section or a row). */
  #inTable(): boolean {
    if (this.#tables === 0) return false;
    const node = this.#current();
    return node !== undefined && node.ns === 'html' && TABLE_CONTEXT.has(node.name);
  }

  /** Whether tokens go to the select algorithm: a `select` is open (not beyond a template). */
  #inSelect(): boolean {
    if (this.#selects === 0) return false;
    for (let i = this.#stack.length - 1; i >= 0; i--) {
      const node = this.#stack[i] as Node<T>;
      if (node.ns !== 'html') return false;
      if (node.name === 'select') return true;
      if (node.name !== 'option' && node.name !== 'optgroup') return false;
    }
    return false;
  }

  /** Whether a start tag (or text, `name` null) is processed by the foreign-content rules. */
  #foreign(name: string | null): boolean {
    const node = this.#current();
    if (!node || node.ns === 'html' || isIntegrationPoint(node)) return false;
    if (node.ns === 'math' && MATHML_TEXT_POINTS.has(node.name) && name !== 'mglyph' && name !== 'malignmark') return false;
    return !(node.ns === 'math' && node.name === 'annotation-xml' && name === 'svg');
  }

  #text(raw: string): void {
    const handler = this.#handler;
    const into = this.#current()?.data ?? null;
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
    const fostered = this.#inTable() && /[^\t\n\f\r ]/.test(text);
    if (fostered || this.#inTable() || this.#inSelect()) {
      handler.text(text, fostered, into);
      return;
    }
    this.#reconstruct();
    handler.text(text, false, this.#current()?.data ?? null);
  }

  #rawElement(name: string, attrs: readonly string[], state: TextState): void {
    this.#push(name, 'html', attrs);
    this.#tok.switchTo(state, name);
  }

  #start(name: string, attrs: readonly string[], selfClosing: boolean): void {
    this.#skipNewline = false;
    if (this.#foreign(name)) {
      if (BREAKOUT.has(name) || (name === 'font' && hasAny(attrs, ['color', 'face', 'size']))) {
        // An HTML element inside svg or math ends them.
        while (this.#current() && !endsForeign(this.#current() as Node<T>)) this.#pop();
        this.#start(name, attrs, selfClosing);
        return;
      }
      const node = this.#push(name, (this.#current() as Node<T>).ns, attrs);
      if (selfClosing) this.#popUntil((n) => n === node);
      return;
    }
    if (this.#inSelect()) return this.#startInSelect(name, attrs, selfClosing);
    if (CELL_BREAKERS.has(name)) {
      // Table structure inside a cell or caption closes it first.
      const part = this.#nearestTablePart();
      if (part === 'td' || part === 'th' || part === 'caption') {
        this.#generateImpliedEnds();
        this.#popUntil(this.#html(part));
        return this.#start(name, attrs, selfClosing);
      }
    }
    if (this.#tableMode()) return this.#startInTable(name, attrs, selfClosing);
    this.#startInBody(name, attrs, selfClosing, false);
  }

  #startInBody(name: string, attrs: readonly string[], selfClosing: boolean, fostered: boolean): void {
    if (IGNORED_IN_BODY.has(name)) return;
    if (name === 'image') name = 'img';
    if (name === 'a' && this.#lastActive('a')) {
      // An `a` still open ends first (the adoption agency).
      this.#adopt('a');
    } else if (name === 'nobr') {
      this.#reconstruct(fostered);
      if (this.#inScope('nobr')) this.#adopt('nobr');
    }
    if (!NO_RECONSTRUCT.has(name)) this.#reconstruct(fostered);
    if (FORMATTING.has(name)) {
      this.#addActive(this.#push(name, 'html', attrs, fostered));
      return;
    }
    if (name === 'applet' || name === 'marquee' || name === 'object') {
      this.#push(name, 'html', attrs, fostered);
      this.#active.push(null);
      return;
    }
    if (VOID.has(name)) {
      if (name === 'hr') this.#closeP();
      this.#void(name, attrs, fostered);
      return;
    }
    if (name === 'svg' || name === 'math') {
      const node = this.#push(name, name, attrs, fostered);
      if (selfClosing) this.#popUntil((n) => n === node);
      return;
    }
    if (name === 'script') return this.#rawElement(name, attrs, 'script');
    if (name === 'template') {
      this.#push(name, 'html', attrs, fostered);
      this.#active.push(null);
      return;
    }
    if (name === 'title' || name === 'textarea') {
      this.#rawElement(name, attrs, 'rcdata');
      if (name === 'textarea') this.#skipNewline = true;
      return;
    }
    if (RAWTEXT.has(name)) {
      if (name === 'xmp') this.#closeP();
      return this.#rawElement(name, attrs, 'rawtext');
    }
    if (name === 'plaintext') {
      this.#closeP();
      return this.#rawElement(name, attrs, 'plaintext');
    }
    if (CLOSES_P.has(name)) this.#closeP();
    else if (HEADINGS.has(name)) {
      this.#closeP();
      const current = this.#current();
      if (current && current.ns === 'html' && HEADINGS.has(current.name)) this.#pop();
    } else if (name === 'pre' || name === 'listing') {
      this.#closeP();
      this.#skipNewline = true;
    } else if (name === 'form') {
      if (this.#form !== null && !this.#stack.some((n) => n.name === 'template')) return;
      this.#closeP();
    } else if (name === 'li' || name === 'dd' || name === 'dt') {
      this.#closeListItem(name);
      this.#closeP();
    } else if (name === 'button') {
      if (this.#inScope('button')) {
        this.#generateImpliedEnds();
        this.#popUntil(this.#html('button'));
      }
    } else if (name === 'table') {
      this.#closeP();
    } else if (name === 'select') {
      // In select, most tags are ignored until `</select>`.
    } else if (name === 'option' || name === 'optgroup') {
      if (this.#current()?.name === 'option') this.#pop();
    } else if (name === 'rb' || name === 'rtc' || name === 'rp' || name === 'rt') {
      if (this.#inScope('ruby')) this.#generateImpliedEnds(name === 'rp' || name === 'rt' ? 'rtc' : undefined);
    }
    const node = this.#push(name, 'html', attrs, fostered);
    if (name === 'form') this.#form = node;
  }

  /** `li`, `dd`, `dt`: close the open item of the same kind, unless a special element other than address, div or p lies between. */
  #closeListItem(name: string): void {
    const kinds = name === 'li' ? LI : DD_DT;
    for (let i = this.#stack.length - 1; i >= 0; i--) {
      const node = this.#stack[i] as Node<T>;
      if (node.ns === 'html' && kinds.has(node.name)) {
        this.#generateImpliedEnds(node.name);
        this.#popUntil((n) => n === node);
        return;
      }
      if (isSpecial(node) && !(node.ns === 'html' && (node.name === 'address' || node.name === 'div' || node.name === 'p'))) return;
    }
  }

  #startInSelect(name: string, attrs: readonly string[], selfClosing: boolean): void {
    if (name === 'option') {
      if (this.#current()?.name === 'option') this.#pop();
      this.#push(name, 'html', attrs);
    } else if (name === 'optgroup') {
      if (this.#current()?.name === 'option') this.#pop();
      if (this.#current()?.name === 'optgroup') this.#pop();
      this.#push(name, 'html', attrs);
    } else if (name === 'hr') {
      if (this.#current()?.name === 'option') this.#pop();
      if (this.#current()?.name === 'optgroup') this.#pop();
      this.#void(name, attrs);
    } else if (name === 'select' || name === 'input' || name === 'keygen' || name === 'textarea') {
      this.#popUntil(this.#html('select'));
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
    const part = this.#nearestTablePart();
    if (name === 'caption' || name === 'colgroup' || name === 'col' || TABLE_SECTIONS.has(name)) {
      this.#clearTo(TABLE_ONLY);
      if (name === 'col') {
        this.#push('colgroup', 'html', []);
        this.#void('col', attrs);
        this.#pop();
        return;
      }
      this.#push(name, 'html', attrs);
      if (name === 'caption') this.#active.push(null);
      return;
    }
    if (name === 'tr' || name === 'td' || name === 'th') {
      if (part === 'table') {
        this.#clearTo(TABLE_ONLY);
        this.#push('tbody', 'html', []);
      } else if (part !== 'tr' || name === 'tr') this.#clearTo(SECTION_CONTEXT);
      else this.#clearTo(ROW_CONTEXT);
      if (name !== 'tr' && this.#current()?.name !== 'tr') this.#push('tr', 'html', []);
      this.#push(name, 'html', attrs);
      if (name !== 'tr') this.#active.push(null);
      return;
    }
    if (name === 'table') {
      // A table start tag inside a table ends it, and starts a new one.
      this.#popUntil(this.#html('table'));
      this.#start(name, attrs, selfClosing);
      return;
    }
    if (name === 'style' || name === 'script' || name === 'template') return this.#startInBody(name, attrs, selfClosing, false);
    if (name === 'input' && attrs.some((v, i) => i % 2 === 0 && v === 'type' && attrs[i + 1]?.toLowerCase() === 'hidden')) {
      this.#void(name, attrs);
      return;
    }
    if (name === 'form') {
      if (this.#form === null) this.#void(name, attrs);
      return;
    }
    // Anything else in a table: a browser moves it in front of the table.
    this.#startInBody(name, attrs, selfClosing, true);
  }

  /** Whether the table's modes apply: the nearest table part is a table, a section or a row (not a cell or caption). */
  #tableMode(): boolean {
    if (this.#tables === 0) return false;
    const part = this.#nearestTablePart();
    return part !== null && TABLE_CONTEXT.has(part);
  }

  /** The nearest open table part (cell, caption, row, section, table), or `null`. */
  #nearestTablePart(): string | null {
    for (let i = this.#stack.length - 1; i >= 0; i--) {
      const node = this.#stack[i] as Node<T>;
      if (node.ns !== 'html') continue;
      if (TABLE_PARTS.has(node.name)) return node.name;
      if (node.name === 'template' || node.name === 'html') return null;
    }
    return null;
  }

  /** Pops until the current node is a table (or its section, for a row). */
  #clearTo(names: ReadonlySet<string>): void {
    while (this.#current() && !(this.#current()?.ns === 'html' && names.has((this.#current() as Node<T>).name))) this.#pop();
  }

  #end(name: string): void {
    this.#skipNewline = false;
    const current = this.#current();
    if (current && current.ns !== 'html' && !(name === 'p' || name === 'br')) {
      // Foreign content: close the element of that name, or hand the tag to the HTML rules.
      for (let i = this.#stack.length - 1; i >= 0; i--) {
        const node = this.#stack[i] as Node<T>;
        if (node.ns === 'html') break;
        if (node.name.toLowerCase() === name) {
          this.#popUntil((n) => n === node);
          return;
        }
      }
    } else if (current && !endsForeign(current)) {
      // `</p>` and `</br>` end foreign content.
      while (this.#current() && !endsForeign(this.#current() as Node<T>)) this.#pop();
    }
    if (this.#inSelect()) {
      if (name === 'select') this.#popUntil(this.#html('select'));
      else if ((name === 'option' || name === 'optgroup') && this.#current()?.name === name) this.#pop();
      else if (name === 'template') this.#endGeneric(name);
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
      if (this.#inTableScope(name)) {
        this.#generateImpliedEnds();
        this.#popUntil(this.#html(name));
      }
      return;
    }
    if (name === 'col') return;
    if (name === 'body' || name === 'html') return;
    if (name === 'br') {
      this.#startInBody('br', [], false, this.#inTable());
      return;
    }
    if (name === 'p') {
      if (!this.#inScope('p', BUTTON)) {
        // `</p>` with no paragraph open: an empty paragraph.
        this.#push('p', 'html', [], this.#inTable());
        this.#pop();
        return;
      }
      this.#generateImpliedEnds('p');
      this.#popUntil(this.#html('p'));
      return;
    }
    if (name === 'li') {
      if (this.#inScope('li', LIST_ITEM)) {
        this.#generateImpliedEnds('li');
        this.#popUntil(this.#html('li'));
      }
      return;
    }
    if (name === 'dd' || name === 'dt') {
      if (this.#inScope(name)) {
        this.#generateImpliedEnds(name);
        this.#popUntil(this.#html(name));
      }
      return;
    }
    if (HEADINGS.has(name)) {
      if (this.#inScope(HEADINGS)) {
        this.#generateImpliedEnds();
        this.#popUntil((n) => n.ns === 'html' && HEADINGS.has(n.name));
      }
      return;
    }
    if (name === 'form') {
      const form = this.#form;
      this.#form = null;
      if (form === null || !this.#inScope('form')) return;
      this.#generateImpliedEnds();
      // The form leaves the stack; what opened inside it stays open (and inside it).
      const at = this.#stack.indexOf(form);
      if (at === this.#stack.length - 1) this.#pop();
      else if (at !== -1) {
        this.#stack.splice(at, 1);
        this.#count(form, -1);
        this.#handler.close(form.data);
      }
      return;
    }
    if (BLOCK_END.has(name) || name === 'applet' || name === 'marquee' || name === 'object' || name === 'template') {
      if (!this.#inScope(name)) return;
      this.#generateImpliedEnds();
      this.#popUntil(this.#html(name));
      return;
    }
    if (FORMATTING.has(name)) return this.#adopt(name);
    this.#endGeneric(name);
  }

  /**
   * The end tag of a formatting element, or a formatting start tag while one is open: the
   * adoption agency. When a special element (a block) opened inside the formatting element,
   * that block stays open, moved out of it, with a copy of the formatting element inside it;
   * formatting elements between them are carried along, anything else between them closes.
   * Repeated (up to 8 rounds) while a copy is left open; without such a block, the element
   * closes with what it holds.
   */
  #adopt(name: string): void {
    const current = this.#current();
    if (current && current.ns === 'html' && current.name === name && !this.#active.includes(current)) {
      this.#pop();
      return;
    }
    for (let round = 0; round < 8; round++) {
      const formatting = this.#lastActive(name);
      if (!formatting) return this.#endGeneric(name);
      const at = this.#stack.indexOf(formatting);
      if (at === -1) {
        this.#active.splice(this.#active.indexOf(formatting), 1);
        return;
      }
      if (!this.#nodeInScope(at)) return;
      const above = this.#stack.slice(at + 1);
      const block = above.findIndex(isSpecial);
      if (block === -1 || above.some((n) => n.ns === 'html' && TABLE_PARTS.has(n.name))) {
        this.#popUntil((n) => n === formatting);
        this.#active.splice(this.#active.indexOf(formatting), 1);
        return;
      }
      // What stays open: formatting elements before the block, the block, then everything inside it.
      const stays = (node: Node<T>, i: number): boolean => i >= block || this.#active.includes(node);
      for (let i = above.length - 1; i >= 0; i--) {
        const node = this.#stack.pop() as Node<T>;
        if (!stays(node, i)) this.#count(node, -1);
        this.#handler.close(node.data, stays(node, i));
      }
      this.#stack.pop();
      this.#handler.close(formatting.data);
      let copy: Node<T> | undefined;
      above.forEach((node, i) => {
        if (!stays(node, i)) return;
        this.#handler.reopen(node.data, this.#current()?.data ?? null);
        this.#stack.push(node);
        // Inside the block, the formatting element goes on, as a copy.
        if (i === block) copy = this.#push(formatting.name, 'html', formatting.attrs);
      });
      this.#active[this.#active.indexOf(formatting)] = copy as Node<T>;
    }
  }

  /** Whether the element at `at` in the stack is in scope. */
  #nodeInScope(at: number): boolean {
    for (let i = this.#stack.length - 1; i > at; i--) {
      const node = this.#stack[i] as Node<T>;
      if (
        node.ns === 'html'
          ? SCOPE.has(node.name)
          : isIntegrationPoint(node) || (node.ns === 'math' && (MATHML_TEXT_POINTS.has(node.name) || node.name === 'annotation-xml'))
      ) {
        return false;
      }
    }
    return true;
  }

  /** Any other end tag: close the nearest open element of that name, unless a special element lies between. */
  #endGeneric(name: string): void {
    for (let i = this.#stack.length - 1; i >= 0; i--) {
      const node = this.#stack[i] as Node<T>;
      if (node.ns === 'html' && node.name === name) {
        this.#generateImpliedEnds(name);
        this.#popUntil((n) => n === node);
        return;
      }
      if (isSpecial(node)) return;
    }
  }
}
