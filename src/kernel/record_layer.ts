/**
 * A record layer for the other side of the kernel hand-off.
 *
 * After `dangerousIntoKernelConnection()` the caller owns the data plane.
 * {@link KernelRecordLayer} does that job using nothing but the
 * {@link ExtractedSecrets} and the `KernelConnection`: it seals and opens
 * TLS 1.3 records for a byte stream, answers and applies KeyUpdate, passes
 * NewSessionTicket to the connection, handles alerts and close_notify, and
 * replaces its send key before the suite's confidentiality limit.
 *
 * TLS 1.2 connections work too: records are sealed and opened (AES-GCM with
 * an explicit nonce, ChaCha20-Poly1305 per RFC 7905); there is no KeyUpdate,
 * so `seal` refuses (`EncryptError`, detail `ConfidentialityLimitReached`)
 * once the next record would leave no room below the limit for close_notify,
 * and any handshake message from the peer (a renegotiation attempt) is
 * unexpected_message.
 *
 * What the peer may send (alert levels, KeyUpdate limits, tickets, empty
 * records, interleaving, close_notify) is decided by the same post-handshake
 * policy as on the connection before the hand-off, so both refuse the same
 * input with the same alert.
 *
 * It does no I/O. The caller still owns:
 * - moving bytes: feed what the transport received to
 *   {@link KernelRecordLayer.open}, and write every byte string the layer
 *   returns (from `seal`, `keyUpdate`, `closeNotify` and `open(...).toSend`) in
 *   the order the promises resolve; write `toSend` as soon as `open()`
 *   resolves, before awaiting anything else: sends queued after an answer in
 *   `toSend` are chained behind that promise's settlement (no timer), so they
 *   resolve only after the code awaiting `open()` has run;
 * - closing the transport after close_notify went out or came in;
 * - after a fatal `TlsError`, sending {@link KernelRecordLayer.fatalAlert}'s
 *   record and closing: the layer refuses any further work;
 * - anything beyond application traffic (post-handshake client authentication
 *   and early data are not handled).
 *
 * @example
 * ```ts
 * import { KernelRecordLayer } from "@kerneltls/tls/kernel-record-layer";
 * import type { ExtractedSecrets, KernelConnection } from "@kerneltls/tls";
 *
 * async function dataPlane(secrets: ExtractedSecrets, connection: KernelConnection) {
 *   const layer = await KernelRecordLayer.create(secrets, connection);
 *   const wire = await layer.seal(new TextEncoder().encode("GET / HTTP/1.1\r\n\r\n"));
 *   // write `wire` to the socket; for each chunk read from it:
 *   const { data, toSend, peerClosed } = await layer.open(new Uint8Array(0));
 *   console.log(wire.length, data.length, toSend.length, peerClosed);
 * }
 * void dataPlane;
 * ```
 *
 * @module
 */

import { TlsError, tlsError } from "../error.ts";
import type { Aead, AeadKey, AeadKind } from "../crypto/types.ts";
import { webCryptoProvider } from "../crypto/webcrypto/provider.ts";
import type {
  ConnectionTrafficSecrets,
  DirectionSecrets,
  ExtractedSecrets,
  KernelCipherSuite,
} from "../conn/kernel.ts";
import { ContentType } from "../msgs/enums.ts";
import {
  closeNotifyPayload,
  fatalAlertPayload,
  noRenegotiationPayload,
} from "../post_handshake/alerts.ts";
import { keyUpdateMessage, mustAnswerKeyUpdate } from "../post_handshake/key_update.ts";
import { concat } from "../_bytes.ts";
import { type Planned, planSeal } from "./_seal_plan.ts";
import { limitRecordSize, protectionFor, type RecordProtection } from "../record/protection.ts";
import { ProtectedReader, ProtectedWriter } from "../record/record_io.ts";
import { Receiver } from "./_receiver.ts";
import { checkSeq, findAead, install } from "./_keys.ts";
import { type LayerSettings, layerSettings } from "./_options.ts";
import type {
  AeadSource,
  KernelConnectionLike,
  KernelRecordLayerOptions,
  KernelRecordLayerStats,
  OpenResult,
} from "./types.ts";

const EMPTY: Uint8Array = new Uint8Array(0);

