/**
 * The tree construction's two structures and the algorithms that act on them: the stack of open
 * elements (pushing and popping them, which tells the handler; the scopes; implied end tags; the
 * table and select contexts) and the list of active formatting elements (markers, the Noah's Ark
 * clause, reconstructing them, and the adoption agency that closes one where it ends). tree.ts
 * drives them token by token, as the insertion modes say.
 *
 * Over 300 lines: one job, the two structures whose algorithms all act on both (popping a marker
 * element clears the list; reconstructing and adopting push onto the stack).
 */
import {
  IMPLIED_END,
  BUTTON,
  DD_DT,
  LI,
  MARKERS,
  MATHML_TEXT_POINTS,
  SCOPE,
  TABLE_CONTEXT,
  TABLE_PARTS,
  isIntegrationPoint,
  isSpecial,
  sameAttributes,
  type Namespace,
} from './elements.js';

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

/** An open element: its name, namespace and attributes, and the handler's record of it. */
export interface Node<T> {
  readonly name: string;
  readonly ns: Namespace;
  readonly attrs: readonly string[];
  readonly data: T;
}

/** Whether a node is the HTML element `name`. */
export function isHtml<T>(name: string): (node: Node<T>) => boolean {
  return (node) => node.ns === 'html' && node.name === name;
}

/** The stack of open elements and the list of active formatting elements of one tree (internal). */
export class OpenElements<T> {
  readonly #handler: TreeHandler<T>;
  readonly #stack: Array<Node<T>> = [];
  /** The list of active formatting elements (`null`: a marker, at a cell, caption, object or template). */
  readonly #active: Array<Node<T> | null> = [];
  /** Open tables and selects: without any, their algorithms are skipped at once. */
  #tables = 0;
  #selects = 0;

  constructor(handler: TreeHandler<T>) {
    this.#handler = handler;
  }

