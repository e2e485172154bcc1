/** Typed-array helpers the solver's growable lists share. */

/** A copy of `a` in a new array of the same kind, `length` long (at least a.length). */
export function grown<T extends Int32Array | Float64Array>(a: T, length: number): T {
  const b = new (a.constructor as new (n: number) => T)(length);
  b.set(a);
  return b;
}
