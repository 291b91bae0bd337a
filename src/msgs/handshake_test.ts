import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { TlsError } from "../error.ts";
import { concat, fromHex, toHex } from "../_bytes.ts";
import {
  AlertDescription,
  CipherSuiteId,
  ExtensionType,
  HandshakeType,
  NamedGroup,
  ProtocolVersion,
} from "./enums.ts";
import {
  decodeHandshake,
  encodeHandshake,
  encodeMessageHash,
  type HandshakeMessage,
  splitHandshakeMessages,
} from "./handshake.ts";
import { type ClientHello, clientHelloBindersOffset, writeBinders } from "./client_hello.ts";
import {
  HELLO_RETRY_REQUEST_RANDOM,
  type HelloRetryRequest,
  isHelloRetryRequest,
  type ServerHello,
} from "./server_hello.ts";
import { findExtension } from "./extensions.ts";
import { checkChangeCipherSpec, decodeAlert, encodeAlert } from "./alert.ts";

function assertAlert(fn: () => unknown, alert: number, detail?: string): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof TlsError, `expected TlsError, got ${e}`);
    assert.equal(e.alert, alert, e.message);
    if (detail !== undefined) assert.equal(e.detail, detail, e.message);
    return true;
  });
}

const decodeErr = AlertDescription.decode_error;
const illegal = AlertDescription.illegal_parameter;

function clientHello(extra: Partial<ClientHello> = {}): ClientHello {
  return {
    type: HandshakeType.client_hello,
    legacyVersion: ProtocolVersion.TLSv1_2,
    random: new Uint8Array(32).fill(0x11),
    legacySessionId: new Uint8Array(32).fill(0x22),
    cipherSuites: [CipherSuiteId.TLS_AES_128_GCM_SHA256, CipherSuiteId.TLS_AES_256_GCM_SHA384],
    legacyCompressionMethods: new Uint8Array([0]),
    extensions: [
      { type: ExtensionType.server_name, hostName: "example.com" },
      { type: ExtensionType.supported_groups, groups: [NamedGroup.x25519, NamedGroup.secp256r1] },
      { type: ExtensionType.signature_algorithms, schemes: [0x0804, 0x0403] },
      {
        type: ExtensionType.key_share,
        shares: [{ group: NamedGroup.x25519, keyExchange: new Uint8Array(32).fill(0x33) }],
      },
      { type: ExtensionType.supported_versions, versions: [ProtocolVersion.TLSv1_3] },
      { type: ExtensionType.psk_key_exchange_modes, modes: [1] },
      { type: ExtensionType.early_data },
      {
        type: ExtensionType.pre_shared_key,
        identities: [
          { identity: new Uint8Array([1, 2, 3]), obfuscatedTicketAge: 0x01020304 },
          { identity: new Uint8Array([4]), obfuscatedTicketAge: 5 },
        ],
        binders: [new Uint8Array(32), new Uint8Array(48)],
      },
    ],
    ...extra,
  };
}

function serverHello(random: Uint8Array = new Uint8Array(32).fill(0x44)): ServerHello {
  return {
    type: HandshakeType.server_hello,
    legacyVersion: ProtocolVersion.TLSv1_2,
    random,
    legacySessionIdEcho: new Uint8Array(0),
    cipherSuite: CipherSuiteId.TLS_AES_128_GCM_SHA256,
    legacyCompressionMethod: 0,
    extensions: [
      { type: ExtensionType.supported_versions, version: ProtocolVersion.TLSv1_3 },
      { type: ExtensionType.key_share, share: { group: 0x1d, keyExchange: new Uint8Array(32) } },
    ],
  };
}

const hrr: HelloRetryRequest = {
  ...serverHello(HELLO_RETRY_REQUEST_RANDOM),
  extensions: [
    { type: ExtensionType.supported_versions, version: ProtocolVersion.TLSv1_3 },
    { type: ExtensionType.key_share, selectedGroup: NamedGroup.secp256r1 },
    { type: ExtensionType.cookie, cookie: new Uint8Array([9, 9, 9]) },
  ],
};

