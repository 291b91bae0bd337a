// Issue 15 item 5: TlsError.detail is one of TLS_ERROR_DETAILS (a misspelt
// name does not compile), every listed name is raised somewhere, and the
// errors a tampered handshake raises carry a listed detail, a typed alert and
// no key material in any rendering.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { ClientConfig } from "../src/client/config.ts";
import { UnbufferedServerConnection } from "../src/conn/unbuffered.ts";
import { ServerConfig } from "../src/server/config.ts";
import { TlsError } from "../src/error.ts";
import {
  isTlsErrorDetail,
  TLS_ERROR_DETAIL_GROUPS,
  TLS_ERROR_DETAILS,
  type TlsErrorDetail,
} from "../src/error_details.ts";
import { AlertDescription, HandshakeType } from "../src/msgs/enums.ts";
import type { StartTlsErrorDetail } from "../src/starttls/errors.ts";
import type { TlsStreamErrorDetail } from "../src/streams/stream_types.ts";
import { WebPkiServerVerifier } from "../src/webpki/verifier.ts";
import { RootCertStore } from "../src/webpki/root_store.ts";
import { assertNoSecrets } from "./_leaks.ts";
import { sources } from "./_sources.ts";
import { makePairPki, type PairPki } from "./_pair_setup.ts";
import { type Edit, editMessages, tamperedPair } from "./_tamper.ts";

let pki: PairPki;
before(() => {
  pki = makePairPki();
});
after(() => pki.cleanup());

describe("issue 15 item 5: typed error details", () => {
  it("names each failure once, in one group", () => {
    const seen = new Map<string, string>();
    for (const [group, names] of Object.entries(TLS_ERROR_DETAIL_GROUPS)) {
      for (const name of names) {
        assert.equal(seen.get(name), undefined, `${name} is in ${seen.get(name)} and ${group}`);
        seen.set(name, group);
      }
    }
    assert.equal(TLS_ERROR_DETAILS.length, seen.size);
    assert.ok(TLS_ERROR_DETAILS.length > 100, String(TLS_ERROR_DETAILS.length));
  });

  it("lists no name that src/ never raises", () => {
    const texts = sources().filter((path) => !path.endsWith("error_details.ts"))
      .map((path) => readFileSync(path, "utf8"));
    const unused = TLS_ERROR_DETAILS.filter((name) =>
      !texts.some((text) => text.includes(`"${name}"`))
    );
    assert.deepEqual(unused, []);
  });

  it("src/ builds its errors with tlsError; only a received alert uses the class", () => {
    const direct = sources().flatMap((path) =>
      readFileSync(path, "utf8").split("\n")
        .filter((line) => line.includes("new TlsError(") && !/^\s*(\*|\/\/)/.test(line))
        .map(() => path.slice(path.lastIndexOf("src/")))
    );
    assert.deepEqual(direct.sort(), [
      "src/error.ts", // tlsError itself
      "src/post_handshake/alerts.ts", // close_notify during the handshake
      "src/post_handshake/alerts.ts", // any other error alert
    ]);
  });

  it("the stream and STARTTLS detail types are groups of the union", () => {
    const stream: readonly TlsStreamErrorDetail[] = TLS_ERROR_DETAIL_GROUPS.stream;
    const startTls: readonly StartTlsErrorDetail[] = TLS_ERROR_DETAIL_GROUPS.startTls;
    const all: readonly TlsErrorDetail[] = [...stream, ...startTls];
    assert.ok(all.every((d) => TLS_ERROR_DETAILS.includes(d)));
    assert.equal(isTlsErrorDetail("HandshakeTimeout"), true);
    assert.equal(isTlsErrorDetail("handshakeTimeout"), false);
    assert.equal(isTlsErrorDetail(undefined), false);
  });

  it("a misspelt detail or an unnamed alert does not compile", () => {
    // deno check fails on an unused @ts-expect-error, so these lines prove
    // that the types refuse what they should.
    const typo = () =>
      // @ts-expect-error: "BadRecordMAC" is not a TlsErrorDetail
      new TlsError("DecryptError", "x", { detail: "BadRecordMAC" });
    const badAlert = () =>
      // @ts-expect-error: 99 is not an AlertDescription value
      new TlsError("DecryptError", "x", { alert: 99 });
    const ok = new TlsError("DecryptError", "x", {
      detail: "BadRecordMac",
      alert: AlertDescription.bad_record_mac,
    });
    assert.equal(typo().detail, "BadRecordMAC"); // the runtime does not check
    assert.equal(badAlert().alert, 99);
    assert.equal(ok.alertName, "bad_record_mac");
  });
});

