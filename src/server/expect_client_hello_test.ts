// Hand-made ClientHellos against the server: each broken rule ends in a
// TlsError carrying the RFC's alert, and that alert is offered for sending.
import { before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { ServerConfig, type ServerConfigOptions } from "./config.ts";
import { UnbufferedServerConnection } from "../conn/unbuffered.ts";
import { TlsError } from "../error.ts";
import { AlertDescription, ExtensionType, HandshakeType } from "../msgs/enums.ts";
import type { ClientHelloExtension } from "../msgs/extension_types.ts";
import { decodeHandshake, encodeHandshake } from "../msgs/handshake.ts";
import { isHelloRetryRequest } from "../msgs/server_hello.ts";
import { findExtension } from "../msgs/extensions.ts";
import { secp256r1, secp384r1 } from "../crypto/webcrypto/kx.ts";
import { testPki } from "../../examples/_certgen.ts";

const P256 = 0x17, P384 = 0x18;
const SESSION_ID = new Uint8Array(32).fill(7);

let certPem = "";
let keyPem = "";
let p256Share: Uint8Array = new Uint8Array(0);
let p384Share: Uint8Array = new Uint8Array(0);

interface HelloOptions {
  suites?: number[];
  compression?: number[];
  sessionId?: Uint8Array;
  drop?: number[];
  groups?: number[];
  shares?: { group: number; keyExchange: Uint8Array }[];
  extra?: ClientHelloExtension[];
}

function clientHello(o: HelloOptions = {}): Uint8Array {
  const extensions: ClientHelloExtension[] = [
    { type: ExtensionType.supported_versions, versions: [0x0304] },
    { type: ExtensionType.supported_groups, groups: o.groups ?? [P256, P384] },
    { type: ExtensionType.signature_algorithms, schemes: [0x0403, 0x0804, 0x0807] },
    {
      type: ExtensionType.key_share,
      shares: o.shares ?? [{ group: P256, keyExchange: p256Share }],
    },
    ...(o.extra ?? []),
  ];
  return encodeHandshake({
    type: HandshakeType.client_hello,
    legacyVersion: 0x0303,
    random: new Uint8Array(32).fill(1),
    legacySessionId: o.sessionId ?? SESSION_ID,
    cipherSuites: o.suites ?? [0x1301],
    legacyCompressionMethods: new Uint8Array(o.compression ?? [0]),
    extensions: extensions.filter((e) => !o.drop?.includes(e.type)),
  });
}

function record(contentType: number, payload: Uint8Array): Uint8Array {
  const out = new Uint8Array(5 + payload.length);
  out.set([contentType, 3, 1, payload.length >> 8, payload.length & 0xff]);
  out.set(payload, 5);
  return out;
}

interface Outcome {
  error: TlsError | undefined;
  /** Records the server wrote (plaintext ones are readable). */
  sent: Uint8Array[];
}

/** Feeds `records` one at a time, collecting output, until an error or all are used. */
async function run(records: Uint8Array[], extra: Partial<ServerConfigOptions> = {}): Promise<
  Outcome
> {
  const conn = new UnbufferedServerConnection(
    new ServerConfig({ certificateChain: certPem, privateKey: keyPem, ...extra }),
  );
  const sent: Uint8Array[] = [];
  let incoming = new Uint8Array(0);
  const queue = [...records];
  let error: TlsError | undefined;
  for (let guard = 0; guard < 100; guard++) {
    let status;
    try {
      status = await conn.processTlsRecords(incoming);
    } catch (e) {
      if (error) break;
      assert.ok(e instanceof TlsError, `not a TlsError: ${e}`);
      error = e;
      continue;
    }
    const { discard, state } = status;
    incoming = incoming.slice(discard);
    if (state.kind === "EncodeTlsData") {
      const out = new Uint8Array(state.requiredSize);
      sent.push(out.subarray(0, await state.encode(out)));
    } else if (state.kind === "TransmitTlsData") {
      state.done();
    } else if (state.kind === "BlockedHandshake" && queue.length > 0) {
      const next = queue.shift()!;
      const merged = new Uint8Array(incoming.length + next.length);
      merged.set(incoming);
      merged.set(next, incoming.length);
      incoming = merged;
    } else break;
  }
  return { error, sent };
}

/** Splits what the server wrote into records (header and payload). */
function records(o: Outcome): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (const chunk of o.sent) {
    for (let at = 0; at < chunk.length;) {
      const len = (chunk[at + 3] << 8) | chunk[at + 4];
      out.push(chunk.subarray(at, at + 5 + len));
      at += 5 + len;
    }
  }
  return out;
}

