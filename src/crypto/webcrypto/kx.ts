/**
 * Key exchange groups through Web Crypto: X25519 (where the runtime has it),
 * secp256r1 and secp384r1. Shares are in their TLS key_share form: 32 raw
 * bytes for X25519, the uncompressed point `04 || X || Y` for the NIST curves.
 * Each group draws its ephemeral key pairs from a small pool made ahead of
 * time, one pair per exchange, never reused (see `key_share_pool.ts`).
 *
 * @module
 */

import type { ActiveKeyExchange, KeyExchangeGroup } from "../types.ts";
import { NamedGroup } from "../../msgs/enums.ts";
import { DerTag, encodeOid, encodeTlv, Oid } from "../_der.ts";
import { KeySharePool, type PooledKeyPair } from "./key_share_pool.ts";

type Algo = { name: "X25519" } | { name: "ECDH"; namedCurve: "P-256" | "P-384" };

interface GroupSpec {
  readonly group: number;
  readonly name: string;
  readonly algo: Algo;
  /** Length of a public share in bytes. */
  readonly shareLen: number;
  /** Length of the shared secret in bits. */
  readonly secretBits: number;
}

const X25519_SPEC: GroupSpec = {
  group: NamedGroup.x25519,
  name: "X25519",
  algo: { name: "X25519" },
  shareLen: 32,
  secretBits: 256,
};
const P256_SPEC: GroupSpec = {
  group: NamedGroup.secp256r1,
  name: "secp256r1",
  algo: { name: "ECDH", namedCurve: "P-256" },
  shareLen: 65,
  secretBits: 256,
};
const P384_SPEC: GroupSpec = {
  group: NamedGroup.secp384r1,
  name: "secp384r1",
  algo: { name: "ECDH", namedCurve: "P-384" },
  shareLen: 97,
  secretBits: 384,
};

async function importPeer(spec: GroupSpec, peer: Uint8Array): Promise<CryptoKey> {
  // Length and the 0x04 prefix are checked here because Web Crypto would also
  // take compressed points, which TLS 1.3 forbids (RFC 8446 section 4.2.8.2).
  if (peer.length !== spec.shareLen || (spec.algo.name === "ECDH" && peer[0] !== 0x04)) {
    throw new TypeError(`${spec.name}: malformed peer key share`);
  }
  try {
    return await crypto.subtle.importKey(
      "raw",
      peer as Uint8Array<ArrayBuffer>,
      spec.algo,
      false,
      [],
    );
  } catch {
    throw new TypeError(`${spec.name}: peer key share is not a valid point`);
  }
}

async function completeWith(
  spec: GroupSpec,
  privateKey: CryptoKey,
  peer: Uint8Array,
): Promise<Uint8Array> {
  const pub = await importPeer(spec, peer);
  let secret: Uint8Array;
  try {
    secret = new Uint8Array(
      await crypto.subtle.deriveBits(
        { name: spec.algo.name, public: pub },
        privateKey,
        spec.secretBits,
      ),
    );
  } catch {
    // Runtimes differ: some refuse a low-order X25519 point here rather than return zeros.
    throw new TypeError(`${spec.name}: key exchange failed for the peer's share`);
  }
  if (spec.algo.name === "X25519") {
    let acc = 0;
    for (const b of secret) acc |= b;
    // RFC 8446 section 7.4.2: an all-zero X25519 result must abort the handshake.
    if (acc === 0) throw new TypeError("X25519: all-zero shared secret");
  }
  return secret;
}

function active(spec: GroupSpec, privateKey: CryptoKey, publicKey: Uint8Array): ActiveKeyExchange {
  return {
    group: spec.group,
    publicKey,
    complete(peerPublicKey: Uint8Array): Promise<Uint8Array> {
      return completeWith(spec, privateKey, peerPublicKey);
    },
  };
}

async function generatePair(spec: GroupSpec): Promise<PooledKeyPair> {
  const pair = await crypto.subtle.generateKey(spec.algo, false, ["deriveBits"]) as CryptoKeyPair;
  const publicKey = new Uint8Array(await crypto.subtle.exportKey("raw", pair.publicKey));
  return { privateKey: pair.privateKey, publicKey };
}

function makeGroup(spec: GroupSpec): KeyExchangeGroup {
  // Ephemeral pairs made ahead of time, each used once (see key_share_pool.ts).
  const pool = new KeySharePool(() => generatePair(spec));
  const start = async (): Promise<ActiveKeyExchange> => {
    const pair = await pool.take();
    return active(spec, pair.privateKey, pair.publicKey);
  };
  return {
    group: spec.group,
    name: spec.name,
    start,
    async respond(
      peerPublicKey: Uint8Array,
    ): Promise<{ publicKey: Uint8Array; sharedSecret: Uint8Array }> {
      const kx = await start();
      return { publicKey: kx.publicKey, sharedSecret: await kx.complete(peerPublicKey) };
    },
  };
}

