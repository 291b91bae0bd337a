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
  /** Data to encrypt once WriteTraffic is reached. */
  pendingWrites: Uint8Array[] = [];
  /** Send close_notify once pendingWrites are out. */
  closeAfterWrites = false;
  peerClosed = false;
  closed = false;
  /** Bytes per delivery to this side's peer (Infinity = all at once). */
  chunk = Infinity;
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
    for (let guard = 0; guard < 1000; guard++) {
      const { discard, state } = await this.conn.processTlsRecords(this.incoming);
      if (this.states[this.states.length - 1] !== state.kind) this.states.push(state.kind);
      let extra = 0;
      let again = true;
      switch (state.kind) {
        case "EncodeTlsData": {
          const out = new Uint8Array(state.requiredSize);
          const n = await state.encode(out);
          this.#outbox.push(out.subarray(0, n));
          break;
        }
        case "TransmitTlsData": {
          const wt = state.mayEncryptAppData();
          if (wt) await this.#writePending(wt);
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
          if (this.pendingWrites.length > 0 || (this.closeAfterWrites && !this.closed)) {
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
      if (!again) break;
      progressed = true;
    }
    this.#flush();
    return progressed;
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
      this.#outbox.push(out.subarray(0, n));
    }
    if (this.closeAfterWrites && !this.closed) {
      const out = new Uint8Array(64);
      const n = await wt.queueCloseNotify(out);
      this.#outbox.push(out.subarray(0, n));
      this.closed = true;
    }
  }

  #flush(): void {
    for (const bytes of this.#outbox) {
      for (let i = 0; i < bytes.length; i += this.chunk) {
        this.peer.feed(bytes.subarray(i, Math.min(bytes.length, i + this.chunk)));
      }
    }
    this.#outbox = [];
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
    if (!a && !b && client.incoming.length === 0 && server.incoming.length === 0) return;
    if (!a && !b) {
      // Bytes are waiting but nobody moved: one more try each, then stop.
      const a2 = await client.step();
      const b2 = await server.step();
      if (!a2 && !b2) return;
    }
  }
  throw new Error("pair did not settle");
}
