// In-memory driver for a client/server pair through the public unbuffered API.
import type { ConnectionState } from "../src/conn/states.ts";

/** Anything with processTlsRecords (client or server). */
export interface Processor {
  processTlsRecords(incoming: Uint8Array): Promise<{ discard: number; state: ConnectionState }>;
}

/** One side of an in-memory connection. */
export class Endpoint {
  incoming: Uint8Array = new Uint8Array(0);
  /** Application data received, in order. */
  received: Uint8Array[] = [];
  /** State kinds seen, with consecutive duplicates collapsed. */
  states: string[] = [];
  /** Every state kind returned by processTlsRecords, in order (nothing collapsed). */
  allStates: string[] = [];
  /** Every batch of bytes sent to the peer, in order (one entry per encode/encrypt). */
  sent: Uint8Array[] = [];
  /** KeyUpdates to request (WriteTraffic.refreshTrafficKeys) before writing pendingWrites. */
  pendingKeyUpdates = 0;
  /**
   * When true, a rejection of processTlsRecords is kept in `error` instead of
   * thrown, and the fatal alert the connection then offers is sent to the peer.
   */
  captureErrors = false;
  /** The first rejection seen when `captureErrors` is set. */
  error: unknown = undefined;
  /** How many times processTlsRecords rejected (with `captureErrors`). */
  rejections = 0;
  /** Data to encrypt once WriteTraffic is reached. */
  pendingWrites: Uint8Array[] = [];
  /** Send close_notify once pendingWrites are out. */
  closeAfterWrites = false;
  peerClosed = false;
  closed = false;
  /**
   * Bytes per delivery to this side's peer (Infinity = all at once). With a
   * finite value the peer sees one more chunk before each of its
   * processTlsRecords calls, so it really works on partial input.
   */
  chunk = Infinity;
  /** When set, overrides `chunk` with a size per delivery (for seeded random sizes). */
  chunkSizes: (() => number) | undefined = undefined;
  /** When set, every batch this side sends passes through it on the way to the peer. */
  wire: ((bytes: Uint8Array) => Promise<Uint8Array>) | undefined = undefined;
  /** processTlsRecords calls made so far. */
  calls = 0;
  /** Bytes sent by the peer that this side has not been shown yet. */
  inflight: Uint8Array[] = [];
  readonly conn: Processor;
  peer!: Endpoint;
  #outbox: Uint8Array[] = [];

  constructor(conn: Processor) {
    this.conn = conn;
  }

  /** Appends bytes from the peer. */
  feed(bytes: Uint8Array): void {
    const merged = new Uint8Array(this.incoming.length + bytes.length);
    merged.set(this.incoming);
    merged.set(bytes, this.incoming.length);
    this.incoming = merged;
  }

  /** Runs processTlsRecords until it blocks; returns true if anything happened. */
  async step(): Promise<boolean> {
    let progressed = false;
    for (let guard = 0; guard < 1000 || this.inflight.length > 0; guard++) {
      if (this.#deliverOne()) progressed = true;
      this.calls++;
      let status;
      try {
        status = await this.conn.processTlsRecords(this.incoming);
      } catch (e) {
        if (!this.captureErrors) {
          await this.#sendAlert();
          throw e;
        }
        this.rejections++;
        // The first rejection queues the fatal alert: go round once more to send it.
        if (this.error !== undefined) break;
        this.error = e;
        progressed = true;
        continue;
      }
      const { discard, state } = status;
      this.allStates.push(state.kind);
      if (this.states[this.states.length - 1] !== state.kind) this.states.push(state.kind);
      let extra = 0;
      let again = true;
      switch (state.kind) {
        case "EncodeTlsData": {
          const out = new Uint8Array(state.requiredSize);
          const n = await state.encode(out);
          this.#send(out.subarray(0, n));
          break;
        }
        case "TransmitTlsData": {
          const wt = state.mayEncryptAppData();
          if (wt && this.pendingKeyUpdates === 0) await this.#writePending(wt);
          state.done();
          break;
        }
        case "ReadTraffic":
          for (let r = state.nextRecord(); r; r = state.nextRecord()) {
            this.received.push(r.payload);
            extra += r.discard;
          }
          break;
        case "WriteTraffic":
          if (this.pendingKeyUpdates > 0) {
            this.pendingKeyUpdates--;
            await state.refreshTrafficKeys();
          } else if (this.pendingWrites.length > 0 || (this.closeAfterWrites && !this.closed)) {
            await this.#writePending(state);
          } else again = false;
          break;
        case "PeerClosed":
          this.peerClosed = true;
          break;
        case "Closed":
          this.closed = true;
          again = false;
          break;
        default:
          again = false;
      }
      this.incoming = this.incoming.slice(discard + extra);
      if (discard + extra > 0) progressed = true;
      if (!again && this.inflight.length === 0) break;
      progressed = true;
    }
    await this.#flush();
    return progressed;
  }

  /** After a rejection: encodes the fatal alert the connection queued and sends it. */
  async #sendAlert(): Promise<void> {
    for (;;) {
      let state: ConnectionState;
      try {
        state = (await this.conn.processTlsRecords(this.incoming)).state;
      } catch {
        break; // the same error again: the alert is out
      }
      if (state.kind === "EncodeTlsData") {
        const out = new Uint8Array(state.requiredSize);
        this.#send(out.subarray(0, await state.encode(out)));
      } else if (state.kind === "TransmitTlsData") state.done();
      else break;
    }
    this.#flush();
  }

