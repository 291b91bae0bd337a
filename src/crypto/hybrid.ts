/**
 * Post-quantum key exchange groups for TLS 1.3 (draft-ietf-tls-ecdhe-mlkem,
 * draft-ietf-tls-mlkem): X25519MLKEM768, SecP256r1MLKEM768 and plain
 * MLKEM768, as {@link KeyExchangeGroup}s.
 *
 * A KEM is one-sided: the client's share carries the ML-KEM encapsulation
 * key, the server answers with a ciphertext, and the client decapsulates it.
 * Hybrid shares and secrets are plain concatenations, in the order each
 * group fixes: ML-KEM first for X25519MLKEM768 (as deployed), ECDH first for
 * SecP256r1MLKEM768.
 *
 * ML-KEM runs on Web Crypto where the runtime has it and on the pure
 * TypeScript implementation elsewhere; {@link hybridGroups} can force either.
 *
 * @example
 * ```ts
 * import { x25519MlKem768 } from "./hybrid.ts";
 *
 * const client = await x25519MlKem768.start(); // share: 1184 + 32 bytes
 * const server = await x25519MlKem768.respond(client.publicKey); // share: 1088 + 32 bytes
 * const secret = await client.complete(server.publicKey); // 64 bytes
 * console.log(secret.every((b, i) => b === server.sharedSecret[i])); // true
 * ```
 *
 * @module
 */

import type { ActiveKeyExchange, KeyExchangeGroup } from "./types.ts";

export type { ActiveKeyExchange, KeyExchangeGroup } from "./types.ts";
import { NamedGroup } from "../msgs/enums.ts";
import { mlKem768 } from "./pure/ml_kem.ts";
import { detectWebCryptoMlKem, webCryptoMlKem768 } from "./webcrypto/ml_kem.ts";
import { secp256r1, x25519 } from "./webcrypto/kx.ts";

const EK_BYTES = 1184;
const CT_BYTES = 1088;

/** Which ML-KEM-768 implementation the groups use. */
export type MlKemBackendChoice = "auto" | "webcrypto" | "pure";

/** Options for {@link hybridGroups}. */
export interface HybridGroupOptions {
  /**
   * `"auto"` (default): Web Crypto when {@link detectWebCryptoMlKem} says so,
   * else pure TypeScript. `"webcrypto"`: Web Crypto only (operations reject
   * where it is missing). `"pure"`: always the pure implementation.
   */
  readonly mlkem?: MlKemBackendChoice;
}

/** The three ML-KEM groups built on one backend choice. */
export interface HybridGroups {
  /** X25519MLKEM768 (0x11EC). */
  readonly x25519MlKem768: KeyExchangeGroup;
  /** SecP256r1MLKEM768 (0x11EB). */
  readonly secp256r1MlKem768: KeyExchangeGroup;
  /** MLKEM768 (0x0201), ML-KEM alone. */
  readonly mlKem768: KeyExchangeGroup;
}

/** One ML-KEM-768 implementation behind a uniform async shape. */
interface KemBackend {
  generate(): Promise<{ ek: Uint8Array; decapsulate(ct: Uint8Array): Promise<Uint8Array> }>;
  encapsulate(ek: Uint8Array): Promise<{ ciphertext: Uint8Array; sharedSecret: Uint8Array }>;
}

const pureBackend: KemBackend = {
  generate() {
    const { encapsulationKey, decapsulationKey } = mlKem768.keygen();
    return Promise.resolve({
      ek: encapsulationKey,
      decapsulate: (ct: Uint8Array) =>
        Promise.resolve().then(() => mlKem768.decapsulate(decapsulationKey, ct)),
    });
  },
  encapsulate(ek) {
    return Promise.resolve().then(() => mlKem768.encapsulate(ek));
  },
};

const webBackend: KemBackend = {
  async generate() {
    const { encapsulationKey, privateKey } = await webCryptoMlKem768.generateKeyPair();
    return {
      ek: encapsulationKey,
      decapsulate: (ct: Uint8Array) => webCryptoMlKem768.decapsulate(privateKey, ct),
    };
  },
  encapsulate(ek) {
    return webCryptoMlKem768.encapsulate(ek);
  },
};

async function pickBackend(choice: MlKemBackendChoice): Promise<KemBackend> {
  if (choice === "pure") return pureBackend;
  if (choice === "webcrypto") return webBackend;
  return (await detectWebCryptoMlKem()) ? webBackend : pureBackend;
}

