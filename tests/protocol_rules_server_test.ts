// Issue 13, the server's side: ClientHellos (first and second) and client
// Certificates that break a rule get the alert the RFC names. Our client's
// messages are rewritten on the way (tests/_tamper.ts).
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { ClientConfig } from "../src/client/config.ts";
import { ServerConfig } from "../src/server/config.ts";
import { AlertDescription, ExtensionType, HandshakeType } from "../src/msgs/enums.ts";
import type { ClientHello } from "../src/msgs/client_hello.ts";
import type { ClientHelloExtension } from "../src/msgs/extension_types.ts";
import { decodeHandshake, encodeHandshake } from "../src/msgs/handshake.ts";
import { WebPkiServerVerifier } from "../src/webpki/verifier.ts";
import { clientAuthVerifier, makePairPki, type PairPki } from "./_pair_setup.ts";
import { type Edit, editMessages, type TamperedPair, tamperedPair } from "./_tamper.ts";

/** TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, for the P-256 leaf. */
const TLS12_SUITES = [0xc02b];

let pki: PairPki;
before(() => {
  pki = makePairPki();
});
after(() => pki.cleanup());

/** An edit of the `nth` ClientHello (0: first, 1: after HelloRetryRequest). */
function editHello(change: (h: ClientHello) => void, nth = 0): Edit {
  let seen = 0;
  return editMessages((m) => {
    if (m.type !== HandshakeType.client_hello || seen++ !== nth) return undefined;
    const hello = decodeHandshake(m.type, m.body) as ClientHello;
    change(hello);
    return encodeHandshake(hello);
  });
}

/** Replaces (or with `ext` undefined, drops) the extension of `type`; a new one goes first. */
function setExt(h: ClientHello, type: number, ext: ClientHelloExtension | undefined): void {
  const i = h.extensions.findIndex((e) => e.type === type);
  if (i >= 0) {
    if (ext) h.extensions[i] = ext;
    else h.extensions.splice(i, 1);
  } else if (ext) h.extensions.unshift(ext);
}

/** The server failed with `alert` and sent it in clear, where the client read it. */
function assertServerAlert(run: TamperedPair, alert: number): void {
  assert.ok(run.serverError, "the server should have failed");
  assert.equal(run.serverError.alert, alert, run.serverError.message);
  assert.equal(run.serverError.alertDirection, "sent");
  assert.equal(run.clientError?.alert, alert, "the client received the alert");
  assert.equal(run.clientError?.alertDirection, "received");
}

