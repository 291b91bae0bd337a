/**
 * The inbound record loop of the connection core: it reads records from the
 * caller's buffer, opens them with the current reader, routes each content
 * type (handshake messages to the handshake state, alerts and idle records
 * to the post-handshake policy, application data to the caller's queue) and
 * says what the caller must do next.
 *
 * @module
 */

import { AlertDescription, ContentType } from "../msgs/enums.ts";
import { type TlsError, tlsError } from "../error.ts";
import { type RawRecord, readRecord } from "../record/deframer.ts";
import type { HandshakeMessage } from "../record/handshake_joiner.ts";
import { dataAfterCloseNotify } from "../post_handshake/alerts.ts";
import { checkChangeCipherSpec } from "../msgs/alert.ts";
import {
  type InboundPolicy,
  unexpectedChangeCipherSpec,
} from "../post_handshake/inbound_policy.ts";
import type { OpenedRecord } from "../record/record_io.ts";
import { PlainReader, ProtectedReader, type RecordReader } from "../record/record_io.ts";
import type { ConnectionInfo } from "./info.ts";
import type { AppRecord, CoreStep } from "./core_types.ts";
import { AppDataQueue } from "./app_queue.ts";
import { EarlyDataInbound } from "./early_data_inbound.ts";

/** Protected records decrypted at once after the handshake (their results are handled in order). */
const RECORDS_IN_FLIGHT = 16;

/** What the record loop reads of the connection that owns it (`ConnectionCore` is one). */
export interface RecordLoopHost {
  /** True once the handshake is complete. */
  readonly handshakeComplete: boolean;
  /** TLS 1.3: whether a plaintext change_cipher_spec is silently dropped now. */
  readonly ccsAllowed: boolean;
  /** True once close_notify was received. */
  readonly peerClosed: boolean;
  /** True once we sent close_notify. */
  readonly weClosed: boolean;
  /** The failure that killed the connection, if any. */
  readonly error: TlsError | undefined;
  /** True when no record waits to be encoded. */
  readonly outboundEmpty: boolean;
  /** Facts negotiated so far (the protocol version decides the alert rules). */
  readonly info: Readonly<ConnectionInfo>;
  /** Marks the connection dead with `e` and queues its alert. */
  fail(e: unknown): TlsError;
}

/** What only the owner of the record loop may do (kept off its public surface). */
export interface RecordLoopHooks {
  /** True when encoded bytes wait to be transmitted. */
  pendingTransmit(): boolean;
  /** TLS 1.2: takes what the peer's change_cipher_spec does, when one is expected now. */
  takePendingCcs(): (() => Promise<void>) | undefined;
  /** close_notify arrived. */
  closeNotifyReceived(): void;
  /** Gives one complete handshake message to the current handshake state. */
  handshakeMessage(msg: HandshakeMessage): Promise<void>;
}

/** The read side of one connection. */
export class InboundRecords {
  readonly #host: RecordLoopHost;
  readonly #hooks: RecordLoopHooks;
  /** What the peer may send: interleaving, alerts, idle records, post-handshake messages. */
  readonly #policy: InboundPolicy;
  #reader: RecordReader = new PlainReader();
  /** RFC 8449: our record_size_limit once the peer knows it (see `limitReceivedRecords`). */
  #receiveLimit: number | undefined;
  /** Bytes at the front of the caller's buffer read but not yet reported as discardable. */
  #held = 0;
  readonly #app = new AppDataQueue();
  #peerClosedReported = false;
  /** A failure inside a batch of records, reported once the data before it was taken. */
  #deferredFailure: unknown;
  /** Server: the budgets of accepted and refused 0-RTT data. */
  readonly early: EarlyDataInbound = new EarlyDataInbound();

  /** Reads for `host` under `policy`, starting with records in clear. */
  constructor(host: RecordLoopHost, hooks: RecordLoopHooks, policy: InboundPolicy) {
    this.#host = host;
    this.#hooks = hooks;
    this.#policy = policy;
  }

  /** The current record reader. */
  get reader(): RecordReader {
    return this.#reader;
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

  /** RFC 8449: protected records that decrypt to more than `limit` bytes are record_overflow. */
  limitReceivedRecords(limit: number): void {
    this.#receiveLimit = limit;
    this.#limitReader();
  }

  /** Our record_size_limit as the peer must honour it, once negotiated. */
  get receiveRecordSizeLimit(): number | undefined {
    return this.#receiveLimit;
  }

  /** Accepted 0-RTT data is exempt from the limit: the key after EndOfEarlyData gets it. */
  #limitReader(): void {
    const reader = this.#reader;
    if (
      this.#receiveLimit !== undefined && !this.early.accepting &&
      reader instanceof ProtectedReader
    ) {
      this.#reader = reader.withRecordSizeLimit(this.#receiveLimit);
    }
  }

  /** Takes the next decrypted application record (0-RTT data when `early`), if any. */
  nextAppRecord(early: boolean): AppRecord | undefined {
    const r = this.#app.take(early);
    if (r) this.#held -= r.discard;
    return r;
  }

  /** Length of the next decrypted application record (0-RTT data when `early`), if any. */
  peekAppLength(early: boolean): number | undefined {
    return this.#app.peekLength(early);
  }

