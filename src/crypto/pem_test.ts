import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { pemDecode, pemEncode } from "./pem.ts";

describe("PEM", () => {
  it("round-trips and keeps block order", () => {
    const a = Uint8Array.from({ length: 100 }, (_, i) => i);
    const b = Uint8Array.of(0x30, 0);
    const text = "explanatory text\n" + pemEncode("CERTIFICATE", a) + pemEncode("PRIVATE KEY", b);
    assert.match(pemEncode("CERTIFICATE", a), /^-----BEGIN CERTIFICATE-----\n.{64}\n/);
    assert.deepEqual(pemDecode(text), [
      { label: "CERTIFICATE", der: a },
      { label: "PRIVATE KEY", der: b },
    ]);
    assert.deepEqual(pemDecode(pemEncode("X", b).replace(/\n/g, "\r\n"))[0].der, b);
  });

  it("rejects malformed blocks with SyntaxError", () => {
    const bad = [
      "",
      "no pem at all",
      "-----BEGIN X-----\nAAAA\n",
      "-----BEGIN X-----\nAAAA\n-----END Y-----\n",
      "-----BEGIN X-----\nAA!A\n-----END X-----\n",
      "-----BEGIN X-----\nAAA\n-----END X-----\n",
      "-----BEGIN X-----\nAA==\nAAAA\n-----END X-----\n",
      "-----BEGIN X-----\n-----BEGIN X-----\nAAAA\n-----END X-----\n",
      "-----BEGIN X----\nAAAA\n-----END X-----\n",
    ];
    for (const text of bad) assert.throws(() => pemDecode(text), SyntaxError, JSON.stringify(text));
  });
});
