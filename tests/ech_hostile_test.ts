// Issue 18 item 3, hostile input: ClientHelloOuters whose encrypted
// ClientHelloInner (sealed under the server's real key, so it opens) breaks
// RFC 9849 section 5.1 get the alert the RFC names; payloads that do not open
// are not errors (ECH is rejected and the outer hello served); a second
// ClientHelloOuter after an accepting HelloRetryRequest is checked per 7.1.1.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { ServerConfig } from "../src/server/config.ts";
import { UnbufferedServerConnection } from "../src/conn/unbuffered.ts";
import { TlsError } from "../src/error.ts";
import { isTlsErrorDetail } from "../src/error_details.ts";
import { generateEchConfig } from "../src/server/ech_keys.ts";
import { echHpkeInfo, readEchConfigList } from "../src/msgs/ech_config.ts";
import { encodeEchInner } from "../src/msgs/ech_inner.ts";
import { type ClientHello, writeClientHello } from "../src/msgs/client_hello.ts";
import { Writer } from "../src/msgs/codec.ts";
import { AlertDescription, ExtensionType, HandshakeType, NamedGroup } from "../src/msgs/enums.ts";
import type {
  ClientHelloExtension,
  EchOuterClientHelloExtension,
} from "../src/msgs/extension_types.ts";
import { encodeHandshake, splitHandshakeMessages } from "../src/msgs/handshake.ts";
import { hpkeSuite, setupBaseSender } from "../src/crypto/hpke/hpke.ts";
import type { HpkeContext } from "../src/crypto/hpke/hpke.ts";
import { webCryptoProvider } from "../src/crypto/webcrypto/provider.ts";
import { Endpoint, joinBytes, splitRecords } from "./_pair.ts";

const key = await generateEchConfig({ publicName: "public.test", configId: 3 });
const [config] = readEchConfigList(key.configList);
const provider = await webCryptoProvider();
const suite = hpkeSuite(provider, 0x0020, 1, 1)!;
const x25519 = provider.kxGroups.find((g) => g.group === NamedGroup.x25519)!;

/** The extensions both hellos share (and the inner compresses). */
async function shared(): Promise<ClientHelloExtension[]> {
  const share = await x25519.start();
  return [
    { type: ExtensionType.supported_groups, groups: [NamedGroup.x25519, NamedGroup.secp256r1] },
    { type: ExtensionType.signature_algorithms, schemes: [0x0403] },
    { type: ExtensionType.supported_versions, versions: [0x0304] },
    {
      type: ExtensionType.key_share,
      shares: [{ group: share.group, keyExchange: share.publicKey }],
    },
  ];
}

function hello(random: number, extensions: ClientHelloExtension[]): ClientHello {
  return {
    type: HandshakeType.client_hello,
    legacyVersion: 0x0303,
    random: new Uint8Array(32).fill(random),
    legacySessionId: new Uint8Array(32).fill(9),
    cipherSuites: [0x1301],
    legacyCompressionMethods: new Uint8Array([0]),
    extensions,
  };
}

/** A sealed ClientHelloOuter record whose plaintext `inner` builds from the outer hello. */
async function outerRecord(
  inner: (outer: ClientHello) => Uint8Array,
  opts: {
    context?: HpkeContext;
    enc?: Uint8Array;
    tamper?: (p: Uint8Array) => Uint8Array;
    configId?: number;
  } = {},
): Promise<{ record: Uint8Array; context: HpkeContext; outer: ClientHello }> {
  const base = hello(1, [
    { type: ExtensionType.server_name, hostName: "public.test" },
    ...await shared(),
  ]);
  const sender = opts.context
    ? { enc: opts.enc ?? new Uint8Array(0), context: opts.context }
    : await setupBaseSender(suite, config.contents!.publicKey, echHpkeInfo(config.raw));
  const plaintext = inner(base);
  const ext: EchOuterClientHelloExtension = {
    type: ExtensionType.encrypted_client_hello,
    kind: "outer",
    cipherSuite: { kdfId: 1, aeadId: 1 },
    configId: opts.configId ?? 3,
    enc: opts.enc ?? sender.enc,
    payload: new Uint8Array(plaintext.length + 16),
  };
  const outer = { ...base, extensions: [...base.extensions, ext] };
  const aad = new Writer();
  writeClientHello(aad, outer);
  ext.payload = await sender.context.seal(aad.finish(), plaintext);
  if (opts.tamper) ext.payload = opts.tamper(ext.payload);
  const msg = encodeHandshake(outer);
  const record = new Uint8Array(5 + msg.length);
  record.set([22, 3, 1, msg.length >> 8, msg.length & 0xff]);
  record.set(msg, 5);
  return { record, context: sender.context, outer };
}

