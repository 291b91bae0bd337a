// A test-only CryptoProvider that makes the engine draw RFC 8448's randomness,
// key shares and signatures, so each side of a trace can be replayed through
// the public connection API and every byte it emits compared with the RFC.
//
// What it changes, on top of webCryptoProvider():
// - randomBytes hands out the trace's values in order, and throws when the
//   engine asks for a length the trace did not print next;
// - X25519 and secp256r1 start from the trace's private keys (checked against
//   the printed public keys); the trace's other groups are stubs that throw
//   when used, so the ClientHello can list them as NSS did;
// - loadSigningKey returns a signer that answers with the trace's signature,
//   but only after that signature verifies over the input the engine gives
//   it under the certificate's key (RSA-PSS is randomized and the trace
//   prints no ECDSA key, so signing again could never match the bytes);
// - the TLS 1.3 suites' transcript hash can see the trace's message in place
//   of one of ours (`substitute`), for the few messages our options cannot
//   reproduce: the test compares those field by field and says why they
//   differ, and the substitution lets every later secret, Finished and
//   record be compared byte for byte.
import type {
  ActiveKeyExchange,
  CryptoProvider,
  Hash,
  KeyExchangeGroup,
  SigningKey,
} from "../src/crypto/types.ts";
import { webCryptoProvider } from "../src/crypto/webcrypto/provider.ts";
import { ecdhFromPrivateKey, secp384r1, x25519FromPrivateKey } from "../src/crypto/webcrypto/kx.ts";
import { bytesEqual, concat } from "../src/_bytes.ts";
import { HandshakeType, NamedGroup } from "../src/msgs/enums.ts";
import { clientHelloBindersOffset } from "../src/msgs/client_hello.ts";
import { verifyHandshakeSignature } from "../src/webpki/tls_signatures.ts";

/** A key pair the trace prints. */
export interface TraceKeyPair {
  privateKey: Uint8Array;
  publicKey: Uint8Array;
}

/** A signature the trace prints, with the certificate whose key made it. */
export interface TraceSignature {
  certificate: Uint8Array;
  scheme: number;
  signature: Uint8Array;
}

/** What the provider hands out, in order of use. */
export interface TraceProviderOptions {
  /** Random values in the order the engine draws them. */
  random: Uint8Array[];
  /** X25519 key pairs in order of use. */
  x25519?: TraceKeyPair[];
  /** secp256r1 key pairs in order of use. */
  secp256r1?: TraceKeyPair[];
  /** Signatures the signer may answer with (each once). */
  signatures?: TraceSignature[];
}

/** The provider and what it saw. */
export interface TraceProvider {
  provider: CryptoProvider;
  /** Random values not yet drawn. */
  readonly unusedRandom: Uint8Array[];
  /** Signatures not yet used. */
  readonly unusedSignatures: TraceSignature[];
  /**
   * From now on, the transcript hash sees `trace[i]` wherever the `i`-th
   * handshake message of type `type` of a transcript is not already it. A
   * ClientHello cut before its binders becomes the trace's cut likewise.
   */
  substitute(type: number, trace: Uint8Array[]): void;
  /** `type index` of each message the transcript hash saw replaced. */
  readonly substituted: Set<string>;
}

/** Groups the RFC 8448 ClientHellos list that Web Crypto does not have. */
const STUB_GROUPS: [number, string][] = [
  [0x0019, "secp521r1"],
  [0x0100, "ffdhe2048"],
  [0x0101, "ffdhe3072"],
  [0x0102, "ffdhe4096"],
  [0x0103, "ffdhe6144"],
  [0x0104, "ffdhe8192"],
];

function stubGroup(group: number, name: string): KeyExchangeGroup {
  const refuse = (): never => {
    throw new Error(`${name} is only listed, never used, in the RFC 8448 traces`);
  };
  return {
    group,
    name,
    start: () => Promise.resolve(refuse()),
    respond: () => Promise.resolve(refuse()),
  };
}

function fixedGroup(
  group: number,
  name: string,
  pairs: TraceKeyPair[],
  load: (privateKey: Uint8Array) => Promise<ActiveKeyExchange>,
): KeyExchangeGroup {
  const start = async (): Promise<ActiveKeyExchange> => {
    const pair = pairs.shift();
    if (!pair) throw new Error(`the engine started a ${name} exchange the trace does not print`);
    const kx = await load(pair.privateKey);
    if (!bytesEqual(kx.publicKey, pair.publicKey)) {
      throw new Error(`${name}: the printed private key does not give the printed public key`);
    }
    return kx;
  };
  return {
    group,
    name,
    start,
    async respond(peer) {
      const kx = await start();
      return { publicKey: kx.publicKey, sharedSecret: await kx.complete(peer) };
    },
  };
}

