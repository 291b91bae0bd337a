/**
 * The connection core shared by client and server: it reads records from the
 * caller's buffer, feeds handshake messages to the current handshake state,
 * queues records to encode, holds decrypted application data until the caller
 * takes it, and turns every failure into one fatal alert and a dead connection.
 *
 * The public state objects in `src/conn/` are thin views over this class. Its
 * parts have a file each: the inbound record loop (`record_loop.ts`), the
 * outbound queue and writer (`outbound_writer.ts`), the queue of decrypted
 * application data (`app_queue.ts`) and the server's 0-RTT budgets
 * (`early_data_inbound.ts`).
 *
 * @module
 */

import { AlertDescription, AlertLevel } from "../msgs/enums.ts";
import { TlsError, tlsError } from "../error.ts";
import type { HandshakeMessage } from "../record/handshake_joiner.ts";
import { InboundPolicy } from "../post_handshake/inbound_policy.ts";
import type { RecordReader, RecordWriter } from "../record/record_io.ts";
import type { ConnectionInfo } from "./info.ts";
import type { Tls13Traffic } from "./tls13_traffic.ts";
import type { Tls12Traffic } from "../tls12/traffic.ts";
import type { Exporter } from "./exporter.ts";
import { encryptAppData, encryptedSize, writeCloseNotify } from "./app_write.ts";
import type { AppRecord, CoreOptions, CoreStep, EarlyDataSender } from "./core_types.ts";
import { Outbound } from "./outbound_writer.ts";
import { InboundRecords } from "./record_loop.ts";

/** One awaited handshake message: `handle` returns the state that awaits the next. */
export interface HandshakeState {
  /** Class-like name, used in state transcripts (for example `"ExpectServerHello"`). */
  readonly name: string;
  /** Processes one complete handshake message. */
  handle(cx: ConnectionCore, msg: HandshakeMessage): Promise<HandshakeState>;
}

export type { CoreOptions, CoreStep, EarlyDataSender } from "./core_types.ts";

/** The shared engine behind a client or server connection. */
export class ConnectionCore {
  /** What the peer may send: interleaving, alerts, idle records, post-handshake messages. */
  readonly #policy: InboundPolicy;
  readonly #outbound: Outbound;
  readonly #inbound: InboundRecords;
  #state: HandshakeState;
  readonly #stateLog: string[] = [];
  #peerClosed = false;
  #weClosed = false;
  #error: TlsError | undefined;
  readonly #info: ConnectionInfo = { handshakeKind: undefined };
  #handshakeComplete = false;
  #ccsAllowed = false;
  #tls13: Tls13Traffic | undefined;
  #tls12: Tls12Traffic | undefined;
  #exporter: Exporter | undefined;
  /**
   * TLS 1.2: what the peer's change_cipher_spec does (install the new read
   * key); a CCS at any other moment of a TLS 1.2 handshake is unexpected_message.
   */
  #pendingCcs: (() => Promise<void>) | undefined;
  #earlyData: EarlyDataSender | undefined;
  #earlyDataAccepted: boolean | undefined;