/**
 * Seals and opens TLS 1.3 records after the kernel hand-off. See the module
 * documentation for what the caller owns.
 *
 * Sends are serialized on one queue (sequence numbers are taken in call
 * order) and receives on another; inside one call up to `maxInFlight` AEAD
 * operations run at once and the output keeps record order.
 *
 * @example
 * ```ts
 * import { KernelRecordLayer } from "@kerneltls/tls/kernel-record-layer";
 * import type { KernelConnectionLike } from "@kerneltls/tls/kernel-record-layer";
 *
 * // Two ends of one direction, built by hand (a real connection comes from
 * // dangerousIntoKernelConnection()).
 * const key = { kind: "Aes128Gcm" as const, key: new Uint8Array(16), iv: new Uint8Array(12) };
 * const secrets = { tx: { seq: 0n, secrets: key }, rx: { seq: 0n, secrets: key } };
 * const connection: KernelConnectionLike = {
 *   protocolVersion: "TLSv1_3",
 *   negotiatedCipherSuite: {
 *     id: 0x1301,
 *     name: "TLS_AES_128_GCM_SHA256",
 *     kind: "Aes128Gcm",
 *     confidentialityLimit: 2n ** 24n,
 *   },
 *   updateTxSecret: () => Promise.reject(new Error("not in this example")),
 *   updateRxSecret: () => Promise.reject(new Error("not in this example")),
 * };
 * const a = await KernelRecordLayer.create(secrets, connection);
 * const b = await KernelRecordLayer.create(secrets, connection);
 * const wire = await a.seal(new TextEncoder().encode("hello"));
 * const { data } = await b.open(wire);
 * console.log(new TextDecoder().decode(data[0])); // hello
 * ```
 */
