/**
 * The pieces every option table is built from: each checks one value at a path, fills in its
 * default, and throws an {@link InvalidOptionError} naming the full path. Objects reject
 * unknown keys at every depth and name the option a misspelt key most likely meant.
 */
import { invalidOption } from '../errors.js';

/** Checks a value found at `path` (`undefined` when absent) and returns it resolved. */
export type Check<T> = (value: unknown, path: string) => T;

/** The resolved shape of an object of checks. */
export type Resolved<S extends Record<string, Check<unknown>>> = { readonly [K in keyof S]: ReturnType<S[K]> };

/** Whether `value` is a plain object (not null, not an array). */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** Joins a path and a key (`a.b`, or `a[0]` for an index). */
export function at(path: string, key: string | number): string {
  if (typeof key === 'number') return `${path}[${key}]`;
  return path === '' ? key : `${path}.${key}`;
}

/** Edit distance of two short strings (insert, delete, substitute), giving up beyond `max`. */
function distance(a: string, b: string, max: number): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      row[j] = Math.min(
        (previous[j] as number) + 1,
        (row[j - 1] as number) + 1,
        (previous[j - 1] as number) + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
    }
    previous = row;
  }
  return previous[b.length] as number;
}

/** The known key a misspelt `key` most likely meant: same letters in another case, or at most 2 edits away. */
function closest(key: string, known: readonly string[]): string | undefined {
  const lower = key.toLowerCase();
  const sameCase = known.find((k) => k.toLowerCase() === lower);
  if (sameCase !== undefined) return sameCase;
  let best: string | undefined;
  let bestDistance = Math.min(2, Math.floor(key.length / 3));
  for (const candidate of known) {
    const d = distance(lower, candidate.toLowerCase(), bestDistance);
    if (d <= bestDistance && (best === undefined || d < bestDistance)) {
      best = candidate;
      bestDistance = d;
    }
  }
  return best;
}

/** Throws for the first key of `record` not in `known`, suggesting the closest known key. */
export function rejectUnknown(record: Record<string, unknown>, path: string, known: readonly string[], what: string): void {
  for (const key of Object.keys(record)) {
    if (known.includes(key)) continue;
    const meant = closest(key, known);
    throw invalidOption(
      at(path, key),
      `is not ${what}${meant === undefined ? ` (known: ${known.join(', ')})` : `; did you mean "${meant}"?`}`,
    );
  }
}

/** An object `{}` when absent; otherwise it must be a plain object. */
export function record(value: unknown, path: string): Record<string, unknown> {
  if (value === undefined) return {};
  if (!isRecord(value)) throw invalidOption(path || 'options', 'must be an object');
  return value;
}

/**
 * An object of known keys, each checked by its own check (absent keys get their defaults);
 * unknown keys are refused. `what` names it in messages ("a cookie option").
 */
export function object<S extends Record<string, Check<unknown>>>(shape: S, what: string): Check<Resolved<S>> {
  const known = Object.keys(shape);
  return (value, path) => {
    const input = record(value, path);
    rejectUnknown(input, path, known, what);
    const out: Record<string, unknown> = {};
    for (const key of known) out[key] = (shape[key] as Check<unknown>)(input[key], at(path, key));
    return Object.freeze(out) as Resolved<S>;
  };
}

/** Like {@link object}, but `undefined` when the option is absent (an opt-in feature). */
export function optional<T>(check: Check<T>): Check<T | undefined> {
  return (value, path) => (value === undefined ? undefined : check(value, path));
}

/** An integer from `min` to `max`; `fallback` when absent (`undefined`: required). */
export function integer(min: number, max: number, fallback?: number): Check<number> {
  return (value, path) => {
    if (value === undefined) {
      if (fallback === undefined) throw invalidOption(path, 'is required');
      return fallback;
    }
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
      throw invalidOption(path, `must be an integer from ${min} to ${max}`);
    }
    return value;
  };
}

/** A non-empty string of at most 256 characters; `fallback` when absent. */
export function text(fallback: string): Check<string>;
export function text(fallback?: undefined): Check<string | undefined>;
export function text(fallback?: string): Check<string | undefined> {
  return (value, path) => {
    if (value === undefined) return fallback;
    if (typeof value !== 'string' || value.length === 0 || value.length > 256) {
      throw invalidOption(path, 'must be a non-empty string of at most 256 characters');
    }
    return value;
  };
}

/** One of `values`; `fallback` when absent. */
export function oneOf<T extends string | boolean>(values: readonly T[], fallback: T): Check<T> {
  const list = values.map((v) => (typeof v === 'string' ? `'${v}'` : String(v)));
  const expected = list.length === 2 ? `${list[0]} or ${list[1]}` : `${list.slice(0, -1).join(', ')} or ${list.at(-1)}`;
  return (value, path) => {
    if (value === undefined) return fallback;
    if (!values.includes(value as T)) throw invalidOption(path, `must be ${expected}`);
    return value as T;
  };
}

/** A boolean; `fallback` when absent. */
export function bool(fallback: boolean): Check<boolean> {
  return (value, path) => {
    if (value === undefined) return fallback;
    if (typeof value !== 'boolean') throw invalidOption(path, 'must be a boolean');
    return value;
  };
}

/** A function, or `undefined` when absent. */
export function callback<F extends (...args: never[]) => unknown>(): Check<F | undefined> {
  return (value, path) => {
    if (value === undefined) return undefined;
    if (typeof value !== 'function') throw invalidOption(path, 'must be a function');
    return value as F;
  };
}

/** A list of strings that each match `pattern` (a frozen copy); `[]` when absent. */
export function names(pattern: RegExp, describe = 'names'): Check<readonly string[]> {
  return (value, path) => {
    if (value === undefined) return Object.freeze([]);
    if (!Array.isArray(value) || value.some((x) => typeof x !== 'string' || !pattern.test(x))) {
      throw invalidOption(path, `must be a list of ${describe}`);
    }
    return Object.freeze([...(value as string[])]);
  };
}
