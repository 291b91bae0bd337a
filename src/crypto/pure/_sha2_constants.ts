/**
 * SHA-2 round constants and initial hash values (FIPS 180-4 sections 4.2 and
 * 5.3), derived at load time from their definition as the first 64 bits of the
 * fractional parts of cube and square roots of primes, instead of typed-in
 * tables. BigInt integer roots keep every bit exact. SHA-256's constants are
 * the high 32 bits of SHA-512's, which FIPS 180-4 defines the same way.
 *
 * @module
 */

function firstPrimes(count: number): number[] {
  const primes: number[] = [];
  for (let n = 2; primes.length < count; n++) {
    if (primes.every((p) => n % p !== 0)) primes.push(n);
  }
  return primes;
}

/** floor(n^(1/k)) for k = 2 or 3 by Newton's method on integers. */
function integerRoot(n: bigint, k: bigint): bigint {
  let x = 1n << (BigInt(n.toString(2).length) / k + 1n);
  for (;;) {
    const next = ((k - 1n) * x + n / x ** (k - 1n)) / k;
    if (next >= x) return x;
    x = next;
  }
}

/** The first 64 fractional bits of p^(1/k), as [high 32, low 32]. */
function fractionBits(p: number, k: bigint): [number, number] {
  const root = integerRoot(BigInt(p) << (64n * k), k);
  const frac = root & 0xffffffffffffffffn;
  return [Number(frac >> 32n) | 0, Number(frac & 0xffffffffn) | 0];
}

const PRIMES = firstPrimes(80);

/** SHA-512 round constants, high halves. */
export const K512_HI: Int32Array = new Int32Array(80);
/** SHA-512 round constants, low halves. */
export const K512_LO: Int32Array = new Int32Array(80);
for (let i = 0; i < 80; i++) {
  [K512_HI[i], K512_LO[i]] = fractionBits(PRIMES[i], 3n);
}

/** SHA-256 round constants (the high halves of SHA-512's first 64). */
export const K256: Int32Array = K512_HI.slice(0, 64);

function initialValues(from: number): Int32Array {
  // Interleaved high, low for each of the eight words.
  const iv = new Int32Array(16);
  for (let i = 0; i < 8; i++) {
    [iv[2 * i], iv[2 * i + 1]] = fractionBits(PRIMES[from + i], 2n);
  }
  return iv;
}

/** SHA-512 initial hash value, high/low interleaved (square roots of primes 1-8). */
export const IV512: Int32Array = initialValues(0);
/** SHA-384 initial hash value, high/low interleaved (square roots of primes 9-16). */
export const IV384: Int32Array = initialValues(8);
/** SHA-256 initial hash value (the high halves of SHA-512's). */
export const IV256: Int32Array = Int32Array.from({ length: 8 }, (_, i) => IV512[2 * i]);
