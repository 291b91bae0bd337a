/**
 * The little strict DER the crypto leaf needs: ECDSA signatures, the outer
 * shape of SubjectPublicKeyInfo and PKCS#8, and RSASSA-PSS parameters. Anything
 * that is not minimal DER (BER lengths, padded integers, trailing bytes) is
 * refused rather than repaired.
 *
 * @module
 */

/** One decoded TLV: its tag and the content bytes. */
export interface DerElement {
  /** The identifier octet (only low-tag-number form is accepted). */
  readonly tag: number;
  /** Content octets (a view into the input). */
  readonly content: Uint8Array;
  /** The whole TLV, header included (a view into the input). */
  readonly raw: Uint8Array;
}

/** DER tags used here. */
export const DerTag = {
  Integer: 0x02,
  BitString: 0x03,
  OctetString: 0x04,
  Null: 0x05,
  Oid: 0x06,
  Sequence: 0x30,
  Context0: 0xa0,
  Context1: 0xa1,
  Context2: 0xa2,
  Context3: 0xa3,
} as const;

function fail(what: string): never {
  throw new SyntaxError(`DER: ${what}`);
}

/** Reads one TLV at `offset`; throws `SyntaxError` on any non-DER encoding. */
export function readElement(
  input: Uint8Array,
  offset: number,
): { element: DerElement; next: number } {
  if (offset + 2 > input.length) fail("truncated header");
  const tag = input[offset];
  if ((tag & 0x1f) === 0x1f) fail("high tag numbers are not supported");
  let len = input[offset + 1];
  let pos = offset + 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    // 0x80 is BER's indefinite length; more than 4 length bytes cannot be real here.
    if (n === 0 || n > 4) fail("unsupported length form");
    if (pos + n > input.length) fail("truncated length");
    if (input[pos] === 0) fail("non-minimal length");
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + input[pos + i];
    if (len < 0x80) fail("non-minimal length");
    pos += n;
  }
  if (pos + len > input.length) fail("truncated content");
  return {
    element: {
      tag,
      content: input.subarray(pos, pos + len),
      raw: input.subarray(offset, pos + len),
    },
    next: pos + len,
  };
}

/** Decodes exactly one TLV with the given tag, filling the whole input. */
export function readSingle(input: Uint8Array, tag: number): DerElement {
  const { element, next } = readElement(input, 0);
  if (element.tag !== tag) fail(`expected tag 0x${tag.toString(16)}`);
  if (next !== input.length) fail("trailing bytes");
  return element;
}

/** Splits the content of a constructed element into its children. */
export function readChildren(content: Uint8Array): DerElement[] {
  const out: DerElement[] = [];
  let offset = 0;
  while (offset < content.length) {
    const { element, next } = readElement(content, offset);
    out.push(element);
    offset = next;
  }
  return out;
}

/** Encodes a DER length. */
function encodeLength(len: number): Uint8Array {
  if (len < 0x80) return Uint8Array.of(len);
  const bytes: number[] = [];
  for (let v = len; v > 0; v = Math.floor(v / 256)) bytes.unshift(v & 0xff);
  return Uint8Array.of(0x80 | bytes.length, ...bytes);
}

/** Builds a TLV from a tag and its content parts. */
export function encodeTlv(tag: number, ...parts: readonly Uint8Array[]): Uint8Array {
  let length = 0;
  for (const p of parts) length += p.length;
  const header = encodeLength(length);
  const out = new Uint8Array(1 + header.length + length);
  out[0] = tag;
  out.set(header, 1);
  let offset = 1 + header.length;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}

/** Decodes an OBJECT IDENTIFIER's content to dotted form (strict base-128). */
export function decodeOid(content: Uint8Array): string {
  if (content.length === 0) fail("empty OID");
  const arcs: number[] = [];
  let value = 0;
  let fresh = true;
  for (let i = 0; i < content.length; i++) {
    const b = content[i];
    if (fresh && b === 0x80) fail("non-minimal OID arc");
    if (value > 0x1ffffff) fail("OID arc too large");
    value = value * 128 + (b & 0x7f);
    fresh = false;
    if ((b & 0x80) === 0) {
      arcs.push(value);
      value = 0;
      fresh = true;
    }
  }
  if (!fresh) fail("truncated OID");
  const first = arcs[0];
  const head = first < 40 ? [0, first] : first < 80 ? [1, first - 40] : [2, first - 80];
  return [...head, ...arcs.slice(1)].join(".");
}

