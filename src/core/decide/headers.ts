/**
 * Writing a decision's headers, one way for every adapter: `Cache-Control` is ours, `Set-Cookie`
 * is appended to what the site sets, and `Cookie` is added to `Vary` unless the response
 * already varies on it (or on `*`).
 */
import type { Decision } from '../../types.js';
import { MeterDecision } from './decision.js';

/** A decision's headers as name/value pairs (`Cache-Control`, `Vary`, `Set-Cookie` when the meter changed, the CDN variant). */
function decisionHeaderList(decision: Decision): ReadonlyArray<readonly [string, string]> {
  if (decision instanceof MeterDecision) return MeterDecision.list(decision);
  const list: Array<readonly [string, string]> = [];
  decision.headers.forEach((value, name) => {
    list.push([name, value]);
  });
  return list;
}

/** The one `Vary` rule: `existing` with `add` appended, or `null` when it already varies on it or on `*`. */
export function varyWith(existing: string | null | undefined, add: string): string | null {
  if (existing === null || existing === undefined || existing.trim() === '') return add;
  const wanted = add.toLowerCase();
  for (const part of existing.split(',')) {
    const token = part.trim().toLowerCase();
    if (token === wanted || token === '*') return null;
  }
  return `${existing}, ${add}`;
}

/** Two `Vary` values as one: every field of either, once (case-insensitively), `existing`'s first. */
export function mergeVary(existing: string, added: string): string {
  let merged = existing;
  for (const part of added.split(',')) {
    const field = part.trim();
    if (field === '') continue;
    merged = varyWith(merged, field) ?? merged;
  }
  return merged;
}

/** Somewhere headers can be written: a Fetch `Headers`, a Node response, a framework's reply. */
export interface HeaderTarget {
  /** The current value (several values joined with `, `), or `null`. */
  get(name: string): string | null;
  set(name: string, value: string): void;
  append(name: string, value: string): void;
}

/** Writes a decision's headers to `target` by the rules above. */
export function writeDecisionHeaders(target: HeaderTarget, decision: Decision): void {
  for (const [name, value] of decisionHeaderList(decision)) {
    if (name === 'Set-Cookie') target.append(name, value);
    else if (name === 'Vary') {
      const vary = varyWith(target.get('vary'), value);
      if (vary !== null) target.set('Vary', vary);
    } else target.set(name, value);
  }
}

/**
 * Applies a decision's headers to a Fetch `Response`: appends `Set-Cookie`, sets
 * `Cache-Control` and adds `Cookie` to `Vary`. Returns the same response, or a copy when its
 * headers are immutable (a response from `fetch()`).
 *
 * @example
 * ```ts
 * return applyDecisionHeaders(new Response(body, { headers: { 'content-type': 'text/html' } }), decision);
 * ```
 */
export function applyDecisionHeaders(response: Response, decision: Decision): Response {
  try {
    writeDecisionHeaders(response.headers, decision);
    return response;
  } catch {
    const copy = new Response(response.body, response);
    writeDecisionHeaders(copy.headers, decision);
    return copy;
  }
}
