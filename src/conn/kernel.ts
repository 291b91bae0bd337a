/**
 * The kernel connection hand-off, modelled on rustls's `kernel` module.
 *
 * After `dangerousIntoKernelConnection()` the caller owns the record layer:
 * encryption and decryption with {@link ExtractedSecrets}, sequence numbers,
 * sending and parsing alerts (including close_notify), parsing the
 * post-handshake handshake messages the peer sends (KeyUpdate,
 * NewSessionTicket), sending its own KeyUpdate, and tracking the suite's
 * confidentiality limit. The {@link KernelConnection} only keeps what still
 * needs TLS state: deriving the next traffic secrets, and turning session
 * tickets into resumable sessions.
 *
 * @module
 */

import { tlsError } from "../error.ts";
import type { AeadKind, SupportedCipherSuite, Tls13CipherSuite } from "../crypto/types.ts";
import { Reader } from "../msgs/codec.ts";
import { readNewSessionTicket } from "../msgs/new_session_ticket.ts";
import { nextTrafficSecret, trafficKeys } from "../tls13/key_schedule.ts";
import { storeTicket, type TicketContext } from "../client/tickets.ts";
import type { Exporter } from "../common/exporter.ts";

/**
 * Key and IV for one direction. `iv` is always 12 bytes.
 *
 * @example
 * ```ts
 * import type { ConnectionTrafficSecrets } from "@kerneltls/tls";
 * const tx: ConnectionTrafficSecrets = {
 *   kind: "Aes128Gcm",
 *   key: new Uint8Array(16),
 *   iv: new Uint8Array(12),
 * };
 * console.log(tx.key.length, tx.iv.length); // 16 12
 * ```
 */
export interface ConnectionTrafficSecrets {
  /** The AEAD these belong to. */
  kind: AeadKind;
  /** The AEAD key (16 or 32 bytes). */
  key: Uint8Array;
  /**
   * The 12-byte IV that is XORed with the sequence number to form each nonce.
   * TLS 1.3: the traffic IV. TLS 1.2 ChaCha20-Poly1305: the write IV from the
   * key block (RFC 7905). TLS 1.2 AES-GCM: the 4-byte salt (client/server
   * write IV of the key block) followed by the 8 key block bytes that come
   * after both salts; the explicit nonce we send is the last 8 bytes of
   * `iv XOR seq`. A receiver only needs the salt (the peer's records carry
   * their explicit nonce); kTLS takes salt = iv[0..4] and iv = iv[4..12].
   */
  iv: Uint8Array;
}

/**
 * One direction's state at the hand-off (or after an update).
 *
 * @example
 * ```ts
 * import type { DirectionSecrets } from "@kerneltls/tls";
 * const rx: DirectionSecrets = {
 *   seq: 0n,
 *   secrets: { kind: "Chacha20Poly1305", key: new Uint8Array(32), iv: new Uint8Array(12) },
 * };
 * console.log(rx.seq); // 0n: the next record to open
 * ```
 */
export interface DirectionSecrets {
  /** Records already protected under this key: the next record's sequence number. */
  seq: bigint;
  /** Key material. */
  secrets: ConnectionTrafficSecrets;
  /**
   * TLS 1.3 only: the current application traffic secret, for layers that
   * derive keys themselves (QUIC-style).
   */
  trafficSecret?: Uint8Array;
}

/**
 * The traffic keys of a connection, as plain data: it survives
 * `structuredClone` and `postMessage` to a Worker.
 *
 * Being plain data is the contract, so it is the one object of this library
 * that prints its keys: never log it or serialize it anywhere but to the
 * record layer that takes over. Every other public object (configs,
 * connections, states, kernel connections, `KernelRecordLayer`, ticketers,
 * session stores) keeps key material out of `console.log`, `Deno.inspect`,
 * `node:util` `inspect` and `JSON.stringify`.
 *
 * @example
 * ```ts
 * import type { ExtractedSecrets } from "@kerneltls/tls";
 * function toWorker(worker: Worker, secrets: ExtractedSecrets): void {
 *   worker.postMessage({ secrets }); // plain data: survives structuredClone
 * }
 * void toWorker;
 * ```
 */
