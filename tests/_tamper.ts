// A client and a server joined by a wire that can rewrite what one side sends:
// it opens every record with the sender's secrets (from the key log), hands it
// to an edit, and seals what the edit returns under the same key, so a victim
// receives genuine-looking records with one rule broken. TLS 1.3 over
// TLS_AES_128_GCM_SHA256 only (the suite is forced).
import { ClientConfig, type ClientConfigOptions } from "../src/client/config.ts";
import { ServerConfig, type ServerConfigOptions } from "../src/server/config.ts";
import { UnbufferedClientConnection, UnbufferedServerConnection } from "../src/conn/unbuffered.ts";
import { TlsError } from "../src/error.ts";
import { aes128Gcm } from "../src/crypto/webcrypto/aead.ts";
import { hmacSha256 } from "../src/crypto/webcrypto/hash.ts";
import { nextTrafficSecret, trafficKeys } from "../src/tls13/key_schedule.ts";
import { Tls13Reader, Tls13Writer } from "../src/record/record_io.ts";
import { splitHandshakeMessages } from "../src/msgs/handshake.ts";
import { WebPkiServerVerifier } from "../src/webpki/verifier.ts";
import { Endpoint, joinBytes, runPair, splitRecords } from "./_pair.ts";
import type { PairPki } from "./_pair_setup.ts";

/** One record as the edit sees it. */
export interface WireRecord {
  /** Inner content type when protected, else the outer one. */
  type: number;
  /** The plaintext (inner plaintext without padding when protected). */
  plaintext: Uint8Array;
  /** True when the record was (and will be) protected. */
  protected: boolean;
  /** The key epoch's key log label ("" in clear). */
  epoch: string;
  /** Index of this record among all records the sender sent so far. */
  index: number;
  /** When set (in a returned record), these bytes are sent as they are. */
  raw?: Uint8Array;
}

/** Returns the records to send instead of `rec`; undefined keeps it. */
export type Edit = (
  rec: WireRecord,
) => WireRecord[] | undefined | Promise<WireRecord[] | undefined>;

interface EpochState {
  secret: Uint8Array;
  label: string;
  openSeq: bigint;
  sealSeq: bigint;
}

const TO_SERVER = [
  "CLIENT_EARLY_TRAFFIC_SECRET",
  "CLIENT_HANDSHAKE_TRAFFIC_SECRET",
  "CLIENT_TRAFFIC_SECRET_0",
];
const TO_CLIENT = ["SERVER_HANDSHAKE_TRAFFIC_SECRET", "SERVER_TRAFFIC_SECRET_0"];

/** Rewrites one direction of the conversation. */
export class TamperWire {
  readonly #keys: Map<string, Uint8Array>;
  readonly #labels: readonly string[];
  readonly #edit: Edit;
  readonly #epochs: EpochState[] = [];
  #current = -1;
  #index = 0;

  constructor(keys: Map<string, Uint8Array>, labels: readonly string[], edit: Edit) {
    this.#keys = keys;
    this.#labels = labels;
    this.#edit = edit;
  }

  /** Passes one batch of whole records through the edit. */
  async pass(batch: Uint8Array): Promise<Uint8Array> {
    const out: Uint8Array[] = [];
    for (const r of splitRecords(batch)) {
      const rec = await this.#open(r.bytes);
      const index = this.#index++;
      if (!rec) {
        out.push(r.bytes);
        continue;
      }
      const view: WireRecord = { ...rec.view, index };
      const edited = await this.#edit(view);
      const epoch = rec.epoch;
      if (edited === undefined && (!epoch || epoch.sealSeq === epoch.openSeq - 1n)) {
        if (epoch) epoch.sealSeq++;
        out.push(r.bytes);
        continue;
      }
      for (const e of edited ?? [view]) out.push(await this.#seal(e, r.bytes[2], epoch));
    }
    return joinBytes(out);
  }

  async #epoch(i: number): Promise<EpochState | undefined> {
    while (this.#epochs.length <= i) {
      const n = this.#epochs.length;
      if (n < this.#labels.length) {
        const secret = this.#keys.get(this.#labels[n]);
        // A missing early secret is skipped; a later one is not known yet.
        if (!secret) {
          if (n === 0 && this.#labels[0].includes("EARLY")) {
            this.#epochs.push({
              secret: new Uint8Array(32),
              label: "none",
              openSeq: 0n,
              sealSeq: 0n,
            });
            continue;
          }
          return undefined;
        }
        this.#epochs.push({ secret, label: this.#labels[n], openSeq: 0n, sealSeq: 0n });
      } else {
        const prev = this.#epochs[n - 1];
        const secret = await nextTrafficSecret(hmacSha256, prev.secret);
        this.#epochs.push({ secret, label: `${prev.label}+`, openSeq: 0n, sealSeq: 0n });
      }
    }
    return this.#epochs[i];
  }

  async #open(
    bytes: Uint8Array,
  ): Promise<{ view: Omit<WireRecord, "index">; epoch: EpochState | undefined } | undefined> {
    const type = bytes[0];
    if (type !== 23) {
      return {
        view: { type, plaintext: bytes.subarray(5), protected: false, epoch: "" },
        epoch: undefined,
      };
    }
    for (let i = Math.max(0, this.#current); i < Math.max(0, this.#current) + 3; i++) {
      const epoch = await this.#epoch(i);
      if (!epoch) break;
      const { key, iv } = await trafficKeys(hmacSha256, aes128Gcm, epoch.secret);
      const reader = await Tls13Reader.create(aes128Gcm, key, iv, epoch.openSeq);
      try {
        const opened = await reader.open(bytes.subarray(0, 5), bytes.subarray(5));
        this.#current = i;
        epoch.openSeq++;
        return {
          view: {
            type: opened.contentType,
            plaintext: opened.plaintext.slice(),
            protected: true,
            epoch: epoch.label,
          },
          epoch,
        };
      } catch (e) {
        if (!(e instanceof TlsError)) throw e;
      }
    }
    return undefined;
  }

  async #seal(rec: WireRecord, minor: number, epoch: EpochState | undefined): Promise<Uint8Array> {
    if (rec.raw) return rec.raw;
    if (!rec.protected || !epoch) {
      const out = new Uint8Array(5 + rec.plaintext.length);
      out.set([rec.type, 3, minor, rec.plaintext.length >> 8, rec.plaintext.length & 0xff]);
      out.set(rec.plaintext, 5);
      return out;
    }
    const { key, iv } = await trafficKeys(hmacSha256, aes128Gcm, epoch.secret);
    const writer = await Tls13Writer.create(aes128Gcm, key, iv, epoch.sealSeq++);
    return writer.write(rec.type, rec.plaintext);
  }
}

