// Wycheproof signature verification through the provider's SignatureVerifiers:
// ecdsa_secp256r1_sha256 / ecdsa_secp384r1_sha384 (DER signatures),
// rsa_pss_2048_sha256_mgf1_32 (rsa_pss_rsae_sha256), its _params file
// (id-RSASSA-PSS keys, rsa_pss_pss_sha256), rsa_signature_2048_sha256
// (rsa_pkcs1_sha256) and ed25519.
//
// Policy for `acceptable` cases:
// - rsa_signature_2048_sha256, MissingNull (DigestInfo without the NULL
//   parameter): REJECTED. Web Crypto compares against the one canonical
//   encoding with NULL, as RFC 8017 section 9.2 describes; we do not relax it.
// No other file here has acceptable cases. BER or non-minimal DER ECDSA
// signatures are `invalid` in Wycheproof and are rejected by our strict parser.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { SignatureScheme } from "../src/msgs/enums.ts";
import { detectEd25519, findVerifier, signatureVerifiers } from "../src/crypto/webcrypto/verify.ts";
import { hex, readWycheproof, Tally } from "./_wycheproof.ts";

interface KeyGroup {
  publicKeyDer: string;
  sha?: string;
}

async function runFile(name: string, scheme: number, policyReason?: string): Promise<void> {
  const verifier = findVerifier(signatureVerifiers, scheme);
  assert.ok(verifier, `no verifier for ${name}`);
  const file = readWycheproof<KeyGroup>(name);
  const tally = new Tally(`${name}_test.json`);
  for (const group of file.testGroups) {
    const spki = hex(group.publicKeyDer);
    for (const tc of group.tests) {
      const ok = await verifier.verify(spki, hex(tc.msg), hex(tc.sig));
      const policy = tc.result === "acceptable" && policyReason !== undefined
        ? { accept: false, reason: policyReason }
        : undefined;
      tally.record(tc, ok, policy);
    }
  }
  tally.finish(file.numberOfTests);
}

const hasEd25519 = await detectEd25519();

describe("Wycheproof signatures", () => {
  it("ecdsa_secp256r1_sha256", () =>
    runFile("ecdsa_secp256r1_sha256", SignatureScheme.ecdsa_secp256r1_sha256));
  it("ecdsa_secp384r1_sha384", () =>
    runFile("ecdsa_secp384r1_sha384", SignatureScheme.ecdsa_secp384r1_sha384));
  it("rsa_pss_2048_sha256_mgf1_32 (rsae)", () =>
    runFile("rsa_pss_2048_sha256_mgf1_32", SignatureScheme.rsa_pss_rsae_sha256));
  it("rsa_pss_2048_sha256_mgf1_32_params (pss)", () =>
    runFile("rsa_pss_2048_sha256_mgf1_32_params", SignatureScheme.rsa_pss_pss_sha256));
  it("rsa_signature_2048_sha256 (pkcs1)", () =>
    runFile(
      "rsa_signature_2048_sha256",
      SignatureScheme.rsa_pkcs1_sha256,
      "MissingNull, only the canonical DigestInfo",
    ));
  (hasEd25519 ? it : it.skip)("ed25519", () => runFile("ed25519", SignatureScheme.ed25519));

  it("refuses a key of the wrong kind for the scheme", async () => {
    const pss = readWycheproof<KeyGroup>("rsa_pss_2048_sha256_mgf1_32_params").testGroups[0];
    const rsae = readWycheproof<KeyGroup>("rsa_pss_2048_sha256_mgf1_32").testGroups[0];
    const p384 = readWycheproof<KeyGroup>("ecdsa_secp384r1_sha384").testGroups[0];
    const pssCase = pss.tests.find((t) => t.result === "valid")!;
    const rsaeCase = rsae.tests.find((t) => t.result === "valid")!;
    const p384Case = p384.tests.find((t) => t.result === "valid")!;
    const v = (s: number) => findVerifier(signatureVerifiers, s)!;
    // The same signature verifies under the right scheme ...
    assert.equal(
      await v(SignatureScheme.rsa_pss_pss_sha256).verify(
        hex(pss.publicKeyDer),
        hex(pssCase.msg),
        hex(pssCase.sig),
      ),
      true,
    );
    // ... and not when the key's algorithm does not match the scheme.
    assert.equal(
      await v(SignatureScheme.rsa_pss_rsae_sha256).verify(
        hex(pss.publicKeyDer),
        hex(pssCase.msg),
        hex(pssCase.sig),
      ),
      false,
    );
    assert.equal(
      await v(SignatureScheme.rsa_pss_pss_sha256).verify(
        hex(rsae.publicKeyDer),
        hex(rsaeCase.msg),
        hex(rsaeCase.sig),
      ),
      false,
    );
    assert.equal(
      await v(SignatureScheme.ecdsa_secp256r1_sha256).verify(
        hex(p384.publicKeyDer),
        hex(p384Case.msg),
        hex(p384Case.sig),
      ),
      false,
    );
    // PSS-restricted to SHA-256, so the SHA-384 scheme must refuse the key.
    assert.equal(
      await v(SignatureScheme.rsa_pss_pss_sha384).verify(
        hex(pss.publicKeyDer),
        hex(pssCase.msg),
        hex(pssCase.sig),
      ),
      false,
    );
    assert.equal(
      await v(SignatureScheme.ed25519).verify(
        new Uint8Array(3),
        new Uint8Array(0),
        new Uint8Array(64),
      ),
      false,
    );
  });
});
