// Issue 16 item 3: when the server's CertificateVerify arrives with its
// Certificate, the client checks the signature while the chain is verified.
// The chain's refusal must still be the error reported, and a message that
// arrives later must not let a refused chain go unreported.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { ClientConfig } from "../src/client/config.ts";
import { TlsError } from "../src/error.ts";
import type { ServerCertVerifier } from "../src/webpki/verifier.ts";
import { WebPkiServerVerifier } from "../src/webpki/verifier.ts";
import { connectPair, makePairPki, type PairPki } from "./_pair_setup.ts";

/** Records the order of calls; the chain check takes `chainMs` and may refuse. */
function slowChainVerifier(
  pki: PairPki,
  log: string[],
  chainMs: number,
  refuse: boolean,
  badSignature = false,
): ServerCertVerifier {
  const inner = new WebPkiServerVerifier({ roots: pki.roots() });
  return {
    verifyServerCert: async (ee, im, name, now) => {
      log.push("chain start");
      await new Promise((r) => setTimeout(r, chainMs));
      log.push("chain end");
      if (refuse) {
        throw new TlsError("InvalidCertificate", "refused by the test", {
          detail: "UnknownIssuer",
          alert: 48,
        });
      }
      await inner.verifyServerCert(ee, im, name, now);
    },
    verifyTls13Signature: async (m, ee, scheme, sig) => {
      log.push("signature start");
      if (badSignature) sig = sig.map((b, i) => (i === 8 ? b ^ 1 : b));
      await inner.verifyTls13Signature(m, ee, scheme, sig);
      log.push("signature end");
    },
    verifyTls12Signature: (m, ee, scheme, sig) => inner.verifyTls12Signature(m, ee, scheme, sig),
    supportedVerifySchemes: () => inner.supportedVerifySchemes(),
  };
}

describe("issue 16 item 3: CertificateVerify checked while the chain is verified", () => {
  let pki: PairPki;
  before(() => {
    pki = makePairPki(["p256"]);
  });
  after(() => pki.cleanup());

  const pair = (verifier: ServerCertVerifier, maxFragmentSize?: number) =>
    connectPair(pki, {
      clientConfig: new ClientConfig({ verifier, resumption: false }),
      server: maxFragmentSize ? { maxFragmentSize } : {},
      captureErrors: true,
    });

  it("starts the signature check before the chain check ends, and completes", async () => {
    const log: string[] = [];
    const { client, server } = await pair(slowChainVerifier(pki, log, 30, false));
    assert.equal(client.error, undefined);
    assert.equal(server.error, undefined);
    assert.ok(log.indexOf("signature start") < log.indexOf("chain end"), log.join(", "));
  });

  it("reports the refused chain, not the bad signature, when both fail", async () => {
    const log: string[] = [];
    const { client } = await pair(slowChainVerifier(pki, log, 30, true, true));
    assert.ok(client.error instanceof TlsError);
    assert.equal(client.error.alert, 48, client.error.message);
    assert.equal(client.error.detail, "UnknownIssuer");
  });

  it("refuses the chain at once when the CertificateVerify is not here yet", async () => {
    // Small records: the one that completes the Certificate does not hold
    // the whole CertificateVerify, so the chain is awaited on its own.
    const log: string[] = [];
    const { client } = await pair(slowChainVerifier(pki, log, 5, true), 64);
    assert.ok(client.error instanceof TlsError);
    assert.equal(client.error.alert, 48);
    assert.ok(!log.includes("signature start"), log.join(", "));
  });
});
