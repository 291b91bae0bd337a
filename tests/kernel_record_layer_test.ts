// KernelRecordLayer against itself, with secrets built by hand.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { KernelRecordLayer, type KernelRecordLayerOptions } from "../src/kernel/record_layer.ts";
import { TlsError } from "../src/error.ts";
import { readRecord } from "../src/record/deframer.ts";
import {
  ContentType,
  forgeRecord,
  type KernelEnd,
  kernelPair,
  testProvider,
  tls13Suites,
} from "./_kernel_pair.ts";
import type { Tls13CipherSuite } from "../src/crypto/types.ts";

const suites = await tls13Suites();
const aes128 = suites.find((s) => s.aead.kind === "Aes128Gcm")!;

function pattern(n: number, seed = 0): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = (i * 31 + seed * 7 + (i >> 8)) & 0xff;
  return out;
}

function join(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

function countRecords(wire: Uint8Array): number {
  let n = 0;
  for (let off = 0; off < wire.length; n++) off += readRecord(wire.subarray(off))!.length;
  return n;
}

async function layers(
  suite: Tls13CipherSuite,
  clientOptions: KernelRecordLayerOptions = {},
  serverOptions: KernelRecordLayerOptions = {},
): Promise<{ c: KernelRecordLayer; s: KernelRecordLayer; client: KernelEnd; server: KernelEnd }> {
  const { client, server } = await kernelPair(suite);
  const provider = await testProvider();
  const c = await KernelRecordLayer.create(client.secrets, client.connection, {
    provider,
    ...clientOptions,
  });
  const s = await KernelRecordLayer.create(server.secrets, server.connection, {
    provider,
    ...serverOptions,
  });
  return { c, s, client, server };
}

async function expectTlsError(
  p: Promise<unknown>,
  alert: number,
  kind?: string,
): Promise<TlsError> {
  let caught: unknown;
  try {
    await p;
  } catch (e) {
    caught = e;
  }
  assert.ok(caught instanceof TlsError, `expected a TlsError, got ${caught}`);
  assert.equal(caught.alert, alert, caught.message);
  if (kind) assert.equal(caught.kind, kind);
  return caught;
}

describe("KernelRecordLayer round trips", () => {
  for (const suite of suites) {
    it(`${suite.name}: several sizes and fragment sizes both ways`, async () => {
      for (const frag of [16384, 1000, 7]) {
        const { c, s } = await layers(suite, { maxFragmentSize: frag }, { maxFragmentSize: frag });
        const sizes = frag === 7 ? [0, 1, 7, 8, 100] : [0, 1, 999, 1000, 16384, 16385, 50_000];
        for (const [i, n] of sizes.entries()) {
          const msg = pattern(n, i);
          const wire = await c.seal(msg);
          assert.equal(countRecords(wire), Math.ceil(n / frag));
          const got = await s.open(wire);
          assert.deepEqual(join(got.data), msg);
          assert.equal(got.toSend.length, 0);
          const back = await s.seal(msg);
          assert.deepEqual(join((await c.open(back)).data), msg);
        }
        assert.equal(c.txSeq, s.rxSeq);
        assert.equal(s.txSeq, c.rxSeq);
      }
    });
  }

  it("starts from the handed-off sequence numbers", async () => {
    const { client, server } = await kernelPair(aes128, { c2s: 5n, s2c: 9n });
    const c = await KernelRecordLayer.create(client.secrets, client.connection);
    const s = await KernelRecordLayer.create(server.secrets, server.connection);
    assert.equal(c.txSeq, 5n);
    assert.equal(c.rxSeq, 9n);
    assert.deepEqual(join((await s.open(await c.seal(pattern(10)))).data), pattern(10));
    assert.equal(s.rxSeq, 6n);
  });

  it("pipelined sealing gives the same bytes, in order, as one at a time", async () => {
    const msg = pattern(40 * 512, 3);
    const a = await layers(aes128, { maxFragmentSize: 512, maxInFlight: 1 });
    const b = await layers(aes128, { maxFragmentSize: 512, maxInFlight: 16 });
    const sequential = await a.c.seal(msg);
    const pipelined = await b.c.seal(msg);
    assert.equal(countRecords(pipelined), 40);
    assert.deepEqual(pipelined, sequential);
    // Overlapping calls are queued in call order.
    const [x, y, z] = await Promise.all([
      b.c.seal(pattern(3000, 1)),
      b.c.seal(pattern(2000, 2)),
      b.c.seal(pattern(1000, 3)),
    ]);
    const opened = await b.s.open(join([pipelined, x, y, z]));
    assert.deepEqual(
      join(opened.data),
      join([msg, pattern(3000, 1), pattern(2000, 2), pattern(1000, 3)]),
    );
  });

  it("buffers partial records across calls, byte by byte and in odd chunks", async () => {
    const { c, s } = await layers(aes128, { maxFragmentSize: 100 }, { maxInFlight: 3 });
    const msg = pattern(1000, 4);
    const wire = await c.seal(msg);
    const got: Uint8Array[] = [];
    for (let i = 0; i < 200; i++) got.push(...(await s.open(wire.subarray(i, i + 1))).data);
    for (let i = 200; i < wire.length; i += 37) {
      got.push(...(await s.open(wire.subarray(i, Math.min(wire.length, i + 37)))).data);
    }
    assert.deepEqual(join(got), msg);
    // A record announced but not complete is simply waited for.
    const more = await c.seal(pattern(50));
    const first = await s.open(more.subarray(0, more.length - 1));
    assert.equal(first.data.length, 0);
    assert.deepEqual(join((await s.open(more.subarray(more.length - 1))).data), pattern(50));
  });

  it("joins records split anywhere, while the caller reuses its read buffer", async () => {
    // Issue 16 item 2: only the record left incomplete is copied to join it;
    // every later record is a view of the caller's bytes while it is opened.
    const { c, s } = await layers(aes128, {}, { maxInFlight: 4 });
    const msg = pattern(300_000, 5);
    const wire = join([await c.seal(msg), await c.seal(pattern(10, 6))]);
    const buf = new Uint8Array(70_000);
    const got: Uint8Array[] = [];
    let x = 12345;
    for (let at = 0; at < wire.length;) {
      x = (x * 1103515245 + 12345) & 0x7fffffff;
      // Mostly large reads; sometimes a few bytes, so headers get split too.
      const n = Math.min(wire.length - at, x % 3 === 0 ? 1 + (x % 7) : x % buf.length);
      buf.set(wire.subarray(at, at + n));
      at += n;
      for (const d of (await s.open(buf.subarray(0, n))).data) got.push(d.slice());
      buf.fill(0xee); // the layer must not read these bytes again
    }
    assert.deepEqual(join(got), join([msg, pattern(10, 6)]));
  });
});

describe("KernelRecordLayer key updates", () => {
  for (const suite of suites) {
    it(`${suite.name}: KeyUpdate both ways for several generations`, async () => {
      const { c, s } = await layers(suite);
      for (let gen = 1; gen <= 3; gen++) {
        // Client asks; the server applies it and answers in toSend.
        const ku = await c.keyUpdate(true);
        const atServer = await s.open(join([ku, await c.seal(pattern(100, gen))]));
        assert.deepEqual(join(atServer.data), pattern(100, gen));
        assert.ok(atServer.toSend.length > 0, "the server answers update_requested");
        const atClient = await c.open(join([atServer.toSend, await s.seal(pattern(50, gen))]));
        assert.deepEqual(join(atClient.data), pattern(50, gen));
        assert.equal(atClient.toSend.length, 0, "update_not_requested is not answered");
        // Server updates without asking.
        const ku2 = await s.keyUpdate(false);
        const quiet = await c.open(join([ku2, await s.seal(pattern(10, gen))]));
        assert.equal(quiet.toSend.length, 0);
        assert.deepEqual(join(quiet.data), pattern(10, gen));
      }
      assert.deepEqual(
        [c.stats.txKeyUpdates, c.stats.rxKeyUpdates, s.stats.txKeyUpdates, s.stats.rxKeyUpdates],
        [3, 6, 6, 3],
      );
      assert.equal(c.txSeq, 1n, "one record since the last update");
      assert.equal(s.rxSeq, 1n);
    });
  }

  it("a KeyUpdate in the middle of a pipelined batch re-opens the rest under the new key", async () => {
    const { c, s } = await layers(aes128, { maxFragmentSize: 100 }, { maxInFlight: 8 });
    const before = await c.seal(pattern(300, 1));
    const ku = await c.keyUpdate(false);
    const after = await c.seal(pattern(500, 2));
    const got = await s.open(join([before, ku, after]));
    assert.deepEqual(join(got.data), join([pattern(300, 1), pattern(500, 2)]));
    assert.equal(s.rxSeq, 5n);
  });

  it("rotates the send key before the confidentiality limit", async () => {
    const { c, s } = await layers(aes128, { maxFragmentSize: 10, confidentialityLimit: 3n });
    const msg = pattern(100, 5);
    const wire = await c.seal(msg);
    // 10 data records, a KeyUpdate before every third record under one key.
    assert.equal(countRecords(wire), 14);
    assert.equal(c.stats.txKeyUpdates, 4);
    const got = await s.open(wire);
    assert.deepEqual(join(got.data), msg);
    assert.equal(s.stats.rxKeyUpdates, 4);
    assert.ok(s.rxSeq < 3n);
    // Keeps going across calls.
    for (let i = 0; i < 5; i++) {
      assert.deepEqual(join((await s.open(await c.seal(pattern(25, i)))).data), pattern(25, i));
    }
    assert.ok(c.txSeq <= 2n);
  });

  it("refuses a limit below 2; a TLS 1.2 connection gets no KeyUpdate", async () => {
    const { client } = await kernelPair(aes128);
    await assert.rejects(
      KernelRecordLayer.create(client.secrets, client.connection, { confidentialityLimit: 1n }),
      RangeError,
    );
    const tls12 = {
      protocolVersion: "TLSv1_2" as const,
      negotiatedCipherSuite: client.connection.negotiatedCipherSuite,
      updateTxSecret: () => client.connection.updateTxSecret(),
      updateRxSecret: () => client.connection.updateRxSecret(),
    };
    // TLS 1.2 is supported (tests/tls12_kernel_memory_test.ts); it just has no KeyUpdate.
    const layer = await KernelRecordLayer.create(client.secrets, tls12);
    await assert.rejects(layer.keyUpdate(false), TlsError);
  });
});

describe("KernelRecordLayer failures", () => {
  it("a bad tag is bad_record_mac and the layer is dead afterwards", async () => {
    const { c, s } = await layers(aes128);
    const wire = await c.seal(pattern(64));
    wire[wire.length - 1] ^= 1;
    const err = await expectTlsError(s.open(wire), 20, "DecryptError");
    assert.equal(s.error, err);
    await expectTlsError(s.open(new Uint8Array(0)), 20);
    await expectTlsError(s.seal(pattern(1)), 20);
    // Our alert for it goes out under the send key; the peer reads it as an error.
    const alert = await s.fatalAlert();
    assert.ok(alert.length > 0);
    assert.equal((await s.fatalAlert()).length, 0, "once");
    const received = await expectTlsError(c.open(alert), 20, "AlertReceived");
    assert.equal(received.alertDirection, "received");
  });

  it("a record too short for a tag is bad_record_mac", async () => {
    const { s } = await layers(aes128);
    await expectTlsError(s.open(new Uint8Array([23, 3, 3, 0, 3, 1, 2, 3])), 20);
  });

  it("an oversized record is record_overflow, before its body arrives", async () => {
    const { s } = await layers(aes128);
    await expectTlsError(s.open(new Uint8Array([23, 3, 3, 0x41, 0x01])), 22);
  });

  it("an oversized inner plaintext is record_overflow", async () => {
    const { client, server } = await kernelPair(aes128);
    const s = await KernelRecordLayer.create(server.secrets, server.connection);
    const big = await forgeRecord(aes128, client, 0n, ContentType.application_data, pattern(16385));
    await expectTlsError(s.open(big), 22);
  });

  it("wrong record and message types are unexpected_message", async () => {
    const { client, server } = await kernelPair(aes128);
    const cases: [number, Uint8Array][] = [
      [ContentType.handshake, new Uint8Array([20, 0, 0, 1, 0])], // Finished
      [ContentType.handshake, new Uint8Array([13, 0, 0, 0])], // CertificateRequest
      [ContentType.change_cipher_spec, new Uint8Array([1])],
    ];
    for (const [type, payload] of cases) {
      const s = await KernelRecordLayer.create(server.secrets, server.connection);
      await expectTlsError(s.open(await forgeRecord(aes128, client, 0n, type, payload)), 10);
    }
    const s = await KernelRecordLayer.create(server.secrets, server.connection);
    await expectTlsError(s.open(new Uint8Array([20, 3, 3, 0, 1, 1])), 10);
    // A KeyUpdate with a bad value, and a KeyUpdate followed by a fragment.
    const s2 = await KernelRecordLayer.create(server.secrets, server.connection);
    const bad = new Uint8Array([24, 0, 0, 1, 2]);
    await expectTlsError(s2.open(await forgeRecord(aes128, client, 0n, 22, bad)), 47);
    const s3 = await KernelRecordLayer.create(server.secrets, server.connection);
    const spans = new Uint8Array([24, 0, 0, 1, 0, 4, 0]);
    await expectTlsError(s3.open(await forgeRecord(aes128, client, 0n, 22, spans)), 10);
  });

  it("malformed alerts are decode_error; the peer's fatal alert is AlertReceived", async () => {
    const { client, server } = await kernelPair(aes128);
    const s = await KernelRecordLayer.create(server.secrets, server.connection);
    await expectTlsError(s.open(await forgeRecord(aes128, client, 0n, 21, pattern(3))), 50);
    const s2 = await KernelRecordLayer.create(server.secrets, server.connection);
    const fatal = await forgeRecord(aes128, client, 0n, 21, new Uint8Array([2, 40]));
    const e = await expectTlsError(s2.open(fatal), 40, "AlertReceived");
    assert.equal(e.alertDirection, "received");
    assert.equal((await s2.fatalAlert()).length, 0, "no alert answers a received alert");
  });

  it("NewSessionTicket: stored by a client kernel, unexpected on a server kernel", async () => {
    const { client, server } = await kernelPair(aes128);
    const body = new Uint8Array([
      ...[0, 0, 0x0e, 0x10], // lifetime
      ...[1, 2, 3, 4], // age_add
      ...[1, 9], // nonce
      ...[0, 3, 0x74, 0x6b, 0x74], // ticket
      ...[0, 0], // extensions
    ]);
    const nst = new Uint8Array([4, 0, 0, body.length, ...body]);
    const c = await KernelRecordLayer.create(client.secrets, client.connection);
    const atClient = await c.open(await forgeRecord(aes128, server, 0n, 22, nst));
    assert.equal(atClient.data.length, 0);
    assert.equal(c.stats.ticketsHandled, 1);
    // A ticket split over two records is joined first.
    const r1 = await forgeRecord(aes128, server, 1n, 22, nst.subarray(0, 6));
    const r2 = await forgeRecord(aes128, server, 2n, 22, nst.subarray(6));
    await c.open(join([r1, r2]));
    assert.equal(c.stats.ticketsHandled, 2);
    const c2 = await KernelRecordLayer.create(client.secrets, client.connection);
    const broken = new Uint8Array([4, 0, 0, 2, 0, 0]);
    await expectTlsError(c2.open(await forgeRecord(aes128, server, 0n, 22, broken)), 50);

    const s = await KernelRecordLayer.create(server.secrets, server.connection);
    await expectTlsError(s.open(await forgeRecord(aes128, client, 0n, 22, nst)), 10);
  });
});

describe("KernelRecordLayer closure", () => {
  it("close_notify sets peerClosed; nothing can be sealed after ours", async () => {
    const { c, s } = await layers(aes128);
    const data = await c.seal(pattern(20));
    const close = await c.closeNotify();
    const got = await s.open(join([data, close]));
    assert.deepEqual(join(got.data), pattern(20));
    assert.equal(got.peerClosed, true);
    assert.equal(s.peerClosed, true);
    assert.equal((await s.open(new Uint8Array(0))).peerClosed, true);
    await assert.rejects(c.seal(pattern(1)), TypeError);
    await assert.rejects(c.closeNotify(), TypeError);
    // The other direction still works until the server closes too.
    assert.deepEqual(join((await c.open(await s.seal(pattern(5)))).data), pattern(5));
  });

  it("anything after close_notify is an error, in the same call or later", async () => {
    const a = await layers(aes128);
    const close = await a.c.closeNotify();
    const { client } = a;
    const after = await forgeRecord(aes128, client, 1n, ContentType.application_data, pattern(4));
    await expectTlsError(a.s.open(join([close, after])), 10);

    const b = await layers(aes128);
    await b.s.open(await b.c.closeNotify());
    await expectTlsError(b.s.open(new Uint8Array([0xde, 0xad])), 10);

    const d = await layers(aes128);
    const close2 = await d.c.closeNotify();
    await expectTlsError(d.s.open(join([close2, new Uint8Array([0xff, 1, 2])])), 10);
  });
});

describe("ExtractedSecrets as plain data", () => {
  it("structuredClone keeps every field, and a layer works from the clone", async () => {
    const { client, server } = await kernelPair(aes128, { c2s: 3n });
    const cloned = structuredClone(client.secrets);
    assert.deepEqual(cloned, client.secrets);
    assert.equal(cloned.tx.seq, 3n);
    assert.ok(cloned.tx.secrets.key instanceof Uint8Array);
    assert.ok(cloned.tx.trafficSecret instanceof Uint8Array);
    const c = await KernelRecordLayer.create(cloned, client.connection);
    const s = await KernelRecordLayer.create(structuredClone(server.secrets), server.connection);
    assert.deepEqual(join((await s.open(await c.seal(pattern(9)))).data), pattern(9));
  });
});