/** Flips the last byte of the first handshake message of `type`. */
function flipMessage(type: number): Edit {
  return editMessages((m) => {
    if (m.type !== type) return undefined;
    const out = m.encoded.slice();
    out[out.length - 1] ^= 1;
    return out;
  });
}

/** Replaces the first protected record with one of the same length that does not open. */
const garbleRecord: Edit = (rec) => {
  if (!rec.protected) return undefined;
  const body = new Uint8Array(rec.plaintext.length + 17 + 16).fill(0xa5);
  const raw = new Uint8Array(5 + body.length);
  raw.set([23, 3, 3, body.length >> 8, body.length & 0xff]);
  raw.set(body, 5);
  return [{ ...rec, raw }];
};

/** Turns the server's EncryptedExtensions into a message type the client does not expect. */
const wrongType: Edit = editMessages((m) => {
  if (m.type !== HandshakeType.encrypted_extensions) return undefined;
  const out = m.encoded.slice();
  out[0] = HandshakeType.server_hello_done;
  return out;
});

/** Replaces the server's middlebox change_cipher_spec payload (0x01) with 0x02. */
const badCcs: Edit = (rec) =>
  rec.type === 20 && !rec.protected ? [{ ...rec, plaintext: new Uint8Array([2]) }] : undefined;

describe("issue 15 item 5: errors from a tampered handshake", () => {
  const cases: [string, Edit, TlsErrorDetail][] = [
    ["a wrong server Finished", flipMessage(HandshakeType.finished), "FinishedMismatch"],
    ["a record that does not open", garbleRecord, "BadRecordMac"],
    ["an unexpected handshake message", wrongType, "UnexpectedHandshakeMessage"],
    // The same name as a malformed TLS 1.2 CCS (checkChangeCipherSpec).
    ["a middlebox change_cipher_spec that is not 0x01", badCcs, "InvalidChangeCipherSpec"],
  ];
  for (const [what, toClient, detail] of cases) {
    it(`${what}: ${detail}, a listed detail, no secrets in the error`, async () => {
      const keys = new Map<string, Uint8Array>();
      const run = await tamperedPair(pki, { toClient, keys });
      const e = run.clientError;
      assert.ok(e instanceof TlsError, "the client should have failed");
      assert.equal(e.alertDirection, "sent");
      assert.equal(e.detail, detail, e.message);
      assert.ok(isTlsErrorDetail(e.detail));
      assert.ok(Object.values(AlertDescription).includes(e.alert!), `alert ${e.alert}`);
      assert.ok(keys.size >= 2, "the key log ran");
      const secrets = Object.fromEntries([...keys].map(([label, s]) => [`key log ${label}`, s]));
      assertNoSecrets({ error: e, message: e.message, stack: e.stack ?? "" }, secrets);
    });
  }

  it("an unknown CA: UnknownIssuer, unknown_ca", async () => {
    const run = await tamperedPair(pki, {
      clientConfig: new ClientConfig({
        verifier: new WebPkiServerVerifier({ roots: new RootCertStore() }),
        cipherSuites: [0x1301],
      }),
    });
    assert.equal(run.clientError?.detail, "UnknownIssuer");
    assert.equal(run.clientError?.alert, AlertDescription.unknown_ca);
  });

  it("bytes that are not TLS: every error carries a listed detail", async () => {
    const seen = new Set<string>();
    const config = new ServerConfig({
      certificateChain: pki.leaves.p256.certPem,
      privateKey: pki.leaves.p256.keyPem,
    });
    for (let i = 0; i < 64; i++) {
      const input = Uint8Array.from({ length: 5 + i * 7 }, (_, j) => (i * 131 + j * 29) & 0xff);
      if (i % 2) input.set([22, 3, 1]);
      try {
        await new UnbufferedServerConnection(config).processTlsRecords(input);
      } catch (e) {
        assert.ok(e instanceof TlsError, String(e));
        assert.ok(isTlsErrorDetail(e.detail), `${e.detail}: ${e.message}`);
        assert.notEqual(e.alert, undefined, e.message);
        seen.add(e.detail!);
      }
    }
    assert.ok(seen.size >= 2, [...seen].join(", "));
  });
});
