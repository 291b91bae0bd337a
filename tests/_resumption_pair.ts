// In-memory driver for resumption and 0-RTT tests: like _pair.ts, plus the
// early data paths (mayEncryptEarlyData on the client, ReadEarlyData on the server).
import type { ConnectionState } from "../src/conn/states.ts";

export interface Processor {
  processTlsRecords(incoming: Uint8Array): Promise<{ discard: number; state: ConnectionState }>;
}

export class Side {
  incoming: Uint8Array = new Uint8Array(0);
  received: Uint8Array[] = [];
  early: Uint8Array[] = [];
  /** Early data to offer on the first TransmitTlsData (client). */
  earlyToSend: Uint8Array | undefined;
  /** Bytes of earlyToSend the connection took. */
  earlyConsumed = 0;
  pendingWrites: Uint8Array[] = [];
  kinds = new Set<string>();
  /** Every byte this side sent, in order (for replay tests). */
  sentLog: Uint8Array[] = [];
  /** Stop sending after the first flight (to capture it). */
  readonly conn: Processor;
  peer: Side | undefined;
  #outbox: Uint8Array[] = [];

  constructor(conn: Processor) {
    this.conn = conn;
  }

  feed(bytes: Uint8Array): void {
    const merged = new Uint8Array(this.incoming.length + bytes.length);
    merged.set(this.incoming);
    merged.set(bytes, this.incoming.length);
    this.incoming = merged;
  }

  async step(): Promise<boolean> {
    let progressed = false;
    let failure: unknown;
    for (let guard = 0; guard < 1000; guard++) {
      let status;
      try {
        status = await this.conn.processTlsRecords(this.incoming);
      } catch (e) {
        // The first rejection queued the fatal alert: go round once more to send it.
        if (failure !== undefined) {
          this.#flush();
          throw failure;
        }
        failure = e;
        continue;
      }
      const { discard, state } = status;
      this.kinds.add(state.kind);
      let extra = 0;
      let again = true;
      switch (state.kind) {
        case "EncodeTlsData": {
          const out = new Uint8Array(state.requiredSize);
          this.#send(out.subarray(0, await state.encode(out)));
          break;
        }
        case "TransmitTlsData": {
          const early = state.mayEncryptEarlyData();
          if (early && this.earlyToSend) {
            const out = new Uint8Array(this.earlyToSend.length + 4096);
            const { consumed, written } = await early.encrypt(this.earlyToSend, out);
            this.earlyConsumed = consumed;
            this.earlyToSend = undefined;
            this.#send(out.subarray(0, written));
          }
          const wt = state.mayEncryptAppData();
          if (wt) await this.#write(wt);
          state.done();
          break;
        }
        case "ReadEarlyData":
          for (let r = state.nextRecord(); r; r = state.nextRecord()) {
            this.early.push(r.payload);
            extra += r.discard;
          }
          break;
        case "ReadTraffic":
          for (let r = state.nextRecord(); r; r = state.nextRecord()) {
            this.received.push(r.payload);
            extra += r.discard;
          }
          break;
        case "WriteTraffic":
          if (this.pendingWrites.length > 0) await this.#write(state);
          else again = false;
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

  #flush(): void {
    if (this.peer) { for (const b of this.#outbox) this.peer.feed(b); }
    this.#outbox = [];
  }

  #send(bytes: Uint8Array): void {
    this.#outbox.push(bytes);
    this.sentLog.push(bytes.slice());
  }

  async #write(wt: { encrypt(d: Uint8Array, o: Uint8Array): Promise<number> }): Promise<void> {
    while (this.pendingWrites.length > 0) {
      const data = this.pendingWrites.shift()!;
      const out = new Uint8Array(data.length + 2048);
      this.#send(out.subarray(0, await wt.encrypt(data, out)));
    }
  }
}

export function text(parts: Uint8Array[]): string {
  const dec = new TextDecoder();
  return parts.map((p) => dec.decode(p)).join("");
}

/** Links two sides and runs them until neither makes progress. */
export async function run(client: Side, server: Side, maxRounds = 100): Promise<void> {
  client.peer = server;
  server.peer = client;
  for (let round = 0; round < maxRounds; round++) {
    const a = await client.step();
    const b = await server.step();
    if (!a && !b) return;
  }
  throw new Error("pair did not settle");
}
