/**
 * Objects keyed by names a user chose (topic names, broker ids, config keys). A plain `{}` inherits
 * `constructor`, `toString`, `__proto__` and the rest from Object.prototype, so a topic called
 * `constructor` would find a function where nothing was stored. Use a Map where the data stays in
 * memory; where it must be plain JSON (the journal), use these null-prototype objects.
 */
export type Dict<T> = Record<string, T>;

/** An empty object with no prototype: every key, `__proto__` included, is an own property or absent. */
export function emptyDict<T>(): Dict<T> {
  return Object.create(null) as Dict<T>;
}

/** A null-prototype copy of `entries`. */
export function dictFrom<T>(entries: Iterable<readonly [string, T]>): Dict<T> {
  const out = emptyDict<T>();
  for (const [key, value] of entries) out[key] = value;
  return out;
}

/** The own value at `key`, never an inherited one. */
export function own<T>(dict: Readonly<Dict<T>>, key: string): T | undefined {
  return Object.prototype.hasOwnProperty.call(dict, key) ? dict[key] : undefined;
}
