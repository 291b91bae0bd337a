/**
 * Makes a throw-away ECDSA P-256 certificate authority and leaf certificates
 * with Web Crypto alone, so examples and browser tests need no `openssl`.
 * Test material only: short-lived, no revocation, keys in memory.
 *
 * @module
 */

import { ecdsaP1363ToDer, encodeOid, encodeTlv } from "../src/crypto/_der.ts";
import { pemEncode } from "../src/crypto/pem.ts";

const T = {
  boolean: 0x01,
  integer: 0x02,
  bitString: 0x03,
  octetString: 0x04,
  utf8: 0x0c,
  sequence: 0x30,
  set: 0x31,
  utcTime: 0x17,
  generalizedTime: 0x18,
} as const;

const OID = {
  ecdsaWithSha256: "1.2.840.10045.4.3.2",
  commonName: "2.5.4.3",
  basicConstraints: "2.5.29.19",
  keyUsage: "2.5.29.15",
  subjectAltName: "2.5.29.17",
  extKeyUsage: "2.5.29.37",
  serverAuth: "1.3.6.1.5.5.7.3.1",
  clientAuth: "1.3.6.1.5.5.7.3.2",
  subjectKeyIdentifier: "2.5.29.14",
  authorityKeyIdentifier: "2.5.29.35",
} as const;

const seq = (...parts: Uint8Array[]) => encodeTlv(T.sequence, ...parts);
const oid = (dotted: string) => encodeOid(dotted);
const utf8 = (s: string) => encodeTlv(T.utf8, new TextEncoder().encode(s));
const octets = (b: Uint8Array) => encodeTlv(T.octetString, b);
const bits = (b: Uint8Array) => encodeTlv(T.bitString, new Uint8Array([0]), b);
const ctx = (n: number, ...parts: Uint8Array[]) => encodeTlv(0xa0 | n, ...parts);
const TRUE = encodeTlv(T.boolean, new Uint8Array([0xff]));

function integer(n: Uint8Array): Uint8Array {
  let i = 0;
  while (i < n.length - 1 && n[i] === 0 && n[i + 1] < 0x80) i++;
  const body = n.subarray(i);
  return encodeTlv(T.integer, body[0] >= 0x80 ? new Uint8Array([0, ...body]) : body);
}

/** UTCTime before 2050, GeneralizedTime from then on (RFC 5280 4.1.2.5). */
function time(d: Date): Uint8Array {
  const s = d.toISOString().replace(/[-:T]/g, "").slice(0, 14) + "Z";
  return d.getUTCFullYear() < 2050
    ? encodeTlv(T.utcTime, new TextEncoder().encode(s.slice(2)))
    : encodeTlv(T.generalizedTime, new TextEncoder().encode(s));
}

function name(cn: string): Uint8Array {
  return seq(encodeTlv(T.set, seq(oid(OID.commonName), utf8(cn))));
}

function extension(id: string, critical: boolean, value: Uint8Array): Uint8Array {
  return critical ? seq(oid(id), TRUE, octets(value)) : seq(oid(id), octets(value));
}

function ipBytes(ip: string): Uint8Array | undefined {
  const v4 = ip.split(".");
  if (v4.length === 4 && v4.every((p) => /^\d+$/.test(p))) return new Uint8Array(v4.map(Number));
  return undefined;
}

/** A key pair with its certificate. */
export interface Issued {
  /** The certificate, DER. */
  certDer: Uint8Array;
  /** The certificate, PEM. */
  certPem: string;
  /** The private key, PKCS#8 PEM. */
  keyPem: string;
  /** The key pair (for signing further certificates). */
  keys: CryptoKeyPair;
  /** Subject key identifier. */
  keyId: Uint8Array;
  /** Subject common name. */
  commonName: string;
}

