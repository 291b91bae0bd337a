/**
 * Private signing keys from PKCS#8 (PEM "PRIVATE KEY" or DER) through Web
 * Crypto: ECDSA P-256/P-384, RSA (rsaEncryption and id-RSASSA-PSS) and Ed25519.
 *
 * @module
 */

import { type TlsError, tlsError } from "../../error.ts";
import { SignatureScheme } from "../../msgs/enums.ts";
import type { SigningKey } from "../types.ts";
import {
  decodeOid,
  DerTag,
  ecdsaP1363ToDer,
  Oid,
  parsePkcs8,
  parsePssParams,
  pkcs8AsRsaEncryption,
  type PrivateKeyInfo,
} from "../_der.ts";
import { pemDecode } from "../pem.ts";

type Buf = Uint8Array<ArrayBuffer>;
type ShaName = "SHA-256" | "SHA-384" | "SHA-512";

const HASH_LEN: Record<ShaName, number> = { "SHA-256": 32, "SHA-384": 48, "SHA-512": 64 };

const PSS_RSAE: Record<ShaName, number> = {
  "SHA-256": SignatureScheme.rsa_pss_rsae_sha256,
  "SHA-384": SignatureScheme.rsa_pss_rsae_sha384,
  "SHA-512": SignatureScheme.rsa_pss_rsae_sha512,
};
const PSS_PSS: Record<ShaName, number> = {
  "SHA-256": SignatureScheme.rsa_pss_pss_sha256,
  "SHA-384": SignatureScheme.rsa_pss_pss_sha384,
  "SHA-512": SignatureScheme.rsa_pss_pss_sha512,
};
const PKCS1: Record<ShaName, number> = {
  "SHA-256": SignatureScheme.rsa_pkcs1_sha256,
  "SHA-384": SignatureScheme.rsa_pkcs1_sha384,
  "SHA-512": SignatureScheme.rsa_pkcs1_sha512,
};
const SHAS: readonly ShaName[] = ["SHA-256", "SHA-384", "SHA-512"];

function unsupported(what: string): TlsError {
  return tlsError("General", "UnsupportedPrivateKey", `unsupported private key: ${what}`);
}

function toDer(pkcs8: string | Uint8Array): Uint8Array {
  if (typeof pkcs8 !== "string") return pkcs8;
  const blocks = pemDecode(pkcs8);
  const keys = blocks.filter((b) => b.label === "PRIVATE KEY");
  if (keys.length === 1) return keys[0].der;
  if (keys.length > 1) throw new SyntaxError("PEM holds more than one PRIVATE KEY block");
  const labels = blocks.map((b) => b.label).join(", ");
  if (blocks.some((b) => b.label === "EC PRIVATE KEY" || b.label === "RSA PRIVATE KEY")) {
    throw unsupported(
      `found ${labels}; only PKCS#8 is read, convert with \`openssl pkcs8 -topk8 -nocrypt\``,
    );
  }
  if (blocks.some((b) => b.label === "ENCRYPTED PRIVATE KEY")) {
    throw unsupported("encrypted PKCS#8 keys are not read; decrypt it first");
  }
  throw new SyntaxError(`PEM holds no PRIVATE KEY block (found: ${labels})`);
}

async function importPkcs8(
  der: Uint8Array,
  algorithm: AlgorithmIdentifier | RsaHashedImportParams | EcKeyImportParams,
): Promise<CryptoKey> {
  try {
    return await crypto.subtle.importKey("pkcs8", der as Buf, algorithm, false, ["sign"]);
  } catch (cause) {
    throw new SyntaxError("PKCS#8 private key was refused by Web Crypto", { cause });
  }
}

function checkScheme(schemes: readonly number[], scheme: number): void {
  if (!schemes.includes(scheme)) {
    throw new RangeError(`signature scheme 0x${scheme.toString(16)} not offered by this key`);
  }
}

async function ecdsaKey(der: Uint8Array, info: PrivateKeyInfo): Promise<SigningKey> {
  const params = info.algorithm.params;
  const curve = params?.tag === DerTag.Oid ? decodeOid(params.content) : undefined;
  const spec = curve === Oid.secp256r1
    ? { namedCurve: "P-256", hash: "SHA-256", scheme: SignatureScheme.ecdsa_secp256r1_sha256 }
    : curve === Oid.secp384r1
    ? { namedCurve: "P-384", hash: "SHA-384", scheme: SignatureScheme.ecdsa_secp384r1_sha384 }
    : undefined;
  if (spec === undefined) {
    throw unsupported(`EC curve ${curve ?? "(not a named curve)"}; use P-256 or P-384`);
  }
  const key = await importPkcs8(der, { name: "ECDSA", namedCurve: spec.namedCurve });
  const schemes = [spec.scheme];
  return {
    schemes,
    algorithm: "ECDSA",
    async sign(scheme: number, message: Uint8Array): Promise<Uint8Array> {
      checkScheme(schemes, scheme);
      const raw = await crypto.subtle.sign({ name: "ECDSA", hash: spec.hash }, key, message as Buf);
      return ecdsaP1363ToDer(new Uint8Array(raw));
    },
  };
}

/**
 * RSA keys: Web Crypto binds one hash and one padding to an imported key, so
 * each (padding, hash) pair is imported on first use and kept.
 */
