/**
 * DHKEM (RFC 9180 section 4.1) over X25519 and P-256 with HKDF-SHA256. The
 * Diffie-Hellman itself is the provider's: `dh(sk)` imports a private key and
 * returns an exchange whose `complete()` validates the peer's share (point
 * on the curve, no all-zero X25519 result), exactly as in a TLS handshake.
 *
 * @module
 */

import { concat } from "../../_bytes.ts";
import type { ActiveKeyExchange, Hmac, HpkeKem, HpkeKeyPair } from "../types.ts";
import { i2osp, kemSuiteId, labeledExpand, labeledExtract } from "./labeled.ts";
import { HpkeKemId } from "./hpke.ts";

/** Imports a serialized private key as a Diffie-Hellman exchange. */
export type DhFromPrivateKey = (privateKey: Uint8Array) => Promise<ActiveKeyExchange>;

/** The curves DHKEM is built on here. */
export type DhKemCurve = "X25519" | "P-256";

const EMPTY = new Uint8Array(0);

// Order of the P-256 group (SEC 2), big-endian: candidates must be below it.
const P256_ORDER = Uint8Array.from(
  "ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551".match(/../g)!,
  (h) => parseInt(h, 16),
);

function isValidP256Scalar(sk: Uint8Array): boolean {
  let nonZero = false;
  for (const b of sk) if (b !== 0) nonZero = true;
  if (!nonZero) return false;
  for (let i = 0; i < sk.length; i++) {
    if (sk[i] !== P256_ORDER[i]) return sk[i] < P256_ORDER[i];
  }
  return false; // equal to the order
}

interface CurveSpec {
  readonly id: number;
  readonly name: string;
  readonly npk: number;
}

const SPECS: Readonly<Record<DhKemCurve, CurveSpec>> = {
  "X25519": { id: HpkeKemId.DhKemX25519, name: "DHKEM(X25519, HKDF-SHA256)", npk: 32 },
  "P-256": { id: HpkeKemId.DhKemP256, name: "DHKEM(P-256, HKDF-SHA256)", npk: 65 },
};

const NSK = 32;
const NSECRET = 32;

/**
 * Builds DHKEM over `curve`. `hmac` must be HMAC-SHA256 (the KEM's own KDF);
 * `randomBytes` seeds GenerateKeyPair through DeriveKeyPair, as section 7.1.3
 * allows.
 *
 * @example
 * ```ts
 * import { dhKem } from "./dhkem.ts";
 * import { x25519FromPrivateKey } from "../webcrypto/kx.ts";
 * import { hmacSha256Pure } from "../pure/sha2.ts";
 * const kem = dhKem("X25519", x25519FromPrivateKey, hmacSha256Pure, (n) =>
 *   crypto.getRandomValues(new Uint8Array(n)));
 * const pair = await kem.generateKeyPair();
 * console.log(pair.publicKey.length); // 32
 * ```
 */
export function dhKem(
  curve: DhKemCurve,
  dh: DhFromPrivateKey,
  hmac: Hmac,
  randomBytes: (n: number) => Uint8Array,
): HpkeKem {
  const spec = SPECS[curve];
  const suiteId = kemSuiteId(spec.id);

  async function extractAndExpand(dhSecret: Uint8Array, kemContext: Uint8Array) {
    const eaePrk = await labeledExtract(hmac, suiteId, EMPTY, "eae_prk", dhSecret);
    return labeledExpand(hmac, suiteId, eaePrk, "shared_secret", kemContext, NSECRET);
  }

  async function derivePrivateKey(ikm: Uint8Array): Promise<Uint8Array> {
    const dkpPrk = await labeledExtract(hmac, suiteId, EMPTY, "dkp_prk", ikm);
    if (curve === "X25519") return labeledExpand(hmac, suiteId, dkpPrk, "sk", EMPTY, NSK);
    // Section 7.1.3: rejection sampling; P-256's bitmask is 0xff.
    for (let counter = 0; counter < 256; counter++) {
      const candidate = await labeledExpand(
        hmac,
        suiteId,
        dkpPrk,
        "candidate",
        i2osp(counter, 1),
        NSK,
      );
      if (isValidP256Scalar(candidate)) return candidate;
    }
    throw new TypeError("DeriveKeyPairError: no valid P-256 scalar");
  }

  async function deriveKeyPair(ikm: Uint8Array): Promise<HpkeKeyPair> {
    if (ikm.length < NSK) throw new RangeError("DeriveKeyPair: ikm shorter than Nsk");
    const privateKey = await derivePrivateKey(ikm);
    const { publicKey } = await dh(privateKey);
    return { privateKey, publicKey };
  }

  return {
    id: spec.id,
    name: spec.name,
    encLen: spec.npk,
    privateKeyLen: NSK,
    generateKeyPair(): Promise<HpkeKeyPair> {
      return deriveKeyPair(randomBytes(NSK));
    },
    deriveKeyPair,
    async encap(
      publicKey: Uint8Array,
      ephemeral?: HpkeKeyPair,
    ): Promise<{ sharedSecret: Uint8Array; enc: Uint8Array }> {
      const eph = ephemeral ?? await deriveKeyPair(randomBytes(NSK));
      const kx = await dh(eph.privateKey);
      const dhSecret = await kx.complete(publicKey);
      const enc = kx.publicKey;
      return { sharedSecret: await extractAndExpand(dhSecret, concat(enc, publicKey)), enc };
    },
    async decap(enc: Uint8Array, privateKey: Uint8Array): Promise<Uint8Array> {
      if (privateKey.length !== NSK) throw new RangeError(`${spec.name}: private key length`);
      const kx = await dh(privateKey);
      const dhSecret = await kx.complete(enc);
      return extractAndExpand(dhSecret, concat(enc, kx.publicKey));
    },
  };
}
