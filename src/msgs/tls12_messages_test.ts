import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { TlsError } from "../error.ts";
import {
  decodeCertificate12,
  decodeCertificateRequest12,
  decodeClientKeyExchange,
  decodeEmptyMessage,
  decodeFinished12,
  decodeNewSessionTicket12,
  decodeServerKeyExchange,
  encodeCertificate12,
  encodeCertificateRequest12,
  encodeClientKeyExchange,
  encodeEmptyMessage,
  encodeFinished12,
  encodeNewSessionTicket12,
  encodeServerKeyExchange,
  serverKeyExchangeParams,
} from "./tls12_messages.ts";

const decodeErr = (e: unknown): boolean => e instanceof TlsError && e.alert === 50;

describe("TLS 1.2 handshake messages", () => {
  it("ServerKeyExchange round-trips; signed params are curve type, group, point", () => {
    const msg = {
      group: 23,
      publicKey: new Uint8Array(65).fill(4),
      scheme: 0x0804,
      signature: new Uint8Array(256).fill(1),
    };
    const bytes = encodeServerKeyExchange(msg);
    assert.deepEqual([...bytes.subarray(0, 8)], [12, 0, 1, 73, 3, 0, 23, 65]);
    const back = decodeServerKeyExchange(bytes.subarray(4));
    assert.deepEqual(back, msg);
    assert.deepEqual([...serverKeyExchangeParams(back).subarray(0, 4)], [3, 0, 23, 65]);
    assert.throws(
      () => decodeServerKeyExchange(new Uint8Array([1, 0, 23, 1, 4, 4, 3, 0, 0])),
      (e) => e instanceof TlsError && e.alert === 47,
    );
    assert.throws(
      () => decodeServerKeyExchange(new Uint8Array([...bytes.subarray(4), 0])),
      decodeErr,
    );
    assert.throws(() => decodeServerKeyExchange(bytes.subarray(4, 40)), decodeErr);
  });

  it("ServerHelloDone / HelloRequest are empty", () => {
    assert.deepEqual([...encodeEmptyMessage(14)], [14, 0, 0, 0]);
    decodeEmptyMessage(new Uint8Array(0), "ServerHelloDone");
    assert.throws(() => decodeEmptyMessage(new Uint8Array(1), "ServerHelloDone"), decodeErr);
  });

  it("ClientKeyExchange carries one point", () => {
    const b = encodeClientKeyExchange(new Uint8Array([9, 9, 9]));
    assert.deepEqual([...b], [16, 0, 0, 4, 3, 9, 9, 9]);
    assert.deepEqual([...decodeClientKeyExchange(b.subarray(4))], [9, 9, 9]);
    assert.throws(() => decodeClientKeyExchange(new Uint8Array([0])), decodeErr);
    assert.throws(() => decodeClientKeyExchange(new Uint8Array([2, 1])), decodeErr);
  });

  it("Finished is exactly 12 bytes", () => {
    const b = encodeFinished12(new Uint8Array(12).fill(5));
    assert.equal(b.length, 16);
    assert.deepEqual([...decodeFinished12(b.subarray(4))], new Array(12).fill(5));
    assert.throws(() => decodeFinished12(new Uint8Array(32)), decodeErr);
    assert.throws(() => encodeFinished12(new Uint8Array(11)), RangeError);
  });

  it("Certificate is a u24 list of u24 certificates", () => {
    const chain = [new Uint8Array([0x30, 1]), new Uint8Array([0x30, 2, 3])];
    const b = encodeCertificate12(chain);
    assert.deepEqual(decodeCertificate12(b.subarray(4)), chain);
    assert.deepEqual(decodeCertificate12(new Uint8Array([0, 0, 0])), []);
    assert.throws(() => decodeCertificate12(new Uint8Array([0, 0, 3, 0, 0, 0])), decodeErr);
  });

  it("NewSessionTicket has a lifetime hint and an opaque ticket", () => {
    const b = encodeNewSessionTicket12({ lifetimeHint: 7200, ticket: new Uint8Array([1, 2]) });
    assert.deepEqual(decodeNewSessionTicket12(b.subarray(4)), {
      lifetimeHint: 7200,
      ticket: new Uint8Array([1, 2]),
    });
    assert.throws(() => decodeNewSessionTicket12(new Uint8Array([0, 0, 0, 1, 0, 2, 1])), decodeErr);
  });

  it("CertificateRequest: types, schemes and CA names; empty lists and junk refused", () => {
    // types [rsa_sign, ecdsa_sign], schemes [0x0403, 0x0804], one 2-byte name
    const body = new Uint8Array([2, 1, 64, 0, 4, 4, 3, 8, 4, 0, 4, 0, 2, 0x30, 0]);
    assert.deepEqual(decodeCertificateRequest12(body), {
      certificateTypes: [1, 64],
      schemes: [0x0403, 0x0804],
      authorities: [new Uint8Array([0x30, 0])],
    });
    const noNames = new Uint8Array([1, 64, 0, 2, 4, 3, 0, 0]);
    assert.deepEqual(decodeCertificateRequest12(noNames).authorities, []);
    for (
      const bad of [
        [0, 0, 2, 4, 3, 0, 0], // no certificate types
        [1, 64, 0, 0, 0, 0], // no schemes
        [1, 64, 0, 3, 4, 3, 8, 0, 0], // odd scheme list
        [1, 64, 0, 2, 4, 3, 0, 2, 0, 0], // empty name
        [1, 64, 0, 2, 4, 3, 0, 0, 9], // trailing byte
      ]
    ) assert.throws(() => decodeCertificateRequest12(new Uint8Array(bad)), decodeErr, String(bad));
  });
  it("CertificateRequest: what we encode decodes back, header included", () => {
    const request = {
      certificateTypes: [64, 1],
      schemes: [0x0403, 0x0804, 0x0401],
      authorities: [new Uint8Array([0x30, 0]), new Uint8Array([0x30, 1, 5])],
    };
    const bytes = encodeCertificateRequest12(request);
    assert.deepEqual([...bytes.subarray(0, 4)], [13, 0, 0, bytes.length - 4]);
    assert.deepEqual(decodeCertificateRequest12(bytes.subarray(4)), request);
  });
});
