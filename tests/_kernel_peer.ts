// Interop plumbing for the kernel hand-off: drive an unbuffered client or
// server over a node:net socket until WriteTraffic, hand off, then move every
// later byte through KernelRecordLayer only. Every wait is bounded.
import { connect, type Socket } from "node:net";
import type { ClientConfig } from "../src/client/config.ts";
import type {
  ClientKernelConnection,
  ExtractedSecrets,
  KernelConnection,
} from "../src/conn/kernel.ts";
import type { ConnectionState } from "../src/conn/states.ts";
import { UnbufferedClientConnection } from "../src/conn/unbuffered.ts";
import { KernelRecordLayer, type KernelRecordLayerOptions } from "../src/kernel/record_layer.ts";

/** Bound on every wait for the peer, in milliseconds. */
export const WAIT_MS = 10_000;

const decoder = new TextDecoder();

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  if (a.length === 0) return b;
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

/** What the hand-off loop needs: an unbuffered client or server connection. */
export interface HandOffConnection {
  processTlsRecords(incoming: Uint8Array): Promise<{ discard: number; state: ConnectionState }>;
  readonly isHandshaking: boolean;
  dangerousIntoKernelConnection(): Promise<
    { secrets: ExtractedSecrets; connection: KernelConnection | ClientKernelConnection }
  >;
}

/** Counts TLS records of type application_data (23) in whole records. */
function appDataRecords(bytes: Uint8Array): number {
  let n = 0;
  for (let off = 0; off + 5 <= bytes.length; off += 5 + ((bytes[off + 3] << 8) | bytes[off + 4])) {
    if (bytes[off] === 23) n++;
  }
  return n;
}

/** A socket whose bytes go first to the handshake, then to a record layer. */
export class KernelSocket {
  readonly socket: Socket;
  /** Application data received after the hand-off. */
  received: Uint8Array = new Uint8Array(0);
  /** Set once the transport ended or failed. */
  eof = false;
  /** The first error from the record layer (peer-caused failures end up here). */
  failure: unknown;
  layer: KernelRecordLayer | undefined;
  secrets: ExtractedSecrets | undefined;
  connection: KernelConnection | ClientKernelConnection | undefined;
  /**
   * Records sent under the application key before the hand-off: protected
   * records written once the handshake was complete (a server's tickets).
   * Meaningful for a server only: a client's Finished goes out after its
   * handshake is complete, under the handshake key.
   */
  appRecordsBeforeHandOff = 0;
  #pending: Uint8Array = new Uint8Array(0);
  #opening: Promise<void> = Promise.resolve();
  #waiters: (() => void)[] = [];
  // Counts socket events, so bytes that land while the handshake step runs are not missed.
  #events = 0;

  private constructor(socket: Socket) {
    this.socket = socket;
    socket.on("data", (chunk: Uint8Array) => {
      const bytes = new Uint8Array(chunk);
      if (this.layer) this.#feed(bytes);
      else this.#pending = concat(this.#pending, bytes);
      this.#wake();
    });
    const end = () => {
      this.eof = true;
      this.#wake();
    };
    socket.on("end", end);
    socket.on("close", end);
    socket.on("error", (e: Error) => {
      this.failure ??= e;
      end();
    });
  }

