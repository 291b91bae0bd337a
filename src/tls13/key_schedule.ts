/**
 * The TLS 1.3 key schedule (RFC 8446 section 7.1) as three stage classes:
 * {@link EarlySecret} -> {@link HandshakeSecret} -> {@link MasterSecret}. Each
 * stage exists only once the previous one has been advanced, so a secret cannot
 * be asked for before its inputs are known.
 *
 * Everything is parametrised by an `Hmac`, which carries its `Hash`: that is all
 * the schedule needs from a cipher suite (pass `suite.hmac`). The AEAD enters
 * only in {@link trafficKeys}, for the key and IV lengths.
 *
 * Transcript hashes are passed in already computed (see `Transcript`), so the
 * schedule never needs to know which messages they cover.
 *
 * @module
 */

import { deriveSecret, hkdfExpandLabel, hkdfExtract, keyedHmac } from "../crypto/hkdf.ts";
import type { Aead, Hmac, KeyedHmac } from "../crypto/types.ts";
import { redactInspection } from "../record/_redact.ts";

const EMPTY = new Uint8Array(0);

function emptyHash(hmac: Hmac): Promise<Uint8Array> {
  return hmac.hash.digest(EMPTY);
}

function checkInput(hmac: Hmac, name: string, value: Uint8Array): void {
  if (value.length !== hmac.hash.outputLen) {
    throw new RangeError(`${name} must be ${hmac.hash.outputLen} bytes`);
  }
}

let newHandshakeSecret: (hmac: Hmac, secret: Uint8Array) => HandshakeSecret;
let newMasterSecret: (hmac: Hmac, secret: Uint8Array) => MasterSecret;

/**
 * What the three stages share: the suite's HMAC, the stage's secret, the HMAC
 * keyed by it (prepared once for all the stage's derivations), and the one
 * Derive-Secret every traffic, exporter and resumption secret is made with.
 *
 * @example
 * ```ts
 * import { EarlySecret, type ScheduleStage } from "./key_schedule.ts";
 * import { hmacSha256 } from "../crypto/webcrypto/hash.ts";
 * const stage: ScheduleStage = await EarlySecret.create(hmacSha256);
 * console.log(stage.dangerousExtractSecret().length); // 32
 * ```
 */
export abstract class ScheduleStage {
  /** The suite's HMAC (and through it, its hash). */
  readonly hmac: Hmac;
  readonly #secret: Uint8Array;
  readonly #mac: KeyedHmac;

  protected constructor(hmac: Hmac, secret: Uint8Array) {
    this.hmac = hmac;
    this.#secret = secret;
    this.#mac = keyedHmac(hmac, secret);
  }

