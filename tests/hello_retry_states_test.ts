// Issue 15 item 4: HelloRetryRequest has its own states. After one HRR the
// client waits in ExpectServerHelloAfterRetry, which refuses a second one
// (RFC 8446 4.1.4: unexpected_message), checked on the wire between our
// client and our server.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { AlertDescription, HandshakeType, NamedGroup } from "../src/msgs/enums.ts";
import { decodeHandshake } from "../src/msgs/handshake.ts";
import { isHelloRetryRequest, type ServerHello } from "../src/msgs/server_hello.ts";
import { makePairPki, type PairPki } from "./_pair_setup.ts";
import { editMessages, tamperedPair } from "./_tamper.ts";

let pki: PairPki;
before(() => {
  pki = makePairPki();
});
after(() => pki.cleanup());

/** A pair whose server asks for secp256r1 (the client's first share is X25519). */
function retryPair(replaceServerHello: boolean) {
  let hrr: Uint8Array | undefined;
  return tamperedPair(pki, {
    server: { kxGroups: [NamedGroup.secp256r1] },
    toClient: editMessages((m) => {
      if (m.type !== HandshakeType.ServerHello) return undefined;
      if (isHelloRetryRequest(decodeHandshake(m.type, m.body) as ServerHello)) {
        hrr = m.encoded.slice();
        return undefined;
      }
      return replaceServerHello ? hrr : undefined;
    }),
  });
}

describe("issue 15 item 4: HelloRetryRequest states", () => {
  it("control: one HelloRetryRequest, then the ServerHello, completes", async () => {
    const run = await retryPair(false);
    assert.equal(run.clientError, undefined);
    assert.equal(run.serverError, undefined);
    assert.deepEqual(run.clientConn.handshakeStates.slice(0, 2), [
      "ExpectServerHello",
      "ExpectServerHelloAfterRetry",
    ]);
  });

  it("a second HelloRetryRequest is unexpected_message, SecondHelloRetryRequest", async () => {
    const run = await retryPair(true);
    assert.equal(run.clientError?.alert, AlertDescription.UnexpectedMessage);
    assert.equal(run.clientError?.detail, "SecondHelloRetryRequest");
  });
});
