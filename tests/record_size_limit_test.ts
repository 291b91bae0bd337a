// record_size_limit (RFC 8449), our client against our server in memory:
// every protected record on the wire stays within the limit the receiver
// advertised (TLS 1.3 counting the inner content type byte), maxFragmentSize
// still caps, a larger record is record_overflow (before and after the
// kernel hand-off), and a value below 64 is illegal_parameter.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { AlertDescription, ContentType, ExtensionType, HandshakeType } from "../src/msgs/enums.ts";
import { ClientConfig } from "../src/client/config.ts";
import { ServerConfig } from "../src/server/config.ts";
import { UnbufferedClientConnection, UnbufferedServerConnection } from "../src/conn/unbuffered.ts";
import { run, Side } from "./_resumption_pair.ts";
import { TlsError } from "../src/error.ts";
import { KernelRecordLayer } from "../src/kernel/record_layer.ts";
import type { KernelConnectionLike } from "../src/kernel/types.ts";
import type { KernelConnection } from "../src/conn/kernel.ts";
import { type Endpoint, joinBytes, splitRecords } from "./_pair.ts";
import { connectPair, makePairPki } from "./_pair_setup.ts";
import { editMessages, tamperedPair } from "./_tamper.ts";
import { randomBytes } from "./_client_drive.ts";

const pki = makePairPki();
const TLS13 = { cipherSuites: [0x1301] }; // AES-128-GCM: 16-byte tag
const TLS12 = { versions: ["TLSv1_2" as const], cipherSuites: [0xc02b] }; // + 8-byte explicit nonce

/**
 * The largest record content (TLS 1.3: TLSInnerPlaintext, content type
 * byte included) each protected record `side` sent carried, and how many
 * protected records it sent.
 */
function protectedSizes(side: Endpoint, tls12: boolean): number[] {
  const sizes: number[] = [];
  let afterCcs = false;
  for (const rec of splitRecords(joinBytes(side.sent))) {
    const body = rec.bytes.length - 5;
    if (rec.type === ContentType.change_cipher_spec) {
      afterCcs = true;
      continue;
    }
    if (tls12 ? afterCcs : rec.type === ContentType.application_data) {
      sizes.push(body - 16 - (tls12 ? 8 : 0));
    }
  }
  return sizes;
}

