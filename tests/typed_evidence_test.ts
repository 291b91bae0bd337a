// Issue 15 item 4: the states after the peer's authentication can only be
// built with the evidence the verifier path mints. The type-level half is
// checked by `deno check` / `deno test` (an unused @ts-expect-error fails
// the check); the runtime half shows the mint refuses what does not verify.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { ExpectFinished } from "../src/client/expect_finished.ts";
import { ExpectFinished as ServerExpectFinished } from "../src/server/expect_finished.ts";
import type { ServerHandshakeData, ServerHandshakeKeys } from "../src/server/handshake_data.ts";
import { ClientCertVerified, NoClientAuthRequired } from "../src/server/client_auth.ts";
import { ResumedWithPsk as ServerResumedWithPsk } from "../src/server/psk.ts";
import type { ClientHandshakeData } from "../src/client/handshake_data.ts";
import type { ClientHandshakeKeys } from "../src/client/handshake_keys.ts";
import { ResumedWithPsk, ServerCertVerified } from "../src/client/server_auth.ts";
import {
  HandshakeSignatureValid,
  verifyCertificateVerify,
} from "../src/tls13/signature_evidence.ts";

/**
 * Never called: its body only has to type-check, with each marked line
 * refused by the compiler.
 */
export function clientExpectFinishedNeedsEvidence(
  hs: ClientHandshakeData,
  keys: ClientHandshakeKeys,
  cert: ServerCertVerified,
  signature: HandshakeSignatureValid,
  resumed: ResumedWithPsk,
): unknown[] {
  return [
    // @ts-expect-error: no evidence at all
    new ExpectFinished(hs, keys, undefined),
    // @ts-expect-error: look-alike objects are not the tokens
    new ExpectFinished(hs, keys, undefined, { cert: {}, signature: {} }),
    // @ts-expect-error: a verified chain without a verified signature
    new ExpectFinished(hs, keys, undefined, { cert }),
    // @ts-expect-error: a signature without a verified chain
    new ExpectFinished(hs, keys, undefined, { signature }),
    // @ts-expect-error: one token does not stand in for another
    new ExpectFinished(hs, keys, undefined, { cert: resumed, signature }),
    // @ts-expect-error: only client/server_auth.ts can mint a chain token
    new ServerCertVerified(Symbol("client evidence")),
    // @ts-expect-error: only client/server_auth.ts can mint a PSK token
    new ResumedWithPsk(Symbol("client evidence")),
    // @ts-expect-error: only tls13/signature_evidence.ts can mint a signature token
    new HandshakeSignatureValid(Symbol("HandshakeSignatureValid")),
    // What does compile: the minted evidence.
    new ExpectFinished(hs, keys, undefined, { cert, signature }),
    new ExpectFinished(hs, keys, undefined, resumed),
  ];
}

/** Never called: the server side of the same rule. */
export function serverExpectFinishedNeedsEvidence(
  hs: ServerHandshakeData,
  keys: ServerHandshakeKeys,
  cert: ClientCertVerified,
  signature: HandshakeSignatureValid,
  none: NoClientAuthRequired,
  resumed: ServerResumedWithPsk,
  clientResumed: ResumedWithPsk,
): unknown[] {
  return [
    // @ts-expect-error: no evidence at all
    new ServerExpectFinished(hs, keys),
    // @ts-expect-error: a look-alike object is not the token
    new ServerExpectFinished(hs, keys, {}),
    // @ts-expect-error: a verified client chain without its CertificateVerify
    new ServerExpectFinished(hs, keys, { cert }),
    // @ts-expect-error: only server/client_auth.ts can mint a client chain token
    new ClientCertVerified(Symbol("server evidence")),
    // @ts-expect-error: only server/client_auth.ts decides no client auth is needed
    new NoClientAuthRequired(Symbol("server evidence")),
    // @ts-expect-error: only server/psk.ts, where the binder verifies, mints a PSK token
    new ServerResumedWithPsk(Symbol("server PSK evidence")),
    // @ts-expect-error: the client's PSK token is not the server's
    new ServerExpectFinished(hs, keys, clientResumed),
    // What does compile: the minted evidence.
    new ServerExpectFinished(hs, keys, { cert, signature }),
    new ServerExpectFinished(hs, keys, none),
    new ServerExpectFinished(hs, keys, resumed),
  ];
}

describe("typed evidence", () => {
  it("a CertificateVerify that does not verify mints no token", async () => {
    const refusing = {
      verifyTls13Signature: () => Promise.reject(new Error("bad signature")),
    };
    await assert.rejects(
      verifyCertificateVerify(
        "server",
        refusing,
        new Uint8Array(32),
        new Uint8Array(1),
        0x0403,
        new Uint8Array(64),
      ),
      /bad signature/,
    );
  });

  it("a CertificateVerify that verifies mints the token, over the RFC 8446 4.4.3 content", async () => {
    let signed: Uint8Array | undefined;
    const accepting = {
      verifyTls13Signature: (message: Uint8Array) => {
        signed = message;
        return Promise.resolve();
      },
    };
    const hash = new Uint8Array(32).fill(7);
    const token = await verifyCertificateVerify(
      "client",
      accepting,
      hash,
      new Uint8Array(1),
      0x0403,
      new Uint8Array(64),
    );
    assert.ok(token instanceof HandshakeSignatureValid);
    assert.equal(signed?.length, 64 + 33 + 1 + 32);
    assert.equal(
      new TextDecoder().decode(signed!.subarray(64, 97)),
      "TLS 1.3, client CertificateVerify",
    );
  });
});