/** X25519 (RFC 7748) via Web Crypto; offer it only when {@link detectX25519} says so. */
export const x25519: KeyExchangeGroup = makeGroup(X25519_SPEC);
/** secp256r1 (P-256) ECDH via Web Crypto. */
export const secp256r1: KeyExchangeGroup = makeGroup(P256_SPEC);
/** secp384r1 (P-384) ECDH via Web Crypto. */
export const secp384r1: KeyExchangeGroup = makeGroup(P384_SPEC);

let x25519Support: Promise<boolean> | undefined;

/**
 * Whether this runtime's Web Crypto can do X25519 key agreement. Checked once
 * (by a real exchange) and cached.
 *
 * @example
 * ```ts
 * import { detectX25519, secp256r1, x25519 } from "./kx.ts";
 * const groups = (await detectX25519()) ? [x25519, secp256r1] : [secp256r1];
 * console.log(groups.map((g) => g.name));
 * ```
 */
export function detectX25519(): Promise<boolean> {
  x25519Support ??= (async () => {
    try {
      const a = await x25519.start();
      const b = await x25519.respond(a.publicKey);
      const s = await a.complete(b.publicKey);
      return s.length === 32 && s.every((v, i) => v === b.sharedSecret[i]);
    } catch {
      return false;
    }
  })();
  return x25519Support;
}

// PKCS#8 prefix for an X25519 private key (RFC 8410): version 0, id-X25519, OCTET STRING(32).
export const X25519_PKCS8_PREFIX: Uint8Array = Uint8Array.of(
  0x30,
  0x2e,
  0x02,
  0x01,
  0x00,
  0x30,
  0x05,
  0x06,
  0x03,
  0x2b,
  0x65,
  0x6e,
  0x04,
  0x22,
  0x04,
  0x20,
);

/**
 * An X25519 exchange with a fixed private scalar (32 raw bytes): HPKE's
 * long-lived ECH keys, and known-answer vectors through the same
 * `complete()` as real handshakes.
 */
export async function x25519FromPrivateKey(raw: Uint8Array): Promise<ActiveKeyExchange> {
  if (raw.length !== 32) throw new RangeError("X25519 private key must be 32 bytes");
  const pkcs8 = new Uint8Array(48);
  pkcs8.set(X25519_PKCS8_PREFIX);
  pkcs8.set(raw, 16);
  const key = await crypto.subtle.importKey("pkcs8", pkcs8, { name: "X25519" }, true, [
    "deriveBits",
  ]);
  const jwk = await crypto.subtle.exportKey("jwk", key);
  return active(X25519_SPEC, key, base64UrlDecode(jwk.x ?? ""));
}

function base64UrlDecode(s: string): Uint8Array {
  const b64 = s.replace(/-/g, "+").replace(/_/g, "/");
  const bin = atob(b64 + "=".repeat((4 - (b64.length % 4)) % 4));
  return Uint8Array.from(bin, (c) => c.charCodeAt(0));
}

/**
 * A secp256r1 / secp384r1 exchange with a fixed private scalar `d`
 * (big-endian, any length up to the field size): HPKE's long-lived ECH keys,
 * and known-answer vectors through the same `complete()` as real handshakes.
 */
export async function ecdhFromPrivateKey(
  group: "secp256r1" | "secp384r1",
  d: Uint8Array,
): Promise<ActiveKeyExchange> {
  const spec = group === "secp256r1" ? P256_SPEC : P384_SPEC;
  const size = (spec.shareLen - 1) / 2;
  let start = 0;
  while (start < d.length - size && d[start] === 0) start++;
  const trimmed = d.subarray(start);
  if (trimmed.length > size) throw new RangeError("private scalar too long");
  const padded = new Uint8Array(size);
  padded.set(trimmed, size - trimmed.length);
  // A JWK private key must carry x and y, which we do not have; PKCS#8 need not.
  const key = await crypto.subtle.importKey(
    "pkcs8",
    ecPkcs8(spec, padded),
    spec.algo,
    true,
    ["deriveBits"],
  );
  const jwk = await crypto.subtle.exportKey("jwk", key);
  const pub = new Uint8Array(spec.shareLen);
  pub[0] = 0x04;
  pub.set(base64UrlDecode(jwk.x ?? ""), 1);
  pub.set(base64UrlDecode(jwk.y ?? ""), 1 + size);
  return active(spec, key, pub);
}

// PKCS#8 wrapping of an RFC 5915 ECPrivateKey without the optional public key.
function ecPkcs8(spec: GroupSpec, d: Uint8Array): Uint8Array<ArrayBuffer> {
  const curve = spec.group === NamedGroup.secp256r1 ? Oid.secp256r1 : Oid.secp384r1;
  const ecPrivateKey = encodeTlv(
    DerTag.Sequence,
    Uint8Array.of(DerTag.Integer, 1, 1),
    encodeTlv(DerTag.OctetString, d),
  );
  return encodeTlv(
    DerTag.Sequence,
    Uint8Array.of(DerTag.Integer, 1, 0),
    encodeTlv(DerTag.Sequence, encodeOid(Oid.ecPublicKey), encodeOid(curve)),
    encodeTlv(DerTag.OctetString, ecPrivateKey),
  ) as Uint8Array<ArrayBuffer>;
}