export interface ExtractedSecrets {
  /** What we send with. */
  tx: DirectionSecrets;
  /** What we receive with. */
  rx: DirectionSecrets;
}

/**
 * The suite facts a kernel record layer needs.
 *
 * @example
 * ```ts
 * import type { KernelCipherSuite } from "@kerneltls/tls";
 * const suite: KernelCipherSuite = {
 *   id: 0x1301,
 *   name: "TLS_AES_128_GCM_SHA256",
 *   kind: "Aes128Gcm",
 *   confidentialityLimit: 2n ** 24n,
 * };
 * console.log(suite.kind); // Aes128Gcm
 * ```
 */
export interface KernelCipherSuite {
  /** IANA code point. */
  readonly id: number;
  /** IANA name. */
  readonly name: string;
  /** The AEAD. */
  readonly kind: AeadKind;
  /** Records one key may protect before it must be replaced. */
  readonly confidentialityLimit: bigint;
}

/** What the kernel connection needs from the handshake. */
export interface KernelInit {
  /** Negotiated version. */
  protocolVersion: "TLSv1_3" | "TLSv1_2";
  /** Negotiated suite. */
  suite: SupportedCipherSuite;
  /** TLS 1.3: current application traffic secrets. */
  txSecret?: Uint8Array;
  /** TLS 1.3: current application traffic secrets. */
  rxSecret?: Uint8Array;
  /** Client only: where tickets go. */
  tickets?: TicketContext;
  /** The connection's keying-material exporter. */
  exporter?: Exporter;
  /** Largest plaintext per record we may send (the config's, or the peer's record_size_limit). */
  maxFragmentSize?: number;
  /** Our record_size_limit (RFC 8449) when it was negotiated. */
  recordSizeLimit?: number;
  /** TLS 1.3: the peer's KeyUpdate allowance as the connection left it. */
  peerKeyUpdates?: { readonly max: number; readonly taken: number };
}

/**
 * The TLS state left after the hand-off. See the module documentation for what
 * the caller owns from now on.
 *
 * @example
 * ```ts
 * import type { KernelConnection } from "@kerneltls/tls";
 * async function onPeerKeyUpdate(kernel: KernelConnection) {
 *   const { seq, secrets } = await kernel.updateRxSecret();
 *   console.log(seq, secrets.kind); // 0n, then install secrets in the record layer
 * }
 * void onPeerKeyUpdate;
 * ```
 */
export class KernelConnection {
  /** `"TLSv1_3"` or `"TLSv1_2"`. */
  readonly protocolVersion: "TLSv1_3" | "TLSv1_2";
  /** The negotiated suite. */
  readonly negotiatedCipherSuite: KernelCipherSuite;
  /**
   * Largest plaintext a record we send may carry: the config's
   * `maxFragmentSize`, or less when the peer's record_size_limit (RFC 8449)
   * asked for less. `KernelRecordLayer` cuts its records to it.
   */
  readonly maxFragmentSize: number;
  /**
   * Our record_size_limit (RFC 8449) when the handshake negotiated it: the
   * most bytes a record from the peer may decrypt to (TLS 1.3: content,
   * content type byte and padding); `KernelRecordLayer` refuses larger ones
   * with record_overflow. Undefined when the peer did not take part.
   */
  readonly recordSizeLimit: number | undefined;
  /**
   * TLS 1.3: the peer's KeyUpdate allowance as the connection left it: the
   * config's `maxKeyUpdates` and how many the connection took.
   * `KernelRecordLayer` goes on from there.
   */
  readonly peerKeyUpdates: { readonly max: number; readonly taken: number } | undefined;
  readonly #suite: SupportedCipherSuite;
  #tx: Uint8Array | undefined;
  #rx: Uint8Array | undefined;
  readonly #exporter: Exporter | undefined;