function rsaKey(
  rsaDer: Uint8Array,
  pssHashes: readonly ShaName[],
  pssOnlyKey: boolean,
): SigningKey {
  const byScheme = new Map<number, { name: "RSA-PSS" | "RSASSA-PKCS1-v1_5"; hash: ShaName }>();
  for (const hash of pssHashes) {
    byScheme.set(pssOnlyKey ? PSS_PSS[hash] : PSS_RSAE[hash], { name: "RSA-PSS", hash });
  }
  if (!pssOnlyKey) {
    for (const hash of SHAS) byScheme.set(PKCS1[hash], { name: "RSASSA-PKCS1-v1_5", hash });
  }
  const keys = new Map<number, Promise<CryptoKey>>();
  const schemes = [...byScheme.keys()];
  return {
    schemes,
    algorithm: "RSA",
    async sign(scheme: number, message: Uint8Array): Promise<Uint8Array> {
      checkScheme(schemes, scheme);
      const { name, hash } = byScheme.get(scheme)!;
      let key = keys.get(scheme);
      if (key === undefined) {
        key = importPkcs8(rsaDer, { name, hash });
        keys.set(scheme, key);
      }
      const params = name === "RSA-PSS" ? { name, saltLength: HASH_LEN[hash] } : { name };
      return new Uint8Array(await crypto.subtle.sign(params, await key, message as Buf));
    },
  };
}

async function rsaPssKey(der: Uint8Array, info: PrivateKeyInfo): Promise<SigningKey> {
  let hashes: readonly ShaName[] = SHAS;
  if (info.algorithm.params !== undefined) {
    const p = parsePssParams(info.algorithm.params);
    // The key may only sign with its own hash, for the message and MGF1 alike,
    // and with at least its minimum salt (we always use HashLen).
    if (p.hash !== p.mgfHash || p.hash === "SHA-1" || p.saltLength > HASH_LEN[p.hash]) {
      throw unsupported("RSASSA-PSS key parameters no TLS scheme can satisfy");
    }
    hashes = [p.hash];
  }
  const rsaDer = pkcs8AsRsaEncryption(der);
  const key = rsaKey(rsaDer, hashes, true);
  // Import once now so that a broken key fails at load time, not mid-handshake.
  await importPkcs8(rsaDer, { name: "RSA-PSS", hash: hashes[0] });
  return key;
}

async function ed25519Key(der: Uint8Array, info: PrivateKeyInfo): Promise<SigningKey> {
  if (info.algorithm.params !== undefined) throw new SyntaxError("Ed25519 key has parameters");
  let key: CryptoKey;
  try {
    key = await crypto.subtle.importKey("pkcs8", der as Buf, { name: "Ed25519" }, false, ["sign"]);
  } catch (cause) {
    // Tell apart "this runtime has no Ed25519" from a broken key.
    const pair = await crypto.subtle.generateKey({ name: "Ed25519" }, false, ["sign"]).then(
      () => true,
      () => false,
    );
    if (!pair) throw unsupported("this runtime's Web Crypto has no Ed25519");
    throw new SyntaxError("PKCS#8 Ed25519 key was refused by Web Crypto", { cause });
  }
  const schemes = [SignatureScheme.ed25519];
  return {
    schemes,
    algorithm: "Ed25519",
    async sign(scheme: number, message: Uint8Array): Promise<Uint8Array> {
      checkScheme(schemes, scheme);
      return new Uint8Array(await crypto.subtle.sign("Ed25519", key, message as Buf));
    },
  };
}

/**
 * Loads a PKCS#8 private key, as PEM text ("BEGIN PRIVATE KEY") or DER bytes.
 *
 * Supported: ECDSA P-256 and P-384 (DER signatures), RSA rsaEncryption
 * (rsa_pss_rsae_* for TLS 1.3, then rsa_pkcs1_* for TLS 1.2), RSA
 * id-RSASSA-PSS (rsa_pss_pss_*, limited to the key's own hash when it has
 * parameters) and Ed25519. Other keys (P-521, X25519, DSA, SEC1 or PKCS#1 PEM,
 * encrypted PKCS#8) throw `TlsError("General")`; malformed input throws
 * `SyntaxError`.
 *
 * @example
 * ```ts
 * import { loadSigningKey } from "./signing_key.ts";
 * const pair = await crypto.subtle.generateKey(
 *   { name: "ECDSA", namedCurve: "P-256" },
 *   true,
 *   ["sign", "verify"],
 * );
 * const der = new Uint8Array(await crypto.subtle.exportKey("pkcs8", pair.privateKey));
 * const key = await loadSigningKey(der);
 * const signature = await key.sign(key.schemes[0], new Uint8Array([1, 2, 3]));
 * console.log(key.algorithm, signature[0]); // ECDSA 48
 * ```
 */
export async function loadSigningKey(pkcs8: string | Uint8Array): Promise<SigningKey> {
  const der = toDer(pkcs8);
  const info = parsePkcs8(der);
  switch (info.algorithm.oid) {
    case Oid.ecPublicKey:
      return await ecdsaKey(der, info);
    case Oid.rsaEncryption: {
      const key = rsaKey(der, SHAS, false);
      await importPkcs8(der, { name: "RSA-PSS", hash: "SHA-256" });
      return key;
    }
    case Oid.rsassaPss:
      return await rsaPssKey(der, info);
    case Oid.ed25519:
      return await ed25519Key(der, info);
    case Oid.x25519:
      throw unsupported("X25519 keys cannot sign");
    default:
      throw unsupported(`algorithm ${info.algorithm.oid}`);
  }
}