const samples: HandshakeMessage[] = [
  clientHello(),
  serverHello(),
  hrr,
  {
    type: HandshakeType.encrypted_extensions,
    extensions: [{ type: ExtensionType.server_name }, { type: 0xabcd, data: new Uint8Array([1]) }],
  },
  {
    type: HandshakeType.certificate_request,
    certificateRequestContext: new Uint8Array([7]),
    extensions: [{ type: ExtensionType.signature_algorithms, schemes: [0x0807] }],
  },
  {
    type: HandshakeType.certificate,
    certificateRequestContext: new Uint8Array(0),
    certificateList: [
      {
        cert: new Uint8Array([0x30, 0x00]),
        extensions: [{ type: ExtensionType.status_request, data: new Uint8Array([1, 0, 0, 1, 5]) }],
      },
      { cert: new Uint8Array([0x30, 0x01, 0x00]), extensions: [] },
    ],
  },
  { type: HandshakeType.certificate_verify, scheme: 0x0807, signature: new Uint8Array(64) },
  { type: HandshakeType.finished, verifyData: new Uint8Array(32).fill(5) },
  {
    type: HandshakeType.new_session_ticket,
    ticketLifetime: 7200,
    ticketAgeAdd: 0xfffffffe,
    ticketNonce: new Uint8Array([0]),
    ticket: new Uint8Array([1, 2, 3, 4]),
    extensions: [{ type: ExtensionType.early_data, maxEarlyDataSize: 16384 }],
  },
  { type: HandshakeType.end_of_early_data },
  { type: HandshakeType.key_update, requestUpdate: 1 },
];

function reencode(bytes: Uint8Array): Uint8Array {
  const [part] = splitHandshakeMessages(bytes);
  return encodeHandshake(decodeHandshake(part.type, part.body));
}