/** The signer: the trace's signature, only for the input the trace signed. */
function traceSigner(
  signatures: TraceSignature[],
  verifiers: CryptoProvider["signatureVerifiers"],
): SigningKey {
  const schemes = [...new Set(signatures.map((s) => s.scheme))];
  return {
    schemes,
    algorithm: schemes.every((s) => s >> 8 === 0x08) ? "RSA" : "ECDSA",
    async sign(scheme, message) {
      for (const [i, s] of signatures.entries()) {
        if (s.scheme !== scheme) continue;
        try {
          // The trace's RSA key is 1024 bits: below our default minimum, fine here.
          await verifyHandshakeSignature(
            verifiers,
            true,
            message,
            s.certificate,
            scheme,
            s.signature,
            1024,
          );
        } catch {
          continue;
        }
        signatures.splice(i, 1);
        return s.signature;
      }
      throw new Error(
        `asked to sign (scheme 0x${scheme.toString(16)}) an input no RFC 8448 signature covers`,
      );
    },
  };
}

/** The RFC 8448 provider for one replay. */
export async function traceProvider(options: TraceProviderOptions): Promise<TraceProvider> {
  const base = await webCryptoProvider();
  const random = [...options.random];
  const signatures = [...(options.signatures ?? [])];
  const substitutions = new Map<number, Uint8Array[]>();
  const substituted = new Set<string>();

  const rewrite = (data: Uint8Array): Uint8Array => {
    // Only transcripts: they start with a ClientHello or message_hash.
    if (
      substitutions.size === 0 ||
      (data[0] !== HandshakeType.client_hello && data[0] !== HandshakeType.message_hash)
    ) {
      return data;
    }
    // After a HelloRetryRequest the transcript's first ClientHello is the second one.
    const seen = new Map<number, number>([[
      HandshakeType.client_hello,
      data[0] === HandshakeType.message_hash ? 1 : 0,
    ]]);
    const out: Uint8Array[] = [];
    let pos = 0;
    while (pos + 4 <= data.length) {
      const type = data[pos];
      const end = pos + 4 + ((data[pos + 1] << 16) | (data[pos + 2] << 8) | data[pos + 3]);
      const index = seen.get(type) ?? 0;
      seen.set(type, index + 1);
      const trace = substitutions.get(type)?.[index];
      if (end > data.length) {
        // A ClientHello cut before its binders (RFC 8446 4.2.11.2).
        if (type === HandshakeType.client_hello && trace) {
          const cut = trace.subarray(0, clientHelloBindersOffset(trace));
          if (!bytesEqual(cut, data.subarray(pos))) {
            substituted.add(`${type} ${index} (binders cut)`);
          }
          out.push(cut);
          pos = data.length;
        }
        break;
      }
      const ours = data.subarray(pos, end);
      if (trace && !bytesEqual(trace, ours)) {
        substituted.add(`${type} ${index}`);
        out.push(trace);
      } else out.push(ours);
      pos = end;
    }
    out.push(data.subarray(pos));
    return concat(...out);
  };
  const wrap = (hash: Hash): Hash => ({
    name: hash.name,
    outputLen: hash.outputLen,
    blockLen: hash.blockLen,
    digest: (data) => hash.digest(rewrite(data)),
  });

  const byGroup = (g: number) => base.kxGroups.find((x) => x.group === g);
  const kxGroups: KeyExchangeGroup[] = [
    fixedGroup(NamedGroup.x25519, "X25519", [...(options.x25519 ?? [])], x25519FromPrivateKey),
    fixedGroup(
      NamedGroup.secp256r1,
      "secp256r1",
      [...(options.secp256r1 ?? [])],
      (d) => ecdhFromPrivateKey("secp256r1", d),
    ),
    byGroup(NamedGroup.secp384r1) ?? secp384r1,
    ...STUB_GROUPS.map(([g, n]) => stubGroup(g, n)),
  ];

  const provider: CryptoProvider = {
    ...base,
    cipherSuites: base.cipherSuites.map((s) =>
      s.version === "TLSv1_3" ? { ...s, hash: wrap(s.hash) } : s
    ),
    kxGroups,
    randomBytes(n: number): Uint8Array {
      const next = random.shift();
      if (!next || next.length !== n) {
        throw new Error(
          `the engine drew ${n} random bytes; the trace prints ${next ? next.length : "no more"}`,
        );
      }
      return next.slice();
    },
    loadSigningKey: () => Promise.resolve(traceSigner(signatures, base.signatureVerifiers)),
  };
  return {
    provider,
    unusedRandom: random,
    unusedSignatures: signatures,
    substitute(type, trace) {
      substitutions.set(type, trace);
    },
    substituted,
  };
}