describe("issue 13 protocol rules, server side", () => {
  for (const version of [0x0300, 0x0200, 0x0002]) {
    it(`item 7: ClientHello legacy_version 0x${version.toString(16).padStart(4, "0")} is protocol_version`, async () => {
      const run = await tamperedPair(pki, {
        toServer: editHello((h) => {
          h.legacyVersion = version;
        }),
      });
      assertServerAlert(run, AlertDescription.protocol_version);
    });
  }

  it("item 8: the server refuses a client certificate entry extension it never requested", async () => {
    for (const type of [ExtensionType.status_request, 0x1234]) {
      const run = await tamperedPair(pki, {
        server: { clientCertVerifier: clientAuthVerifier(pki, true) },
        client: { certificateChain: pki.client.certPem, privateKey: pki.client.keyPem },
        toServer: editMessages((m) => {
          if (m.type !== HandshakeType.certificate) return undefined;
          const cert = decodeHandshake(m.type, m.body);
          if (cert.type !== HandshakeType.certificate) return undefined;
          cert.certificateList[0].extensions.push({ type, data: new Uint8Array([1, 0, 0, 1, 0]) });
          return encodeHandshake(cert);
        }),
      });
      assert.equal(run.serverError?.alert, AlertDescription.unsupported_extension, `type ${type}`);
      assert.equal(run.serverError?.detail, "UnsolicitedExtension");
      assert.equal(run.clientError?.alert, AlertDescription.unsupported_extension);
    }
  });

  const changes: [string, (h: ClientHello) => void][] = [
    ["the cipher suites (one added)", (h) => h.cipherSuites.push(0x1302)],
    ["the cipher suites (reordered)", (h) => h.cipherSuites.unshift(0x1303)],
    ["the random", (h) => void (h.random = new Uint8Array(32).fill(9))],
    ["the server name", (h) =>
      setExt(h, ExtensionType.server_name, {
        type: ExtensionType.server_name,
        hostName: "other.test",
      })],
    ["ALPN (added)", (h) =>
      setExt(h, ExtensionType.application_layer_protocol_negotiation, {
        type: ExtensionType.application_layer_protocol_negotiation,
        protocols: [new TextEncoder().encode("h2")],
      })],
    [
      "early_data (added)",
      (h) => setExt(h, ExtensionType.early_data, { type: ExtensionType.early_data }),
    ],
    ["signature_algorithms (changed)", (h) =>
      setExt(h, ExtensionType.signature_algorithms, {
        type: ExtensionType.signature_algorithms,
        schemes: [0x0403],
      })],
    ["supported_groups (changed)", (h) =>
      setExt(h, ExtensionType.supported_groups, {
        type: ExtensionType.supported_groups,
        groups: [0x18],
      })],
  ];
  for (const [what, change] of changes) {
    it(`item 11: a second ClientHello that changes ${what} is illegal_parameter`, async () => {
      const run = await tamperedPair(pki, {
        server: { kxGroups: [0x18] },
        client: { cipherSuites: [0x1301, 0x1303] },
        toServer: editHello(change, 1),
      });
      assertServerAlert(run, AlertDescription.illegal_parameter);
    });
  }

  it("item 11: a second ClientHello that only updates what 4.1.2 allows is accepted", async () => {
    const run = await tamperedPair(pki, {
      server: { kxGroups: [0x18] },
      toServer: editHello(
        (h) =>
          setExt(h, ExtensionType.padding, {
            type: ExtensionType.padding,
            data: new Uint8Array(7),
          }),
        1,
      ),
    });
    // The server answers with its flight; the edit changed the transcript, so
    // the two sides' handshake keys then differ and the records stop opening.
    assert.ok(run.serverConn.handshakeStates.includes("ExpectFinished"));
    assert.notEqual(run.serverError?.alert, AlertDescription.illegal_parameter);
  });

  it("item 12: oid_filters in a ClientHello is illegal_parameter", async () => {
    const run = await tamperedPair(pki, {
      toServer: editHello((h) =>
        setExt(h, ExtensionType.oid_filters, {
          type: ExtensionType.oid_filters,
          data: new Uint8Array([0, 0]),
        })
      ),
    });
    assertServerAlert(run, AlertDescription.illegal_parameter);
  });

  it("item 12: a server name with a NUL byte is decode_error and never reaches the resolver", async () => {
    const names: (string | undefined)[] = [];
    const run = await tamperedPair(pki, {
      server: {
        certResolver: (hello) => {
          names.push(hello.serverName);
          return undefined;
        },
      },
      toServer: editHello((h) =>
        setExt(h, ExtensionType.server_name, {
          type: ExtensionType.server_name,
          hostName: "localhost\u0000.evil.test",
        })
      ),
    });
    assertServerAlert(run, AlertDescription.decode_error);
    assert.deepEqual(names, []);
  });

  it("item 13: TLS_FALLBACK_SCSV in a TLS 1.2 ClientHello to a TLS 1.3 server is inappropriate_fallback", async () => {
    const run = await tamperedPair(pki, {
      server: { cipherSuites: [0x1301, ...TLS12_SUITES] },
      client: { versions: ["TLSv1_2"], cipherSuites: TLS12_SUITES },
      toServer: editHello((h) => h.cipherSuites.push(0x5600)),
    });
    assertServerAlert(run, AlertDescription.inappropriate_fallback);
    // The same client without the SCSV gets TLS 1.2.
    const plain = await tamperedPair(pki, {
      server: { cipherSuites: [0x1301, ...TLS12_SUITES] },
      client: { versions: ["TLSv1_2"], cipherSuites: TLS12_SUITES },
    });
    assert.equal(plain.serverError, undefined);
    assert.equal(plain.serverConn.protocolVersion, "TLSv1_2");
  });

  it("item 14: resuming an extended-master-secret session without EMS is handshake_failure", async () => {
    const leaf = pki.leaves.p256;
    const serverConfig = new ServerConfig({
      certificateChain: leaf.certPem,
      privateKey: leaf.keyPem,
      requireExtendedMasterSecret: false,
    });
    const clientConfig = new ClientConfig({
      verifier: new WebPkiServerVerifier({ roots: pki.roots() }),
      versions: ["TLSv1_2"],
    });
    const first = await tamperedPair(pki, { serverConfig, clientConfig });
    assert.equal(first.serverError, undefined);
    const again = await tamperedPair(pki, { serverConfig, clientConfig });
    assert.equal(again.serverConn.handshakeKind, "Resumed", "the session resumes with EMS");
    const run = await tamperedPair(pki, {
      serverConfig,
      clientConfig,
      toServer: editHello((h) => setExt(h, ExtensionType.extended_master_secret, undefined)),
    });
    assertServerAlert(run, AlertDescription.handshake_failure);
  });

  it("item 3: after a HelloRetryRequest a record that does not decrypt is bad_record_mac", async () => {
    let helloCount = 0;
    const run = await tamperedPair(pki, {
      server: { kxGroups: [0x18] },
      toServer: (rec) => {
        if (rec.protected || rec.type !== 22 || rec.plaintext[0] !== HandshakeType.client_hello) {
          return undefined;
        }
        if (helloCount++ === 0) {
          // The first ClientHello offers early data, so the server skips what it cannot read...
          return editHello((h) =>
            setExt(h, ExtensionType.early_data, { type: ExtensionType.early_data })
          )(rec);
        }
        // ...but no early data may follow the second one.
        const junk = { type: 23, plaintext: new Uint8Array(40).fill(0x33), protected: false };
        return [rec, { ...rec, ...junk }];
      },
    });
    assert.equal(run.serverError?.alert, AlertDescription.bad_record_mac, run.serverError?.message);
  });
});