/** Encodes a dotted OID as a full TLV. */
export function encodeOid(dotted: string): Uint8Array {
  const arcs = dotted.split(".").map(Number);
  const values = [arcs[0] * 40 + arcs[1], ...arcs.slice(2)];
  const bytes: number[] = [];
  for (const v of values) {
    const group: number[] = [v & 0x7f];
    for (let x = Math.floor(v / 128); x > 0; x = Math.floor(x / 128)) {
      group.unshift(0x80 | (x & 0x7f));
    }
    bytes.push(...group);
  }
  return encodeTlv(DerTag.Oid, Uint8Array.from(bytes));
}

/** Well-known algorithm OIDs. */
export const Oid = {
  rsaEncryption: "1.2.840.113549.1.1.1",
  rsassaPss: "1.2.840.113549.1.1.10",
  mgf1: "1.2.840.113549.1.1.8",
  ecPublicKey: "1.2.840.10045.2.1",
  secp256r1: "1.2.840.10045.3.1.7",
  secp384r1: "1.3.132.0.34",
  secp521r1: "1.3.132.0.35",
  ed25519: "1.3.101.112",
  x25519: "1.3.101.110",
  sha256: "2.16.840.1.101.3.4.2.1",
  sha384: "2.16.840.1.101.3.4.2.2",
  sha512: "2.16.840.1.101.3.4.2.3",
  sha1: "1.3.14.3.2.26",
} as const;

/** An AlgorithmIdentifier: the OID and the raw parameters TLV, if any. */
export interface AlgorithmIdentifier {
  /** Dotted OID. */
  readonly oid: string;
  /** The parameters element, or undefined when absent. */
  readonly params: DerElement | undefined;
}

function readAlgorithm(el: DerElement): AlgorithmIdentifier {
  if (el.tag !== DerTag.Sequence) fail("AlgorithmIdentifier is not a SEQUENCE");
  const parts = readChildren(el.content);
  if (parts.length < 1 || parts.length > 2 || parts[0].tag !== DerTag.Oid) {
    fail("malformed AlgorithmIdentifier");
  }
  return { oid: decodeOid(parts[0].content), params: parts[1] };
}

/** A parsed SubjectPublicKeyInfo. */
export interface SubjectPublicKeyInfo {
  /** The key's algorithm. */
  readonly algorithm: AlgorithmIdentifier;
  /** The BIT STRING's bits (whole bytes only). */
  readonly publicKey: Uint8Array;
}

/** Parses a DER SubjectPublicKeyInfo; throws `SyntaxError` when malformed. */
export function parseSpki(der: Uint8Array): SubjectPublicKeyInfo {
  const parts = readChildren(readSingle(der, DerTag.Sequence).content);
  if (parts.length !== 2 || parts[1].tag !== DerTag.BitString) {
    fail("malformed SubjectPublicKeyInfo");
  }
  const bits = parts[1].content;
  if (bits.length < 1 || bits[0] !== 0) fail("public key BIT STRING has unused bits");
  return { algorithm: readAlgorithm(parts[0]), publicKey: bits.subarray(1) };
}

/**
 * The modulus length in bits of an RSAPublicKey (RFC 8017 A.1.1), the
 * `publicKey` of an rsaEncryption or id-RSASSA-PSS SubjectPublicKeyInfo.
 * Throws `SyntaxError` when malformed (including a non-positive modulus).
 */
export function rsaModulusBits(publicKey: Uint8Array): number {
  const parts = readChildren(readSingle(publicKey, DerTag.Sequence).content);
  if (parts.length !== 2 || parts[0].tag !== DerTag.Integer || parts[1].tag !== DerTag.Integer) {
    fail("malformed RSAPublicKey");
  }
  let n = parts[0].content;
  if (n.length === 0 || n[0] & 0x80) fail("RSA modulus is not positive");
  if (n[0] === 0) {
    if (n.length === 1 || !(n[1] & 0x80)) fail("non-minimal RSA modulus");
    n = n.subarray(1);
  }
  return n.length * 8 - Math.clz32(n[0]) + 24;
}