  /** @ignore Created by `dangerousIntoKernelConnection()`. */
  constructor(init: KernelInit) {
    this.protocolVersion = init.protocolVersion;
    this.maxFragmentSize = init.maxFragmentSize ?? 16384;
    this.recordSizeLimit = init.recordSizeLimit;
    this.peerKeyUpdates = init.peerKeyUpdates;
    this.#exporter = init.exporter;
    this.#suite = init.suite;
    this.#tx = init.txSecret;
    this.#rx = init.rxSecret;
    this.negotiatedCipherSuite = Object.freeze({
      id: init.suite.id,
      name: init.suite.name,
      kind: init.suite.aead.kind,
      confidentialityLimit: init.suite.confidentialityLimit,
    });
  }

  /**
   * Moves our send secret one generation forward ("traffic upd", RFC 8446
   * section 7.2). Call it right after sending a KeyUpdate under the old key.
   */
  async updateTxSecret(): Promise<DirectionSecrets> {
    const suite = this.#tls13("update");
    this.#tx = await nextTrafficSecret(suite.hmac, this.#tx!);
    return directionSecrets(suite, this.#tx, 0n);
  }

  /** Moves the receive secret forward. Call it after reading the peer's KeyUpdate. */
  async updateRxSecret(): Promise<DirectionSecrets> {
    const suite = this.#tls13("update");
    this.#rx = await nextTrafficSecret(suite.hmac, this.#rx!);
    return directionSecrets(suite, this.#rx, 0n);
  }

  /**
   * Keying material exactly as the connection would have exported it before
   * the hand-off (same rules and errors as
   * `UnbufferedConnectionCommon.exportKeyingMaterial`); the exporter secret
   * does not change with KeyUpdate.
   */
  async exportKeyingMaterial(
    label: string,
    context: Uint8Array | undefined,
    length: number,
  ): Promise<Uint8Array> {
    if (!this.#exporter) throw tlsError("General", "NoExporter", "this connection has no exporter");
    return await this.#exporter.export(label, context, length);
  }

  /** @ignore */
  protected tls13Suite(what: "update" | "ticket"): Tls13CipherSuite {
    return this.#tls13(what);
  }

  #tls13(what: "update" | "ticket"): Tls13CipherSuite {
    if (this.#suite.version !== "TLSv1_3") {
      throw tlsError(
        "General",
        "UnsupportedInTls12",
        what === "update"
          ? "TLS 1.2 connections do not support traffic secret updates"
          : "TLS 1.2 session tickets may not be sent once the handshake has completed",
      );
    }
    return this.#suite;
  }
}

/**
 * The client's kernel connection: it can also store session tickets.
 *
 * @example
 * ```ts
 * import type { ClientKernelConnection } from "@kerneltls/tls";
 * // The record layer found a NewSessionTicket (handshake type 4) from the server.
 * async function onTicket(kernel: ClientKernelConnection, message: Uint8Array): Promise<void> {
 *   await kernel.handleNewSessionTicket(message.subarray(4)); // body, without the header
 * }
 * void onTicket;
 * ```
 */
export class ClientKernelConnection extends KernelConnection {
  readonly #tickets: TicketContext | undefined;

  /** @ignore Created by `dangerousIntoKernelConnection()`. */
  constructor(init: KernelInit) {
    super(init);
    this.#tickets = init.tickets;
  }

  /**
   * Parses a TLS 1.3 NewSessionTicket body (without its 4-byte handshake
   * header), derives the resumption PSK and stores the ticket in the client
   * config's session store, so a later connection to the same server name can
   * resume. Malformed input rejects with an `InvalidMessage` TlsError.
   */
  async handleNewSessionTicket(body: Uint8Array): Promise<void> {
    this.tls13Suite("ticket");
    if (!(body instanceof Uint8Array)) throw new TypeError("body must be a Uint8Array");
    const nst = readNewSessionTicket(new Reader(body.slice(), "NewSessionTicket"));
    if (this.#tickets) await storeTicket(this.#tickets, nst);
  }
}

/** Key and IV for `secret` under `suite`. */
export async function directionSecrets(
  suite: Tls13CipherSuite,
  secret: Uint8Array,
  seq: bigint,
): Promise<DirectionSecrets> {
  const { key, iv } = await trafficKeys(suite.hmac, suite.aead, secret);
  return { seq, secrets: { kind: suite.aead.kind, key, iv }, trafficSecret: secret.slice() };
}