/** The outcome must be a TlsError with `alert`, and a plaintext fatal alert sent. */
function assertAlert(o: Outcome, alert: number): void {
  assert.ok(o.error, "expected a failure");
  assert.equal(o.error.alert, alert, `${o.error.message}: alert ${o.error.alert}`);
  const all = records(o);
  assert.deepEqual([...all[all.length - 1]], [21, 3, 3, 0, 2, 2, alert]);
}

const handshakeRecord = (hello: Uint8Array) => record(22, hello);

describe("server ExpectClientHello", () => {
  before(async () => {
    const { leaf } = await testPki(["localhost"]);
    certPem = leaf.certPem;
    keyPem = leaf.keyPem;
    p256Share = (await secp256r1.start()).publicKey;
    p384Share = (await secp384r1.start()).publicKey;
  });

  it("accepts a good ClientHello: ServerHello, CCS, then protected records", async () => {
    const o = await run([handshakeRecord(clientHello())]);
    assert.equal(o.error, undefined);
    const [shRecord, ccs, ...rest] = records(o);
    assert.equal(shRecord[0], 22); // ServerHello in clear
    const sh = decodeHandshake(2, shRecord.subarray(9));
    assert.ok(sh.type === HandshakeType.server_hello && !isHelloRetryRequest(sh));
    assert.deepEqual(sh.legacySessionIdEcho, SESSION_ID);
    assert.deepEqual([...ccs], [20, 3, 3, 0, 1, 1]);
    assert.ok(rest.length > 0 && rest.every((r) => r[0] === 23)); // then protected records
  });

  it("no supported_versions with TLS 1.3 only: protocol_version", async () => {
    const o = await run([
      handshakeRecord(clientHello({ drop: [ExtensionType.supported_versions] })),
    ], { versions: ["TLSv1_3"] });
    assertAlert(o, AlertDescription.protocol_version);
  });

  it("compression offered: illegal_parameter", async () => {
    const o = await run([handshakeRecord(clientHello({ compression: [1, 0] }))]);
    assertAlert(o, AlertDescription.illegal_parameter);
  });

  it("no signature_algorithms: missing_extension", async () => {
    const o = await run([
      handshakeRecord(clientHello({ drop: [ExtensionType.signature_algorithms] })),
    ]);
    assertAlert(o, AlertDescription.missing_extension);
  });

  it("key_share without supported_groups: missing_extension", async () => {
    const o = await run([handshakeRecord(clientHello({ drop: [ExtensionType.supported_groups] }))]);
    assertAlert(o, AlertDescription.missing_extension);
  });

  it("no TLS 1.3 suite in common: handshake_failure", async () => {
    const o = await run([handshakeRecord(clientHello({ suites: [0xc02b] }))]);
    assertAlert(o, AlertDescription.handshake_failure);
  });

  it("no group in common: handshake_failure", async () => {
    const o = await run([
      handshakeRecord(clientHello({ groups: [0x0019], shares: [] })),
    ]);
    assertAlert(o, AlertDescription.handshake_failure);
  });

  it("key share for a group not in supported_groups: illegal_parameter", async () => {
    const o = await run([handshakeRecord(clientHello({ groups: [P384] }))]);
    assertAlert(o, AlertDescription.illegal_parameter);
  });

  it("malformed key share: illegal_parameter", async () => {
    const bad = { group: P256, keyExchange: new Uint8Array([4, 1, 2, 3]) };
    const o = await run([handshakeRecord(clientHello({ shares: [bad] }))]);
    assertAlert(o, AlertDescription.illegal_parameter);
  });

  it("ALPN with nothing in common: no_application_protocol", async () => {
    const alpn: ClientHelloExtension = {
      type: ExtensionType.application_layer_protocol_negotiation,
      protocols: [new TextEncoder().encode("spdy/1")],
    };
    const o = await run([handshakeRecord(clientHello({ extra: [alpn] }))], {
      alpnProtocols: ["h2"],
    });
    assertAlert(o, AlertDescription.no_application_protocol);
    assert.equal(o.error?.kind, "NoApplicationProtocol");
  });

  it("no certificate from the resolver: handshake_failure", async () => {
    const o = await run([handshakeRecord(clientHello())], { certResolver: () => undefined });
    assertAlert(o, AlertDescription.handshake_failure);
  });

  it("a Finished instead of ClientHello: unexpected_message", async () => {
    const fin = encodeHandshake({ type: HandshakeType.finished, verifyData: new Uint8Array(32) });
    const o = await run([handshakeRecord(fin)]);
    assertAlert(o, AlertDescription.unexpected_message);
  });

  it("change_cipher_spec before ClientHello: unexpected_message", async () => {
    const o = await run([record(20, new Uint8Array([1]))]);
    assertAlert(o, AlertDescription.unexpected_message);
  });

  describe("HelloRetryRequest", () => {
    const first = () => handshakeRecord(clientHello({ groups: [P384], shares: [] }));

    it("is sent for our best group when no share fits", async () => {
      const o = await run([first()]);
      assert.equal(o.error, undefined);
      const [hrrRecord, ccs, ...rest] = records(o);
      assert.equal(rest.length, 0);
      const hrr = decodeHandshake(2, hrrRecord.subarray(9));
      assert.ok(hrr.type === HandshakeType.server_hello && isHelloRetryRequest(hrr));
      assert.equal(findExtension(hrr.extensions, ExtensionType.key_share)?.selectedGroup, P384);
      assert.deepEqual([...ccs], [20, 3, 3, 0, 1, 1]);
    });

    it("then a share for the requested group completes the hello", async () => {
      const second = clientHello({
        groups: [P384],
        shares: [{ group: P384, keyExchange: p384Share }],
      });
      const o = await run([first(), record(20, new Uint8Array([1])), handshakeRecord(second)]);
      assert.equal(o.error, undefined);
      const types = records(o).map((r) => r[0]);
      // HRR, CCS (once), ServerHello, then the protected flight.
      assert.deepEqual(types.slice(0, 3), [22, 20, 22]);
      assert.ok(types.length > 3 && types.slice(3).every((t) => t === 23));
    });

    it("a second hello still without a share: illegal_parameter (no second HRR)", async () => {
      const o = await run([first(), first()]);
      assertAlert(o, AlertDescription.illegal_parameter);
    });

    it("a second hello with a share for another group: illegal_parameter", async () => {
      const second = clientHello({
        groups: [P256, P384],
        shares: [{ group: P256, keyExchange: p256Share }],
      });
      const o = await run([first(), handshakeRecord(second)]);
      assertAlert(o, AlertDescription.illegal_parameter);
    });

    it("a second hello that changes the session ID: illegal_parameter", async () => {
      const second = clientHello({
        groups: [P384],
        shares: [{ group: P384, keyExchange: p384Share }],
        sessionId: new Uint8Array(0),
      });
      const o = await run([first(), handshakeRecord(second)]);
      assertAlert(o, AlertDescription.illegal_parameter);
    });
  });
});