export class KernelRecordLayer {
  /** The negotiated suite, as the connection reported it. */
  readonly cipherSuite: KernelCipherSuite;
  readonly #conn: KernelConnectionLike;
  readonly #aead: Aead;
  readonly #protection: RecordProtection;
  readonly #maxFragment: number;
  readonly #maxInFlight: number;
  readonly #limit: bigint;
  #tx: ProtectedWriter;
  readonly #receiver: Receiver;
  #txQueue: Promise<unknown> = Promise.resolve();
  #rxQueue: Promise<unknown> = Promise.resolve();
  /** Holds sends queued after an answer in `toSend` until `open()` has returned it. */
  #txGate: Promise<void> = Promise.resolve();
  #closeSent = false;
  readonly #tls12: boolean;
  #error: unknown;
  #alertTaken = false;
  readonly #stats: KernelRecordLayerStats = {
    recordsSealed: 0,
    recordsOpened: 0,
    txKeyUpdates: 0,
    rxKeyUpdates: 0,
    ticketsHandled: 0,
  };

  private constructor(
    conn: KernelConnectionLike,
    aead: Aead,
    protection: RecordProtection,
    tx: ProtectedWriter,
    rx: ProtectedReader,
    options: LayerSettings,
  ) {
    this.cipherSuite = conn.negotiatedCipherSuite;
    this.#conn = conn;
    this.#aead = aead;
    this.#protection = protection;
    this.#tx = tx;
    this.#maxFragment = options.maxFragment;
    this.#maxInFlight = options.maxInFlight;
    this.#limit = options.limit;
    this.#tls12 = conn.protocolVersion === "TLSv1_2";
    this.#receiver = new Receiver({
      conn,
      aead,
      protection,
      reader: rx,
      maxInFlight: options.maxInFlight,
      maxKeyUpdates: options.maxKeyUpdates,
      stats: this.#stats,
    });
  }

  /**
   * Imports both directions' keys. `secrets` may be a `structuredClone` of
   * what `dangerousIntoKernelConnection()` returned; it is not kept.
   *
   * @throws {TypeError} When the provider lacks the suite's AEAD or the
   * secrets are for another AEAD; `RangeError` for bad options.
   */
  static async create(
    secrets: ExtractedSecrets,
    connection: KernelConnectionLike,
    options: KernelRecordLayerOptions = {},
  ): Promise<KernelRecordLayer> {
    const settings = layerSettings(options, connection);
    const provider = options.provider ?? await webCryptoProvider();
    const aead = findAead(provider, connection.negotiatedCipherSuite.kind);
    const txSeq = checkSeq(secrets.tx.seq);
    const rxSeq = checkSeq(secrets.rx.seq);
    const [tx, rx] = await Promise.all([
      install(aead, secrets.tx.secrets),
      install(aead, secrets.rx.secrets),
    ]);
    // RFC 8449: the limits the handshake negotiated hold after the hand-off too.
    const limit = connection.recordSizeLimit;
    const base = protectionFor(connection.protocolVersion, aead.kind);
    const protection = limit === undefined ? base : limitRecordSize(base, limit);
    const writer = new ProtectedWriter(protection, tx, txSeq);
    const reader = new ProtectedReader(protection, rx, rxSeq);
    return new KernelRecordLayer(connection, aead, protection, writer, reader, settings);
  }

  /** Sequence number of the next record we send under the current key. */
  get txSeq(): bigint {
    return this.#tx.seq;
  }

  /** Sequence number of the next record we expect under the current key. */
  get rxSeq(): bigint {
    return this.#receiver.seq;
  }

  /** True once the peer's close_notify was read. */
  get peerClosed(): boolean {
    return this.#receiver.peerClosed;
  }

  /** True once {@link KernelRecordLayer.closeNotify} was called. */
  get closeSent(): boolean {
    return this.#closeSent;
  }

  /** The error that ended the layer, if one did. */
  get error(): unknown {
    return this.#error;
  }

  /** A snapshot of the counters. */
  get stats(): KernelRecordLayerStats {
    return { ...this.#stats };
  }

  /**
   * Seals `data` as application data records of at most `maxFragmentSize`
   * bytes each, and returns them concatenated (empty for empty `data`). When
   * the next record would reach the confidentiality limit, a KeyUpdate goes
   * out first and the send key moves forward.
   *
   * @throws {TypeError} After {@link KernelRecordLayer.closeNotify}.
   */
  seal(data: Uint8Array): Promise<Uint8Array> {
    if (!(data instanceof Uint8Array)) {
      return Promise.reject(new TypeError("data must be a Uint8Array"));
    }
    if (this.#closeSent) return Promise.reject(new TypeError("close_notify was already sent"));
    // Planning seals nothing, so its refusal (TLS 1.2 at the limit) leaves the layer usable.
    return this.#send((plan) => this.#sealData(plan), () => this.#planSeal(data));
  }

  /**
   * Sends a KeyUpdate under the current key, then moves the send key
   * forward. With `requestPeer` the peer must answer with its own KeyUpdate,
   * which {@link KernelRecordLayer.open} will apply.
   */
  keyUpdate(requestPeer: boolean): Promise<Uint8Array> {
    if (this.#tls12) {
      return Promise.reject(
        tlsError("General", "UnsupportedInTls12", "TLS 1.2 connections have no KeyUpdate"),
      );
    }
    if (this.#closeSent) return Promise.reject(new TypeError("close_notify was already sent"));
    return this.#send(() => this.#sealKeyUpdate(requestPeer));
  }

  /** Seals a close_notify alert. Nothing can be sealed after it. */
  closeNotify(): Promise<Uint8Array> {
    if (this.#closeSent) return Promise.reject(new TypeError("close_notify was already sent"));
    this.#closeSent = true;
    return this.#send(() => this.#sealOne(ContentType.alert, closeNotifyPayload()));
  }

  /**
   * After a fatal error, the record carrying our alert for it (sealed under
   * the current send key), once; empty when there is nothing to send (no
   * error, an alert received from the peer, or close_notify already sent).
   */
  async fatalAlert(): Promise<Uint8Array> {
    const e = this.#error;
    if (
      !(e instanceof TlsError) || e.alert === undefined || e.alertDirection !== "sent" ||
      this.#alertTaken || this.#closeSent
    ) {
      return EMPTY;
    }
    this.#alertTaken = true;
    await this.#txQueue;
    return await this.#tx.write(ContentType.alert, fatalAlertPayload(e.alert));
  }

  /**
   * Feeds bytes received from the peer. Complete records are decrypted (up to
   * `maxInFlight` at once, handled in order); a trailing partial record is
   * kept (at most one record, so at most 16645 bytes) for the next call.
   * Calls are processed one after another; `bytes` must not change until the
   * promise settles.
   *
   * The peer's records are judged by the same post-handshake policy as the
   * connection's before the hand-off, with the same errors.
   *
   * @throws {TlsError} `bad_record_mac` for a record that does not
   * authenticate; `record_overflow` for an oversized record;
   * `unexpected_message` for a wrong record or message type, a
   * NewSessionTicket on a server kernel, a record inside a fragmented
   * handshake message, more than 32 records in a row that carry nothing
   * (empty data, warning alerts), KeyUpdates beyond their budget (see
   * `maxKeyUpdates`), or anything after close_notify; `illegal_parameter`
   * for a bad KeyUpdate value or alert level; `decode_error` for malformed
   * alerts and messages; `no_renegotiation` for a second TLS 1.2
   * renegotiation request (the first gets a warning in `toSend`);
   * `AlertReceived` for the peer's error alert (TLS 1.3: any alert but
   * close_notify and a warning user_canceled). The layer is dead afterwards.
   */
  open(bytes: Uint8Array): Promise<OpenResult> {
    if (!(bytes instanceof Uint8Array)) {
      return Promise.reject(new TypeError("bytes must be a Uint8Array"));
    }
    // `returned` exists by the time the job runs (a later microtask).
    const job = this.#rxQueue.then(() => this.#openNow(bytes, returned));
    // Registered before the caller can await `job`, so a send chained on
    // `returned` resumes only after the caller's continuation has run.
    const returned: Promise<void> = job.then(() => {}, () => {});
    this.#rxQueue = returned;
    return job;
  }

  async #openNow(bytes: Uint8Array, returned: Promise<void>): Promise<OpenResult> {
    if (this.#error !== undefined) throw this.#error;
    try {
      const { data, answer, refuse } = await this.#receiver.receive(bytes);
      let toSend: Uint8Array = EMPTY;
      if ((answer || refuse) && !this.#closeSent) {
        toSend = await this.#send(() => this.#sealAnswers(answer, refuse, returned));
      }
      return { data, toSend, peerClosed: this.#receiver.peerClosed };
    } catch (e) {
      this.#error ??= e;
      throw e;
    }
  }

  /**
   * Runs `job` after the sends before it. `prepare` runs first, in the same
   * turn: what it throws refuses this send alone; a failure of `job` (other
   * than API misuse) ends the layer.
   */
  #send<T, P = void>(job: (prepared: P) => Promise<T>, prepare?: () => P): Promise<T> {
    const run = this.#txQueue.then(async () => {
      await this.#txGate;
      if (this.#error !== undefined) throw this.#error;
      const prepared = prepare?.() as P;
      try {
        return await job(prepared);
      } catch (e) {
        if (!(e instanceof TypeError) && !(e instanceof RangeError)) this.#error ??= e;
        throw e;
      }
    });
    this.#txQueue = run.catch(() => {});
    return run;
  }

  #planSeal(data: Uint8Array): Planned[] {
    return planSeal(data, this.#tx.seq, {
      maxFragment: this.#maxFragment,
      limit: this.#limit,
      tls12: this.#tls12,
    });
  }

  async #sealData(plan: Planned[]): Promise<Uint8Array> {
    let total = 0;
    for (const p of plan) total += this.#protection.recordLen(p.payload.length);
    const out = new Uint8Array(total);
    const inFlight: Promise<void>[] = [];
    let offset = 0;
    for (const p of plan) {
      const len = this.#protection.recordLen(p.payload.length);
      const slot = out.subarray(offset, offset + len);
      offset += len;
      if (inFlight.length >= this.#maxInFlight) await inFlight.shift();
      const sealing = this.#tx.writeInto(p.contentType, p.payload, slot);
      sealing.catch(() => {}); // observed below; this keeps an early failure from going unhandled
      inFlight.push(sealing);
      this.#stats.recordsSealed++;
      // Records already started hold the old key; the rest wait for the new one.
      if (p.rotate) await this.#rotateTx();
    }
    await Promise.all(inFlight);
    return out;
  }

  async #sealOne(contentType: number, payload: Uint8Array): Promise<Uint8Array> {
    const out = await this.#tx.write(contentType, payload);
    this.#stats.recordsSealed++;
    return out;
  }

  async #sealKeyUpdate(requestPeer: boolean): Promise<Uint8Array> {
    const record = await this.#sealOne(ContentType.handshake, keyUpdateMessage(requestPeer));
    await this.#rotateTx();
    return record;
  }

  async #rotateTx(): Promise<void> {
    const next = await this.#conn.updateTxSecret();
    const key = await install(this.#aead, next.secrets);
    this.#tx = new ProtectedWriter(this.#protection, key, checkSeq(next.seq));
    this.#stats.txKeyUpdates++;
  }

  /**
   * On the send queue, after the sends queued before: our no_renegotiation
   * warning and our KeyUpdate answer, when the policy asks for them now.
   */
  async #sealAnswers(
    answer: boolean,
    refuse: boolean,
    returned: Promise<void>,
  ): Promise<Uint8Array> {
    const parts: Uint8Array[] = [];
    if (refuse) parts.push(await this.#sealOne(ContentType.alert, noRenegotiationPayload()));
    const silentSinceOurUpdate = this.#stats.txKeyUpdates > 0 && this.#tx.seq === 0n;
    if (answer && mustAnswerKeyUpdate(1, { closed: this.#closeSent, silentSinceOurUpdate })) {
      parts.push(await this.#sealKeyUpdate(false));
    }
    if (parts.length === 0) return EMPTY;
    // Set inside the job, so the next send is sure to see it.
    this.#txGate = returned;
    return parts.length === 1 ? parts[0] : concat(...parts);
  }
}

// Re-exported so this entry point documents every type its API mentions.
export type { Aead, AeadKey, AeadKind, AeadSource, ConnectionTrafficSecrets, DirectionSecrets };
export type { ExtractedSecrets, KernelCipherSuite, KernelConnectionLike, OpenResult };
export type { KernelRecordLayerOptions, KernelRecordLayerStats };