/** A well-formed inner hello: the marker, the shared extensions compressed. */
function innerHello(outer: ClientHello, extra: ClientHelloExtension[] = []): ClientHello {
  return hello(2, [
    { type: ExtensionType.server_name, hostName: "private.test" },
    { type: ExtensionType.encrypted_client_hello, kind: "inner" },
    ...extra,
    ...outer.extensions.filter((e) => e.type !== ExtensionType.server_name),
  ]);
}

const COMPRESSED: number[] = [
  ExtensionType.supported_groups,
  ExtensionType.signature_algorithms,
  ExtensionType.supported_versions,
  ExtensionType.key_share,
];

/** Replaces ech_outer_extensions' list in a well-formed EncodedClientHelloInner. */
function withReferences(
  types: number[],
  extra: ClientHelloExtension[] = [],
): (outer: ClientHello) => Uint8Array {
  return (outer) => {
    const inner = innerHello(outer);
    const exts = [...inner.extensions.filter((e) => !COMPRESSED.includes(e.type)), ...extra];
    const w = new Writer();
    writeClientHello(w, {
      ...inner,
      legacySessionId: new Uint8Array(0),
      extensions: [...exts, { type: ExtensionType.ech_outer_extensions, types }],
    });
    return w.finish();
  };
}

/** Feeds `record` to a fresh ECH server; returns its error and what it sent. */
async function serve(
  record: Uint8Array,
  kxGroups?: number[],
  trialDecryption?: boolean,
): Promise<{ error: unknown; sent: Uint8Array; server: Endpoint }> {
  const conn = new UnbufferedServerConnection(
    new ServerConfig({
      certResolver: () => undefined,
      ech: { keys: [key], trialDecryption },
      ...(kxGroups ? { kxGroups } : {}),
    }),
  );
  const server = new Endpoint(conn);
  server.captureErrors = true;
  server.peer = new Endpoint(conn); // a sink for what the server sends
  server.feed(record);
  await server.step();
  return { error: server.error, sent: joinBytes(server.sent), server };
}

function alertOf(error: unknown): number | undefined {
  assert.ok(error instanceof TlsError, `expected a TlsError, got ${error}`);
  if (error.alertDirection !== "received") {
    assert.ok(isTlsErrorDetail(error.detail), `detail ${error.detail}: ${error.message}`);
  }
  return error.alert;
}