  /** Derive-Secret(this secret, label, transcriptHash), after checking the hash's length. */
  protected derive(label: string, transcriptHash: Uint8Array): Promise<Uint8Array> {
    checkInput(this.hmac, "transcriptHash", transcriptHash);
    return deriveSecret(this.hmac, this.#mac, label, transcriptHash);
  }

  /** Derive-Secret(this secret, label, "") (the empty transcript). */
  protected async deriveEmpty(label: string): Promise<Uint8Array> {
    return deriveSecret(this.hmac, this.#mac, label, await emptyHash(this.hmac));
  }

  /** The next stage's secret: HKDF-Extract(Derive-Secret(., "derived", ""), ikm). */
  protected async next(ikm: Uint8Array): Promise<Uint8Array> {
    return hkdfExtract(this.hmac, await this.deriveEmpty("derived"), ikm);
  }

  /** A copy of the stage's secret itself. For tests and diagnostics only. */
  dangerousExtractSecret(): Uint8Array {
    return this.#secret.slice();
  }
}

/**
 * Stage one: Early Secret = HKDF-Extract(0, PSK), with HashLen zeros when there
 * is no PSK.
 *
 * @example
 * ```ts
 * import { EarlySecret } from "./key_schedule.ts";
 * import { hmacSha256 } from "../crypto/webcrypto/hash.ts";
 * const early = await EarlySecret.create(hmacSha256);
 * const hs = await early.toHandshake(new Uint8Array(32)); // the (EC)DHE shared secret
 * const transcriptHash = new Uint8Array(32); // Hash(ClientHello..ServerHello)
 * const cHs = await hs.clientHandshakeTrafficSecret(transcriptHash);
 * const master = await hs.toMaster();
 * console.log(cHs.length, master.hmac === hmacSha256); // 32 true
 * ```
 */
export class EarlySecret extends ScheduleStage {
  private constructor(hmac: Hmac, secret: Uint8Array) {
    super(hmac, secret);
  }

  /**
   * Extracts the early secret from `psk` (resumption or external), or from
   * HashLen zero bytes when there is none.
   */
  static async create(hmac: Hmac, psk?: Uint8Array): Promise<EarlySecret> {
    const ikm = psk ?? new Uint8Array(hmac.hash.outputLen);
    return new EarlySecret(hmac, await hkdfExtract(hmac, EMPTY, ikm));
  }

  /**
   * binder_key = Derive-Secret(ES, "res binder" | "ext binder", ""): `res` for
   * resumption PSKs, `ext` for external ones. Feed it to {@link binderValue}.
   */
  binderKey(kind: "res" | "ext"): Promise<Uint8Array> {
    return this.deriveEmpty(`${kind} binder`);
  }

  /** client_early_traffic_secret; `transcriptHash` = Hash(ClientHello). */
  clientEarlyTrafficSecret(transcriptHash: Uint8Array): Promise<Uint8Array> {
    return this.derive("c e traffic", transcriptHash);
  }

  /** early_exporter_master_secret; `transcriptHash` = Hash(ClientHello). */
  earlyExporterMasterSecret(transcriptHash: Uint8Array): Promise<Uint8Array> {
    return this.derive("e exp master", transcriptHash);
  }

  /**
   * Advances to the handshake secret with the (EC)DHE shared secret, or with
   * HashLen zeros when there is none (psk_ke).
   */
  async toHandshake(sharedSecret?: Uint8Array): Promise<HandshakeSecret> {
    const ikm = sharedSecret ?? new Uint8Array(this.hmac.hash.outputLen);
    return newHandshakeSecret(this.hmac, await this.next(ikm));
  }
}

/**
 * Stage two: Handshake Secret. Obtained from {@link EarlySecret.toHandshake}.
 *
 * @example
 * ```ts
 * import { EarlySecret } from "./key_schedule.ts";
 * import { hmacSha384 } from "../crypto/webcrypto/hash.ts";
 * const hs = await (await EarlySecret.create(hmacSha384)).toHandshake(new Uint8Array(48));
 * const sHs = await hs.serverHandshakeTrafficSecret(new Uint8Array(48));
 * console.log(sHs.length); // 48
 * ```
 */
export class HandshakeSecret extends ScheduleStage {
  private constructor(hmac: Hmac, secret: Uint8Array) {
    super(hmac, secret);
  }

  static {
    newHandshakeSecret = (hmac, secret) => new HandshakeSecret(hmac, secret);
  }

  /** client_handshake_traffic_secret; `transcriptHash` = Hash(ClientHello..ServerHello). */
  clientHandshakeTrafficSecret(transcriptHash: Uint8Array): Promise<Uint8Array> {
    return this.derive("c hs traffic", transcriptHash);
  }

  /** server_handshake_traffic_secret; `transcriptHash` = Hash(ClientHello..ServerHello). */
  serverHandshakeTrafficSecret(transcriptHash: Uint8Array): Promise<Uint8Array> {
    return this.derive("s hs traffic", transcriptHash);
  }

  /** Advances to the master secret (its input keying material is HashLen zeros). */
  async toMaster(): Promise<MasterSecret> {
    const zeros = new Uint8Array(this.hmac.hash.outputLen);
    return newMasterSecret(this.hmac, await this.next(zeros));
  }
}

/**
 * Stage three: Master Secret. Obtained from {@link HandshakeSecret.toMaster}.
 *
 * @example
 * ```ts
 * import { EarlySecret } from "./key_schedule.ts";
 * import { hmacSha256 } from "../crypto/webcrypto/hash.ts";
 * const early = await EarlySecret.create(hmacSha256);
 * const master = await (await early.toHandshake(new Uint8Array(32))).toMaster();
 * const h = new Uint8Array(32); // Hash(ClientHello..server Finished)
 * console.log((await master.clientApplicationTrafficSecret0(h)).length); // 32
 * ```
 */
export class MasterSecret extends ScheduleStage {
  private constructor(hmac: Hmac, secret: Uint8Array) {
    super(hmac, secret);
  }

  static {
    newMasterSecret = (hmac, secret) => new MasterSecret(hmac, secret);
  }

  /** client_application_traffic_secret_0; `transcriptHash` up to the server Finished. */
  clientApplicationTrafficSecret0(transcriptHash: Uint8Array): Promise<Uint8Array> {
    return this.derive("c ap traffic", transcriptHash);
  }

  /** server_application_traffic_secret_0; `transcriptHash` up to the server Finished. */
  serverApplicationTrafficSecret0(transcriptHash: Uint8Array): Promise<Uint8Array> {
    return this.derive("s ap traffic", transcriptHash);
  }

  /** exporter_master_secret; `transcriptHash` up to the server Finished. */
  exporterMasterSecret(transcriptHash: Uint8Array): Promise<Uint8Array> {
    return this.derive("exp master", transcriptHash);
  }

  /** resumption_master_secret; `transcriptHash` up to the client Finished. */
  resumptionMasterSecret(transcriptHash: Uint8Array): Promise<Uint8Array> {
    return this.derive("res master", transcriptHash);
  }
}

for (const stage of [EarlySecret, HandshakeSecret, MasterSecret]) {
  redactInspection(stage.prototype, () => `${stage.name} { <redacted> }`);
}

/** A traffic key and its write IV (RFC 8446 section 7.3). */
export interface TrafficKeys {
  /** `aead.keyLen` bytes. */
  key: Uint8Array;
  /** `aead.nonceLen` (12) bytes. */
  iv: Uint8Array;
}

/**
 * [sender]_write_key = HKDF-Expand-Label(secret, "key", "", key_length) and
 * [sender]_write_iv = HKDF-Expand-Label(secret, "iv", "", iv_length).
 *
 * @example
 * ```ts
 * import { trafficKeys } from "./key_schedule.ts";
 * import { hmacSha256 } from "../crypto/webcrypto/hash.ts";
 * import { aes128Gcm } from "../crypto/webcrypto/aead.ts";
 * const { key, iv } = await trafficKeys(hmacSha256, aes128Gcm, new Uint8Array(32));
 * console.log(key.length, iv.length); // 16 12
 * ```
 */
export async function trafficKeys(
  hmac: Hmac,
  aead: Aead,
  secret: Uint8Array,
): Promise<TrafficKeys> {
  checkInput(hmac, "secret", secret);
  const mac = keyedHmac(hmac, secret);
  return {
    key: await hkdfExpandLabel(hmac, mac, "key", EMPTY, aead.keyLen),
    iv: await hkdfExpandLabel(hmac, mac, "iv", EMPTY, aead.nonceLen),
  };
}

/**
 * finished_key = HKDF-Expand-Label(baseKey, "finished", "", Hash.length)
 * (RFC 8446 section 4.4.4). `baseKey` is a handshake traffic secret, or a
 * binder key for PSK binders.
 *
 * @example
 * ```ts
 * import { finishedKey } from "./key_schedule.ts";
 * import { hmacSha256 } from "../crypto/webcrypto/hash.ts";
 * console.log((await finishedKey(hmacSha256, new Uint8Array(32))).length); // 32
 * ```
 */
export function finishedKey(hmac: Hmac, baseKey: Uint8Array): Promise<Uint8Array> {
  checkInput(hmac, "baseKey", baseKey);
  return hkdfExpandLabel(hmac, baseKey, "finished", EMPTY, hmac.hash.outputLen);
}

/**
 * verify_data = HMAC(finished_key, transcriptHash), with finished_key from
 * {@link finishedKey}. Compare a received value with `constantTimeEqual`.
 *
 * @example
 * ```ts
 * import { finishedVerifyData } from "./key_schedule.ts";
 * import { hmacSha256 } from "../crypto/webcrypto/hash.ts";
 * const v = await finishedVerifyData(hmacSha256, new Uint8Array(32), new Uint8Array(32));
 * console.log(v.length); // 32
 * ```
 */
export async function finishedVerifyData(
  hmac: Hmac,
  baseKey: Uint8Array,
  transcriptHash: Uint8Array,
): Promise<Uint8Array> {
  checkInput(hmac, "transcriptHash", transcriptHash);
  return hmac.sign(await finishedKey(hmac, baseKey), transcriptHash);
}

/**
 * A PSK binder (RFC 8446 section 4.2.11.2): computed like Finished, with the
 * binder key (from {@link EarlySecret.binderKey}) as base key and the hash of
 * the transcript up to and including the ClientHello truncated before its
 * binders list (`Transcript.hashWith(hash, truncatedClientHello)`).
 *
 * @example
 * ```ts
 * import { binderValue, EarlySecret } from "./key_schedule.ts";
 * import { hmacSha256 } from "../crypto/webcrypto/hash.ts";
 * const early = await EarlySecret.create(hmacSha256, new Uint8Array(32));
 * const binder = await binderValue(hmacSha256, await early.binderKey("res"), new Uint8Array(32));
 * console.log(binder.length); // 32
 * ```
 */
export function binderValue(
  hmac: Hmac,
  binderKey: Uint8Array,
  truncatedTranscriptHash: Uint8Array,
): Promise<Uint8Array> {
  return finishedVerifyData(hmac, binderKey, truncatedTranscriptHash);
}

/**
 * application_traffic_secret_N+1 = HKDF-Expand-Label(secret_N, "traffic upd",
 * "", Hash.length) (RFC 8446 section 7.2), for KeyUpdate.
 *
 * @example
 * ```ts
 * import { nextTrafficSecret } from "./key_schedule.ts";
 * import { hmacSha256 } from "../crypto/webcrypto/hash.ts";
 * console.log((await nextTrafficSecret(hmacSha256, new Uint8Array(32))).length); // 32
 * ```
 */
export function nextTrafficSecret(hmac: Hmac, secret: Uint8Array): Promise<Uint8Array> {
  checkInput(hmac, "secret", secret);
  return hkdfExpandLabel(hmac, secret, "traffic upd", EMPTY, hmac.hash.outputLen);
}

/**
 * The PSK a NewSessionTicket stands for: HKDF-Expand-Label(
 * resumption_master_secret, "resumption", ticket_nonce, Hash.length) (RFC 8446
 * section 4.6.1).
 *
 * @example
 * ```ts
 * import { resumptionPsk } from "./key_schedule.ts";
 * import { hmacSha256 } from "../crypto/webcrypto/hash.ts";
 * const psk = await resumptionPsk(hmacSha256, new Uint8Array(32), new Uint8Array([0, 0]));
 * console.log(psk.length); // 32
 * ```
 */
export function resumptionPsk(
  hmac: Hmac,
  resumptionMasterSecret: Uint8Array,
  ticketNonce: Uint8Array,
): Promise<Uint8Array> {
  checkInput(hmac, "resumptionMasterSecret", resumptionMasterSecret);
  return hkdfExpandLabel(
    hmac,
    resumptionMasterSecret,
    "resumption",
    ticketNonce,
    hmac.hash.outputLen,
  );
}

/**
 * The TLS 1.3 exporter (RFC 8446 section 7.5):
 * HKDF-Expand-Label(Derive-Secret(exporterSecret, label, ""), "exporter",
 * Hash(context), length). TLS 1.3 makes no difference between an absent and an
 * empty context, so `context` defaults to empty. `exporterSecret` is the
 * exporter_master_secret (or the early one for 0-RTT exporters).
 *
 * @throws {RangeError} When the label is too long (over 249 bytes of UTF-8) or
 * `length` exceeds 255 * Hash.length.
 *
 * @example
 * ```ts
 * import { exportKeyingMaterial } from "./key_schedule.ts";
 * import { hmacSha256 } from "../crypto/webcrypto/hash.ts";
 * const ekm = await exportKeyingMaterial(hmacSha256, new Uint8Array(32), "EXPORTER-test", undefined, 20);
 * console.log(ekm.length); // 20
 * ```
 */
export async function exportKeyingMaterial(
  hmac: Hmac,
  exporterSecret: Uint8Array,
  label: string,
  context: Uint8Array = EMPTY,
  length: number,
): Promise<Uint8Array> {
  checkInput(hmac, "exporterSecret", exporterSecret);
  const perLabel = await deriveSecret(hmac, exporterSecret, label, await emptyHash(hmac));
  const contextHash = await hmac.hash.digest(context);
  return hkdfExpandLabel(hmac, perLabel, "exporter", contextHash, length);
}