  /** Closes every open element (the end of the input, or the cut). */
  closeAll(): void {
    while (this.#stack.length > 0) this.pop();
  }

  /** Whether a `template` is open. */
  hasTemplate(): boolean {
    return this.#stack.some((n) => n.name === 'template');
  }

  /** An end tag in foreign content: closes the nearest foreign element of that name (any case); `false` when an HTML element comes first. */
  closeForeign(name: string): boolean {
    for (let i = this.#stack.length - 1; i >= 0; i--) {
      const node = this.#stack[i] as Node<T>;
      if (node.ns === 'html') return false;
      if (node.name.toLowerCase() === name) {
        this.popUntil((n) => n === node);
        return true;
      }
    }
    return false;
  }

  /** Puts a marker on the list of active formatting elements (a cell, caption, object or template opened). */
  marker(): void {
    this.#active.push(null);
  }

  /** The form element leaves the stack; what opened inside it stays open (and inside it). */
  removeForm(form: Node<T>): void {
    const at = this.#stack.indexOf(form);
    if (at === this.#stack.length - 1) this.pop();
    else if (at !== -1) {
      this.#stack.splice(at, 1);
      this.#count(form, -1);
      this.#handler.close(form.data);
    }
  }

  /** The current node: the last opened element still open. */
  current(): Node<T> | undefined {
    return this.#stack[this.#stack.length - 1];
  }

  push(name: string, ns: Namespace, attrs: readonly string[], fostered = false): Node<T> {
    const parent = this.current();
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

  void(name: string, attrs: readonly string[], fostered = false): void {
    this.#handler.close(this.push(name, 'html', attrs, fostered).data);
    this.#stack.pop();
  }

  pop(): Node<T> | undefined {
    const node = this.#stack.pop();
    if (node) {
      this.#count(node, -1);
      if (node.ns === 'html' && MARKERS.has(node.name)) this.clearToMarker();
      this.#handler.close(node.data);
    }
    return node;
  }

  /** The last active formatting element named `name` after the last marker. */
  lastActive(name: string): Node<T> | undefined {
    for (let i = this.#active.length - 1; i >= 0; i--) {
      const entry = this.#active[i];
      if (entry === null || entry === undefined) return undefined;
      if (entry.name === name) return entry;
    }
    return undefined;
  }

  /** Clears the list of active formatting elements up to and including the last marker. */
  clearToMarker(): void {
    while (this.#active.length > 0 && this.#active.pop() !== null);
  }

  /** A formatting element joins the list (no more than three alike after the last marker). */
  addActive(node: Node<T>): void {
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
  reconstruct(fostered = false): void {
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
      active[i] = this.push(entry.name, 'html', entry.attrs, fostered);
    }
  }

  /** Pops up to and including the nearest open element that matches. */
  popUntil(match: (node: Node<T>) => boolean): void {
    while (this.#stack.length > 0) {
      const node = this.pop() as Node<T>;
      if (match(node)) return;
    }
  }

  /** Whether an HTML element named `name` is in scope (`extra` adds boundaries: button, list item). */
  inScope(name: string | ReadonlySet<string>, extra?: ReadonlySet<string>): boolean {
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

  inTableScope(name: string | ReadonlySet<string>): boolean {
    for (let i = this.#stack.length - 1; i >= 0; i--) {
      const node = this.#stack[i] as Node<T>;
      if (node.ns !== 'html') continue;
      if (typeof name === 'string' ? node.name === name : name.has(node.name)) return true;
      if (node.name === 'table' || node.name === 'template' || node.name === 'html') return false;
    }
    return false;
  }

  generateImpliedEnds(except?: string): void {
    for (let node = this.current(); node && node.ns === 'html' && IMPLIED_END.has(node.name) && node.name !== except; node = this.current())
      this.pop();
  }

  closeP(): void {
    if (!this.inScope('p', BUTTON)) return;
    this.generateImpliedEnds('p');
    this.popUntil(isHtml('p'));
  }

  /** Whether text and tags go to the table algorithm (the current node is a table, a section or a row). */
  inTable(): boolean {
    if (this.#tables === 0) return false;
    const node = this.current();
    return node !== undefined && node.ns === 'html' && TABLE_CONTEXT.has(node.name);
  }

  /** Whether tokens go to the select algorithm: a `select` is open (not beyond a template). */
  inSelect(): boolean {
    if (this.#selects === 0) return false;
    for (let i = this.#stack.length - 1; i >= 0; i--) {
      const node = this.#stack[i] as Node<T>;
      if (node.ns !== 'html') return false;
      if (node.name === 'select') return true;
      if (node.name !== 'option' && node.name !== 'optgroup') return false;
    }
    return false;
  }

  /** `li`, `dd`, `dt`: close the open item of the same kind, unless a special element other than address, div or p lies between. */
  closeListItem(name: string): void {
    const kinds = name === 'li' ? LI : DD_DT;
    for (let i = this.#stack.length - 1; i >= 0; i--) {
      const node = this.#stack[i] as Node<T>;
      if (node.ns === 'html' && kinds.has(node.name)) {
        this.generateImpliedEnds(node.name);
        this.popUntil((n) => n === node);
        return;
      }
      if (isSpecial(node) && !(node.ns === 'html' && (node.name === 'address' || node.name === 'div' || node.name === 'p'))) return;
    }
  }

  /** Whether the table's modes apply: the nearest table part is a table, a section or a row (not a cell or caption). */
  tableMode(): boolean {
    if (this.#tables === 0) return false;
    const part = this.nearestTablePart();
    return part !== null && TABLE_CONTEXT.has(part);
  }

  /** The nearest open table part (cell, caption, row, section, table), or `null`. */
  nearestTablePart(): string | null {
    for (let i = this.#stack.length - 1; i >= 0; i--) {
      const node = this.#stack[i] as Node<T>;
      if (node.ns !== 'html') continue;
      if (TABLE_PARTS.has(node.name)) return node.name;
      if (node.name === 'template' || node.name === 'html') return null;
    }
    return null;
  }

  /** Pops until the current node is a table (or its section, for a row). */
  clearTo(names: ReadonlySet<string>): void {
    while (this.current() && !(this.current()?.ns === 'html' && names.has((this.current() as Node<T>).name))) this.pop();
  }

  /**
   * The end tag of a formatting element, or a formatting start tag while one is open: the
   * adoption agency. When a special element (a block) opened inside the formatting element,
   * that block stays open, moved out of it, with a copy of the formatting element inside it;
   * formatting elements between them are carried along, anything else between them closes.
   * Repeated (up to 8 rounds) while a copy is left open; without such a block, the element
   * closes with what it holds.
   */
  adopt(name: string): void {
    const current = this.current();
    if (current && current.ns === 'html' && current.name === name && !this.#active.includes(current)) {
      this.pop();
      return;
    }
    for (let round = 0; round < 8; round++) {
      const formatting = this.lastActive(name);
      if (!formatting) return this.endGeneric(name);
      const at = this.#stack.indexOf(formatting);
      if (at === -1) {
        this.#active.splice(this.#active.indexOf(formatting), 1);
        return;
      }
      if (!this.#nodeInScope(at)) return;
      const above = this.#stack.slice(at + 1);
      const block = above.findIndex(isSpecial);
      if (block === -1 || above.some((n) => n.ns === 'html' && TABLE_PARTS.has(n.name))) {
        this.popUntil((n) => n === formatting);
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
        this.#handler.reopen(node.data, this.current()?.data ?? null);
        this.#stack.push(node);
        // Inside the block, the formatting element goes on, as a copy.
        if (i === block) copy = this.push(formatting.name, 'html', formatting.attrs);
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
  endGeneric(name: string): void {
    for (let i = this.#stack.length - 1; i >= 0; i--) {
      const node = this.#stack[i] as Node<T>;
      if (node.ns === 'html' && node.name === name) {
        this.generateImpliedEnds(name);
        this.popUntil((n) => n === node);
        return;
      }
      if (isSpecial(node)) return;
    }
  }
}