function concat2(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

function kemOnlyGroup(choice: MlKemBackendChoice): KeyExchangeGroup {
  return {
    group: NamedGroup.MLKEM768,
    name: "MLKEM768",
    async start(): Promise<ActiveKeyExchange> {
      const kem = await (await pickBackend(choice)).generate();
      return {
        group: NamedGroup.MLKEM768,
        publicKey: kem.ek,
        complete(peer: Uint8Array): Promise<Uint8Array> {
          if (peer.length !== CT_BYTES) {
            return Promise.reject(new TypeError("MLKEM768: malformed server key share"));
          }
          return kem.decapsulate(peer);
        },
      };
    },
    async respond(peer: Uint8Array): Promise<{ publicKey: Uint8Array; sharedSecret: Uint8Array }> {
      if (peer.length !== EK_BYTES) throw new TypeError("MLKEM768: malformed client key share");
      const enc = await (await pickBackend(choice)).encapsulate(peer);
      return { publicKey: enc.ciphertext, sharedSecret: enc.sharedSecret };
    },
  };
}

interface HybridSpec {
  readonly group: number;
  readonly name: string;
  readonly ecdh: KeyExchangeGroup;
  /** ECDH share length (32 for X25519, 65 for an uncompressed P-256 point). */
  readonly ecdhLen: number;
  /** Whether the ML-KEM part comes first in shares and secret. */
  readonly kemFirst: boolean;
}

/** Splits `share` into (kem, ecdh) parts by the spec's order, or throws TypeError. */
function split(spec: HybridSpec, share: Uint8Array, kemLen: number, who: string): [
  Uint8Array,
  Uint8Array,
] {
  if (share.length !== kemLen + spec.ecdhLen) {
    throw new TypeError(`${spec.name}: malformed ${who} key share`);
  }
  return spec.kemFirst
    ? [share.subarray(0, kemLen), share.subarray(kemLen)]
    : [share.subarray(spec.ecdhLen), share.subarray(0, spec.ecdhLen)];
}

function join(spec: HybridSpec, kemPart: Uint8Array, ecdhPart: Uint8Array): Uint8Array {
  return spec.kemFirst ? concat2(kemPart, ecdhPart) : concat2(ecdhPart, kemPart);
}

function hybridGroup(spec: HybridSpec, choice: MlKemBackendChoice): KeyExchangeGroup {
  return {
    group: spec.group,
    name: spec.name,
    async start(): Promise<ActiveKeyExchange> {
      const backend = await pickBackend(choice);
      const [kem, ecdh] = await Promise.all([backend.generate(), spec.ecdh.start()]);
      return {
        group: spec.group,
        publicKey: join(spec, kem.ek, ecdh.publicKey),
        async complete(peer: Uint8Array): Promise<Uint8Array> {
          const [ct, ecdhShare] = split(spec, peer, CT_BYTES, "server");
          const [kemSecret, ecdhSecret] = await Promise.all([
            kem.decapsulate(ct),
            ecdh.complete(ecdhShare),
          ]);
          return join(spec, kemSecret, ecdhSecret);
        },
      };
    },
    async respond(peer: Uint8Array): Promise<{ publicKey: Uint8Array; sharedSecret: Uint8Array }> {
      const [ek, ecdhShare] = split(spec, peer, EK_BYTES, "client");
      const backend = await pickBackend(choice);
      const [enc, ecdh] = await Promise.all([
        backend.encapsulate(ek),
        spec.ecdh.respond(ecdhShare),
      ]);
      return {
        publicKey: join(spec, enc.ciphertext, ecdh.publicKey),
        sharedSecret: join(spec, enc.sharedSecret, ecdh.sharedSecret),
      };
    },
  };
}

/**
 * Builds X25519MLKEM768, SecP256r1MLKEM768 and MLKEM768 on the chosen
 * ML-KEM-768 implementation. Malformed peer shares (wrong length, an
 * encapsulation key failing the FIPS 203 checks, a bad ECDH point) make
 * `respond` / `complete` throw `TypeError`, which the handshake maps to
 * illegal_parameter.
 *
 * @example Force the pure ML-KEM on one side
 * ```ts
 * import { hybridGroups } from "./hybrid.ts";
 *
 * const pure = hybridGroups({ mlkem: "pure" });
 * const client = await pure.x25519MlKem768.start();
 * const server = await hybridGroups().x25519MlKem768.respond(client.publicKey);
 * const secret = await client.complete(server.publicKey);
 * console.log(secret.length); // 64
 * ```
 */
export function hybridGroups(options: HybridGroupOptions = {}): HybridGroups {
  const choice = options.mlkem ?? "auto";
  return {
    x25519MlKem768: hybridGroup({
      group: NamedGroup.X25519MLKEM768,
      name: "X25519MLKEM768",
      ecdh: x25519,
      ecdhLen: 32,
      kemFirst: true,
    }, choice),
    secp256r1MlKem768: hybridGroup({
      group: NamedGroup.SecP256r1MLKEM768,
      name: "SecP256r1MLKEM768",
      ecdh: secp256r1,
      ecdhLen: 65,
      kemFirst: false,
    }, choice),
    mlKem768: kemOnlyGroup(choice),
  };
}

const AUTO = hybridGroups();

/**
 * X25519MLKEM768 (0x11EC): client share = ML-KEM-768 encapsulation key (1184)
 * || X25519 (32); server share = ciphertext (1088) || X25519 (32); secret =
 * ML-KEM secret || X25519 secret. ML-KEM backend chosen automatically.
 *
 * @example
 * ```ts
 * import { x25519MlKem768 } from "./hybrid.ts";
 * const kx = await x25519MlKem768.start();
 * console.log(kx.publicKey.length); // 1216
 * ```
 */
export const x25519MlKem768: KeyExchangeGroup = AUTO.x25519MlKem768;

/**
 * SecP256r1MLKEM768 (0x11EB): client share = P-256 point (65) || ML-KEM-768
 * encapsulation key (1184); server share = P-256 point || ciphertext (1088);
 * secret = ECDH secret || ML-KEM secret.
 *
 * @example
 * ```ts
 * import { secp256r1MlKem768 } from "./hybrid.ts";
 * const kx = await secp256r1MlKem768.start();
 * console.log(kx.publicKey.length); // 1249
 * ```
 */
export const secp256r1MlKem768: KeyExchangeGroup = AUTO.secp256r1MlKem768;

/**
 * MLKEM768 (0x0201): ML-KEM-768 alone; client share = encapsulation key,
 * server share = ciphertext, secret = the 32-byte ML-KEM secret.
 *
 * @example
 * ```ts
 * import { mlKem768Group } from "./hybrid.ts";
 * const kx = await mlKem768Group.start();
 * console.log(kx.publicKey.length); // 1184
 * ```
 */
export const mlKem768Group: KeyExchangeGroup = AUTO.mlKem768;

export { detectWebCryptoMlKem };
