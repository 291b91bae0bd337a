import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { ConnectionCore, type HandshakeState } from "./core.ts";

const idle: HandshakeState = {
  name: "Idle",
  handle: () => Promise.resolve(idle),
};

function core(): ConnectionCore {
  return new ConnectionCore(idle, { maxFragmentSize: 16384, side: "client", maxKeyUpdates: 32 });
}

describe("ConnectionCore encapsulation (issue 15 item 3)", () => {
  it("has no public instance fields: every field is private", () => {
    assert.deepEqual(Object.keys(core()), []);
  });

  it("exposes its state through getters only, so assigning a field throws", () => {
    const cx = core();
    const accessors = Object.entries(Object.getOwnPropertyDescriptors(ConnectionCore.prototype))
      .filter(([, d]) => d.get !== undefined);
    assert.ok(accessors.length > 10);
    for (const [name, d] of accessors) assert.equal(d.set, undefined, `${name} has a setter`);
    assert.throws(() => {
      (cx as unknown as { handshakeComplete: boolean }).handshakeComplete = true;
    }, TypeError);
    assert.equal(cx.handshakeComplete, false);
  });

  it("changes state only through intent methods", () => {
    const cx = core();
    cx.recordNegotiated({ protocolVersion: "TLSv1_3", alpnProtocol: "h2" });
    cx.recordNegotiated({ handshakeKind: "Full" });
    assert.deepEqual(
      { ...cx.info },
      { handshakeKind: "Full", protocolVersion: "TLSv1_3", alpnProtocol: "h2" },
    );
    assert.equal(cx.ccsAllowed, false);
    cx.allowMiddleboxCcs();
    assert.equal(cx.ccsAllowed, true);
    assert.equal(cx.earlyDataAccepted, undefined);
    cx.recordEarlyDataOutcome(false);
    assert.equal(cx.earlyDataAccepted, false);
  });
});
