/**
 * The connection core shared by client and server: it reads records from the
 * caller's buffer, feeds handshake messages to the current handshake state,
 * queues records to encode, holds decrypted application data until the caller
 * takes it, and turns every failure into one fatal alert and a dead connection.
 *
 * The public state objects in `src/conn/` are thin views over this class.
 *
 * @module
 */

import { AlertDescription, AlertLevel, ContentType, ProtocolVersion } from "../msgs/enums.ts";
import { encodeAlert } from "../msgs/alert.ts";
import { TlsError } from "../error.ts";
import { type RawRecord, readRecord } from "../record/deframer.ts";
import type { HandshakeMessage } from "../record/handshake_joiner.ts";
import { dataAfterCloseNotify } from "../post_handshake/alerts.ts";
import { InboundPolicy, unexpectedChangeCipherSpec } from "../post_handshake/inbound_policy.ts";
import type { OpenedRecord } from "../record/tls13_protection.ts";
import { OutboundQueue } from "./outbound.ts";
import {
  PlainReader,
  PlainWriter,
  ProtectedReader,
  type RecordReader,
  type RecordWriter,
} from "../record/record_io.ts";
import type { ConnectionInfo } from "./info.ts";
import type { Tls13Traffic } from "./tls13_traffic.ts";
import type { Tls12Traffic } from "../tls12/traffic.ts";
import type { Exporter } from "./exporter.ts";
import { encryptAppData, encryptedSize, writeCloseNotify } from "./app_write.ts";
import type { AppRecord, CoreOptions, CoreStep, EarlyDataSender } from "./core_types.ts";

/** One awaited handshake message: `handle` returns the state that awaits the next. */
export interface HandshakeState {
  /** Class-like name, used in state transcripts (for example `"ExpectServerHello"`). */
  readonly name: string;
  /** Processes one complete handshake message. */
  handle(cx: ConnectionCore, msg: HandshakeMessage): Promise<HandshakeState>;
}

export type { CoreOptions, CoreStep, EarlyDataSender } from "./core_types.ts";

/** Writers for records in clear; they hold no state, so they are shared. */
const PLAIN_WRITER = new PlainWriter(ProtocolVersion.TLSv1_2);
const INITIAL_HELLO_WRITER = new PlainWriter(ProtocolVersion.TLSv1_0);

/** Protected records decrypted at once after the handshake (their results are handled in order). */
const RECORDS_IN_FLIGHT = 16;

/** The shared engine behind a client or server connection. */
export class ConnectionCore {
  /** Current handshake (or post-handshake) state. */
  state: HandshakeState;
  /** Facts negotiated so far, for the getters. */
  readonly info: ConnectionInfo = { handshakeKind: undefined };
  /** Set by the state that completes the handshake. */
  handshakeComplete = false;
  /** TLS 1.3: whether a plaintext change_cipher_spec is silently dropped now. */
  ccsAllowed = false;
  /** Set when close_notify was received. */
  peerClosed = false;
  /** Set when we sent close_notify. */
  weClosed = false;
  /** The failure that killed the connection, if any. */
  error: TlsError | undefined;
  /** State names in the order they were entered, for tests and debugging. */
  readonly stateLog: string[] = [];
  /** TLS 1.3 application traffic secrets, once the handshake has derived them. */
  tls13: Tls13Traffic | undefined;
  /** TLS 1.2 traffic keys, once the handshake has derived them (for the kernel hand-off). */
  tls12: Tls12Traffic | undefined;
  /** The keying-material exporter, set with `handshakeComplete`. */
  exporter: Exporter | undefined;
  /**
   * TLS 1.2: what the peer's change_cipher_spec does (install the new read
   * key). Set by the handshake state that expects it; a CCS at any other
   * moment of a TLS 1.2 handshake is unexpected_message.
   */
  pendingCcs: (() => Promise<void>) | undefined;
  /** Client: the 0-RTT writer while early data is offered. */
  earlyData: EarlyDataSender | undefined;
  /** 0-RTT outcome: undefined when not attempted or not yet known. */
  earlyDataAccepted: boolean | undefined;