describe("record_size_limit (RFC 8449)", () => {
  for (const [version, suites] of [["TLS 1.3", TLS13], ["TLS 1.2", TLS12]] as const) {
    const tls12 = version === "TLS 1.2";
    it(`${version}: client 64 / server 1000: every protected record within the receiver's limit`, async () => {
      const c2s = randomBytes(5000);
      const s2c = randomBytes(5000);
      const { client, server } = await connectPair(pki, {
        client: { ...suites, recordSizeLimit: 64 },
        server: { ...suites, recordSizeLimit: 1000 },
        clientData: c2s,
        serverData: s2c,
      });
      assert.deepEqual(server.receivedBytes(), c2s);
      assert.deepEqual(client.receivedBytes(), s2c);
      const toClient = protectedSizes(server, tls12);
      const toServer = protectedSizes(client, tls12);
      // The limits bind: 5000 bytes took many small records each way.
      assert.ok(
        toClient.length >= Math.ceil(5000 / 64),
        `${toClient.length} records to the client`,
      );
      assert.ok(toServer.length >= Math.ceil(5000 / 1000));
      assert.ok(
        Math.max(...toClient) <= 64,
        `largest record to the client: ${Math.max(...toClient)}`,
      );
      assert.ok(
        Math.max(...toServer) <= 1000,
        `largest record to the server: ${Math.max(...toServer)}`,
      );
      // And are used to the full: no needless fragmentation.
      assert.equal(Math.max(...toClient), 64);
      assert.equal(Math.max(...toServer), 1000);
    });

    it(`${version}: a resumed handshake negotiates the limits again`, async () => {
      const clientConfig = new ClientConfig({ roots: pki.roots(), ...suites, recordSizeLimit: 64 });
      const serverConfig = new ServerConfig({
        certificateChain: pki.leaves.p256.certPem,
        privateKey: pki.leaves.p256.keyPem,
        ...suites,
        recordSizeLimit: 1000,
      });
      const kinds = [];
      for (let i = 0; i < 2; i++) {
        const data = randomBytes(3000);
        const { client, server, clientConn } = await connectPair(pki, {
          clientConfig,
          serverConfig,
          clientData: data,
          serverData: data,
        });
        kinds.push(clientConn.handshakeKind);
        assert.deepEqual(client.receivedBytes(), data);
        assert.equal(Math.max(...protectedSizes(server, tls12)), 64);
        assert.equal(Math.max(...protectedSizes(client, tls12)), 1000);
      }
      assert.deepEqual(kinds, ["Full", "Resumed"]);
    });

    it(`${version}: maxFragmentSize below the peer's limit still wins`, async () => {
      const data = randomBytes(3000);
      const { client } = await connectPair(pki, {
        client: { ...suites, maxFragmentSize: 100 },
        server: { ...suites, recordSizeLimit: 1000 },
        clientData: data,
      });
      const sizes = protectedSizes(client, tls12);
      // TLS 1.3 counts the content type byte: 100 bytes of data take 101.
      assert.equal(Math.max(...sizes), tls12 ? 100 : 101);
    });
  }

  it("the defaults: 16385 offered, 16384-byte records of data", async () => {
    const offered: number[] = [];
    const answered: number[] = [];
    const peek = (into: number[], type: number) =>
      editMessages((m) => {
        if (m.type === type) {
          const i = findRecordSizeLimit(m.encoded);
          if (i >= 0) into.push((m.encoded[i + 4] << 8) | m.encoded[i + 5]);
        }
        return undefined;
      });
    const run = await tamperedPair(pki, {
      toServer: peek(offered, HandshakeType.client_hello),
      toClient: peek(answered, HandshakeType.encrypted_extensions),
      serverData: randomBytes(40000),
    });
    assert.equal(run.clientError, undefined);
    assert.deepEqual([offered, answered], [[16385], [16385]]);
    const sizes = protectedSizes(run.server, false);
    assert.equal(Math.max(...sizes), 16385);
  });

  /** A TLS 1.3 pair handed off, client limit 64, server limit 500. */
  async function handedOff() {
    const { clientConn, serverConn } = await connectPair(pki, {
      client: { ...TLS13, recordSizeLimit: 64, enableSecretExtraction: true },
      server: { ...TLS13, recordSizeLimit: 500, enableSecretExtraction: true },
    });
    return { clientConn, c: await clientConn.dangerousIntoKernelConnection(), serverConn };
  }

  /** A layer for `connection` that knows nothing of record_size_limit. */
  function unaware(connection: KernelConnection): KernelConnectionLike {
    return {
      protocolVersion: connection.protocolVersion,
      negotiatedCipherSuite: connection.negotiatedCipherSuite,
      updateTxSecret: () => connection.updateTxSecret(),
      updateRxSecret: () => connection.updateRxSecret(),
    };
  }

  it("a protected record over our limit is record_overflow (connection and kernel layer)", async () => {
    const overflow = (e: unknown) =>
      e instanceof TlsError && e.alert === AlertDescription.record_overflow;
    // Before the hand-off: a server-side layer that ignores the client's
    // limit seals a larger record; the client's connection refuses it. In
    // TLS 1.3, 64 bytes of data are 65 with the content type byte.
    for (const [suites, size] of [[TLS13, 64], [TLS12, 65]] as const) {
      const first = await connectPair(pki, {
        client: { ...suites, recordSizeLimit: 64 },
        server: { ...suites, enableSecretExtraction: true },
      });
      const s1 = await first.serverConn.dangerousIntoKernelConnection();
      const layer = await KernelRecordLayer.create(s1.secrets, unaware(s1.connection));
      // One byte less is exactly the limit, and is taken.
      const fits = await first.clientConn.processTlsRecords(
        await layer.seal(randomBytes(size - 1)),
      );
      assert.equal(fits.state.kind, "ReadTraffic");
      if (fits.state.kind === "ReadTraffic") {
        assert.equal(fits.state.nextRecord()?.payload.length, size - 1);
      }
      const big = await layer.seal(randomBytes(size));
      await assert.rejects(first.clientConn.processTlsRecords(big), overflow);
    }
    // After the hand-off: the client's KernelRecordLayer holds the limit too.
    const { c, serverConn } = await handedOff();
    const s = await serverConn.dangerousIntoKernelConnection();
    const clientLayer = await KernelRecordLayer.create(c.secrets, c.connection);
    const sealed = await (await KernelRecordLayer.create(s.secrets, unaware(s.connection)))
      .seal(randomBytes(64));
    await assert.rejects(clientLayer.open(sealed), overflow);
  });

  it("after the hand-off: the kernel connection carries both limits, the layer cuts to the peer's", async () => {
    const { c, serverConn } = await handedOff();
    const s = await serverConn.dangerousIntoKernelConnection();
    assert.deepEqual([c.connection.maxFragmentSize, c.connection.recordSizeLimit], [499, 64]);
    assert.deepEqual([s.connection.maxFragmentSize, s.connection.recordSizeLimit], [63, 500]);
    const clientLayer = await KernelRecordLayer.create(c.secrets, c.connection);
    const serverLayer = await KernelRecordLayer.create(s.secrets, s.connection);
    const sealed = await serverLayer.seal(randomBytes(1000));
    const sizes = splitRecords(sealed).map((r) => r.bytes.length - 5 - 16);
    assert.equal(sizes.length, Math.ceil(1000 / 63));
    assert.equal(Math.max(...sizes), 64);
    const opened = await clientLayer.open(sealed);
    assert.equal(opened.data.reduce((n, d) => n + d.length, 0), 1000);
    const back = await clientLayer.seal(randomBytes(2000));
    assert.equal(Math.max(...splitRecords(back).map((r) => r.bytes.length - 5 - 16)), 500);
    const openedBack = await serverLayer.open(back);
    assert.equal(openedBack.data.reduce((n, d) => n + d.length, 0), 2000);
  });

  it("a value below 64 is illegal_parameter, from either side", async () => {
    const to63 = (type: number) =>
      editMessages((m) => {
        if (m.type !== type) return undefined;
        const i = findRecordSizeLimit(m.encoded);
        const out = m.encoded.slice();
        out.set([0, 63], i + 4);
        return out;
      });
    const fromServer = await tamperedPair(pki, {
      toClient: to63(HandshakeType.encrypted_extensions),
    });
    assert.equal(fromServer.clientError?.alert, AlertDescription.illegal_parameter);
    assert.equal(fromServer.clientError?.detail, "RecordSizeLimitTooSmall");
    const fromClient = await tamperedPair(pki, { toServer: to63(HandshakeType.client_hello) });
    assert.equal(fromClient.serverError?.alert, AlertDescription.illegal_parameter);
    assert.equal(fromClient.serverError?.detail, "RecordSizeLimitTooSmall");
  });

  it("accepted 0-RTT data is not held to the server's limit; what follows is", async () => {
    const cc = new ClientConfig({ roots: pki.roots(), enableEarlyData: true, ...TLS13 });
    const sc = new ServerConfig({
      certificateChain: pki.leaves.p256.certPem,
      privateKey: pki.leaves.p256.keyPem,
      maxEarlyDataSize: 4096,
      recordSizeLimit: 64,
      ...TLS13,
    });
    const early = randomBytes(1000);
    let second: { c: Side; s: Side } | undefined;
    for (const earlyToSend of [undefined, early]) {
      const c = new Side(await UnbufferedClientConnection.create(cc, "localhost"));
      const s = new Side(new UnbufferedServerConnection(sc));
      if (earlyToSend) c.earlyToSend = earlyToSend;
      c.pendingWrites.push(randomBytes(500));
      await run(c, s);
      second = { c, s };
    }
    // One 1000-byte early record (sent before the client knew the limit) was taken.
    assert.equal(second!.c.earlyConsumed, 1000);
    assert.deepEqual(joinBytes(second!.s.early), early);
    assert.equal(joinBytes(second!.s.received).length, 500);
    // Every other protected record of the client (EndOfEarlyData, Finished,
    // the 500 bytes of data) keeps to the limit.
    const inner = splitRecords(joinBytes(second!.c.sentLog))
      .filter((r) => r.type === ContentType.application_data)
      .map((r) => r.bytes.length - 5 - 16);
    assert.deepEqual(inner.filter((n) => n > 64), [1001]);
    assert.ok(inner.length > 500 / 63);
  });

  it("config: recordSizeLimit outside 64..16385 is a TypeError", () => {
    for (const bad of [63, 16386, 1.5]) {
      assert.throws(() => new ClientConfig({ recordSizeLimit: bad }), TypeError);
      assert.throws(
        () => new ServerConfig({ certificateChain: pki.leaves.p256.certPem, recordSizeLimit: bad }),
        TypeError,
      );
    }
  });
});

/**
 * Offset of the record_size_limit extension in an encoded ClientHello or
 * EncryptedExtensions (walking its extensions block), or -1.
 */
function findRecordSizeLimit(encoded: Uint8Array): number {
  let at = 4; // EncryptedExtensions: the block right after the header
  if (encoded[0] === HandshakeType.client_hello) {
    at += 2 + 32;
    at += 1 + encoded[at];
    at += 2 + ((encoded[at] << 8) | encoded[at + 1]);
    at += 1 + encoded[at];
  }
  const end = at + 2 + ((encoded[at] << 8) | encoded[at + 1]);
  for (let i = at + 2; i + 4 <= end; i += 4 + ((encoded[i + 2] << 8) | encoded[i + 3])) {
    if (((encoded[i] << 8) | encoded[i + 1]) === ExtensionType.record_size_limit) return i;
  }
  return -1;
}
