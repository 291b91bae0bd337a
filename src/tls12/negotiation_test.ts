import { describe, it } from "node:test";
import assert from "node:assert/strict";
import type { ConnectionCore } from "../common/core.ts";
import { TlsError } from "../error.ts";
import { HandshakeType } from "../msgs/enums.ts";
import { certificateTypeOf, certificateTypesFor, schemeFitsSuite } from "./negotiation.ts";
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
    const state = new RefuseRenegotiation(HandshakeType.hello_request, "HelloRequest");
    assert.equal(await state.handle(cx, raw(HandshakeType.hello_request)), state);
    assert.deepEqual(alerts, [[1, 100]]);
    await assert.rejects(
      state.handle(cx, raw(HandshakeType.hello_request)),
      (e) => e instanceof TlsError && e.alert === 100 && e.detail === "RenegotiationRefused",
    );
    assert.equal(alerts.length, 1);
  });

  it("any other handshake message after the handshake is unexpected", async () => {
    const { cx } = fakeCore();
    const state = new RefuseRenegotiation(HandshakeType.client_hello, "ClientHello");
    await assert.rejects(
      state.handle(cx, raw(HandshakeType.finished)),
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

describe("TLS 1.2 ClientCertificateType of a signature scheme", () => {
  it("RSA (PKCS#1, PSS) is rsa_sign; ECDSA and EdDSA are ecdsa_sign; others none", () => {
    for (const s of [0x0201, 0x0401, 0x0501, 0x0601, 0x0804, 0x0806, 0x0809, 0x080b]) {
      assert.equal(certificateTypeOf(s), 1, s.toString(16));
    }
    for (const s of [0x0203, 0x0403, 0x0503, 0x0603, 0x0807, 0x0808]) {
      assert.equal(certificateTypeOf(s), 64, s.toString(16));
    }
    // DSA, anonymous, an unknown hash, GREASE, a private-use code point.
    for (const s of [0x0402, 0x0400, 0x0703, 0x0a0a, 0xfe00]) {
      assert.equal(certificateTypeOf(s), undefined, s.toString(16));
    }
  });

  it("the types of a scheme list: each once, in order of first use", () => {
    assert.deepEqual(certificateTypesFor([0x0804, 0x0403, 0x0401, 0x0807]), [1, 64]);
    assert.deepEqual(certificateTypesFor([0x0807]), [64]);
    assert.deepEqual(certificateTypesFor([0x0402]), []);
  });
});
