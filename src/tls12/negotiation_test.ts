import { describe, it } from "node:test";
import assert from "node:assert/strict";
import type { ConnectionCore } from "../common/core.ts";
import { TlsError } from "../error.ts";
import { HandshakeType } from "../msgs/enums.ts";
import { schemeFitsSuite } from "./negotiation.ts";
import { RefuseRenegotiation } from "../common/refuse_renegotiation.ts";

function fakeCore(): { cx: ConnectionCore; alerts: [number, number][] } {
  const alerts: [number, number][] = [];
  const cx = {
    sendAlert: (description: number, level: number) => alerts.push([level, description]),
  } as unknown as ConnectionCore;
  return { cx, alerts };
}

const raw = (type: number) => ({
  type,
  body: new Uint8Array(0),
  encoded: new Uint8Array([type, 0, 0, 0]),
});

describe("TLS 1.2 renegotiation refusal", () => {
  it("first HelloRequest: no_renegotiation warning; second: fatal no_renegotiation", async () => {
    const { cx, alerts } = fakeCore();
    const state = new RefuseRenegotiation(HandshakeType.HelloRequest, "HelloRequest");
    assert.equal(await state.handle(cx, raw(HandshakeType.HelloRequest)), state);
    assert.deepEqual(alerts, [[1, 100]]);
    await assert.rejects(
      state.handle(cx, raw(HandshakeType.HelloRequest)),
      (e) => e instanceof TlsError && e.alert === 100 && e.detail === "RenegotiationRefused",
    );
    assert.equal(alerts.length, 1);
  });

  it("any other handshake message after the handshake is unexpected", async () => {
    const { cx } = fakeCore();
    const state = new RefuseRenegotiation(HandshakeType.ClientHello, "ClientHello");
    await assert.rejects(
      state.handle(cx, raw(HandshakeType.Finished)),
      (e) => e instanceof TlsError && e.alert === 10,
    );
  });

  it("schemes fit suites by key family", () => {
    assert.equal(schemeFitsSuite(0x0804, "RSA"), true);
    assert.equal(schemeFitsSuite(0x0401, "RSA"), true);
    assert.equal(schemeFitsSuite(0x0804, "ECDSA"), false);
    assert.equal(schemeFitsSuite(0x0503, "ECDSA"), true);
    assert.equal(schemeFitsSuite(0x0807, "ECDSA"), false);
  });
});
