/**
 * Stateless TLS 1.3 tickets: the session state sealed with AES-256-GCM into
 * the ticket itself, so the server keeps nothing per session.
 *
 * Keys rotate: time is cut into periods of `rotationPeriodSeconds`, and the
 * key of period `p` is HKDF-SHA256(secret, "kerneltls ticket key" || p). A
 * ticket names its key (a key-set id plus the period), and is opened under
 * the current or the previous period's key, so a key stays valid for one
 * period after it stops being used for new tickets. Server instances given
 * the same `secret` (and roughly the same clock) open each other's tickets.
 *
 * @module
 */

import { constantTimeEqual } from "../_bytes.ts";
import { hkdfExpand, hkdfExtract } from "../crypto/hkdf.ts";
import type { Aead, AeadKey, CryptoProvider } from "../crypto/types.ts";
import { webCryptoProvider } from "../crypto/webcrypto/provider.ts";

/**
 * Seals and opens session state for stateless tickets.
 *
 * @example
 * ```ts
 * import { RotatingTicketer, ServerConfig } from "@kerneltls/tls";
 * import type { Ticketer } from "@kerneltls/tls";
 * const ticketer: Ticketer = new RotatingTicketer();
 * const ticket = await ticketer.encrypt(new Uint8Array([1, 2, 3]));
 * console.log(await ticketer.decrypt(ticket)); // Uint8Array(3) [ 1, 2, 3 ]
 * const config = new ServerConfig({ certResolver: () => undefined, ticketer });
 * void config;
 * ```
 */
export interface Ticketer {
  /** Seconds a ticket is announced valid for (at most 604800). */
  readonly lifetimeSeconds: number;
  /** Seals `plain` into an opaque ticket. */
  encrypt(plain: Uint8Array): Promise<Uint8Array>;
  /** Opens a ticket; `undefined` when it is not ours, too old, or was tampered with. */
  decrypt(ticket: Uint8Array): Promise<Uint8Array | undefined>;
}

/**
 * Options for {@link RotatingTicketer}.
 *
 * @example
 * ```ts
 * import { RotatingTicketer } from "@kerneltls/tls";
 * import type { RotatingTicketerOptions } from "@kerneltls/tls";
 * const options: RotatingTicketerOptions = {
 *   secret: crypto.getRandomValues(new Uint8Array(32)), // share it between server instances
 *   rotationPeriodSeconds: 3600,
 * };
 * const ticketer = new RotatingTicketer(options);
 * console.log(ticketer.lifetimeSeconds > 0); // true
 * ```
 */
export interface RotatingTicketerOptions {
  /**
   * The key-set secret, at least 32 bytes (default: 32 random bytes, which
   * makes the tickets readable by this instance only). Give every instance
   * that must share tickets the same secret.
   */
  secret?: Uint8Array;
  /** Seconds each key is used for new tickets (default 21600, six hours; at most 604800). */
  rotationPeriodSeconds?: number;
  /** Clock (default `() => new Date()`). */
  now?: () => Date;
  /**
   * Where AES-256-GCM, HKDF-SHA256 and randomness come from (default
   * `webCryptoProvider()`). It must offer a suite with AES-256-GCM.
   */
  provider?: CryptoProvider;
}

/** The provider's pieces a ticketer uses. */
interface TicketCrypto {
  provider: CryptoProvider;
  aead: Aead;
  secret: Uint8Array;
}

const HEADER_LEN = 8; // key-set id (4) + period (4)
const NONCE_LEN = 12;
const TAG_LEN = 16;
const encoder = new TextEncoder();

/**
 * The default stateless ticketer: AES-256-GCM under a key set of current and
 * previous key, derived per period from one shared secret.
 *
 * @example
 * ```ts
 * import { RotatingTicketer } from "@kerneltls/tls";
 * const secret = crypto.getRandomValues(new Uint8Array(32));
 * const a = new RotatingTicketer({ secret, rotationPeriodSeconds: 3600 });
 * const b = new RotatingTicketer({ secret, rotationPeriodSeconds: 3600 });
 * const ticket = await a.encrypt(new Uint8Array([1, 2, 3]));
 * console.log(await b.decrypt(ticket)); // Uint8Array(3) [ 1, 2, 3 ]
 * ```
 */
export class RotatingTicketer implements Ticketer {
  /** Equal to the rotation period: a ticket outlives its key's active period by at most one. */
  readonly lifetimeSeconds: number;
  readonly #crypto: Promise<TicketCrypto>;
  readonly #periodMs: number;
  readonly #now: () => Date;
  #setId: Promise<Uint8Array> | undefined;
  readonly #keys = new Map<number, Promise<AeadKey>>();