describe("handshake messages", () => {
  it("every message type round-trips through encode and decode", () => {
    for (const msg of samples) {
      const bytes = encodeHandshake(msg);
      assert.equal(bytes[0], msg.type);
      const [part] = splitHandshakeMessages(bytes);
      assert.equal(part.body.length, bytes.length - 4);
      assert.deepEqual(decodeHandshake(part.type, part.body), msg);
      assert.equal(toHex(reencode(bytes)), toHex(bytes));
    }
  });

  it("every truncation of every message is a decode_error, never a RangeError", () => {
    let checked = 0;
    let expected = 0;
    for (const msg of samples) {
      if (msg.type === HandshakeType.finished) continue; // any length is syntactically valid
      const bytes = encodeHandshake(msg);
      const body = bytes.subarray(4);
      expected += body.length;
      for (let cut = 0; cut < body.length; cut++) {
        let decoded: HandshakeMessage | undefined;
        try {
          decoded = decodeHandshake(msg.type, body.subarray(0, cut));
        } catch (e) {
          assert.ok(e instanceof TlsError, `cut ${cut} of type ${msg.type}: ${e}`);
          assert.equal(e.alert, decodeErr, `cut ${cut} of type ${msg.type}: ${e.message}`);
          checked++;
          continue;
        }
        // Hellos may omit the extension block (TLS 1.2 style): the only cut that decodes.
        assert.ok(
          (decoded.type === HandshakeType.client_hello ||
            (decoded.type === HandshakeType.server_hello && !isHelloRetryRequest(decoded))) &&
            decoded.extensions.length === 0,
          `cut ${cut} of type ${msg.type} decoded`,
        );
      }
      // Truncated framing is a decode_error too.
      for (let cut = 1; cut < bytes.length; cut++) {
        assertAlert(() => splitHandshakeMessages(bytes.subarray(0, cut)), decodeErr);
      }
    }
    // All cuts fail but the two hellos cut right before their extension block.
    assert.equal(checked, expected - 2);
  });

  it("a trailing byte after any fixed-length message is a decode_error", () => {
    for (const msg of samples) {
      if (msg.type === HandshakeType.finished) continue;
      const body = concat(encodeHandshake(msg).subarray(4), new Uint8Array([0]));
      assertAlert(() => decodeHandshake(msg.type, body), decodeErr, "TrailingData");
    }
  });

  it("unknown and non-TLS 1.3 handshake types are unexpected_message", () => {
    for (const type of [0, 3, 12, 14, 16, 22, 99, HandshakeType.message_hash]) {
      assertAlert(
        () => decodeHandshake(type, new Uint8Array(0)),
        AlertDescription.unexpected_message,
        "UnexpectedHandshakeType",
      );
    }
  });

  it("decoded messages do not alias the caller's buffer", () => {
    const bytes = encodeHandshake(samples[6]);
    const body = bytes.subarray(4);
    const cv = decodeHandshake(HandshakeType.certificate_verify, body);
    body.fill(0xee);
    assert.ok(cv.type === HandshakeType.certificate_verify && cv.signature.every((b) => b === 0));
  });

  it("KeyUpdate accepts 0 and 1 only", () => {
    assert.deepEqual(decodeHandshake(24, new Uint8Array([0])), { type: 24, requestUpdate: 0 });
    assertAlert(() => decodeHandshake(24, new Uint8Array([2])), illegal, "IllegalKeyUpdateRequest");
    assertAlert(() => decodeHandshake(24, new Uint8Array([255])), illegal);
    assertAlert(() => decodeHandshake(24, new Uint8Array(0)), decodeErr, "MessageTooShort");
    assertAlert(() => decodeHandshake(24, new Uint8Array([1, 0])), decodeErr, "TrailingData");
    assert.throws(() => encodeHandshake({ type: 24, requestUpdate: 2 as 0 }), RangeError);
  });

  it("EndOfEarlyData must be empty", () => {
    assertAlert(() => decodeHandshake(5, new Uint8Array([0])), decodeErr, "TrailingData");
  });

  it("NewSessionTicket needs a non-empty ticket", () => {
    // lifetime, age_add, nonce<0>, ticket<0>, extensions<0>
    const body = fromHex("00000e10" + "00000001" + "00" + "0000" + "0000");
    assertAlert(() => decodeHandshake(4, body), decodeErr, "EmptyList");
    const nst = samples[8];
    assert.throws(
      () => encodeHandshake({ ...nst, ticket: new Uint8Array(0) } as HandshakeMessage),
      RangeError,
    );
  });

  it("Certificate rules: empty cert_data refused, empty list allowed", () => {
    assertAlert(() => decodeHandshake(11, fromHex("00" + "000005" + "000000" + "0000")), decodeErr);
    const empty = decodeHandshake(11, fromHex("00000000"));
    assert.ok(empty.type === HandshakeType.certificate && empty.certificateList.length === 0);
  });

  it("CertificateRequest needs extensions and signature_algorithms", () => {
    assertAlert(() => decodeHandshake(13, fromHex("000000")), decodeErr, "EmptyList");
    assertAlert(
      () => decodeHandshake(13, fromHex("00" + "0006" + "003200020000")),
      AlertDescription.decode_error,
    );
    assertAlert(
      () => decodeHandshake(13, fromHex("00" + "0008" + "003200040002" + "0804")),
      AlertDescription.missing_extension,
      "MissingSignatureAlgorithms",
    );
  });

  it("ClientHello rules: suites, compression, session id", () => {
    const good = encodeHandshake(clientHello()).subarray(4);
    const random = "11".repeat(32);
    assertAlert(
      () => decodeHandshake(1, fromHex("0303" + random + "00" + "0000" + "0100")),
      decodeErr,
      "EmptyList",
    );
    assertAlert(
      () => decodeHandshake(1, fromHex("0303" + random + "00" + "000113" + "0100")),
      decodeErr,
      "OddLength",
    );
    assertAlert(
      () => decodeHandshake(1, fromHex("0303" + random + "00" + "00021301" + "00")),
      decodeErr,
      "EmptyList",
    );
    assertAlert(
      () =>
        decodeHandshake(1, fromHex("0303" + random + "21" + "00".repeat(33) + "00021301" + "0100")),
      decodeErr,
      "SessionIdTooLong",
    );
    // Without an extension block it decodes (old TLS 1.2 clients).
    const bare = decodeHandshake(1, fromHex("0303" + random + "00" + "00021301" + "0100"));
    assert.ok(bare.type === HandshakeType.client_hello && bare.extensions.length === 0);
    assert.ok(good.length > 0);
  });

  it("ServerHello and HelloRetryRequest are told apart by the random", () => {
    const sh = decodeHandshake(2, encodeHandshake(serverHello()).subarray(4));
    const retry = decodeHandshake(2, encodeHandshake(hrr).subarray(4));
    assert.ok(sh.type === HandshakeType.server_hello && !isHelloRetryRequest(sh));
    assert.ok(retry.type === HandshakeType.server_hello && isHelloRetryRequest(retry));
    if (retry.type === HandshakeType.server_hello && isHelloRetryRequest(retry)) {
      assert.equal(findExtension(retry.extensions, ExtensionType.key_share)?.selectedGroup, 0x17);
    }
    // A HelloRetryRequest must carry its own forms: a full key share is malformed there.
    const wrong = encodeHandshake(serverHello()).subarray(4);
    wrong.set(HELLO_RETRY_REQUEST_RANDOM, 2);
    assertAlert(() => decodeHandshake(2, wrong), decodeErr, "TrailingData");
  });

  it("binder offset and in-place patching", () => {
    const encoded = encodeHandshake(clientHello());
    const offset = clientHelloBindersOffset(encoded);
    assert.equal(encoded.length - offset, 2 + 33 + 49);
    const b1 = new Uint8Array(32).fill(0xa1);
    const b2 = new Uint8Array(48).fill(0xb2);
    writeBinders(encoded, [b1, b2]);
    const patched = decodeHandshake(1, encoded.subarray(4));
    assert.ok(patched.type === HandshakeType.client_hello);
    if (patched.type !== HandshakeType.client_hello) return;
    const psk = findExtension(patched.extensions, ExtensionType.pre_shared_key);
    assert.deepEqual(psk?.binders, [b1, b2]);
    assert.equal(clientHelloBindersOffset(encoded), offset);

    const before = toHex(encoded);
    assert.throws(() => writeBinders(encoded, [b1]), RangeError);
    assert.throws(() => writeBinders(encoded, [b1, new Uint8Array(32)]), RangeError);
    assert.equal(toHex(encoded), before);

    const noPsk = encodeHandshake(clientHello({ extensions: [] }));
    assertAlert(() => clientHelloBindersOffset(noPsk), decodeErr, "MissingPsk");
    assertAlert(() => clientHelloBindersOffset(encoded.subarray(0, 50)), decodeErr);
  });

  it("message_hash and splitting several messages", () => {
    const mh = encodeMessageHash(new Uint8Array(32).fill(1));
    assert.equal(toHex(mh.subarray(0, 4)), "fe000020");
    assert.equal(mh.length, 36);
    const flight = concat(...samples.slice(3).map(encodeHandshake));
    const parts = splitHandshakeMessages(flight);
    assert.deepEqual(parts.map((p) => p.type), samples.slice(3).map((m) => m.type));
    assert.equal(toHex(concat(...parts.map((p) => p.encoded))), toHex(flight));
  });
});

describe("alerts and change_cipher_spec", () => {
  it("alerts are exactly two bytes", () => {
    assert.deepEqual(decodeAlert(new Uint8Array([2, 40])), { level: 2, description: 40 });
    assert.equal(toHex(encodeAlert({ level: 1, description: 0 })), "0100");
    assertAlert(() => decodeAlert(new Uint8Array([2])), decodeErr, "InvalidAlertLength");
    assertAlert(() => decodeAlert(new Uint8Array([2, 40, 0])), decodeErr, "InvalidAlertLength");
    assertAlert(() => decodeAlert(new Uint8Array(0)), 10, "EmptyAlert");
    assert.throws(() => encodeAlert({ level: 256, description: 0 }), RangeError);
  });

  it("change_cipher_spec must be the single byte 0x01", () => {
    checkChangeCipherSpec(new Uint8Array([1]));
    for (const bad of [[], [0], [2], [1, 1]]) {
      assertAlert(
        () => checkChangeCipherSpec(new Uint8Array(bad)),
        AlertDescription.unexpected_message,
        "InvalidChangeCipherSpec",
      );
    }
  });
});