  #writer: RecordWriter;
  #reader: RecordReader = new PlainReader();
  #maxFragment: number;
  /** RFC 8449: our record_size_limit once the peer knows it (see `limitReceivedRecords`). */
  #receiveLimit: number | undefined;
  /** What the peer may send: interleaving, alerts, idle records, post-handshake messages. */
  readonly #policy: InboundPolicy;
  readonly #outbound: OutboundQueue;
  #pendingTransmit = false;
  #held = 0;
  #appQueue: AppRecord[] = [];
  #appQueuedBytes = 0;
  #peerClosedReported = false;
  /** Server: plaintext bytes of accepted 0-RTT data still allowed. */
  #earlyRemaining: number | undefined;
  /** A failure inside a batch of records, reported once the data before it was taken. */
  #deferredFailure: unknown;
  /** Server: bytes of rejected 0-RTT records still to skip (RFC 8446 4.2.10). */
  #skipRemaining: number | undefined;

  /** Starts in `initial`, with records in clear. */
  constructor(initial: HandshakeState, options: CoreOptions) {
    this.state = initial;
    this.stateLog.push(initial.name);
    this.#maxFragment = options.maxFragmentSize;
    this.#outbound = new OutboundQueue(options.maxFragmentSize);
    this.#writer = PLAIN_WRITER;
    this.#policy = new InboundPolicy({ side: options.side, maxKeyUpdates: options.maxKeyUpdates });
  }

  /**
   * The post-handshake policy this connection shares with `KernelRecordLayer`:
   * the post-handshake states ask it what a message means.
   */
  get inbound(): InboundPolicy {
    return this.#policy;
  }

  // ---- for handshake states ----

  /** Queues an encoded handshake message under the current write protection. */
  sendHandshake(encoded: Uint8Array): void {
    this.#outbound.push(ContentType.Handshake, encoded, this.#writer);
  }

  /**
   * Client: queues the first ClientHello. Its record alone may say 0x0301
   * (RFC 8446 section 5.1), for servers that choke on 0x0303 there; every
   * other record in clear says 0x0303.
   */
  sendInitialClientHello(encoded: Uint8Array): void {
    this.#outbound.push(ContentType.Handshake, encoded, INITIAL_HELLO_WRITER);
  }