/** What to put in a certificate. */
export interface CertOptions {
  /** Subject CN. */
  commonName: string;
  /** DNS names and IPv4 addresses for subjectAltName (leaves). */
  names?: string[];
  /** Whether this is a CA. */
  ca?: boolean;
  /** Validity start (default: one hour ago). */
  notBefore?: Date;
  /** Validity end (default: in 30 days). */
  notAfter?: Date;
  /** Extended key usages (default serverAuth + clientAuth for leaves). */
  eku?: ("serverAuth" | "clientAuth")[];
}

async function keyIdOf(keys: CryptoKeyPair): Promise<Uint8Array> {
  const spki = new Uint8Array(await crypto.subtle.exportKey("spki", keys.publicKey));
  return new Uint8Array(await crypto.subtle.digest("SHA-256", spki)).subarray(0, 20);
}

/** Issues a certificate signed by `issuer` (self-signed when undefined). */
export async function issue(options: CertOptions, issuer?: Issued): Promise<Issued> {
  const keys = await crypto.subtle.generateKey(
    { name: "ECDSA", namedCurve: "P-256" },
    true,
    ["sign", "verify"],
  ) as CryptoKeyPair;
  const spki = new Uint8Array(await crypto.subtle.exportKey("spki", keys.publicKey));
  const keyId = await keyIdOf(keys);
  const signer = issuer ?? { keys, keyId, commonName: options.commonName };
  const exts: Uint8Array[] = [
    extension(OID.basicConstraints, true, options.ca ? seq(TRUE) : seq()),
    extension(
      OID.keyUsage,
      true,
      // digitalSignature (bit 0) for leaves; keyCertSign (bit 5) for CAs.
      options.ca
        ? encodeTlv(T.bitString, new Uint8Array([2, 0x04]))
        : encodeTlv(T.bitString, new Uint8Array([7, 0x80])),
    ),
    extension(OID.subjectKeyIdentifier, false, octets(keyId)),
    extension(OID.authorityKeyIdentifier, false, seq(encodeTlv(0x80, signer.keyId))),
  ];
  if (!options.ca) {
    const sans = (options.names ?? []).map((n) => {
      const ip = ipBytes(n);
      return ip ? encodeTlv(0x87, ip) : encodeTlv(0x82, new TextEncoder().encode(n));
    });
    if (sans.length > 0) exts.push(extension(OID.subjectAltName, false, seq(...sans)));
    const ekus = (options.eku ?? ["serverAuth", "clientAuth"]).map((e) => oid(OID[e]));
    exts.push(extension(OID.extKeyUsage, false, seq(...ekus)));
  }
  const now = Date.now();
  const serial = crypto.getRandomValues(new Uint8Array(16));
  serial[0] &= 0x7f;
  const algorithm = seq(oid(OID.ecdsaWithSha256));
  const tbs = seq(
    ctx(0, integer(new Uint8Array([2]))),
    integer(serial),
    algorithm,
    name(signer.commonName),
    seq(
      time(options.notBefore ?? new Date(now - 3600_000)),
      time(options.notAfter ?? new Date(now + 30 * 86400_000)),
    ),
    name(options.commonName),
    spki,
    ctx(3, seq(...exts)),
  );
  const raw = new Uint8Array(
    await crypto.subtle.sign(
      { name: "ECDSA", hash: "SHA-256" },
      signer.keys.privateKey,
      tbs as Uint8Array<ArrayBuffer>,
    ),
  );
  const certDer = seq(tbs, algorithm, bits(ecdsaP1363ToDer(raw)));
  const pkcs8 = new Uint8Array(await crypto.subtle.exportKey("pkcs8", keys.privateKey));
  return {
    certDer,
    certPem: pemEncode("CERTIFICATE", certDer),
    keyPem: pemEncode("PRIVATE KEY", pkcs8),
    keys,
    keyId,
    commonName: options.commonName,
  };
}

/** A CA plus one leaf for `names`: the usual test setup. */
export async function testPki(
  names: string[] = ["localhost", "127.0.0.1"],
): Promise<{ ca: Issued; leaf: Issued }> {
  const ca = await issue({ commonName: "kerneltls test CA", ca: true });
  const leaf = await issue({ commonName: names[0], names }, ca);
  return { ca, leaf };
}