  /**
   * Processes as much of `incoming` as the current step allows and says what
   * the caller must do next; see `ConnectionCore.process`.
   */
  async process(incoming: Uint8Array): Promise<{ discard: number; step: CoreStep }> {
    const host = this.#host;
    for (;;) {
      if (this.#deferredFailure !== undefined && this.#app.length === 0) {
        const e = this.#deferredFailure;
        this.#deferredFailure = undefined;
        this.#fail(e);
      }
      if (!host.outboundEmpty) return this.#finish("EncodeTlsData");
      if (this.#hooks.pendingTransmit()) return this.#finish("TransmitTlsData");
      if (host.error) throw host.error;
      if (this.#app.length > 0) {
        return this.#finish(this.#app.firstIsEarly ? "ReadEarlyData" : "ReadTraffic");
      }
      if (host.peerClosed) {
        if (this.#held < incoming.length) {
          this.#fail(dataAfterCloseNotify());
        }
        if (!this.#peerClosedReported) {
          this.#peerClosedReported = true;
          return this.#finish("PeerClosed");
        }
        return this.#finish(host.weClosed ? "Closed" : "WriteTraffic");
      }
      let record: RawRecord | undefined;
      try {
        record = readRecord(incoming.subarray(this.#held));
      } catch (e) {
        this.#fail(e);
      }
      if (!record) {
        if (host.handshakeComplete) return this.#finish(host.weClosed ? "Closed" : "WriteTraffic");
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
      !this.#host.handshakeComplete || !reader.isProtected || !reader.openMany ||
      this.early.skipping || first.contentType !== ContentType.application_data
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
      if (!next || next.contentType !== ContentType.application_data) break;
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
          if (this.#app.length === 0) this.#fail(e);
          // Data of the records before this one is handed out first, as it
          // would be one record at a time; the failure comes right after.
          this.#deferredFailure = e;
          return;
        }
        if (this.#reader !== reader || this.#host.peerClosed) return;
      }
    } finally {
      await Promise.allSettled(opened);
    }
  }

  #fail(e: unknown): never {
    throw this.#host.fail(e);
  }

  #finish(step: CoreStep): { discard: number; step: CoreStep } {
    const discard = this.#held - this.#app.heldBytes;
    this.#held -= discard;
    return { discard, step };
  }

  /** Handles one record; `preOpened` when `#handleBatch` already decrypted it. */
  async #handleRecord(record: RawRecord, preOpened?: OpenedRecord): Promise<void> {
    if (record.contentType === ContentType.change_cipher_spec) {
      await this.#handleChangeCipherSpec(record.fragment);
      return;
    }
    let opened = preOpened;
    if (!opened && this.early.skipping && record.contentType === ContentType.application_data) {
      opened = await this.early.trialOpen(this.#reader, record);
      if (!opened) return;
    }
    const { contentType, plaintext } = opened ??
      await this.#reader.open(record.header, record.fragment);
    if (contentType !== ContentType.handshake) this.#policy.checkNotInterleaved(contentType);
    switch (contentType) {
      case ContentType.alert:
        this.#handleAlert(plaintext);
        return;
      case ContentType.handshake:
        await this.#handleHandshake(plaintext);
        return;
      case ContentType.application_data:
        if (!this.#host.handshakeComplete && this.early.accepting) {
          this.#queueEarlyData(plaintext, record.length);
          return;
        }
        if (!this.#host.handshakeComplete) {
          throw tlsError(
            "PeerMisbehaved",
            "ApplicationDataBeforeHandshake",
            "application data before the handshake completed",
            { alert: AlertDescription.unexpected_message },
          );
        }
        if (!this.#policy.applicationData(plaintext.length)) return;
        // Protected records decrypt into a fresh buffer (AeadKey.open), so the
        // plaintext is ours to hand out without a copy.
        this.#app.push(plaintext, record.length, false);
        return;
      default:
        throw tlsError(
          "PeerMisbehaved",
          "InvalidContentType",
          `unexpected content type ${contentType}`,
          {
            alert: AlertDescription.unexpected_message,
          },
        );
    }
  }

  #queueEarlyData(plaintext: Uint8Array, recordLength: number): void {
    this.early.consume(plaintext.length);
    if (!this.#policy.applicationData(plaintext.length, true)) return;
    this.#app.push(plaintext, recordLength, true);
  }

  async #handleChangeCipherSpec(payload: Uint8Array): Promise<void> {
    this.#policy.checkNotInterleaved(ContentType.change_cipher_spec);
    const install = this.#hooks.takePendingCcs();
    if (install) {
      // TLS 1.2 (RFC 5246 7.1): the peer's CCS switches its write key.
      checkChangeCipherSpec(payload);
      await install();
      return;
    }
    // RFC 8446 section 5: a plaintext CCS of exactly 0x01 between the first
    // ClientHello and the peer's Finished is dropped; anything else aborts.
    if (!this.#host.ccsAllowed || this.#reader.isProtected && this.#host.handshakeComplete) {
      throw unexpectedChangeCipherSpec();
    }
    checkChangeCipherSpec(payload);
    this.#policy.idle("change_cipher_spec records");
  }

  #handleAlert(payload: Uint8Array): void {
    const host = this.#host;
    const kind = this.#policy.alert(payload, host.handshakeComplete, host.info.protocolVersion);
    if (kind === "close_notify") this.#hooks.closeNotifyReceived();
  }

  async #handleHandshake(fragment: Uint8Array): Promise<void> {
    this.#policy.handshakeFragment(fragment);
    for (let msg = this.#policy.nextMessage(); msg; msg = this.#policy.nextMessage()) {
      await this.#hooks.handshakeMessage(msg);
    }
  }
}
