// Issue 15 item 2 (same spirit): the TLS 1.3 CertificateVerify scheme rule
// exists once (allowedInTls13CertificateVerify) and holds whatever the
// verifier says: a peer's CertificateVerify with ecdsa_sha1 or an
// rsa_pkcs1_* scheme is illegal_parameter even for a verifier that would
// accept any signature, and we never pick such a scheme for our own.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { AlertDescription, HandshakeType, SignatureScheme } from "../src/msgs/enums.ts";
import type { ClientCertVerifier, ServerCertVerifier } from "../src/webpki/verifier.ts";
import { allowedInTls13CertificateVerify } from "../src/tls13/certificate_verify.ts";
import { chooseScheme } from "../src/server/client_hello_checks.ts";
import type { SigningKey } from "../src/crypto/types.ts";
import { makePairPki, type PairPki } from "./_pair_setup.ts";
import { editMessages, tamperedPair } from "./_tamper.ts";

let pki: PairPki;
before(() => {
  pki = makePairPki();
});
after(() => pki.cleanup());

const S = SignatureScheme;
const FORBIDDEN = [
  ["ecdsa_sha1", S.ecdsa_sha1],
  ["rsa_pkcs1_sha1", S.rsa_pkcs1_sha1],
  ["rsa_pkcs1_sha256", S.rsa_pkcs1_sha256],
  ["rsa_pkcs1_sha384", S.rsa_pkcs1_sha384],
  ["rsa_pkcs1_sha512", S.rsa_pkcs1_sha512],
] as const;

/** Offers every scheme and accepts every signature: only the engine's own rule is left. */
const acceptAll = {
  verifyServerCert: () => Promise.resolve(),
  verifyClientCert: () => Promise.resolve(),
  verifyTls13Signature: () => Promise.resolve(),
  verifyTls12Signature: () => Promise.resolve(),
  supportedVerifySchemes: () => [
    ...FORBIDDEN.map(([, s]) => s),
    S.ecdsa_secp256r1_sha256,
    S.rsa_pss_rsae_sha256,
    S.ed25519,
  ],
  offerClientAuth: () => true,
  clientAuthMandatory: () => true,
  rootHintSubjects: () => [],
};

/** Both sides with the accept-all verifiers, the client with a certificate. */
const withClientAuth = () => ({
  client: {
    verifier: acceptAll as ServerCertVerifier,
    certificateChain: pki.client.certPem,
    privateKey: pki.client.keyPem,
  },
  server: { clientCertVerifier: acceptAll as ClientCertVerifier },
});

/** Rewrites the scheme of the CertificateVerify a side sends. */
const withScheme = (scheme: number) =>
  editMessages((m) => {
    if (m.type !== HandshakeType.certificate_verify) return undefined;
    const edited = m.encoded.slice();
    edited[4] = scheme >> 8;
    edited[5] = scheme & 0xff;
    return edited;
  });

describe("TLS 1.3 CertificateVerify schemes: one rule for both sides", () => {
  it("baseline: the accept-all verifiers let an untouched handshake through", async () => {
    const run = await tamperedPair(pki, {
      ...withClientAuth(),
    });
    assert.equal(run.clientError, undefined);
    assert.equal(run.serverError, undefined);
  });

  for (const [name, scheme] of FORBIDDEN) {
    it(`a server CertificateVerify with ${name} is illegal_parameter at the client`, async () => {
      const run = await tamperedPair(pki, {
        client: { verifier: acceptAll as ServerCertVerifier },
        toClient: withScheme(scheme),
      });
      assert.equal(run.clientError?.alert, AlertDescription.illegal_parameter, name);
      assert.equal(run.clientError?.detail, "UnsupportedSignatureScheme");
      assert.equal(run.clientError?.alertDirection, "sent");
      assert.equal(run.serverError?.alert, AlertDescription.illegal_parameter, "the server got it");
    });

    it(`a client CertificateVerify with ${name} is illegal_parameter at the server`, async () => {
      const run = await tamperedPair(pki, {
        ...withClientAuth(),
        toServer: withScheme(scheme),
      });
      assert.equal(run.serverError?.alert, AlertDescription.illegal_parameter, name);
      assert.equal(run.serverError?.detail, "UnsupportedSignatureScheme");
    });
  }

  it("the rule: only TLS 1.3 schemes (ECDSA with SHA-2, PSS, EdDSA, ...) pass", () => {
    for (const [name, scheme] of FORBIDDEN) {
      assert.equal(allowedInTls13CertificateVerify(scheme), false, name);
    }
    // Legacy pairs that TLS 1.3 never defined: SHA-224, DSA, anonymous, MD5.
    for (const legacy of [0x0301, 0x0303, 0x0202, 0x0400, 0x0101]) {
      assert.equal(allowedInTls13CertificateVerify(legacy), false, legacy.toString(16));
    }
    for (
      const ok of [
        S.ecdsa_secp256r1_sha256,
        S.ecdsa_secp384r1_sha384,
        S.ecdsa_secp521r1_sha512,
        S.rsa_pss_rsae_sha256,
        S.rsa_pss_pss_sha512,
        S.ed25519,
        S.ed448,
      ]
    ) {
      assert.equal(allowedInTls13CertificateVerify(ok), true, ok.toString(16));
    }
  });

  it("our own signature: a server key that lists ecdsa_sha1 first still signs with a TLS 1.3 scheme", () => {
    const key = { schemes: [S.ecdsa_sha1, S.rsa_pkcs1_sha256, S.ecdsa_secp256r1_sha256] };
    const offered = [S.ecdsa_sha1, S.rsa_pkcs1_sha256, S.ecdsa_secp256r1_sha256];
    assert.equal(chooseScheme(key as unknown as SigningKey, offered), S.ecdsa_secp256r1_sha256);
  });
});
