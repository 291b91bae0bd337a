// A small seeded generator, so hostile-input cases are the same on every run.

/** xorshift32. */
export function prng(
  seed: number,
): {
  next(): number;
  int(n: number): number;
  pick<T>(a: readonly T[]): T;
  bytes(n: number): Uint8Array;
} {
  let x = seed >>> 0 || 1;
  const next = (): number => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x;
  };
  return {
    next,
    int: (n) => next() % n,
    pick: (a) => a[next() % a.length],
    bytes: (n) => Uint8Array.from({ length: n }, () => next() & 0xff),
  };
}
