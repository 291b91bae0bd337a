// Every handshake message printed in RFC 8448 sections 3-7 decodes and
// re-encodes to the same bytes; a few decoded fields are checked by hand.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { field, findStep, rfc8448Section } from "./_rfc8448.ts";
import { toHex } from "../src/_bytes.ts";
import { TlsError } from "../src/error.ts";
import {
  decodeHandshake,
  encodeHandshake,
  type HandshakeMessage,
  splitHandshakeMessages,
} from "../src/msgs/handshake.ts";
import { clientHelloBindersOffset, writeBinders } from "../src/msgs/client_hello.ts";
import { isHelloRetryRequest } from "../src/msgs/server_hello.ts";
import { findExtension } from "../src/msgs/extensions.ts";
import { checkChangeCipherSpec, decodeAlert, encodeAlert } from "../src/msgs/alert.ts";
import {
  AlertDescription,
  AlertLevel,
  CipherSuiteId,
  ExtensionType,
  HandshakeType,
  NamedGroup,
  ProtocolVersion,
  SignatureScheme,
} from "../src/msgs/enums.ts";

const MESSAGE_LABELS = new Set([
  "ClientHello",
  "ServerHello",
  "EncryptedExtensions",
  "Certificate",
  "CertificateRequest",
  "CertificateVerify",
  "Finished",
  "NewSessionTicket",
  "EndOfEarlyData",
]);

/** Decodes every message of `bytes` and checks each re-encodes identically. */
function roundTrip(bytes: Uint8Array, where: string): HandshakeMessage[] {
  const parts = splitHandshakeMessages(bytes);
  assert.ok(parts.length > 0, `${where}: no messages`);
  return parts.map((part) => {
    const msg = decodeHandshake(part.type, part.body);
    assert.equal(msg.type, part.type);
    assert.equal(toHex(encodeHandshake(msg)), toHex(part.encoded), `${where}: re-encoding differs`);
    return msg;
  });
}

/** Every handshake message of a section: `construct ...` fields and record payloads. */
function sectionMessages(n: number): { where: string; bytes: Uint8Array }[] {
  const out: { where: string; bytes: Uint8Array }[] = [];
  for (const step of rfc8448Section(n)) {
    for (const f of step.fields) {
      const isMessage = MESSAGE_LABELS.has(f.label) && step.title.startsWith("construct");
      const isPayload = f.label === "payload" && step.title === "send handshake record";
      // Section 4 prints only the part of its ClientHello before the binders
      // under "ClientHello"; the whole message is in the record payload.
      if (isMessage && n === 4 && f.label === "ClientHello") continue;
      if (isMessage || isPayload) {
        out.push({ where: `section ${n} ${step.who} ${step.title} ${f.label}`, bytes: f.value });
      }
    }
  }
  return out;
}

function decodeOne(n: number, who: "client" | "server", title: string, label: string, index = 0) {
  const msgs = roundTrip(field(findStep(n, who, title, index), label), title);
  assert.equal(msgs.length, 1);
  return msgs[0];
}

