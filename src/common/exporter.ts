/**
 * The keying-material exporter a finished handshake leaves behind (RFC 8446
 * section 7.5, RFC 5705), shared by the unbuffered connections and the kernel
 * connection after the hand-off. It keeps the secret it derives from and the
 * rules every exported value follows.
 *
 * @module
 */

import type { Hmac } from "../crypto/types.ts";
import { tlsError } from "../error.ts";
import { redactInspection } from "../record/_redact.ts";
import { exportKeyingMaterial as export13, type MasterSecret } from "../tls13/key_schedule.ts";
import { exportKeyingMaterial12 } from "../tls12/exporter.ts";

/**
 * Labels the TLS 1.2 key schedule itself uses (RFC 5705 section 4, RFC 7627):
 * an exporter under one of them would hand out the PRF output of the master
 * secret, the key block or a Finished. Refused in both versions.
 */
export const RESERVED_EXPORTER_LABELS: readonly string[] = [
  "client finished",
  "server finished",
  "master secret",
  "key expansion",
  "extended master secret",
];

/** Longest label, in bytes of UTF-8 ("tls13 " + label fits an HkdfLabel). */
const MAX_LABEL_BYTES = 249;

/** Largest TLS 1.2 output; TLS 1.3 allows 255 * Hash.length (HKDF-Expand). */
const MAX_TLS12_LENGTH = 0xffff;

const encoder = new TextEncoder();

type Derivation =
  | { version: "TLSv1_3"; hmac: Hmac; secret: () => Promise<Uint8Array> }
  | {
    version: "TLSv1_2";
    hmac: Hmac;
    secret: Uint8Array;
    clientRandom: Uint8Array;
    serverRandom: Uint8Array;
    extendedMasterSecret: boolean;
  };

/** Exports keying material for one connection. Created by the handshake. */
export class Exporter {
  readonly #d: Derivation;

  private constructor(d: Derivation) {
    this.#d = d;
  }

  /** TLS 1.3: from the exporter_master_secret. */
  static tls13(hmac: Hmac, exporterMasterSecret: Uint8Array): Exporter {
    const secret = Promise.resolve(exporterMasterSecret.slice());
    return new Exporter({ version: "TLSv1_3", hmac, secret: () => secret });
  }

  /**
   * TLS 1.3: from the master secret and Hash(ClientHello..server Finished).
   * Most connections never export, so exporter_master_secret is derived on
   * first use, unless `keyLog` wants it now (SSLKEYLOGFILE's EXPORTER_SECRET).
   */
  static async tls13FromMaster(
    master: MasterSecret,
    serverFinishedHash: Uint8Array,
    keyLog?: (exporterMasterSecret: Uint8Array) => void,
  ): Promise<Exporter> {
    if (keyLog) {
      const secret = await master.exporterMasterSecret(serverFinishedHash);
      keyLog(secret);
      return Exporter.tls13(master.hmac, secret);
    }
    const hash = serverFinishedHash.slice();
    let derived: Promise<Uint8Array> | undefined;
    return new Exporter({
      version: "TLSv1_3",
      hmac: master.hmac,
      secret: () => derived ??= master.exporterMasterSecret(hash),
    });
  }

  /** TLS 1.2: from the master secret, the two randoms and whether it is the RFC 7627 one. */
  static tls12(
    hmac: Hmac,
    masterSecret: Uint8Array,
    clientRandom: Uint8Array,
    serverRandom: Uint8Array,
    extendedMasterSecret: boolean,
  ): Exporter {
    return new Exporter({
      version: "TLSv1_2",
      hmac,
      secret: masterSecret.slice(),
      clientRandom: clientRandom.slice(),
      serverRandom: serverRandom.slice(),
      extendedMasterSecret,
    });
  }

  /**
   * `length` bytes for `label` and `context` (undefined: no context). See
   * `UnbufferedConnectionCommon.exportKeyingMaterial` for the rules.
   */
  async export(
    label: string,
    context: Uint8Array | undefined,
    length: number,
  ): Promise<Uint8Array> {
    const d = this.#d;
    if (typeof label !== "string") throw new TypeError("label must be a string");
    if (encoder.encode(label).length > MAX_LABEL_BYTES) {
      throw new RangeError(`label must be at most ${MAX_LABEL_BYTES} bytes of UTF-8`);
    }
    if (RESERVED_EXPORTER_LABELS.includes(label)) {
      throw new RangeError(`"${label}" is reserved by TLS and cannot be an exporter label`);
    }
    if (context !== undefined && !(context instanceof Uint8Array)) {
      throw new TypeError("context must be a Uint8Array or undefined");
    }
    const max = d.version === "TLSv1_3" ? 255 * d.hmac.hash.outputLen : MAX_TLS12_LENGTH;
    if (!Number.isInteger(length) || length < 1 || length > max) {
      throw new RangeError(`length must be an integer from 1 to ${max}`);
    }
    if (d.version === "TLSv1_3") {
      return await export13(d.hmac, await d.secret(), label, context, length);
    }
    // RFC 7627 section 5.4 and RFC 9266 section 4.2: without the extended
    // master secret, two connections can share a master secret (triple
    // handshake), and so every exported value.
    if (!d.extendedMasterSecret) {
      throw tlsError(
        "PeerIncompatible",
        "NoExtendedMasterSecret",
        "TLS 1.2 exporters need the extended master secret (RFC 7627), which this connection lacks",
      );
    }
    if (context !== undefined && context.length > 0xffff) {
      throw new RangeError("context must be under 64 KiB in TLS 1.2");
    }
    return await exportKeyingMaterial12(
      d.hmac,
      d.secret,
      d.clientRandom,
      d.serverRandom,
      label,
      context,
      length,
    );
  }
}

redactInspection(Exporter.prototype, () => "Exporter { <redacted> }");
