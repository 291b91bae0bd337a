// The two ways a connection reads the peer's records after the handshake, for
// tests/post_handshake_policy_test.ts: the connection itself (processTlsRecords)
// and KernelRecordLayer after dangerousIntoKernelConnection(). The peer's
// records are forged under its real send keys, taken from its own hand-off.
import assert from "node:assert/strict";
import { KernelRecordLayer } from "../src/kernel/record_layer.ts";
import type { DirectionSecrets, KernelConnection } from "../src/conn/kernel.ts";
import type {
  UnbufferedClientConnection,
  UnbufferedServerConnection,
} from "../src/conn/unbuffered.ts";
import { TlsError } from "../src/error.ts";
import { installKey, protectionFor } from "../src/record/protection.ts";
import { ProtectedWriter } from "../src/record/record_io.ts";
import { connectPair, makePairPki, type PairPki } from "./_pair_setup.ts";
import { testProvider } from "./_kernel_pair.ts";
import { Endpoint, joinBytes } from "./_pair.ts";

export type Version = "TLSv1_3" | "TLSv1_2";
export type Side = "client" | "server";

/** Either connection. */
export type Conn = UnbufferedClientConnection | UnbufferedServerConnection;

/** What the victim made of the input. */
export type Outcome =
  | { accepted: true; data: string; peerClosed: boolean }
  | { accepted: false; kind: string; detail: string | undefined; alert: number | undefined };

/** What the attacker read back from the victim: records, and the fatal alert if one came. */
export interface Answer {
  records: number;
  alert: number | undefined;
}

/** Reads what the victim sent, under the victim's send keys (the attacker's receive keys). */
export class Listener {
  readonly #layer: KernelRecordLayer;

  constructor(layer: KernelRecordLayer) {
    this.#layer = layer;
  }

  /** Everything the victim sent, read once. */
  async read(sent: Uint8Array): Promise<Answer> {
    try {
      await this.#layer.open(sent);
      return { records: this.#layer.stats.recordsOpened, alert: undefined };
    } catch (e) {
      if (!(e instanceof TlsError) || e.kind !== "AlertReceived") throw e;
      return { records: this.#layer.stats.recordsOpened, alert: e.alert };
    }
  }
}

/** Seals records as the attacker (the victim's peer) would, under its send keys. */
export class Forger {
  readonly version: Version;
  readonly #conn: KernelConnection;
  #writer: ProtectedWriter;

  private constructor(version: Version, conn: KernelConnection, writer: ProtectedWriter) {
    this.version = version;
    this.#conn = conn;
    this.#writer = writer;
  }

  static async create(version: Version, tx: DirectionSecrets, conn: KernelConnection) {
    return new Forger(version, conn, await Forger.#writerFor(version, tx));
  }

  static async #writerFor(version: Version, tx: DirectionSecrets): Promise<ProtectedWriter> {
    const provider = await testProvider();
    const aead = provider.cipherSuites.find((s) => s.aead.kind === tx.secrets.kind)!.aead;
    const key = await installKey(aead, tx.secrets.key, tx.secrets.iv, 0n);
    return new ProtectedWriter(protectionFor(version, aead.kind), key, tx.seq);
  }

  /** One protected record of inner `type` around `payload`. */
  record(type: number, payload: Uint8Array | number[]): Promise<Uint8Array> {
    return this.#writer.write(
      type,
      payload instanceof Uint8Array ? payload : new Uint8Array(payload),
    );
  }

  /** A KeyUpdate record (body `[value]`), after which the attacker's key moves on. */
  async keyUpdate(value: number): Promise<Uint8Array> {
    const rec = await this.record(22, [24, 0, 0, 1, value]);
    this.#writer = await Forger.#writerFor(this.version, await this.#conn.updateTxSecret());
    return rec;
  }
}

/**
 * An established pair whose victim is `side`, a forger for the other end,
 * and a listener for what the victim sends back.
 */
export async function victimAndForger(
  pki: PairPki,
  version: Version,
  side: Side,
  options: { maxKeyUpdates?: number } = {},
): Promise<{ victim: Conn; forger: Forger; listener: Listener }> {
  const p = await connectPair(pki, {
    client: { versions: [version], enableSecretExtraction: true, ...options },
    server: { enableSecretExtraction: true, ...options },
  });
  assert.equal(p.clientConn.protocolVersion, version);
  const [victim, attacker] = side === "server"
    ? [p.serverConn, p.clientConn]
    : [p.clientConn, p.serverConn];
  const { secrets, connection } = await attacker.dangerousIntoKernelConnection();
  const provider = await testProvider();
  const listener = new Listener(await KernelRecordLayer.create(secrets, connection, { provider }));
  return { victim, forger: await Forger.create(version, secrets.tx, connection), listener };
}

function failure(e: unknown): Outcome {
  if (!(e instanceof TlsError)) throw e;
  // Both paths answer the peer's misbehaviour with the alert in `alert`, and
  // report the peer's own alert as received.
  assert.equal(e.alertDirection, e.kind === "AlertReceived" ? "received" : "sent", e.message);
  return { accepted: false, kind: e.kind, detail: e.detail, alert: e.alert };
}

/** What a path made of the input, and what the victim sent back. */
export interface PathResult {
  outcome: Outcome;
  /** Every byte the victim sent in answer (KeyUpdates, warnings, its fatal alert). */
  sent: Uint8Array;
}

/** The connection path: processTlsRecords until the input is used up (tests/_pair.ts's driver). */
export async function viaConnection(victim: Conn, input: Uint8Array): Promise<PathResult> {
  const end = new Endpoint(victim);
  end.peer = new Endpoint(victim); // collects what the victim sends; never run
  end.captureErrors = true;
  end.feed(input);
  await end.step(); // after a failure it also sends the queued fatal alert
  const sent = end.peer.incoming;
  if (end.error !== undefined) return { outcome: failure(end.error), sent };
  assert.equal(end.incoming.length, 0, "the connection read all of the input");
  const data = new TextDecoder().decode(end.receivedBytes());
  return { outcome: { accepted: true, data, peerClosed: end.peerClosed }, sent };
}

/** The kernel path: the victim hands off and its KernelRecordLayer opens the input. */
export async function viaKernel(victim: Conn, input: Uint8Array): Promise<PathResult> {
  const { secrets, connection } = await victim.dangerousIntoKernelConnection();
  const layer = await KernelRecordLayer.create(secrets, connection, {
    provider: await testProvider(),
  });
  try {
    const { data, peerClosed, toSend } = await layer.open(input);
    const text = new TextDecoder().decode(joinBytes(data));
    return { outcome: { accepted: true, data: text, peerClosed }, sent: toSend };
  } catch (e) {
    // The caller's duty after a fatal error: send the layer's alert record.
    return { outcome: failure(e), sent: await layer.fatalAlert() };
  }
}

export { makePairPki };