  /** Queues a change_cipher_spec record (always in clear, RFC 8446 D.4). */
  sendChangeCipherSpec(): void {
    this.#outbound.push(
      ContentType.ChangeCipherSpec,
      new Uint8Array([1]),
      this.#writer instanceof PlainWriter ? this.#writer : PLAIN_WRITER,
    );
  }

  /** Queues an alert under the current write protection. */
  sendAlert(description: number, level: number = AlertLevel.Fatal): void {
    this.#outbound.push(ContentType.Alert, encodeAlert({ level, description }), this.#writer);
  }

  /** Records queued from now on use `writer`. */
  setWriter(writer: RecordWriter): void {
    this.#writer = writer;
  }

  /** The current record writer. */
  get writer(): RecordWriter {
    return this.#writer;
  }

  /**
   * Records read from now on use `reader`. A handshake message must not span
   * the key change (RFC 8446 section 5.1).
   */
  setReader(reader: RecordReader): void {
    this.#policy.checkKeyChangeBoundary();
    this.#reader = reader;
    this.#limitReader();
  }

  /** Largest plaintext fragment we send: the config's, or the peer's smaller limit. */
  get maxFragmentSize(): number {
    return this.#maxFragment;
  }

  /**
   * RFC 8449: the peer's record_size_limit allows at most `maxPlaintext`
   * bytes of content per record; records queued or written from now on are
   * cut to that when it is smaller than ours.
   */
  limitSentRecords(maxPlaintext: number): void {
    this.#maxFragment = Math.min(this.#maxFragment, maxPlaintext);
    this.#outbound.limitFragments(this.#maxFragment);
  }

  /**
   * RFC 8449: the peer now knows our record_size_limit `limit`; protected
   * records it sends from now on that decrypt to more bytes are
   * record_overflow. Accepted 0-RTT data is exempt (the client could not know
   * the limit when it sent it): the key after EndOfEarlyData gets the limit.
   */
  limitReceivedRecords(limit: number): void {
    this.#receiveLimit = limit;
    this.#limitReader();
  }

  /** Our record_size_limit as the peer must honour it, once negotiated. */
  get receiveRecordSizeLimit(): number | undefined {
    return this.#receiveLimit;
  }

  #limitReader(): void {
    const reader = this.#reader;
    if (
      this.#receiveLimit !== undefined && this.#earlyRemaining === undefined &&
      reader instanceof ProtectedReader
    ) {
      this.#reader = reader.withRecordSizeLimit(this.#receiveLimit);
    }
  }

  /**
   * Server: 0-RTT was accepted; application data records read under the
   * early key are queued as early data, up to `budget` plaintext bytes.
   */
  acceptEarlyData(budget: number): void {
    this.#earlyRemaining = budget;
    this.earlyDataAccepted = true;
  }

  /** Server: EndOfEarlyData arrived; no more early data is accepted. */
  endEarlyData(): void {
    this.#earlyRemaining = undefined;
  }

  /**
   * Server: 0-RTT was offered and refused. Protected records that do not
   * decrypt (or, before any key, records in clear of type application_data)
   * are dropped, up to `budget` bytes in all (RFC 8446 4.2.10).
   */
  skipRejectedEarlyData(budget: number): void {
    this.#skipRemaining = budget;
    this.earlyDataAccepted = false;
  }

  /**
   * Server: refused early data can no longer arrive (the second ClientHello
   * is in); records that do not decrypt are bad_record_mac again.
   */
  stopSkippingEarlyData(): void {
    this.#skipRemaining = undefined;
  }

  /** The current record reader. */
  get reader(): RecordReader {
    return this.#reader;
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
  async process(incoming: Uint8Array): Promise<{ discard: number; step: CoreStep }> {
    for (;;) {
      if (this.#deferredFailure !== undefined && this.#appQueue.length === 0) {
        const e = this.#deferredFailure;
        this.#deferredFailure = undefined;
        this.#fail(e);
      }
      if (!this.#outbound.isEmpty) return this.#finish("EncodeTlsData");
      if (this.#pendingTransmit) return this.#finish("TransmitTlsData");
      if (this.error) throw this.error;
      if (this.#appQueue.length > 0) {
        return this.#finish(this.#appQueue[0].early ? "ReadEarlyData" : "ReadTraffic");
      }
      if (this.peerClosed) {
        if (this.#held < incoming.length) {
          this.#fail(dataAfterCloseNotify());
        }
        if (!this.#peerClosedReported) {
          this.#peerClosedReported = true;
          return this.#finish("PeerClosed");
        }
        return this.#finish(this.weClosed ? "Closed" : "WriteTraffic");
      }
      let record: RawRecord | undefined;
      try {
        record = readRecord(incoming.subarray(this.#held));
      } catch (e) {
        this.#fail(e);
      }
      if (!record) {
        if (this.handshakeComplete) return this.#finish(this.weClosed ? "Closed" : "WriteTraffic");
        return this.#finish("BlockedHandshake");
      }
      const batch = this.#batchFrom(incoming, record);
      if (batch) {
        await this.#handleBatch(batch);
        continue;
      }
      this.#held += record.length;
      try {
        await this.#handleRecord(record);
      } catch (e) {
        this.#fail(e);
      }
    }
  }

  /**
   * After the handshake, `first` and the protected records right behind it
   * (up to {@link RECORDS_IN_FLIGHT}), to be decrypted at once; undefined
   * when there is no second one or records must be read one by one.
   */
  #batchFrom(incoming: Uint8Array, first: RawRecord): RawRecord[] | undefined {
    const reader = this.#reader;
    if (
      !this.handshakeComplete || !reader.isProtected || !reader.openMany ||
      this.#skipRemaining !== undefined || first.contentType !== ContentType.ApplicationData
    ) {
      return undefined;
    }
    const batch = [first];
    for (let at = this.#held + first.length; batch.length < RECORDS_IN_FLIGHT;) {
      let next: RawRecord | undefined;
      try {
        next = readRecord(incoming.subarray(at));
      } catch {
        break; // a framing error: the record loop reports it when it gets there
      }
      if (!next || next.contentType !== ContentType.ApplicationData) break;
      batch.push(next);
      at += next.length;
    }
    return batch.length > 1 ? batch : undefined;
  }

  /**
   * Handles `batch` in order with all its decryptions started at once. Stops
   * after a record that changed the read key (the rest were opened under the
   * old one) or was close_notify; the loop then reads the rest one by one.
   */
  async #handleBatch(batch: RawRecord[]): Promise<void> {
    const reader = this.#reader;
    const opened = reader.openMany!(batch);
    try {
      for (let i = 0; i < batch.length; i++) {
        this.#held += batch[i].length;
        try {
          await this.#handleRecord(batch[i], await opened[i]);
        } catch (e) {
          if (this.#appQueue.length === 0) this.#fail(e);
          // Data of the records before this one is handed out first, as it
          // would be one record at a time; the failure comes right after.
          this.#deferredFailure = e;
          return;
        }
        if (this.#reader !== reader || this.peerClosed) return;
      }
    } finally {
      await Promise.allSettled(opened);
    }
  }

  /** Takes the next decrypted application record (0-RTT data when `early`), if any. */
  nextAppRecord(early = false): AppRecord | undefined {
    if (this.#appQueue[0]?.early !== early) return undefined;
    const r = this.#appQueue.shift();
    if (r) {
      this.#appQueuedBytes -= r.discard;
      this.#held -= r.discard;
    }
    return r;
  }

  /** Length of the next decrypted application record (0-RTT data when `early`), if any. */
  peekAppLength(early = false): number | undefined {
    if (this.#appQueue[0]?.early !== early) return undefined;
    return this.#appQueue[0]?.payload.length;
  }

  /** Bytes needed to encode everything queued. */
  requiredEncodeSize(): number {
    return this.#outbound.requiredSize();
  }

  /** Encodes every queued record into `out`; see {@link OutboundQueue.encodeInto}. */
  async encodeQueued(out: Uint8Array): Promise<number> {
    const n = await this.#outbound.encodeInto(out);
    this.#pendingTransmit = true;
    return n;
  }

  /** The caller has sent what was encoded. */
  transmitted(): void {
    this.#pendingTransmit = false;
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
  writeCloseNotify(out: Uint8Array): Promise<number> {
    return writeCloseNotify(this, out);
  }

  /** Marks the connection dead with `e` (wrapped when not a TlsError) and queues its alert. */
  fail(e: unknown): TlsError {
    const err = e instanceof TlsError ? e : new TlsError("General", "internal error", {
      alert: AlertDescription.InternalError,
      cause: e,
    });
    if (!this.error) {
      this.error = err;
      if (err.alert !== undefined && err.alertDirection === "sent") {
        this.sendAlert(err.alert, AlertLevel.Fatal);
      }
    }
    return this.error;
  }

  #fail(e: unknown): never {
    throw this.fail(e);
  }

  #finish(step: CoreStep): { discard: number; step: CoreStep } {
    const discard = this.#held - this.#appQueuedBytes;
    this.#held -= discard;
    return { discard, step };
  }

  /** Handles one record; `preOpened` when `#handleBatch` already decrypted it. */
  async #handleRecord(record: RawRecord, preOpened?: OpenedRecord): Promise<void> {
    if (record.contentType === ContentType.ChangeCipherSpec) {
      await this.#handleChangeCipherSpec(record.fragment);
      return;
    }
    let opened = preOpened;
    if (
      !opened && this.#skipRemaining !== undefined &&
      record.contentType === ContentType.ApplicationData
    ) {
      opened = await this.#trialOpen(record);
      if (!opened) return;
    }
    const { contentType, plaintext } = opened ??
      await this.#reader.open(record.header, record.fragment);
    if (contentType !== ContentType.Handshake) this.#policy.checkNotInterleaved(contentType);
    switch (contentType) {
      case ContentType.Alert:
        this.#handleAlert(plaintext);
        return;
      case ContentType.Handshake:
        await this.#handleHandshake(plaintext);
        return;
      case ContentType.ApplicationData:
        if (!this.handshakeComplete && this.#earlyRemaining !== undefined) {
          this.#queueEarlyData(plaintext, record.length);
          return;
        }
        if (!this.handshakeComplete) {
          throw new TlsError("PeerMisbehaved", "application data before the handshake completed", {
            detail: "ApplicationDataBeforeHandshake",
            alert: AlertDescription.UnexpectedMessage,
          });
        }
        if (!this.#policy.applicationData(plaintext.length)) return;
        // Protected records decrypt into a fresh buffer (AeadKey.open), so the
        // plaintext is ours to hand out without a copy.
        this.#appQueue.push({ payload: plaintext, discard: record.length, early: false });
        this.#appQueuedBytes += record.length;
        return;
      default:
        throw new TlsError("PeerMisbehaved", `unexpected content type ${contentType}`, {
          alert: AlertDescription.UnexpectedMessage,
        });
    }
  }

  /**
   * While rejected 0-RTT data is being skipped: opens `record`, or drops it
   * (returning undefined) when it does not decrypt. The first record that
   * opens ends the skipping.
   */
  async #trialOpen(
    record: RawRecord,
  ): Promise<Awaited<ReturnType<RecordReader["open"]>> | undefined> {
    if (this.#reader.isProtected) {
      try {
        const opened = await this.#reader.open(record.header, record.fragment);
        this.#skipRemaining = undefined;
        return opened;
      } catch (e) {
        if (!(e instanceof TlsError) || e.detail !== "BadRecordMac") throw e;
      }
    }
    // Roughly the plaintext size; at least one so that empty records count too.
    const cost = Math.max(1, record.fragment.length - 17);
    if (cost > this.#skipRemaining!) {
      throw new TlsError("PeerMisbehaved", "too much rejected early data", {
        detail: "TooMuchEarlyDataReceived",
        alert: AlertDescription.UnexpectedMessage,
      });
    }
    this.#skipRemaining! -= cost;
    return undefined;
  }

  #queueEarlyData(plaintext: Uint8Array, recordLength: number): void {
    if (plaintext.length > this.#earlyRemaining!) {
      throw new TlsError("PeerMisbehaved", "more early data than max_early_data_size", {
        detail: "TooMuchEarlyDataReceived",
        alert: AlertDescription.UnexpectedMessage,
      });
    }
    this.#earlyRemaining! -= plaintext.length;
    if (!this.#policy.applicationData(plaintext.length, true)) return;
    this.#appQueue.push({ payload: plaintext, discard: recordLength, early: true });
    this.#appQueuedBytes += recordLength;
  }

  async #handleChangeCipherSpec(payload: Uint8Array): Promise<void> {
    this.#policy.checkNotInterleaved(ContentType.ChangeCipherSpec);
    if (this.pendingCcs) {
      // TLS 1.2 (RFC 5246 7.1): the peer's CCS switches its write key.
      if (payload.length !== 1 || payload[0] !== 1) {
        throw new TlsError("PeerMisbehaved", "malformed change_cipher_spec", {
          alert: AlertDescription.UnexpectedMessage,
        });
      }
      const install = this.pendingCcs;
      this.pendingCcs = undefined;
      await install();
      return;
    }
    // RFC 8446 section 5: a plaintext CCS of exactly 0x01 between the first
    // ClientHello and the peer's Finished is dropped; anything else aborts.
    if (!this.ccsAllowed || this.#reader.isProtected && this.handshakeComplete) {
      throw unexpectedChangeCipherSpec();
    }
    if (payload.length !== 1 || payload[0] !== 1) {
      throw new TlsError("PeerMisbehaved", "malformed change_cipher_spec", {
        detail: "IllegalMiddleboxChangeCipherSpec",
        alert: AlertDescription.UnexpectedMessage,
      });
    }
    this.#policy.idle("change_cipher_spec records");
  }

  #handleAlert(payload: Uint8Array): void {
    const kind = this.#policy.alert(payload, this.handshakeComplete, this.info.protocolVersion);
    if (kind === "close_notify") this.peerClosed = true;
  }

  async #handleHandshake(fragment: Uint8Array): Promise<void> {
    this.#policy.handshakeFragment(fragment);
    for (let msg = this.#policy.nextMessage(); msg; msg = this.#policy.nextMessage()) {
      const next = await this.state.handle(this, msg);
      if (next !== this.state) this.stateLog.push(next.name);
      this.state = next;
    }
  }
}
