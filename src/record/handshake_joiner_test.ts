import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { TlsError } from "../error.ts";
import { AlertDescription } from "../msgs/enums.ts";
import { DEFAULT_MAX_HANDSHAKE_MESSAGE_LEN, HandshakeJoiner } from "./handshake_joiner.ts";

function message(type: number, bodyLen: number, fill = type): Uint8Array {
  const out = new Uint8Array(4 + bodyLen).fill(fill);
  out.set([type, bodyLen >> 16, (bodyLen >> 8) & 0xff, bodyLen & 0xff]);
  return out;
}

function drain(j: HandshakeJoiner): number[][] {
  const out: number[][] = [];
  for (let m = j.next(); m; m = j.next()) out.push([m.type, m.body.length, m.encoded.length]);
  return out;
}

function alertOf(f: () => unknown): number | undefined {
  try {
    f();
  } catch (e) {
    assert.ok(e instanceof TlsError, `expected TlsError, got ${e}`);
    return e.alert;
  }
  assert.fail("expected a TlsError");
}

describe("HandshakeJoiner", () => {
  it("yields several messages from one fragment, one at a time", () => {
    const j = new HandshakeJoiner();
    j.push(new Uint8Array([...message(8, 2), ...message(11, 0), ...message(20, 32)]));
    const first = j.next()!;
    assert.equal(first.type, 8);
    assert.deepEqual([...first.encoded], [8, 0, 0, 2, 8, 8]);
    assert.deepEqual([...first.body], [8, 8]);
    assert.equal(j.isEmpty, false);
    assert.deepEqual(drain(j), [[11, 0, 4], [20, 32, 36]]);
    assert.equal(j.isEmpty, true);
    assert.equal(j.bufferedLength, 0);
  });

  it("joins one message spread over many fragments", () => {
    const msg = message(11, 40000);
    const j = new HandshakeJoiner();
    for (let i = 0; i < msg.length; i += 997) {
      assert.equal(j.next(), undefined);
      j.push(msg.subarray(i, i + 997));
    }
    const m = j.next()!;
    assert.equal(m.encoded.length, msg.length);
    assert.deepEqual(m.encoded, msg);
    assert.ok(j.isEmpty);
  });

  it("copies its input, so the caller may reuse the record buffer", () => {
    const buf = message(20, 4);
    const j = new HandshakeJoiner();
    j.push(buf.subarray(0, 6));
    buf.fill(0xee);
    j.push(new Uint8Array([20, 20]));
    assert.deepEqual([...j.next()!.encoded], [20, 0, 0, 4, 20, 20, 20, 20]);
  });

  it("refuses a zero-length fragment with unexpected_message", () => {
    const j = new HandshakeJoiner();
    assert.equal(alertOf(() => j.push(new Uint8Array(0))), AlertDescription.unexpected_message);
  });

  it("refuses an oversized declared length as soon as the header is seen", () => {
    const j = new HandshakeJoiner({ maxMessageLen: 1000 });
    j.push(message(1, 1000));
    assert.equal(j.next()?.body.length, 1000);
    j.push(new Uint8Array([11, 0, 3]));
    assert.equal(alertOf(() => j.push(new Uint8Array([0xe9]))), AlertDescription.decode_error);
  });

  it("checks headers behind a complete message in the same fragment", () => {
    const j = new HandshakeJoiner({ maxMessageLen: 10 });
    const big = message(11, 11);
    assert.equal(
      alertOf(() => j.push(new Uint8Array([...message(8, 2), ...big.subarray(0, 4)]))),
      AlertDescription.decode_error,
    );
  });

  it("defaults to a bound above 64 KiB for long certificate chains", () => {
    assert.ok(DEFAULT_MAX_HANDSHAKE_MESSAGE_LEN > 65536);
    const j = new HandshakeJoiner();
    j.push(message(11, 100000).subarray(0, 4));
    assert.equal(
      alertOf(() => new HandshakeJoiner().push(new Uint8Array([11, 0xff, 0xff, 0xff]))),
      AlertDescription.decode_error,
    );
  });

  it("refuses a partial message at a key change with unexpected_message", () => {
    const j = new HandshakeJoiner();
    j.push(new Uint8Array([...message(2, 3), 8, 0]));
    assert.equal(j.next()?.type, 2);
    assert.equal(alertOf(() => j.checkKeyChangeBoundary()), AlertDescription.unexpected_message);
    const k = new HandshakeJoiner();
    k.push(message(2, 3));
    k.next();
    k.checkKeyChangeBoundary();
    assert.ok(k.isEmpty);
  });

  it("rejects a bad bound as API misuse", () => {
    assert.throws(() => new HandshakeJoiner({ maxMessageLen: -1 }), RangeError);
    assert.throws(() => new HandshakeJoiner({ maxMessageLen: 1 << 24 }), RangeError);
  });
});