  /** Validates the options; throws `TypeError` for bad ones. */
  constructor(options: RotatingTicketerOptions = {}) {
    const secret = options.secret;
    if (secret !== undefined && (!(secret instanceof Uint8Array) || secret.length < 32)) {
      throw new TypeError("RotatingTicketer: secret must be at least 32 bytes");
    }
    const period = options.rotationPeriodSeconds ?? 21600;
    if (!Number.isInteger(period) || period < 1 || period > 604800) {
      throw new TypeError("RotatingTicketer: rotationPeriodSeconds must be 1..604800");
    }
    this.#crypto = resolveCrypto(options.provider, secret?.slice());
    // Fails at first use, not as an unhandled rejection now.
    this.#crypto.catch(() => {});
    this.#periodMs = period * 1000;
    this.lifetimeSeconds = period;
    this.#now = options.now ?? (() => new Date());
  }

  /** Seals under the current period's key. */
  async encrypt(plain: Uint8Array): Promise<Uint8Array> {
    const period = this.#period();
    const header = new Uint8Array(HEADER_LEN);
    header.set(await this.#keySetId());
    new DataView(header.buffer).setUint32(4, period);
    const nonce = (await this.#crypto).provider.randomBytes(NONCE_LEN);
    const sealed = await (await this.#key(period)).seal(nonce, header, plain);
    const out = new Uint8Array(HEADER_LEN + NONCE_LEN + sealed.length);
    out.set(header);
    out.set(nonce, HEADER_LEN);
    out.set(sealed, HEADER_LEN + NONCE_LEN);
    return out;
  }

  /** Opens a ticket sealed under the current or the previous period's key. */
  async decrypt(ticket: Uint8Array): Promise<Uint8Array | undefined> {
    if (ticket.length < HEADER_LEN + NONCE_LEN + TAG_LEN) return undefined;
    const header = ticket.subarray(0, HEADER_LEN);
    if (!constantTimeEqual(header.subarray(0, 4), await this.#keySetId())) return undefined;
    const period = new DataView(header.buffer, header.byteOffset, HEADER_LEN).getUint32(4);
    const current = this.#period();
    if (period !== current && period !== current - 1) return undefined;
    const plain = await (await this.#key(period)).open(
      ticket.subarray(HEADER_LEN, HEADER_LEN + NONCE_LEN),
      header,
      ticket.subarray(HEADER_LEN + NONCE_LEN),
    );
    return plain ?? undefined;
  }

  #period(): number {
    return Math.floor(this.#now().getTime() / this.#periodMs) >>> 0;
  }

  /** Four bytes naming the key set, so tickets of other sets are refused without a decryption. */
  #keySetId(): Promise<Uint8Array> {
    this.#setId ??= this.#derive("kerneltls ticket key set", 4);
    return this.#setId;
  }

  #key(period: number): Promise<AeadKey> {
    let key = this.#keys.get(period);
    if (!key) {
      const info = new Uint8Array([...encoder.encode("kerneltls ticket key"), 0, 0, 0, 0]);
      new DataView(info.buffer).setUint32(info.length - 4, period);
      key = Promise.all([this.#derive(info, 32), this.#crypto]).then(([raw, c]) =>
        c.aead.importKey(raw)
      );
      this.#keys.set(period, key);
      // Only the current and previous period's keys are ever needed.
      for (const p of this.#keys.keys()) if (p < period - 1) this.#keys.delete(p);
    }
    return key;
  }

  /** HKDF-SHA256 with an empty salt over the key-set secret. */
  async #derive(info: string | Uint8Array, length: number): Promise<Uint8Array> {
    const { provider, secret } = await this.#crypto;
    const hmac = provider.hmacs.sha256;
    const prk = await hkdfExtract(hmac, new Uint8Array(0), secret);
    return hkdfExpand(hmac, prk, typeof info === "string" ? encoder.encode(info) : info, length);
  }
}

async function resolveCrypto(
  given: CryptoProvider | undefined,
  secret: Uint8Array | undefined,
): Promise<TicketCrypto> {
  const provider = given ?? await webCryptoProvider();
  const aead = provider.cipherSuites.find((s) => s.aead.kind === "Aes256Gcm")?.aead;
  if (!aead) throw new TypeError("RotatingTicketer: the provider has no AES-256-GCM");
  return { provider, aead, secret: secret ?? provider.randomBytes(32) };
}
