/**
 * GREASE values (RFC 8701): reserved code points a client sprinkles into its
 * ClientHello so that servers which choke on unknown values are found early.
 * A peer must ignore them; nobody may ever select one.
 *
 * @module
 */

/**
 * RFC 8701 section 2: the sixteen two-byte values 0x0A0A, 0x1A1A, ...
 * 0xFAFA, used for cipher suites, extensions, groups, signature schemes,
 * versions and ALPN.
 */
export function isGrease(value: number): boolean {
  return (value & 0x0f0f) === 0x0a0a && (value >> 12) === ((value >> 4) & 0x0f);
}

/** The GREASE value numbered by the low four bits of `seed`. */
export function greaseValue(seed: number): number {
  const n = seed & 0x0f;
  return 0x0a0a | (n << 12) | (n << 4);
}

/** RFC 8701 section 2: the PSK key exchange modes 0x0B, 0x2A, ... 0xE4. */
export function isGreasePskMode(mode: number): boolean {
  return mode % 0x1f === 0x0b;
}

/** The GREASE PSK key exchange mode numbered by the low three bits of `seed`. */
export function greasePskMode(seed: number): number {
  return 0x0b + 0x1f * (seed & 0x07);
}
