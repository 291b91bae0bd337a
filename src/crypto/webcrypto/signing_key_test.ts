import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { TlsError } from "../../error.ts";
import { SignatureScheme as S } from "../../msgs/enums.ts";
import { loadSigningKey } from "./signing_key.ts";
import { findVerifier, signatureVerifiers } from "./verify.ts";
import { pemDecode } from "../pem.ts";
import { pkcs8AsRsaEncryption, spkiAsRsaEncryption } from "../_der.ts";

function openssl(args: string[], input?: string): string {
  return execFileSync("openssl", args, {
    input,
    encoding: "latin1",
    stdio: ["pipe", "pipe", "ignore"],
  });
}

function genpkey(...opts: string[]): string {
  return openssl(["genpkey", ...opts]);
}

function spkiOf(pem: string): Uint8Array {
  const out = openssl(["pkey", "-pubout"], pem);
  return pemDecode(out)[0].der;
}

const message = new TextEncoder().encode("TLS 1.3, server CertificateVerify\0...");

async function roundTrip(pem: string, algorithm: string, schemes: number[]): Promise<void> {
  const key = await loadSigningKey(pem);
  assert.equal(key.algorithm, algorithm);
  assert.deepEqual(key.schemes, schemes);
  const spki = spkiOf(pem);
  for (const scheme of key.schemes) {
    const verifier = findVerifier(signatureVerifiers, scheme);
    assert.ok(verifier, `verifier for 0x${scheme.toString(16)}`);
    const sig = await key.sign(scheme, message);
    assert.equal(await verifier.verify(spki, message, sig), true, verifier.name);
    const tampered = sig.slice();
    tampered[tampered.length - 1] ^= 1;
    assert.equal(await verifier.verify(spki, message, tampered), false, verifier.name);
  }
}

describe("loadSigningKey", () => {
  it("ECDSA P-256 and P-384 (PEM), DER signatures", async () => {
    await roundTrip(genpkey("-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256"), "ECDSA", [
      S.ecdsa_secp256r1_sha256,
    ]);
    await roundTrip(genpkey("-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-384"), "ECDSA", [
      S.ecdsa_secp384r1_sha384,
    ]);
  });

  it("RSA rsaEncryption: PSS rsae then PKCS#1", async () => {
    await roundTrip(genpkey("-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048"), "RSA", [
      S.rsa_pss_rsae_sha256,
      S.rsa_pss_rsae_sha384,
      S.rsa_pss_rsae_sha512,
      S.rsa_pkcs1_sha256,
      S.rsa_pkcs1_sha384,
      S.rsa_pkcs1_sha512,
    ]);
  });

  it("RSA id-RSASSA-PSS, without and with parameters", async () => {
    await roundTrip(genpkey("-algorithm", "RSA-PSS", "-pkeyopt", "rsa_keygen_bits:2048"), "RSA", [
      S.rsa_pss_pss_sha256,
      S.rsa_pss_pss_sha384,
      S.rsa_pss_pss_sha512,
    ]);
    const restricted = genpkey(
      "-algorithm",
      "RSA-PSS",
      "-pkeyopt",
      "rsa_keygen_bits:2048",
      "-pkeyopt",
      "rsa_pss_keygen_md:sha384",
      "-pkeyopt",
      "rsa_pss_keygen_mgf1_md:sha384",
      "-pkeyopt",
      "rsa_pss_keygen_saltlen:48",
    );
    await roundTrip(restricted, "RSA", [S.rsa_pss_pss_sha384]);
    // A key restricted to SHA-384 must not sign with another hash.
    const key = await loadSigningKey(restricted);
    await assert.rejects(key.sign(S.rsa_pss_pss_sha256, message), RangeError);
    // A genuine SHA-256 PSS signature by the same key material must still be
    // refused under the key's SHA-384-only parameters.
    const der = pemDecode(restricted)[0].der;
    const plain = await crypto.subtle.importKey(
      "pkcs8",
      pkcs8AsRsaEncryption(der) as Uint8Array<ArrayBuffer>,
      { name: "RSA-PSS", hash: "SHA-256" },
      false,
      ["sign"],
    );
    const sig256 = new Uint8Array(
      await crypto.subtle.sign({ name: "RSA-PSS", saltLength: 32 }, plain, message),
    );
    const spki = spkiOf(restricted);
    const v = (scheme: number) => findVerifier(signatureVerifiers, scheme)!;
    assert.equal(
      await v(S.rsa_pss_rsae_sha256).verify(spkiAsRsaEncryption(spki), message, sig256),
      true,
    );
    assert.equal(await v(S.rsa_pss_pss_sha256).verify(spki, message, sig256), false);
  });

  it("Ed25519, from PEM and from DER", async () => {
    const pem = genpkey("-algorithm", "ED25519");
    await roundTrip(pem, "Ed25519", [S.ed25519]);
    const fromDer = await loadSigningKey(pemDecode(pem)[0].der);
    assert.deepEqual(fromDer.schemes, [S.ed25519]);
  });

  it("Web Crypto exported PKCS#8 loads too", async () => {
    const pair = await crypto.subtle.generateKey({ name: "ECDSA", namedCurve: "P-384" }, true, [
      "sign",
      "verify",
    ]) as CryptoKeyPair;
    const der = new Uint8Array(await crypto.subtle.exportKey("pkcs8", pair.privateKey));
    const spki = new Uint8Array(await crypto.subtle.exportKey("spki", pair.publicKey));
    const key = await loadSigningKey(der);
    const sig = await key.sign(S.ecdsa_secp384r1_sha384, message);
    const v = findVerifier(signatureVerifiers, S.ecdsa_secp384r1_sha384)!;
    assert.equal(await v.verify(spki, message, sig), true);
  });

  it("refuses unsupported keys with TlsError(General)", async () => {
    const isGeneral = (e: unknown): boolean =>
      e instanceof TlsError && e.kind === "General" && /unsupported private key/.test(e.message);
    await assert.rejects(
      loadSigningKey(genpkey("-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-521")),
      isGeneral,
    );
    await assert.rejects(loadSigningKey(genpkey("-algorithm", "X25519")), isGeneral);
    const sec1 = openssl(["ecparam", "-name", "prime256v1", "-genkey", "-noout"]);
    assert.match(sec1, /BEGIN EC PRIVATE KEY/);
    await assert.rejects(loadSigningKey(sec1), isGeneral);
  });

  it("refuses malformed input with SyntaxError", async () => {
    await assert.rejects(loadSigningKey("no pem here"), SyntaxError);
    await assert.rejects(loadSigningKey(new Uint8Array([0x30, 0x03, 0x02, 0x01])), SyntaxError);
    const pem = genpkey("-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256");
    const der = pemDecode(pem)[0].der;
    await assert.rejects(loadSigningKey(new Uint8Array([...der, 0])), SyntaxError);
    const key = await loadSigningKey(der);
    await assert.rejects(key.sign(S.ed25519, message), RangeError);
  });
});