  /** Connects to 127.0.0.1:`port`. */
  static connect(port: number): Promise<KernelSocket> {
    return new Promise((resolve, reject) => {
      const socket = connect({ port, host: "127.0.0.1" });
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new Error(`connect to port ${port} timed out`));
      }, WAIT_MS);
      socket.once("connect", () => {
        clearTimeout(timer);
        socket.setNoDelay(true);
        resolve(new KernelSocket(socket));
      });
      socket.once("error", (e) => {
        clearTimeout(timer);
        reject(e);
      });
    });
  }

  /** Wraps an accepted socket (the server side). */
  static wrap(socket: Socket): KernelSocket {
    socket.setNoDelay(true);
    return new KernelSocket(socket);
  }

  #wake(): void {
    this.#events++;
    const ws = this.#waiters;
    this.#waiters = [];
    for (const w of ws) w();
  }

  /** Resolves on the next socket event or layer progress; rejects at the deadline. */
  #nextEvent(deadline: number, what: string): Promise<void> {
    const left = deadline - Date.now();
    if (left <= 0) return Promise.reject(new Error(`timed out while ${what}`));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`timed out while ${what}`)), left);
      this.#waiters.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  /** Waits until `done()` holds. */
  async until(done: () => boolean, what: string, timeoutMs = WAIT_MS): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!done()) {
      if (this.failure) throw this.failure;
      if (this.eof) throw new Error(`transport closed while ${what}`);
      await this.#nextEvent(deadline, what);
    }
  }

  /**
   * Runs the handshake with a new unbuffered client, then hands off (see
   * {@link KernelSocket.handOff}).
   */
  async handshakeAndHandOff(
    config: ClientConfig,
    serverName: string,
    options: KernelRecordLayerOptions = {},
  ): Promise<KernelRecordLayer> {
    const client = await UnbufferedClientConnection.create(config, serverName);
    return await this.handOff(client, options);
  }

  /**
   * Runs the handshake (the loop from the design notes) until WriteTraffic
   * with every record encoded (a server's tickets included), then calls
   * dangerousIntoKernelConnection() and builds the layer. Bytes already
   * received but not consumed go to the layer first.
   */
  async handOff(
    client: HandOffConnection,
    options: KernelRecordLayerOptions = {},
  ): Promise<KernelRecordLayer> {
    const deadline = Date.now() + WAIT_MS;
    const out = new Uint8Array(65536);
    let failure: unknown;
    for (let guard = 0; guard < 1000; guard++) {
      const seen = this.#events;
      let status;
      try {
        status = await client.processTlsRecords(this.#pending);
      } catch (e) {
        // The first rejection queued the fatal alert: go round once more to send it.
        if (failure !== undefined) throw failure;
        failure = e;
        continue;
      }
      const { discard, state } = status;
      let consumed = discard;
      switch (state.kind) {
        case "EncodeTlsData": {
          const n = await state.encode(out);
          if (!client.isHandshaking) {
            this.appRecordsBeforeHandOff += appDataRecords(out.subarray(0, n));
          }
          this.socket.write(out.slice(0, n));
          break;
        }
        case "TransmitTlsData":
          state.done();
          break;
        case "ReadTraffic":
          for (let r = state.nextRecord(); r; r = state.nextRecord()) consumed += r.discard;
          break;
        case "BlockedHandshake":
          this.#pending = this.#pending.subarray(consumed);
          if (this.#events !== seen) continue; // more bytes arrived meanwhile
          if (this.eof) throw new Error("peer closed during the handshake");
          await this.#nextEvent(deadline, "handshaking");
          continue;
        case "WriteTraffic": {
          this.#pending = this.#pending.subarray(consumed);
          const { secrets, connection } = await client.dangerousIntoKernelConnection();
          this.secrets = secrets;
          this.connection = connection;
          // What the record layer gets from here on is plain data plus the connection.
          const layer = await KernelRecordLayer.create(
            structuredClone(secrets),
            connection,
            options,
          );
          this.layer = layer;
          const leftover = this.#pending;
          this.#pending = new Uint8Array(0);
          if (leftover.length > 0) this.#feed(leftover);
          return layer;
        }
        default:
          throw new Error(`handshake ended in state ${state.kind}`);
      }
      this.#pending = this.#pending.subarray(consumed);
    }
    throw new Error("handshake made no progress");
  }

  #feed(bytes: Uint8Array): void {
    const layer = this.layer!;
    this.#opening = this.#opening.then(async () => {
      if (this.failure) return;
      try {
        const { data, toSend } = await layer.open(bytes);
        if (toSend.length > 0) this.socket.write(toSend);
        for (const d of data) this.received = concat(this.received, d.slice());
      } catch (e) {
        this.failure ??= e;
        const alert = await layer.fatalAlert();
        if (alert.length > 0 && !this.socket.destroyed) this.socket.write(alert);
      }
      this.#wake();
    });
  }

  /** Seals and sends application data. */
  async write(data: Uint8Array | string): Promise<void> {
    const bytes = typeof data === "string" ? new TextEncoder().encode(data) : data;
    this.socket.write(await this.layer!.seal(bytes));
  }

  /** Sends our KeyUpdate. */
  async keyUpdate(requestPeer: boolean): Promise<void> {
    this.socket.write(await this.layer!.keyUpdate(requestPeer));
  }

  /** Received text so far. */
  get text(): string {
    return decoder.decode(this.received);
  }

  /** Waits until the received text contains `needle`. */
  readUntilText(needle: string): Promise<void> {
    return this.until(() => this.text.includes(needle), `waiting for ${JSON.stringify(needle)}`);
  }

  /** Waits until `n` application bytes arrived. */
  readAtLeast(n: number): Promise<void> {
    return this.until(() => this.received.length >= n, `reading ${n} bytes`);
  }

  /** Forgets what was received. */
  take(): Uint8Array {
    const r = this.received;
    this.received = new Uint8Array(0);
    return r;
  }

  /** Sends close_notify (if possible) and drops the socket. */
  async close(): Promise<void> {
    try {
      if (this.layer && !this.layer.closeSent && this.layer.error === undefined) {
        this.socket.write(await this.layer.closeNotify());
      }
    } finally {
      this.socket.destroy();
    }
  }
}
