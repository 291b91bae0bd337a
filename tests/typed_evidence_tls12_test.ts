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
import {
  ExpectCertificateVerify12,
  ExpectClientFinished12,
  ExpectClientKeyExchange,
  type PresentedClientCert12,
  type Tls12ServerState,
} from "../src/server/tls12_states.ts";
import type { Tls12KeyBlock } from "../src/tls12/prf.ts";
import {
  type ClientCertVerified,
  type NoClientAuthRequired,
  Tls12CertificateVerifyValid,
  verifyClientCertificateVerify12,
} from "../src/server/client_auth.ts";
import { ResumedTls12Session as ServerResumedTls12Session } from "../src/server/tls12_resumption.ts";
import type { ResumedWithPsk as ServerResumedWithPsk } from "../src/server/psk.ts";
import type { ClientCertVerifier } from "../src/webpki/verifier.ts";

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

/** Never called: the server side of the same rule. */
export function serverClientFinished12NeedsEvidence(
  st: Tls12ServerState,
  master: Uint8Array,
  keys: Tls12KeyBlock,
  cert: ClientCertVerified,
  signature: Tls12CertificateVerifyValid,
  none: NoClientAuthRequired,
  resumed: ServerResumedTls12Session,
  presented: PresentedClientCert12,
  tls13Signature: HandshakeSignatureValid,
  tls13Resumed: ServerResumedWithPsk,
  clientResumed: ResumedTls12Session,
): unknown[] {
  return [
    // @ts-expect-error: no evidence at all
    new ExpectClientFinished12(st, master, keys),
    // @ts-expect-error: the old flag is not evidence
    new ExpectClientFinished12(st, master, keys, false),
    // @ts-expect-error: a look-alike object is not the token
    new ExpectClientFinished12(st, master, keys, {}),
    // @ts-expect-error: a verified client chain without its CertificateVerify
    new ExpectClientFinished12(st, master, keys, { cert }),
    // @ts-expect-error: a TLS 1.3 CertificateVerify token is not a TLS 1.2 one
    new ExpectClientFinished12(st, master, keys, { cert, signature: tls13Signature }),
    // @ts-expect-error: a TLS 1.3 PSK token is not a TLS 1.2 resumption
    new ExpectClientFinished12(st, master, keys, tls13Resumed),
    // @ts-expect-error: the client's resumption token is not the server's
    new ExpectClientFinished12(st, master, keys, clientResumed),
    // @ts-expect-error: ClientKeyExchange needs the chain's outcome
    new ExpectClientKeyExchange(st),
    // @ts-expect-error: a CertificateVerify state needs a verified chain
    new ExpectCertificateVerify12(st, master, keys),
    // @ts-expect-error: only server/client_auth.ts can mint a CertificateVerify token
    new Tls12CertificateVerifyValid(Symbol("server evidence")),
    // @ts-expect-error: only server/tls12_resumption.ts can mint a resumption token
    new ServerResumedTls12Session(Symbol("server TLS 1.2 session evidence")),
    // What does compile: the minted evidence.
    new ExpectClientFinished12(st, master, keys, { cert, signature }),
    new ExpectClientFinished12(st, master, keys, none),
    new ExpectClientFinished12(st, master, keys, resumed),
    new ExpectClientKeyExchange(st, none),
    new ExpectClientKeyExchange(st, presented),
    new ExpectCertificateVerify12(st, master, keys, presented),
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

function clientVerifier(
  verifyTls12Signature: (message: Uint8Array) => Promise<void>,
): ClientCertVerifier {
  return {
    supportedVerifySchemes: () => [0x0403],
    verifyTls12Signature,
  } as unknown as ClientCertVerifier;
}

describe("typed evidence, TLS 1.2 server", () => {
  it("a client CertificateVerify that does not verify mints no token", async () => {
    const verifier = clientVerifier(() => Promise.reject(new Error("bad signature")));
    await assert.rejects(
      verifyClientCertificateVerify12(
        verifier,
        new Uint8Array(9),
        new Uint8Array(1),
        0x0403,
        new Uint8Array(70),
      ),
      /bad signature/,
    );
  });

  it("a client CertificateVerify with a scheme we did not offer mints no token", async () => {
    let called = false;
    const verifier = clientVerifier(() => {
      called = true;
      return Promise.resolve();
    });
    await assert.rejects(
      verifyClientCertificateVerify12(
        verifier,
        new Uint8Array(9),
        new Uint8Array(1),
        0x0804,
        new Uint8Array(70),
      ),
      (e) => e instanceof TlsError && e.detail === "SignedWithUnofferedScheme",
    );
    assert.equal(called, false);
  });

  it("a client CertificateVerify that verifies mints the token, over the transcript", async () => {
    let signed: Uint8Array | undefined;
    const verifier = clientVerifier((message) => {
      signed = message;
      return Promise.resolve();
    });
    const transcript = new Uint8Array(9).fill(5);
    const token = await verifyClientCertificateVerify12(
      verifier,
      transcript,
      new Uint8Array(1),
      0x0403,
      new Uint8Array(70),
    );
    assert.ok(token instanceof Tls12CertificateVerifyValid);
    assert.deepEqual(signed, transcript);
  });
});