  async #writePending(
    wt: {
      encrypt(d: Uint8Array, o: Uint8Array): Promise<number>;
      queueCloseNotify(o: Uint8Array): Promise<number>;
    },
  ): Promise<void> {
    while (this.pendingWrites.length > 0) {
      const data = this.pendingWrites.shift()!;
      const out = new Uint8Array(data.length + 1024 + Math.ceil(data.length / 32) * 22);
      const n = await wt.encrypt(data, out);
      this.#send(out.subarray(0, n));
    }
    if (this.closeAfterWrites && !this.closed) {
      const out = new Uint8Array(64);
      const n = await wt.queueCloseNotify(out);
      this.#send(out.subarray(0, n));
      this.closed = true;
    }
  }

  #send(bytes: Uint8Array): void {
    this.#outbox.push(bytes);
    this.sent.push(bytes);
  }

  async #flush(): Promise<void> {
    for (const sent of this.#outbox) {
      const bytes = this.wire ? await this.wire(sent) : sent;
      if (this.chunk === Infinity && !this.chunkSizes) {
        this.peer.feed(bytes);
        continue;
      }
      for (let i = 0; i < bytes.length;) {
        const n = Math.max(1, this.chunkSizes ? this.chunkSizes() : this.chunk);
        this.peer.inflight.push(bytes.subarray(i, Math.min(bytes.length, i + n)));
        i += n;
      }
    }
    this.#outbox = [];
  }

  /** Shows the next chunk of in-flight bytes; true if there was one. */
  #deliverOne(): boolean {
    const next = this.inflight.shift();
    if (!next) return false;
    this.feed(next);
    return true;
  }

  /** Everything received, joined. */
  receivedBytes(): Uint8Array {
    const total = this.received.reduce((a, b) => a + b.length, 0);
    const out = new Uint8Array(total);
    let o = 0;
    for (const r of this.received) {
      out.set(r, o);
      o += r.length;
    }
    return out;
  }
}

/** Links two endpoints and runs them until neither makes progress. */
export async function runPair(client: Endpoint, server: Endpoint, maxRounds = 200): Promise<void> {
  client.peer = server;
  server.peer = client;
  for (let round = 0; round < maxRounds; round++) {
    const a = await client.step();
    const b = await server.step();
    const idle = client.incoming.length === 0 && server.incoming.length === 0 &&
      client.inflight.length === 0 && server.inflight.length === 0;
    if (!a && !b && idle) return;
    if (!a && !b) {
      // Bytes are waiting but nobody moved: one more try each, then stop.
      const a2 = await client.step();
      const b2 = await server.step();
      if (!a2 && !b2) return;
    }
  }
  throw new Error("pair did not settle");
}

/** One record found by {@link splitRecords}. */
export interface WireRecord {
  /** Outer content type. */
  type: number;
  /** The whole record, header included. */
  bytes: Uint8Array;
}

/** Splits a byte stream into whole records (a trailing partial record is ignored). */
export function splitRecords(stream: Uint8Array): WireRecord[] {
  const out: WireRecord[] = [];
  let i = 0;
  while (i + 5 <= stream.length) {
    const len = (stream[i + 3] << 8) | stream[i + 4];
    if (i + 5 + len > stream.length) break;
    out.push({ type: stream[i], bytes: stream.subarray(i, i + 5 + len) });
    i += 5 + len;
  }
  return out;
}

/** Joins byte arrays. */
export function joinBytes(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((a, b) => a + b.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}