/** A parsed PKCS#8 PrivateKeyInfo / OneAsymmetricKey (outer layer only). */
export interface PrivateKeyInfo {
  /** The key's algorithm. */
  readonly algorithm: AlgorithmIdentifier;
  /** The privateKey OCTET STRING's content. */
  readonly privateKey: Uint8Array;
}

/** Parses DER PKCS#8; throws `SyntaxError` when malformed. */
export function parsePkcs8(der: Uint8Array): PrivateKeyInfo {
  const parts = readChildren(readSingle(der, DerTag.Sequence).content);
  if (
    parts.length < 3 || parts[0].tag !== DerTag.Integer || parts[0].content.length !== 1 ||
    parts[0].content[0] > 1 || parts[2].tag !== DerTag.OctetString
  ) fail("malformed PKCS#8 PrivateKeyInfo");
  return { algorithm: readAlgorithm(parts[1]), privateKey: parts[2].content };
}

const RSA_ENCRYPTION_ALG = encodeTlv(
  DerTag.Sequence,
  encodeOid(Oid.rsaEncryption),
  Uint8Array.of(DerTag.Null, 0),
);

/**
 * Rewrites an id-RSASSA-PSS SubjectPublicKeyInfo as rsaEncryption (the key
 * bits are identical) because Web Crypto only imports the latter.
 */
export function spkiAsRsaEncryption(der: Uint8Array): Uint8Array {
  const spki = parseSpki(der);
  if (spki.algorithm.oid !== Oid.rsassaPss) fail("not an id-RSASSA-PSS key");
  return encodeTlv(
    DerTag.Sequence,
    RSA_ENCRYPTION_ALG,
    encodeTlv(DerTag.BitString, Uint8Array.of(0), spki.publicKey),
  );
}

/** Rewrites an id-RSASSA-PSS PKCS#8 key as rsaEncryption, for Web Crypto import. */
export function pkcs8AsRsaEncryption(der: Uint8Array): Uint8Array {
  const info = parsePkcs8(der);
  if (info.algorithm.oid !== Oid.rsassaPss) fail("not an id-RSASSA-PSS key");
  return encodeTlv(
    DerTag.Sequence,
    Uint8Array.of(DerTag.Integer, 1, 0),
    RSA_ENCRYPTION_ALG,
    encodeTlv(DerTag.OctetString, info.privateKey),
  );
}

/** Hash names RSASSA-PSS parameters can name. */
export type PssHash = "SHA-1" | "SHA-256" | "SHA-384" | "SHA-512";

/** RSASSA-PSS-params (RFC 4055 section 3.1), with the defaults filled in. */
export interface PssParams {
  /** The message hash. */
  readonly hash: PssHash;
  /** MGF1's hash. */
  readonly mgfHash: PssHash;
  /** The salt length (for a key: the minimum salt length). */
  readonly saltLength: number;
}

function hashOid(alg: AlgorithmIdentifier): PssHash {
  // The NULL parameter is optional for SHA-2 (RFC 4055 section 2.1), so allow both.
  if (alg.params !== undefined && (alg.params.tag !== DerTag.Null || alg.params.content.length)) {
    fail("unexpected hash parameters");
  }
  switch (alg.oid) {
    case Oid.sha1:
      return "SHA-1";
    case Oid.sha256:
      return "SHA-256";
    case Oid.sha384:
      return "SHA-384";
    case Oid.sha512:
      return "SHA-512";
  }
  return fail("unsupported hash in RSASSA-PSS parameters");
}

function smallInteger(el: DerElement): number {
  const c = el.content;
  if (el.tag !== DerTag.Integer || c.length === 0 || c.length > 3 || c[0] & 0x80) {
    fail("bad INTEGER in RSASSA-PSS parameters");
  }
  if (c.length > 1 && c[0] === 0 && (c[1] & 0x80) === 0) fail("non-minimal INTEGER");
  let v = 0;
  for (const b of c) v = v * 256 + b;
  return v;
}

