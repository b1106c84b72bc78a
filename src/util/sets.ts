/**
 * Sets of names built from space-separated lists. Called with `@__PURE__` at module level, so a
 * bundle that never reads a set drops it (`'a b'.split(' ')` inside `new Set()` would keep it).
 */

/** The set of the space-separated names in `names`. */
export function set(names: string): ReadonlySet<string> {
  return new Set(names.split(' '));
}

/** The names of `base` and the space-separated `more`. */
export function union(base: ReadonlySet<string>, more: string): ReadonlySet<string> {
  return new Set([...base, ...more.split(' ')]);
}

/** A record of sets, each from space-separated names. */
export function sets(lists: Readonly<Record<string, string>>): Readonly<Record<string, ReadonlySet<string>>> {
  const out: Record<string, ReadonlySet<string>> = {};
  for (const [key, names] of Object.entries(lists)) out[key] = set(names);
  return out;
}
