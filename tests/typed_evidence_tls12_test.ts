// Issue 15 item 4, TLS 1.2: the states that await the peer's Finished can
// only be built with the evidence the verifier path mints. The type-level
// half is checked by `deno check` / `deno test` (an unused @ts-expect-error
// fails the check); the runtime half shows the mints refuse what does not
// verify.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { ExpectServerFinished12, type Tls12ClientState } from "../src/client/tls12_states.ts";
import type { ClientHandshakeData } from "../src/client/handshake_data.ts";
import type { Tls12ClientSession } from "../src/client/session_store.ts";
import {
  acceptTls12Resumption,
  ResumedTls12Session,
  type ResumedWithPsk,
  type ServerCertVerified,
  ServerKeyExchangeSignatureValid,
  verifyServerKeyExchange,
} from "../src/client/server_auth.ts";
import type { HandshakeSignatureValid } from "../src/tls13/signature_evidence.ts";
import type { Tls12CipherSuite } from "../src/crypto/types.ts";
import { TlsError } from "../src/error.ts";
import { serverKeyExchangeParams } from "../src/msgs/tls12_messages.ts";

/**
 * Never called: its body only has to type-check, with each marked line
 * refused by the compiler.
 */
export function clientServerFinished12NeedsEvidence(
  st: Tls12ClientState,
  master: Uint8Array,
  cert: ServerCertVerified,
  signature: ServerKeyExchangeSignatureValid,
  resumed: ResumedTls12Session,
  tls13Signature: HandshakeSignatureValid,
  tls13Resumed: ResumedWithPsk,
): unknown[] {
  return [
    // @ts-expect-error: no evidence at all
    new ExpectServerFinished12(st, master, undefined),
    // @ts-expect-error: look-alike objects are not the tokens
    new ExpectServerFinished12(st, master, undefined, { cert: {}, signature: {} }),
    // @ts-expect-error: a verified chain without a verified ServerKeyExchange
    new ExpectServerFinished12(st, master, undefined, { cert }),
    // @ts-expect-error: a ServerKeyExchange signature without a verified chain
    new ExpectServerFinished12(st, master, undefined, { signature }),
    // @ts-expect-error: a TLS 1.3 CertificateVerify token is not a ServerKeyExchange one
    new ExpectServerFinished12(st, master, undefined, { cert, signature: tls13Signature }),
    // @ts-expect-error: a TLS 1.3 PSK token is not a TLS 1.2 resumption
    new ExpectServerFinished12(st, master, undefined, tls13Resumed),
    // @ts-expect-error: only client/server_auth.ts can mint a ServerKeyExchange token
    new ServerKeyExchangeSignatureValid(Symbol("client evidence")),
    // @ts-expect-error: only client/server_auth.ts can mint a resumption token
    new ResumedTls12Session(Symbol("client evidence")),
    // What does compile: the minted evidence.
    new ExpectServerFinished12(st, master, undefined, { cert, signature }),
    new ExpectServerFinished12(st, master, undefined, resumed),
  ];
}

const suite = { id: 0xc02b, sign: "ECDSA" } as Tls12CipherSuite;
const ske = {
  group: 23,
  publicKey: new Uint8Array(65).fill(4),
  scheme: 0x0403,
  signature: new Uint8Array(70),
};

function handshakeWith(verifyTls12Signature: (message: Uint8Array) => Promise<void>) {
  return {
    random: new Uint8Array(32).fill(1),
    config: { verifier: { supportedVerifySchemes: () => [0x0403, 0x0804], verifyTls12Signature } },
  } as unknown as ClientHandshakeData;
}

describe("typed evidence, TLS 1.2 client", () => {
  it("a ServerKeyExchange that does not verify mints no token", async () => {
    const hs = handshakeWith(() => Promise.reject(new Error("bad signature")));
    await assert.rejects(
      verifyServerKeyExchange(hs, suite, new Uint8Array(32), new Uint8Array(1), ske),
      /bad signature/,
    );
  });

  it("a ServerKeyExchange with a scheme that does not fit the suite mints no token", async () => {
    const hs = handshakeWith(() => Promise.resolve());
    await assert.rejects(
      verifyServerKeyExchange(hs, suite, new Uint8Array(32), new Uint8Array(1), {
        ...ske,
        scheme: 0x0804,
      }),
      (e) => e instanceof TlsError && e.detail === "SignedWithUnofferedScheme",
    );
  });

  it("a ServerKeyExchange that verifies mints the token, over both randoms and the params", async () => {
    let signed: Uint8Array | undefined;
    const hs = handshakeWith((message) => {
      signed = message;
      return Promise.resolve();
    });
    const serverRandom = new Uint8Array(32).fill(2);
    const token = await verifyServerKeyExchange(hs, suite, serverRandom, new Uint8Array(1), ske);
    assert.ok(token instanceof ServerKeyExchangeSignatureValid);
    assert.deepEqual(
      signed,
      new Uint8Array([...hs.random, ...serverRandom, ...serverKeyExchangeParams(ske)]),
    );
  });

  it("a resumption mints its token only with the offered suite and EMS state", () => {
    const offer = { suiteId: 0xc02b, extendedMasterSecret: true } as Tls12ClientSession;
    assert.ok(acceptTls12Resumption(offer, suite, true) instanceof ResumedTls12Session);
    assert.throws(
      () => acceptTls12Resumption(offer, { ...suite, id: 0xc02f }, true),
      (e) => e instanceof TlsError && e.detail === "ResumptionOfferedWithIncompatibleCipherSuite",
    );
    assert.throws(
      () => acceptTls12Resumption(offer, suite, false),
      (e) => e instanceof TlsError && e.detail === "ResumedSessionChangesExtendedMasterSecret",
    );
  });
});