/**
 * Parses the parameters of an id-RSASSA-PSS AlgorithmIdentifier. Fields left
 * out take RFC 4055's defaults (SHA-1, MGF1-SHA-1, salt 20).
 */
export function parsePssParams(params: DerElement): PssParams {
  if (params.tag !== DerTag.Sequence) fail("RSASSA-PSS parameters are not a SEQUENCE");
  let hash: PssHash = "SHA-1";
  let mgfHash: PssHash = "SHA-1";
  let saltLength = 20;
  let lastTag = 0;
  for (const field of readChildren(params.content)) {
    if (field.tag <= lastTag) fail("RSASSA-PSS parameters out of order");
    lastTag = field.tag;
    const inner = readSingle(
      field.content,
      field.tag === DerTag.Context2 || field.tag === DerTag.Context3
        ? DerTag.Integer
        : DerTag.Sequence,
    );
    switch (field.tag) {
      case DerTag.Context0:
        hash = hashOid(readAlgorithm(inner));
        break;
      case DerTag.Context1: {
        const mgf = readAlgorithm(inner);
        if (mgf.oid !== Oid.mgf1 || mgf.params === undefined) {
          fail("unsupported mask generation function");
        }
        mgfHash = hashOid(readAlgorithm(mgf.params));
        break;
      }
      case DerTag.Context2:
        saltLength = smallInteger(inner);
        break;
      case DerTag.Context3:
        if (smallInteger(inner) !== 1) fail("unsupported RSASSA-PSS trailer field");
        break;
      default:
        fail("unknown RSASSA-PSS parameter");
    }
  }
  return { hash, mgfHash, saltLength };
}

/**
 * Strict DER INTEGER for ECDSA: positive, minimal, non-zero and at most
 * `size` bytes once the sign byte is dropped. Returns it left-padded to `size`.
 */
function ecdsaScalar(el: DerElement, size: number): Uint8Array | null {
  const c = el.content;
  if (el.tag !== DerTag.Integer || c.length === 0 || c[0] & 0x80) return null;
  let start = 0;
  if (c[0] === 0) {
    if (c.length === 1 || (c[1] & 0x80) === 0) return null; // zero, or non-minimal
    start = 1;
  }
  const value = c.subarray(start);
  if (value.length > size) return null;
  const out = new Uint8Array(size);
  out.set(value, size - value.length);
  return out;
}

/**
 * Converts a DER `ECDSA-Sig-Value` to IEEE P1363 `r || s` (each `size`
 * bytes). Returns null for anything that is not exactly minimal DER with
 * 0 < r, s < 2^(8*size).
 */
export function ecdsaDerToP1363(der: Uint8Array, size: number): Uint8Array | null {
  try {
    const parts = readChildren(readSingle(der, DerTag.Sequence).content);
    if (parts.length !== 2) return null;
    const r = ecdsaScalar(parts[0], size);
    const s = ecdsaScalar(parts[1], size);
    if (r === null || s === null) return null;
    const out = new Uint8Array(2 * size);
    out.set(r, 0);
    out.set(s, size);
    return out;
  } catch {
    return null;
  }
}

function derScalar(bytes: Uint8Array): Uint8Array {
  let start = 0;
  while (start < bytes.length - 1 && bytes[start] === 0) start++;
  const value = bytes.subarray(start);
  return value[0] & 0x80
    ? encodeTlv(DerTag.Integer, Uint8Array.of(0), value)
    : encodeTlv(DerTag.Integer, value);
}

/** Converts IEEE P1363 `r || s` (even length) to a DER `ECDSA-Sig-Value`. */
export function ecdsaP1363ToDer(raw: Uint8Array): Uint8Array {
  if (raw.length === 0 || raw.length % 2 !== 0) {
    throw new RangeError("P1363 signature length must be even");
  }
  const half = raw.length / 2;
  return encodeTlv(
    DerTag.Sequence,
    derScalar(raw.subarray(0, half)),
    derScalar(raw.subarray(half)),
  );
}
