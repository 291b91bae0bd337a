/**
 * The client side of SCRAM-SHA-256 and SCRAM-SHA-256-PLUS (RFC 5802 with
 * RFC 7677's SHA-256), on Web Crypto alone: PBKDF2 for the salted password,
 * HMAC-SHA-256 and SHA-256 for the keys and proofs. Only the SCRAM messages
 * live here; carrying them (PostgreSQL's SASL messages) is the caller's job.
 *
 * @module
 */

import { concat, constantTimeEqual } from "../src/_bytes.ts";

/** A channel binding for `-PLUS`: its RFC 5056 type name and its data. */
export interface ScramChannelBinding {
  /** For example `"tls-server-end-point"` (RFC 5929) or `"tls-exporter"` (RFC 9266). */
  type: string;
  /** The binding's bytes from the TLS connection. */
  data: Uint8Array;
}

/** What the client needs; `nonce` is for test vectors only (default: 18 random bytes). */
export interface ScramOptions {
  password: string;
  /** SCRAM's `n=`; PostgreSQL takes the user from its startup message and sends "". */
  username?: string;
  /** Set for SCRAM-SHA-256-PLUS; undefined for plain SCRAM-SHA-256 ("n" flag). */
  channelBinding?: ScramChannelBinding;
  nonce?: string;
}

/** Iteration counts above this are refused (PostgreSQL uses 4096). */
const MAX_ITERATIONS = 1_000_000;
const utf8 = new TextEncoder();

const b64 = (bytes: Uint8Array): string => bytes.toBase64();
function unb64(text: string, what: string): Uint8Array {
  try {
    return Uint8Array.fromBase64(text);
  } catch {
    throw new Error(`SCRAM: ${what} is not base64`);
  }
}

async function hmac(key: Uint8Array, data: Uint8Array | string): Promise<Uint8Array> {
  const k = await crypto.subtle.importKey(
    "raw",
    key as Uint8Array<ArrayBuffer>,
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign"],
  );
  const bytes = typeof data === "string" ? utf8.encode(data) : data;
  return new Uint8Array(await crypto.subtle.sign("HMAC", k, bytes as Uint8Array<ArrayBuffer>));
}

async function saltedPassword(
  password: string,
  salt: Uint8Array,
  iterations: number,
): Promise<Uint8Array> {
  // SASLprep (RFC 4013) is approximated by NFKC; ASCII passwords are exact.
  const key = await crypto.subtle.importKey(
    "raw",
    utf8.encode(password.normalize("NFKC")),
    "PBKDF2",
    false,
    ["deriveBits"],
  );
  const params = {
    name: "PBKDF2",
    hash: "SHA-256",
    salt: salt as Uint8Array<ArrayBuffer>,
    iterations,
  };
  return new Uint8Array(await crypto.subtle.deriveBits(params, key, 256));
}

/** `a=value` attributes of a SCRAM message, in order; repeats and junk refused. */
function attributes(message: string, what: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of message.split(",")) {
    const m = /^([A-Za-z])=(.*)$/s.exec(part);
    if (!m || out.has(m[1])) throw new Error(`SCRAM: malformed ${what}`);
    out.set(m[1], m[2]);
  }
  return out;
}

/** SCRAM's `saslname`: "=" and "," escaped (RFC 5802 section 5.1). */
const saslName = (name: string) => name.replaceAll("=", "=3D").replaceAll(",", "=2C");

/**
 * One SCRAM-SHA-256(-PLUS) exchange: `clientFirst()`, then
 * `clientFinal(serverFirst)`, then `verifyServerFinal(serverFinal)`, which
 * throws unless the server proved it knows the password's verifier.
 *
 * @example
 * ```ts
 * import { ScramClient } from "./_scram.ts";
 * const scram = new ScramClient({ password: "pencil" });
 * console.log(scram.clientFirst()); // "n,,n=,r=..."
 * ```
 */
export class ScramClient {
  readonly #password: string;
  readonly #gs2Header: string;
  readonly #cbindData: Uint8Array;
  readonly #clientFirstBare: string;
  readonly #nonce: string;
  #serverSignature: Uint8Array | undefined;

  constructor(options: ScramOptions) {
    this.#password = options.password;
    const cb = options.channelBinding;
    this.#gs2Header = cb ? `p=${cb.type},,` : "n,,";
    this.#cbindData = cb ? cb.data : new Uint8Array(0);
    this.#nonce = options.nonce ?? b64(crypto.getRandomValues(new Uint8Array(18)));
    this.#clientFirstBare = `n=${saslName(options.username ?? "")},r=${this.#nonce}`;
  }

  /** The client-first-message. */
  clientFirst(): string {
    return this.#gs2Header + this.#clientFirstBare;
  }

  /** The client-final-message (with the proof) answering `serverFirst`. */
  async clientFinal(serverFirst: string): Promise<string> {
    const attrs = attributes(serverFirst, "server-first-message");
    const nonce = attrs.get("r") ?? "";
    const salt = unb64(attrs.get("s") ?? "", "salt");
    const iterations = Number(attrs.get("i"));
    if (attrs.has("m")) throw new Error("SCRAM: server requires an unknown extension");
    if (!nonce.startsWith(this.#nonce) || nonce.length === this.#nonce.length) {
      throw new Error("SCRAM: server nonce does not extend ours");
    }
    if (salt.length === 0 || !Number.isInteger(iterations) || iterations < 1) {
      throw new Error("SCRAM: malformed salt or iteration count");
    }
    if (iterations > MAX_ITERATIONS) throw new Error("SCRAM: iteration count too high");

    const salted = await saltedPassword(this.#password, salt, iterations);
    const clientKey = await hmac(salted, "Client Key");
    const storedKey = new Uint8Array(
      await crypto.subtle.digest("SHA-256", clientKey as Uint8Array<ArrayBuffer>),
    );
    const channel = b64(concat(utf8.encode(this.#gs2Header), this.#cbindData));
    const withoutProof = `c=${channel},r=${nonce}`;
    const authMessage = `${this.#clientFirstBare},${serverFirst},${withoutProof}`;
    const clientSignature = await hmac(storedKey, authMessage);
    const proof = clientKey.map((byte, i) => byte ^ clientSignature[i]);
    this.#serverSignature = await hmac(await hmac(salted, "Server Key"), authMessage);
    return `${withoutProof},p=${b64(proof)}`;
  }

  /** Checks the server-final-message: `v=` must be the ServerSignature. */
  verifyServerFinal(serverFinal: string): void {
    if (!this.#serverSignature) throw new Error("SCRAM: server-final before client-final");
    const attrs = attributes(serverFinal, "server-final-message");
    const error = attrs.get("e");
    if (error !== undefined) throw new Error(`SCRAM: server refused: ${error}`);
    const v = unb64(attrs.get("v") ?? "", "server signature");
    if (!constantTimeEqual(v, this.#serverSignature)) {
      throw new Error("SCRAM: wrong server signature (the server does not know the password)");
    }
  }
}