/** An edit over handshake messages: `fn` returns replacement message bytes, or undefined. */
export function editMessages(
  fn: (msg: { type: number; body: Uint8Array; encoded: Uint8Array }, rec: WireRecord) =>
    | Uint8Array
    | undefined,
): Edit {
  return (rec) => {
    if (rec.type !== 22) return undefined;
    let changed = false;
    const parts = splitHandshakeMessages(rec.plaintext).map((m) => {
      const r = fn(m, rec);
      if (r === undefined) return m.encoded;
      changed = true;
      return r;
    });
    return changed ? [{ ...rec, plaintext: joinBytes(parts) }] : undefined;
  };
}

/** Options for {@link tamperedPair}. */
export interface TamperOptions {
  /** Server options on top of the P-256 leaf. */
  server?: Partial<ServerConfigOptions>;
  /** Client options on top of the test roots. */
  client?: Partial<ClientConfigOptions>;
  /** Rewrites what the client sends. */
  toServer?: Edit;
  /** Rewrites what the server sends. */
  toClient?: Edit;
  /** Use this client config as is (no key log: edits then see only records in clear). */
  clientConfig?: ClientConfig;
  /** Use this server config as is (likewise). */
  serverConfig?: ServerConfig;
  /** The key log (label to secret), shared with the caller's edits. */
  keys?: Map<string, Uint8Array>;
  /** Data the client sends once it can. */
  clientData?: Uint8Array;
  /** Data the server sends once it can. */
  serverData?: Uint8Array;
}

/** Result of {@link tamperedPair}. */
export interface TamperedPair {
  client: Endpoint;
  server: Endpoint;
  clientConn: UnbufferedClientConnection;
  serverConn: UnbufferedServerConnection;
  /** The client's failure, if any. */
  clientError: TlsError | undefined;
  /** The server's failure, if any. */
  serverError: TlsError | undefined;
}

/** Runs a handshake (and the given data) through the tampering wires. */
export async function tamperedPair(pki: PairPki, opts: TamperOptions = {}): Promise<TamperedPair> {
  const keys = opts.keys ?? new Map<string, Uint8Array>();
  const keyLog = (label: string, _r: Uint8Array, secret: Uint8Array): void => {
    keys.set(label, secret.slice());
  };
  const leaf = pki.leaves.p256;
  const serverConn = new UnbufferedServerConnection(
    opts.serverConfig ?? new ServerConfig({
      certificateChain: leaf.certPem,
      privateKey: leaf.keyPem,
      cipherSuites: [0x1301],
      keyLog,
      ...opts.server,
    }),
  );
  const clientConn = await UnbufferedClientConnection.create(
    opts.clientConfig ?? new ClientConfig({
      verifier: new WebPkiServerVerifier({ roots: pki.roots() }),
      resumption: false,
      cipherSuites: [0x1301],
      keyLog,
      ...opts.client,
    }),
    "localhost",
  );
  const client = new Endpoint(clientConn);
  const server = new Endpoint(serverConn);
  client.captureErrors = server.captureErrors = true;
  const pass = (_rec: WireRecord): undefined => undefined;
  const toServer = new TamperWire(keys, TO_SERVER, opts.toServer ?? pass);
  const toClient = new TamperWire(keys, TO_CLIENT, opts.toClient ?? pass);
  client.wire = (b) => toServer.pass(b);
  server.wire = (b) => toClient.pass(b);
  if (opts.clientData) client.pendingWrites.push(opts.clientData);
  if (opts.serverData) server.pendingWrites.push(opts.serverData);
  await runPair(client, server);
  const asTls = (e: unknown): TlsError | undefined => {
    if (e === undefined) return undefined;
    if (e instanceof TlsError) return e;
    throw e;
  };
  return {
    client,
    server,
    clientConn,
    serverConn,
    clientError: asTls(client.error),
    serverError: asTls(server.error),
  };
}
