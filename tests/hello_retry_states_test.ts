// Issue 15 item 4: HelloRetryRequest has its own states. After one HRR the
// client waits in ExpectServerHelloAfterRetry, which refuses a second one
// (RFC 8446 4.1.4: unexpected_message), and the server awaits the second
// ClientHello in ExpectSecondClientHello; checked on the wire between our
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

/**
 * A pair whose server asks for secp256r1 (the client's first share is
 * X25519); `editServerHello` rewrites the ServerHello that follows, given
 * the HelloRetryRequest's bytes.
 */
function retryPair(editServerHello?: (sh: Uint8Array, hrr: Uint8Array) => Uint8Array) {
  let hrr: Uint8Array | undefined;
  return tamperedPair(pki, {
    server: { kxGroups: [NamedGroup.secp256r1] },
    client: { cipherSuites: [0x1301, 0x1302] },
    toClient: editMessages((m) => {
      if (m.type !== HandshakeType.server_hello) return undefined;
      if (isHelloRetryRequest(decodeHandshake(m.type, m.body) as ServerHello)) {
        hrr = m.encoded.slice();
        return undefined;
      }
      return editServerHello && hrr && editServerHello(m.encoded, hrr);
    }),
  });
}

describe("issue 15 item 4: HelloRetryRequest states", () => {
  it("control: one HelloRetryRequest, then the ServerHello, completes", async () => {
    const run = await retryPair();
    assert.equal(run.clientError, undefined);
    assert.equal(run.serverError, undefined);
    assert.deepEqual(run.clientConn.handshakeStates.slice(0, 2), [
      "ExpectServerHello",
      "ExpectServerHelloAfterRetry",
    ]);
    assert.deepEqual(run.serverConn.handshakeStates.slice(0, 2), [
      "ExpectClientHello",
      "ExpectSecondClientHello",
    ]);
  });

  it("a second HelloRetryRequest is unexpected_message, SecondHelloRetryRequest", async () => {
    const run = await retryPair((_sh, hrr) => hrr);
    assert.equal(run.clientError?.alert, AlertDescription.unexpected_message);
    assert.equal(run.clientError?.detail, "SecondHelloRetryRequest");
  });

  it("a ServerHello with another suite than the HelloRetryRequest is illegal_parameter", async () => {
    const run = await retryPair((sh) => {
      const out = sh.slice();
      const at = 4 + 2 + 32 + 1 + out[4 + 2 + 32]; // cipher_suite, after the session ID
      assert.deepEqual([...out.subarray(at, at + 2)], [0x13, 0x01]);
      out.set([0x13, 0x02], at);
      return out;
    });
    assert.equal(run.clientError?.alert, AlertDescription.illegal_parameter);
    assert.equal(run.clientError?.detail, "SelectedDifferentCipherSuiteAfterRetry");
  });
});