describe("issue 18 item 3: hostile ECH input to our server", () => {
  const cases: [string, (outer: ClientHello) => Uint8Array, number][] = [
    ["a reference to an extension the outer hello lacks", withReferences([0x1234]), 47],
    ["a reference to encrypted_client_hello", withReferences([0xfe0d]), 47],
    [
      "a reference made twice",
      withReferences([ExtensionType.supported_groups, ExtensionType.supported_groups]),
      47,
    ],
    [
      "references out of the outer order",
      withReferences([ExtensionType.key_share, ExtensionType.supported_groups]),
      47,
    ],
    ["non-zero padding", (o) => {
      const p = encodeEchInner(innerHello(o), COMPRESSED, 8);
      p[p.length - 3] = 1;
      return p;
    }, 47],
    ["a truncated EncodedClientHelloInner", (o) => {
      const p = encodeEchInner(innerHello(o), COMPRESSED, 0);
      return p.subarray(0, p.length - 7);
    }, 50],
    [
      "an inner extension duplicated by a reference",
      withReferences(COMPRESSED, [{ type: ExtensionType.key_share, shares: [] }]),
      47,
    ],
    ["an inner hello without the inner marker", (o) =>
      encodeEchInner(
        {
          ...innerHello(o),
          extensions: innerHello(o).extensions.filter(
            (e) => e.type !== ExtensionType.encrypted_client_hello,
          ),
        },
        COMPRESSED,
        0,
      ), 47],
    [
      "an inner hello offering TLS 1.2",
      withReferences([ExtensionType.supported_groups, ExtensionType.signature_algorithms], [
        { type: ExtensionType.supported_versions, versions: [0x0304, 0x0303] },
        { type: ExtensionType.key_share, shares: [] },
      ]),
      47,
    ],
  ];
  it("control: the well-formed inner hello these cases break is accepted", async () => {
    const { record } = await outerRecord((o) => encodeEchInner(innerHello(o), COMPRESSED, 5));
    const { error, server } = await serve(record);
    const conn = server.conn as UnbufferedServerConnection;
    assert.equal(conn.echAccepted, true);
    assert.equal(conn.serverName, "private.test");
    // No certificate at all here: the inner handshake goes as far as that.
    assert.equal((error as TlsError).detail, "NoSuitableCertificate");
  });

  it("a config_id we do not know: rejected, unless trial decryption is on", async () => {
    for (const trial of [false, true]) {
      const { record } = await outerRecord((o) => encodeEchInner(innerHello(o), COMPRESSED, 0), {
        configId: 99,
      });
      const { server } = await serve(record, undefined, trial);
      assert.equal((server.conn as UnbufferedServerConnection).echAccepted, trial);
    }
  });

  for (const [name, inner, alert] of cases) {
    it(`${name}: alert ${alert}`, async () => {
      const { record } = await outerRecord(inner);
      const { error } = await serve(record);
      assert.equal(alertOf(error), alert);
      assert.match((error as TlsError).detail!, /^(InvalidEch|MessageTooShort)/);
    });
  }

  it("a payload that does not open is no error: ECH is rejected, the outer hello served", async () => {
    for (
      const tamper of [
        (p: Uint8Array) => p.subarray(0, p.length - 1),
        (p: Uint8Array) => p.map((b, i) => i === 0 ? b ^ 1 : b),
      ]
    ) {
      const { record } = await outerRecord((o) => encodeEchInner(innerHello(o), COMPRESSED, 0), {
        tamper,
      });
      const { error } = await serve(record);
      // No certificate for the public name here: the outer handshake goes as far as that.
      assert.equal((error as TlsError).detail, "NoSuitableCertificate");
    }
  });

  it("an inner encrypted_client_hello on the wire, or ech_outer_extensions: illegal_parameter", async () => {
    for (
      const ext of [
        { type: ExtensionType.encrypted_client_hello, kind: "inner" },
        { type: ExtensionType.ech_outer_extensions, types: [10] },
      ] as ClientHelloExtension[]
    ) {
      const msg = encodeHandshake(hello(1, [...await shared(), ext]));
      const record = new Uint8Array([22, 3, 1, msg.length >> 8, msg.length & 0xff, ...msg]);
      assert.equal(alertOf((await serve(record)).error), AlertDescription.illegal_parameter);
    }
  });

  it("a malformed encrypted_client_hello: decode_error; an unknown type: illegal_parameter", async () => {
    for (
      const [data, alert] of [
        [new Uint8Array([0, 0, 1, 0, 1, 3, 0, 2, 1]), 50],
        [new Uint8Array([2]), 47],
      ] as const
    ) {
      // Written as an unknown type, then renamed: our encoder refuses such bodies.
      const msg = encodeHandshake(hello(1, [...await shared(), { type: 0xfe0e, data }]));
      const at = msg.findIndex((b, i) => b === 0xfe && msg[i + 1] === 0x0e);
      msg[at + 1] = 0x0d;
      const record = new Uint8Array([22, 3, 1, msg.length >> 8, msg.length & 0xff, ...msg]);
      assert.equal(alertOf((await serve(record)).error), alert);
    }
  });

  describe("the second ClientHelloOuter after an accepting HelloRetryRequest (7.1.1)", () => {
    /** A server that accepted ECH and sent a HelloRetryRequest for P-256. */
    async function afterRetry() {
      const first = await outerRecord((o) => encodeEchInner(innerHello(o), COMPRESSED, 0));
      const res = await serve(first.record, [NamedGroup.secp256r1]);
      assert.equal(res.error, undefined);
      const hrr =
        splitRecords(res.sent).flatMap((r) =>
          r.bytes[0] === 22 ? splitHandshakeMessages(r.bytes.subarray(5)) : []
        )[0];
      assert.equal(hrr.type, HandshakeType.server_hello);
      return { ...res, context: first.context };
    }

    it("without encrypted_client_hello: missing_extension", async () => {
      const { server } = await afterRetry();
      const msg = encodeHandshake(hello(1, await shared()));
      server.feed(new Uint8Array([22, 3, 3, msg.length >> 8, msg.length & 0xff, ...msg]));
      await server.step();
      assert.equal(alertOf(server.error), AlertDescription.missing_extension);
    });

    it("with a non-empty enc: illegal_parameter", async () => {
      const { server, context } = await afterRetry();
      const { record } = await outerRecord(
        (o) => encodeEchInner(innerHello(o), COMPRESSED, 0),
        { context, enc: new Uint8Array(32).fill(5) },
      );
      server.feed(record);
      await server.step();
      assert.equal(alertOf(server.error), AlertDescription.illegal_parameter);
    });

    it("with a payload that does not open: decrypt_error", async () => {
      const { server, context } = await afterRetry();
      const { record } = await outerRecord(
        (o) => encodeEchInner(innerHello(o), COMPRESSED, 0),
        { context, tamper: (p) => p.map((b, i) => i === 3 ? b ^ 0x80 : b) },
      );
      server.feed(record);
      await server.step();
      assert.equal(alertOf(server.error), AlertDescription.decrypt_error);
    });
  });
});