describe("RFC 8448 handshake messages", () => {
  const expectedCounts: Record<number, number> = { 3: 16, 4: 11, 5: 18, 6: 20, 7: 14 };
  for (const n of [3, 4, 5, 6, 7]) {
    it(`section ${n}: every message re-encodes to the printed bytes`, () => {
      let count = 0;
      for (const { where, bytes } of sectionMessages(n)) count += roundTrip(bytes, where).length;
      assert.equal(count, expectedCounts[n]);
    });
  }

  it("section 3: ClientHello fields", () => {
    const ch = decodeOne(3, "client", "construct a ClientHello", "ClientHello");
    assert.equal(ch.type, HandshakeType.client_hello);
    if (ch.type !== HandshakeType.client_hello) return;
    assert.equal(ch.legacyVersion, ProtocolVersion.TLSv1_2);
    assert.deepEqual(ch.cipherSuites, [
      CipherSuiteId.TLS_AES_128_GCM_SHA256,
      CipherSuiteId.TLS_CHACHA20_POLY1305_SHA256,
      CipherSuiteId.TLS_AES_256_GCM_SHA384,
    ]);
    assert.equal(findExtension(ch.extensions, ExtensionType.server_name)?.hostName, "server");
    assert.ok(
      findExtension(ch.extensions, ExtensionType.supported_groups)?.groups.includes(
        NamedGroup.x25519,
      ),
    );
    const shares = findExtension(ch.extensions, ExtensionType.key_share)?.shares;
    assert.equal(shares?.length, 1);
    assert.equal(shares?.[0].group, NamedGroup.x25519);
    assert.equal(shares?.[0].keyExchange.length, 32);
    assert.deepEqual(findExtension(ch.extensions, ExtensionType.supported_versions)?.versions, [
      ProtocolVersion.TLSv1_3,
    ]);
    assert.equal(findExtension(ch.extensions, ExtensionType.record_size_limit)?.limit, 0x4001);
  });

  it("section 3: ServerHello, Certificate, CertificateVerify, NewSessionTicket fields", () => {
    const sh = decodeOne(3, "server", "construct a ServerHello", "ServerHello");
    assert.ok(sh.type === HandshakeType.server_hello && !isHelloRetryRequest(sh));
    if (sh.type !== HandshakeType.server_hello || isHelloRetryRequest(sh)) return;
    assert.equal(sh.cipherSuite, CipherSuiteId.TLS_AES_128_GCM_SHA256);
    assert.equal(findExtension(sh.extensions, ExtensionType.supported_versions)?.version, 0x0304);
    assert.equal(findExtension(sh.extensions, ExtensionType.key_share)?.share.group, 0x001d);

    const cert = decodeOne(3, "server", "construct a Certificate", "Certificate");
    assert.ok(cert.type === HandshakeType.certificate);
    if (cert.type !== HandshakeType.certificate) return;
    assert.equal(cert.certificateList.length, 1);
    assert.equal(cert.certificateList[0].cert[0], 0x30); // a DER SEQUENCE

    const cv = decodeOne(3, "server", "construct a CertificateVerify", "CertificateVerify");
    assert.ok(cv.type === HandshakeType.certificate_verify);
    if (cv.type === HandshakeType.certificate_verify) {
      assert.equal(cv.scheme, SignatureScheme.rsa_pss_rsae_sha256);
    }

    const nst = decodeOne(3, "server", "construct a NewSessionTicket", "NewSessionTicket");
    assert.ok(nst.type === HandshakeType.new_session_ticket);
    if (nst.type !== HandshakeType.new_session_ticket) return;
    assert.equal(nst.ticketLifetime, 30);
    assert.equal(nst.ticketNonce.length, 2);
    assert.equal(nst.ticket.length, 178);
    assert.equal(findExtension(nst.extensions, ExtensionType.early_data)?.maxEarlyDataSize, 1024);
  });

  it("section 4: pre_shared_key, binder offset and binder patching", () => {
    const payload = field(findStep(4, "client", "send handshake record"), "payload");
    const prefix = field(findStep(4, "client", "construct a ClientHello"), "ClientHello");
    const offset = clientHelloBindersOffset(payload);
    assert.equal(offset, 477);
    assert.equal(toHex(payload.subarray(0, offset)), toHex(prefix));
    assert.equal(
      toHex(field(findStep(4, "client", "calculate PSK binder"), "ClientHello prefix")),
      toHex(prefix),
    );

    const [ch] = roundTrip(payload, "section 4 ClientHello");
    assert.ok(ch.type === HandshakeType.client_hello);
    if (ch.type !== HandshakeType.client_hello) return;
    assert.equal(ch.extensions.at(-1)?.type, ExtensionType.pre_shared_key);
    const psk = findExtension(ch.extensions, ExtensionType.pre_shared_key);
    assert.equal(psk?.identities.length, 1);
    assert.equal(psk?.identities[0].identity.length, 178);
    assert.ok(findExtension(ch.extensions, ExtensionType.early_data));

    // Encode with a zero placeholder binder, then patch the real one in place.
    const realBinder = psk!.binders[0].slice();
    const placeholder = encodeHandshake({
      ...ch,
      extensions: ch.extensions.map((e) =>
        e.type === ExtensionType.pre_shared_key && "binders" in e
          ? { ...e, binders: [new Uint8Array(32)] }
          : e
      ),
    });
    assert.notEqual(toHex(placeholder), toHex(payload));
    assert.equal(clientHelloBindersOffset(placeholder), 477);
    writeBinders(placeholder, [realBinder]);
    assert.equal(toHex(placeholder), toHex(payload));

    const sh = decodeOne(4, "server", "construct a ServerHello", "ServerHello");
    if (sh.type !== HandshakeType.server_hello || isHelloRetryRequest(sh)) {
      assert.fail("expected a ServerHello");
    }
    assert.equal(findExtension(sh.extensions, ExtensionType.pre_shared_key)?.selectedIdentity, 0);

    const eoed = decodeOne(4, "client", "construct an EndOfEarlyData", "EndOfEarlyData");
    assert.deepEqual(eoed, { type: HandshakeType.end_of_early_data });
  });

  it("section 5: HelloRetryRequest selects secp256r1 and carries a cookie", () => {
    const hrr = decodeOne(5, "server", "construct a ServerHello", "ServerHello", 0);
    if (hrr.type !== HandshakeType.server_hello || !isHelloRetryRequest(hrr)) {
      assert.fail("expected a HelloRetryRequest");
    }
    assert.equal(
      findExtension(hrr.extensions, ExtensionType.key_share)?.selectedGroup,
      NamedGroup.secp256r1,
    );
    const cookie = findExtension(hrr.extensions, ExtensionType.cookie)?.cookie;
    assert.ok(cookie && cookie.length > 0);

    const ch2 = decodeOne(5, "client", "construct a ClientHello", "ClientHello", 1);
    if (ch2.type !== HandshakeType.client_hello) assert.fail("expected a ClientHello");
    assert.equal(toHex(findExtension(ch2.extensions, ExtensionType.cookie)!.cookie), toHex(cookie));
    const shares = findExtension(ch2.extensions, ExtensionType.key_share)!.shares;
    assert.deepEqual(shares.map((s) => s.group), [NamedGroup.secp256r1]);

    const sh = decodeOne(5, "server", "construct a ServerHello", "ServerHello", 1);
    assert.ok(sh.type === HandshakeType.server_hello && !isHelloRetryRequest(sh));
  });

  it("section 6: CertificateRequest and the client's Certificate", () => {
    const cr = decodeOne(6, "server", "construct a CertificateRequest", "CertificateRequest");
    if (cr.type !== HandshakeType.certificate_request) assert.fail("expected CertificateRequest");
    assert.equal(cr.certificateRequestContext.length, 0);
    assert.ok(
      findExtension(cr.extensions, ExtensionType.signature_algorithms)?.schemes.includes(
        SignatureScheme.rsa_pss_rsae_sha256,
      ),
    );
    const cert = decodeOne(6, "client", "construct a Certificate", "Certificate");
    if (cert.type !== HandshakeType.certificate) assert.fail("expected Certificate");
    assert.equal(cert.certificateList.length, 1);
  });

  it("section 7: compatibility mode session id is echoed", () => {
    const ch = decodeOne(7, "client", "construct a ClientHello", "ClientHello");
    const sh = decodeOne(7, "server", "construct a ServerHello", "ServerHello");
    if (ch.type !== HandshakeType.client_hello || sh.type !== HandshakeType.server_hello) {
      assert.fail("expected hellos");
    }
    assert.equal(ch.legacySessionId.length, 32);
    assert.equal(toHex(sh.legacySessionIdEcho), toHex(ch.legacySessionId));
    checkChangeCipherSpec(
      field(findStep(7, "server", "send change_cipher_spec record"), "payload"),
    );
    checkChangeCipherSpec(
      field(findStep(7, "client", "send change_cipher_spec record"), "payload"),
    );
  });

  it("every truncation of every section 3 message is a decode_error TlsError", () => {
    let checked = 0;
    let wellFormedCuts = 0;
    for (const { bytes } of sectionMessages(3).filter((m) => !m.where.includes("payload"))) {
      const [part] = splitHandshakeMessages(bytes);
      if (part.type === HandshakeType.finished) continue; // any length parses
      for (let cut = 0; cut < part.body.length; cut++) {
        let decoded: HandshakeMessage;
        try {
          decoded = decodeHandshake(part.type, part.body.subarray(0, cut));
        } catch (e) {
          assert.ok(e instanceof TlsError, `type ${part.type} cut at ${cut}: ${e}`);
          assert.equal(e.alert, AlertDescription.decode_error);
          checked++;
          continue;
        }
        // The one well-formed cut: a hello without its extension block (TLS 1.2 style).
        assert.ok(
          (decoded.type === HandshakeType.client_hello ||
            decoded.type === HandshakeType.server_hello) && decoded.extensions.length === 0,
          `type ${part.type} cut at ${cut} decoded`,
        );
        wellFormedCuts++;
      }
      const longer = new Uint8Array(part.body.length + 1);
      longer.set(part.body);
      assert.throws(
        () => decodeHandshake(part.type, longer),
        (e: unknown) => e instanceof TlsError && e.detail === "TrailingData",
      );
    }
    assert.equal(wellFormedCuts, 2);
    assert.equal(checked, 196 + 90 + 40 + 445 + 136 + 205 - 6 * 4 - 2);
  });

  it("every alert payload is a close_notify that re-encodes", () => {
    let count = 0;
    for (const n of [3, 4, 5, 6, 7]) {
      for (const step of rfc8448Section(n).filter((s) => s.title === "send alert record")) {
        const payload = field(step, "payload");
        const alert = decodeAlert(payload);
        assert.deepEqual(alert, {
          level: AlertLevel.warning,
          description: AlertDescription.close_notify,
        });
        assert.equal(toHex(encodeAlert(alert)), toHex(payload));
        count++;
      }
    }
    assert.equal(count, 10);
  });
});
