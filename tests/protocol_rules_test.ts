// One regression test per protocol rule of issue 13 (items 3 to 15): a peer
// that breaks the rule gets the alert the RFC names. Most cases run our client
// and server through a wire that rewrites one message (tests/_tamper.ts).
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { AlertDescription, ContentType, HandshakeType } from "../src/msgs/enums.ts";
import { makePairPki, type PairPki, utf8 } from "./_pair_setup.ts";
import { editMessages, type TamperedPair, tamperedPair } from "./_tamper.ts";

let pki: PairPki;
before(() => {
  pki = makePairPki();
});
after(() => pki.cleanup());

/** Asserts that `side` failed with `alert` and sent it (the peer received it). */
function assertAlert(run: TamperedPair, side: "client" | "server", alert: number): void {
  const err = side === "client" ? run.clientError : run.serverError;
  assert.ok(err, `${side} should have failed`);
  assert.equal(err.alert, alert, `${side}: ${err.message}`);
  assert.equal(err.alertDirection, "sent");
  const other = side === "client" ? run.serverError : run.clientError;
  assert.equal(other?.alert, alert, "the peer received the alert");
  assert.equal(other?.alertDirection, "received");
}

describe("issue 13 protocol rules", () => {
  it("baseline: the tampering wire passes an untouched handshake", async () => {
    const run = await tamperedPair(pki, { clientData: utf8("hi"), serverData: utf8("yo") });
    assert.equal(run.clientError, undefined);
    assert.equal(run.serverError, undefined);
    assert.equal(new TextDecoder().decode(run.server.receivedBytes()), "hi");
    assert.equal(new TextDecoder().decode(run.client.receivedBytes()), "yo");
  });

  it("item 4: application data between two fragments of a KeyUpdate is unexpected_message", async () => {
    let done = false;
    const run = await tamperedPair(pki, {
      clientData: utf8("hi"),
      toServer: (rec) => {
        if (done || !rec.protected || rec.type !== ContentType.ApplicationData) return undefined;
        done = true;
        const ku = new Uint8Array([HandshakeType.KeyUpdate, 0, 0, 1, 0]);
        return [
          { ...rec, type: ContentType.Handshake, plaintext: ku.subarray(0, 2) },
          rec,
          { ...rec, type: ContentType.Handshake, plaintext: ku.subarray(2) },
        ];
      },
    });
    assertAlert(run, "server", AlertDescription.UnexpectedMessage);
    assert.equal(run.server.receivedBytes().length, 0, "the data was not delivered");
  });

  it("item 4: a user_canceled alert between handshake fragments is unexpected_message", async () => {
    const run = await tamperedPair(pki, {
      toClient: (rec) => {
        if (!rec.protected || rec.type !== ContentType.Handshake || rec.epoch.includes("_0")) {
          return undefined;
        }
        const cut = 13; // EncryptedExtensions is 10 bytes: inside the Certificate
        return [
          { ...rec, plaintext: rec.plaintext.subarray(0, cut) },
          { ...rec, type: ContentType.Alert, plaintext: new Uint8Array([1, 90]) },
          { ...rec, plaintext: rec.plaintext.subarray(cut) },
        ];
      },
    });
    assertAlert(run, "client", AlertDescription.UnexpectedMessage);
  });

  it("item 5: an empty protected alert is unexpected_message", async () => {
    for (const epoch of ["HANDSHAKE", "TRAFFIC_SECRET_0"]) {
      let done = false;
      const run = await tamperedPair(pki, {
        clientData: utf8("hi"),
        toServer: (rec) => {
          if (done || !rec.protected || !rec.epoch.includes(epoch)) return undefined;
          done = true;
          return [{ ...rec, type: ContentType.Alert, plaintext: new Uint8Array(0) }, rec];
        },
      });
      assert.ok(done, epoch);
      assertAlert(run, "server", AlertDescription.UnexpectedMessage);
    }
  });

  for (const [side, toward] of [["server", "toServer"], ["client", "toClient"]] as const) {
    it(`item 6: a ${side === "server" ? "client" : "server"} Finished of the wrong length is decode_error`, async () => {
      for (const delta of [-1, 1]) {
        const run = await tamperedPair(pki, {
          [toward]: editMessages((m) => {
            if (m.type !== HandshakeType.Finished) return undefined;
            const body = new Uint8Array(m.body.length + delta);
            body.set(m.body.subarray(0, Math.min(body.length, m.body.length)));
            return new Uint8Array([HandshakeType.Finished, 0, 0, body.length, ...body]);
          }),
        });
        assertAlert(run, side, AlertDescription.DecodeError);
      }
    });
  }
});
