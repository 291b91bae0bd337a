/**
 * The handshake transcript as a byte log, hashed on demand (RFC 8446 section
 * 4.4.1). Keeping bytes rather than a running hash lets the engine hash before
 * the suite (and so the hash) is known, and hash prefixes for PSK binders.
 * When the hash can run incrementally (`Hash.start`), a running state for the
 * last hash asked for absorbs each message once, and a snapshot finishes a
 * copy of it, so a handshake's many snapshots do not re-hash the whole log.
 *
 * @module
 */

import { concat } from "../_bytes.ts";
import { HandshakeType } from "../msgs/enums.ts";
import type { Hash, HashState } from "../crypto/types.ts";

/**
 * Concatenated encoded handshake messages (each with its 4-byte header).
 *
 * @example
 * ```ts
 * import { Transcript } from "./transcript.ts";
 * import { sha256 } from "../crypto/webcrypto/hash.ts";
 * const t = new Transcript();
 * t.add(new Uint8Array([1, 0, 0, 1, 0xaa]));
 * console.log(t.byteLength, (await t.hash(sha256)).length); // 5 32
 * ```
 */
export class Transcript {
  #parts: Uint8Array[] = [];
  #length = 0;
  // The running hash: which hash, its state, and how many logged bytes it has absorbed.
  #running: { hash: Hash; state: HashState; absorbed: number } | undefined;

  /** Appends one encoded handshake message (header and body); the bytes are copied. */
  add(encodedMessage: Uint8Array): void {
    this.#parts.push(encodedMessage.slice());
    this.#length += encodedMessage.length;
  }

  /** Total bytes logged. */
  get byteLength(): number {
    return this.#length;
  }

  /** A copy of every byte logged so far. */
  bytes(): Uint8Array {
    return this.#compact().slice();
  }

  /** Transcript-Hash of the messages so far. */
  hash(hash: Hash): Promise<Uint8Array> {
    const state = this.#runningState(hash);
    if (!state) return hash.digest(this.#compact());
    return Promise.resolve(state.clone().digest());
  }

  /**
   * Transcript-Hash as if `extraBytes` were appended, without appending them:
   * the hash over a ClientHello truncated before its binders (RFC 8446 section
   * 4.2.11.2), or over a message the caller has not yet committed to.
   */
  hashWith(hash: Hash, extraBytes: Uint8Array): Promise<Uint8Array> {
    const state = this.#runningState(hash);
    if (!state) return hash.digest(concat(this.#compact(), extraBytes));
    const copy = state.clone();
    copy.update(extraBytes);
    return Promise.resolve(copy.digest());
  }

  /**
   * Replaces what is logged (ClientHello1, which must be all there is) with the
   * synthetic `message_hash` message of RFC 8446 section 4.4.1:
   * `254 || 00 00 Hash.length || Hash(ClientHello1)`. Call it on receiving (or
   * sending) a HelloRetryRequest, before adding the HelloRetryRequest itself.
   * Messages added while the hash is computed are kept after the replacement.
   *
   * @throws {RangeError} When nothing is logged yet.
   */
  async rewriteForHelloRetryRequest(hash: Hash): Promise<void> {
    if (this.#length === 0) throw new RangeError("no ClientHello to replace");
    const clientHello1Len = this.#length;
    const digest = await hash.digest(this.#compact());
    const synthetic = new Uint8Array(4 + digest.length);
    synthetic[0] = HandshakeType.message_hash;
    synthetic[3] = digest.length;
    synthetic.set(digest, 4);
    const later = this.#compact().slice(clientHello1Len);
    this.#parts = [synthetic, later];
    this.#length = synthetic.length + later.length;
    this.#running = undefined;
  }

  /** The running state of `hash` brought up to date, or undefined when it has none. */
  #runningState(hash: Hash): HashState | undefined {
    if (!hash.start) return undefined;
    let r = this.#running;
    if (r?.hash !== hash) r = this.#running = { hash, state: hash.start(), absorbed: 0 };
    let offset = 0;
    for (const part of this.#parts) {
      const end = offset + part.length;
      if (end > r.absorbed) r.state.update(part.subarray(Math.max(0, r.absorbed - offset)));
      offset = end;
    }
    r.absorbed = offset;
    return r.state;
  }

  #compact(): Uint8Array {
    if (this.#parts.length !== 1) this.#parts = [concat(...this.#parts)];
    return this.#parts[0];
  }
}
