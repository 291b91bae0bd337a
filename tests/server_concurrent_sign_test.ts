// Issue 16 item 3: the server starts its CertificateVerify signature as soon
// as the transcript through Certificate is known, and derives and imports the
// handshake keys while it runs. The flight must stay the same, and a failed
// signature must still fail the handshake (no unhandled rejection).
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { ServerConfig } from "../src/server/config.ts";
import { TlsError } from "../src/error.ts";
import { webCryptoProvider } from "../src/crypto/webcrypto/provider.ts";
import type { CryptoProvider, SupportedCipherSuite } from "../src/crypto/types.ts";
import { connectPair, makePairPki, type PairPki } from "./_pair_setup.ts";

/** The default provider, logging AEAD key imports and signatures (which take `signMs`). */
async function loggingProvider(
  log: string[],
  signMs: number,
  fail = false,
): Promise<CryptoProvider> {
  const base = await webCryptoProvider();
  return {
    ...base,
    cipherSuites: base.cipherSuites.map((s): SupportedCipherSuite => ({
      ...s,
      aead: {
        ...s.aead,
        importKey: (raw) => {
          log.push("import");
          return s.aead.importKey(raw);
        },
      },
    })),
    loadSigningKey: async (pkcs8) => {
      const key = await base.loadSigningKey(pkcs8);
      return {
        schemes: key.schemes,
        algorithm: key.algorithm,
        sign: async (scheme, message) => {
          log.push("sign start");
          await new Promise((r) => setTimeout(r, signMs));
          if (fail) throw new Error("the signing key refused");
          const signature = await key.sign(scheme, message);
          log.push("sign end");
          return signature;
        },
      };
    },
  };
}

describe("issue 16 item 3: the server signs while it installs its handshake keys", () => {
  let pki: PairPki;
  before(() => {
    pki = makePairPki(["p256"]);
  });
  after(() => pki.cleanup());

  const server = async (log: string[], signMs: number, fail = false) =>
    new ServerConfig({
      certificateChain: pki.leaves.p256.certPem,
      privateKey: pki.leaves.p256.keyPem,
      provider: await loggingProvider(log, signMs, fail),
    });

  it("starts the signature before the handshake keys are imported, and completes", async () => {
    const log: string[] = [];
    const { client, server: s } = await connectPair(pki, {
      serverConfig: await server(log, 20),
      clientData: new Uint8Array([1]),
      serverData: new Uint8Array([2]),
    });
    assert.deepEqual(client.receivedBytes(), new Uint8Array([2]));
    assert.deepEqual(s.receivedBytes(), new Uint8Array([1]));
    // handshake writer and reader, then the application writer after Finished
    assert.deepEqual(log.slice(0, 4), ["sign start", "import", "import", "sign end"], log.join());
  });

  it("fails the handshake when the signature fails", async () => {
    const log: string[] = [];
    const { client, server: s } = await connectPair(pki, {
      serverConfig: await server(log, 5, true),
      captureErrors: true,
    });
    assert.ok(s.error instanceof TlsError, String(s.error));
    assert.equal(s.error.alert, 80); // internal_error: our own key failed
    assert.ok(client.error instanceof TlsError, String(client.error));
    assert.equal(client.error.kind, "AlertReceived");
    assert.deepEqual(log, ["sign start", "import", "import"]); // no application key
  });
});