  /** Starts in `initial`, with records in clear. */
  constructor(initial: HandshakeState, options: CoreOptions) {
    this.#state = initial;
    this.#stateLog.push(initial.name);
    this.#outbound = new Outbound(options.maxFragmentSize);
    this.#policy = new InboundPolicy({ side: options.side, maxKeyUpdates: options.maxKeyUpdates });
    this.#inbound = new InboundRecords(this, {
      pendingTransmit: () => this.#outbound.pendingTransmit,
      takePendingCcs: () => {
        const install = this.#pendingCcs;
        this.#pendingCcs = undefined;
        return install;
      },
      closeNotifyReceived: () => {
        this.#peerClosed = true;
      },
      handshakeMessage: (msg) => this.#advance(msg),
    }, this.#policy);
  }

  /** Facts negotiated so far, for the getters. */
  get info(): Readonly<ConnectionInfo> {
    return this.#info;
  }

  /** Current handshake (or post-handshake) state. */
  get state(): HandshakeState {
    return this.#state;
  }

  /** State names in the order they were entered, for tests and debugging. */
  get stateLog(): readonly string[] {
    return this.#stateLog;
  }

  /** True once close_notify was received. */
  get peerClosed(): boolean {
    return this.#peerClosed;
  }

  /** True once we sent close_notify. */
  get weClosed(): boolean {
    return this.#weClosed;
  }

  /** The failure that killed the connection, if any. */
  get error(): TlsError | undefined {
    return this.#error;
  }

  /** True once the handshake is complete (see {@link startTraffic}). */
  get handshakeComplete(): boolean {
    return this.#handshakeComplete;
  }

  /** TLS 1.3: whether a plaintext change_cipher_spec is silently dropped now. */
  get ccsAllowed(): boolean {
    return this.#ccsAllowed;
  }

  /** TLS 1.3 application traffic secrets, once the handshake is complete. */
  get tls13(): Tls13Traffic | undefined {
    return this.#tls13;
  }

  /** TLS 1.2 traffic keys, once the handshake has derived them (for the kernel hand-off). */
  get tls12(): Tls12Traffic | undefined {
    return this.#tls12;
  }

  /** The keying-material exporter, once the handshake is complete. */
  get exporter(): Exporter | undefined {
    return this.#exporter;
  }

  /** Client: the 0-RTT writer while early data is offered. */
  get earlyData(): EarlyDataSender | undefined {
    return this.#earlyData;
  }

  /**
   * 0-RTT outcome, kept here only (both sides): undefined when not attempted
   * or not yet known.
   */
  get earlyDataAccepted(): boolean | undefined {
    return this.#earlyDataAccepted;
  }

  /**
   * The post-handshake policy this connection shares with `KernelRecordLayer`:
   * the post-handshake states ask it what a message means.
   */
  get inbound(): InboundPolicy {
    return this.#policy;
  }

  // ---- for handshake states ----

  /** Records negotiated facts (version, suite, group, ALPN, peer chain, ...) as they are settled. */
  recordNegotiated(facts: Partial<ConnectionInfo>): void {
    Object.assign(this.#info, facts);
  }

  /**
   * The handshake is complete: application data may flow, `exporter` answers
   * and, in TLS 1.3, `tls13` holds the application traffic secrets. A
   * plaintext change_cipher_spec is unexpected from now on.
   */
  startTraffic(keys: { exporter: Exporter; tls13?: Tls13Traffic }): void {
    if (keys.tls13) this.#tls13 = keys.tls13;
    this.#exporter = keys.exporter;
    this.#ccsAllowed = false;
    this.#handshakeComplete = true;
  }

  /** TLS 1.2: the traffic keys of the key block, kept for the kernel hand-off. */
  recordTls12Keys(keys: Tls12Traffic): void {
    this.#tls12 = keys;
  }

  /**
   * TLS 1.3 middlebox compatibility (RFC 8446 D.4): from the first
   * ClientHello on, a plaintext change_cipher_spec is dropped.
   */
  allowMiddleboxCcs(): void {
    this.#ccsAllowed = true;
  }

  /** TLS 1.2 was negotiated: a CCS is welcome only where {@link expectChangeCipherSpec} says. */
  refuseMiddleboxCcs(): void {
    this.#ccsAllowed = false;
  }

  /**
   * TLS 1.2 (RFC 5246 7.1): the peer's next change_cipher_spec runs
   * `install`, which switches the read side to the peer's new key.
   */
  expectChangeCipherSpec(install: () => Promise<void>): void {
    this.#pendingCcs = install;
  }

  /** Queues an encoded handshake message under the current write protection. */
  sendHandshake(encoded: Uint8Array): void {
    this.#outbound.sendHandshake(encoded);
  }

  /**
   * Client: queues the first ClientHello. Its record alone may say 0x0301
   * (RFC 8446 section 5.1), for servers that choke on 0x0303 there; every
   * other record in clear says 0x0303.
   */
  sendInitialClientHello(encoded: Uint8Array): void {
    this.#outbound.sendInitialClientHello(encoded);
  }

  /** Queues a change_cipher_spec record (always in clear, RFC 8446 D.4). */
  sendChangeCipherSpec(): void {
    this.#outbound.sendChangeCipherSpec();
  }

  /** Queues an alert under the current write protection. */
  sendAlert(description: number, level: number = AlertLevel.fatal): void {
    this.#outbound.sendAlert(description, level);
  }

  /** Records queued from now on use `writer`. */
  setWriter(writer: RecordWriter): void {
    this.#outbound.setWriter(writer);
  }

  /** The current record writer. */
  get writer(): RecordWriter {
    return this.#outbound.writer;
  }

  /**
   * Records read from now on use `reader`. A handshake message must not span
   * the key change (RFC 8446 section 5.1).
   */
  setReader(reader: RecordReader): void {
    this.#inbound.setReader(reader);
  }

  /** The current record reader. */
  get reader(): RecordReader {
    return this.#inbound.reader;
  }

  /** Largest plaintext fragment we send: the config's, or the peer's smaller limit. */
  get maxFragmentSize(): number {
    return this.#outbound.maxFragmentSize;
  }

  /**
   * RFC 8449: the peer's record_size_limit allows at most `maxPlaintext`
   * bytes of content per record; records queued or written from now on are
   * cut to that when it is smaller than ours.
   */
  limitSentRecords(maxPlaintext: number): void {
    this.#outbound.limitFragments(maxPlaintext);
  }

  /**
   * RFC 8449: the peer now knows our record_size_limit `limit`; protected
   * records it sends from now on that decrypt to more bytes are
   * record_overflow. Accepted 0-RTT data is exempt (the client could not know
   * the limit when it sent it): the key after EndOfEarlyData gets the limit.
   */
  limitReceivedRecords(limit: number): void {
    this.#inbound.limitReceivedRecords(limit);
  }

  /** Our record_size_limit as the peer must honour it, once negotiated. */
  get receiveRecordSizeLimit(): number | undefined {
    return this.#inbound.receiveRecordSizeLimit;
  }

  /** Client: the first flight offers 0-RTT data, written through `sender`. */
  offerEarlyData(sender: EarlyDataSender): void {
    this.#earlyData = sender;
  }

  /** Client: the server's answer to our 0-RTT offer (RFC 8446 4.2.10). */
  recordEarlyDataOutcome(accepted: boolean): void {
    this.#earlyDataAccepted = accepted;
  }

  /**
   * Server: 0-RTT was accepted; application data records read under the
   * early key are queued as early data, up to `budget` plaintext bytes.
   */
  acceptEarlyData(budget: number): void {
    this.#inbound.early.accept(budget);
    this.#earlyDataAccepted = true;
  }

  /** Server: EndOfEarlyData arrived; no more early data is accepted. */
  endEarlyData(): void {
    this.#inbound.early.end();
  }

  /**
   * Server: 0-RTT was offered and refused. Protected records that do not
   * decrypt (or, before any key, records in clear of type application_data)
   * are dropped, up to `budget` bytes in all (RFC 8446 4.2.10).
   */
  skipRejectedEarlyData(budget: number): void {
    this.#inbound.early.skipRejected(budget);
    this.#earlyDataAccepted = false;
  }

  /**
   * Server: refused early data can no longer arrive (the second ClientHello
   * is in); records that do not decrypt are bad_record_mac again.
   */
  stopSkippingEarlyData(): void {
    this.#inbound.early.stopSkipping();
  }

  /**
   * True when the next handshake message is already here, complete: a state
   * may then start slow work and let the next state await it.
   */
  get handshakeMessageQueued(): boolean {
    return this.#policy.hasCompleteMessage;
  }

  /** True when no record waits to be encoded. */
  get outboundEmpty(): boolean {
    return this.#outbound.isEmpty;
  }

  // ---- for the public API ----

  /**
   * Processes as much of `incoming` as the current step allows and says what
   * the caller must do next. `discard` counts bytes at the front of `incoming`
   * that were fully processed; bytes of application records still waiting in
   * `ReadTraffic` are reported by `nextAppRecord` instead.
   */
  process(incoming: Uint8Array): Promise<{ discard: number; step: CoreStep }> {
    return this.#inbound.process(incoming);
  }

  /** Takes the next decrypted application record (0-RTT data when `early`), if any. */
  nextAppRecord(early = false): AppRecord | undefined {
    return this.#inbound.nextAppRecord(early);
  }

  /** Length of the next decrypted application record (0-RTT data when `early`), if any. */
  peekAppLength(early = false): number | undefined {
    return this.#inbound.peekAppLength(early);
  }

  /** Bytes needed to encode everything queued. */
  requiredEncodeSize(): number {
    return this.#outbound.requiredSize();
  }

  /** Encodes every queued record into `out`; see {@link Outbound.encodeInto}. */
  encodeQueued(out: Uint8Array): Promise<number> {
    return this.#outbound.encodeInto(out);
  }

  /** The caller has sent what was encoded. */
  transmitted(): void {
    this.#outbound.transmitted();
  }

  /**
   * Encrypts application data into `out` as one or more records; see
   * {@link encryptAppData}.
   */
  encryptAppData(data: Uint8Array, out: Uint8Array): Promise<number> {
    return encryptAppData(this, data, out);
  }

  /** Exact bytes `encryptAppData` writes for `length` bytes of data now. */
  encryptedSize(length: number): number {
    return encryptedSize(this, length);
  }

  /** Writes a close_notify alert into `out`; nothing may be sent after it. */
  async writeCloseNotify(out: Uint8Array): Promise<number> {
    const n = await writeCloseNotify(this, out);
    this.#weClosed = true;
    return n;
  }

  /** Marks the connection dead with `e` (wrapped when not a TlsError) and queues its alert. */
  fail(e: unknown): TlsError {
    const err = e instanceof TlsError ? e : tlsError("General", "InternalError", "internal error", {
      alert: AlertDescription.internal_error,
      cause: e,
    });
    if (!this.#error) {
      this.#error = err;
      if (err.alert !== undefined && err.alertDirection === "sent") {
        this.sendAlert(err.alert, AlertLevel.fatal);
      }
    }
    return this.#error;
  }

  /**
   * Marks the connection dead with `err` without queuing its alert (the
   * caller queues what the situation calls for, as a cancelled handshake
   * does); a connection that already failed keeps its first error.
   */
  failWithoutAlert(err: TlsError): TlsError {
    this.#error ??= err;
    return this.#error;
  }

  /** Gives `msg` to the current handshake state and moves to the state it returns. */
  async #advance(msg: HandshakeMessage): Promise<void> {
    const next = await this.#state.handle(this, msg);
    if (next !== this.#state) this.#stateLog.push(next.name);
    this.#state = next;
  }
}
