// Issue 16 item 2: after the handshake the connection core decrypts up to 16
// records at once and handles them in order. Whatever sits in one buffer (a
// KeyUpdate, close_notify, a record that does not authenticate), the outcome
// must be the one of reading the records one by one.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { TlsError } from "../src/error.ts";
import { AlertDescription } from "../src/msgs/enums.ts";
import { connectPair, makePairPki, type Pair, text, utf8 } from "./_pair_setup.ts";
import { runPair } from "./_pair.ts";
import { ContentType, forgeRecord, tls13Suites } from "./_kernel_pair.ts";
import { type ProtectedRecord, Tls13Reader, Tls13Writer } from "../src/record/record_io.ts";

const pki = makePairPki();

async function established(version: "TLSv1_3" | "TLSv1_2"): Promise<Pair> {
  return await connectPair(pki, {
    client: { versions: [version], enableSecretExtraction: true },
    server: { enableSecretExtraction: true },
  });
}

/** Every state and record the server gets from `wire` in one buffer, until it idles or fails. */
async function serverReads(p: Pair, wire: Uint8Array) {
  const got: string[] = [];
  let incoming = wire;
  for (;;) {
    const { discard, state } = await p.serverConn.processTlsRecords(incoming);
    let used = discard;
    if (state.kind === "ReadTraffic") {
      for (let r = state.nextRecord(); r; r = state.nextRecord()) {
        got.push(text(r.payload));
        used += r.discard;
      }
    } else if (state.kind === "PeerClosed") got.push("<close_notify>");
    else if (state.kind === "EncodeTlsData") {
      const out = new Uint8Array(state.requiredSize);
      p.client.feed(out.subarray(0, await state.encode(out)));
    } else if (state.kind === "TransmitTlsData") state.done();
    else return { got, state: state.kind, rest: incoming.subarray(used) };
    incoming = incoming.subarray(used);
  }
}

function words(n: number, from = 0): string[] {
  return Array.from({ length: n }, (_, i) => `record ${from + i}`);
}

describe("issue 16 item 2: records decrypted at once, handled in order", () => {
  for (const version of ["TLSv1_3", "TLSv1_2"] as const) {
    it(`${version}: 40 records in one buffer arrive in order`, async () => {
      const p = await established(version);
      for (const w of words(40)) p.client.pendingWrites.push(utf8(w));
      await p.client.step();
      const wire = p.client.sent.slice(-40);
      const { got } = await serverReads(p, joined(wire));
      assert.deepEqual(got, words(40));
    });
  }

  it("TLS 1.3: a KeyUpdate inside a batch; the records after it open under the new key", async () => {
    const p = await established("TLSv1_3");
    for (const w of words(5)) p.client.pendingWrites.push(utf8(w));
    await p.client.step();
    p.client.pendingKeyUpdates = 1;
    for (const w of words(12, 5)) p.client.pendingWrites.push(utf8(w));
    const before = p.client.sent.length;
    await p.client.step();
    const wire = joined([...p.client.sent.slice(before - 5)]);
    const { got, state } = await serverReads(p, wire);
    assert.deepEqual(got, words(17));
    assert.equal(state, "WriteTraffic");
    p.server.incoming = new Uint8Array(0); // read above, past the endpoint
    // The server answered the update request; the client takes the answer.
    await runPair(p.client, p.server);
    p.server.pendingWrites.push(utf8("after"));
    await runPair(p.client, p.server);
    assert.equal(text(p.client.receivedBytes()).endsWith("after"), true);
  });

  it("TLS 1.3: close_notify inside a batch, then more data: unexpected_message", async () => {
    const p = await established("TLSv1_3");
    const suite = (await tls13Suites()).find((s) =>
      s.id === p.clientConn.negotiatedCipherSuite!.id
    )!;
    const end = await p.clientConn.dangerousIntoKernelConnection();
    const seq = end.secrets.tx.seq;
    const wire = joined([
      await forgeRecord(suite, end, seq, ContentType.application_data, utf8("one")),
      await forgeRecord(suite, end, seq + 1n, ContentType.application_data, utf8("two")),
      await forgeRecord(suite, end, seq + 2n, ContentType.alert, new Uint8Array([1, 0])),
      await forgeRecord(suite, end, seq + 3n, ContentType.application_data, utf8("late")),
    ]);
    await assert.rejects(serverReads(p, wire), (e: unknown) => {
      assert.ok(e instanceof TlsError);
      assert.equal(e.detail, "DataAfterCloseNotify");
      assert.equal(e.alert, AlertDescription.unexpected_message);
      return true;
    });
  });

  it("TLS 1.3: a record that does not authenticate inside a batch: bad_record_mac after the good ones", async () => {
    const p = await established("TLSv1_3");
    const suite = (await tls13Suites()).find((s) =>
      s.id === p.clientConn.negotiatedCipherSuite!.id
    )!;
    const end = await p.clientConn.dangerousIntoKernelConnection();
    const seq = end.secrets.tx.seq;
    const records = [];
    for (let i = 0n; i < 6n; i++) {
      // Record 3 is sealed under the wrong sequence number.
      const at = i === 3n ? seq + 9n : seq + i;
      records.push(await forgeRecord(suite, end, at, ContentType.application_data, utf8(`r${i}`)));
    }
    await expectFailureAfter(p, records, ["r0", "r1", "r2"], AlertDescription.bad_record_mac);
  });

  it("TLS 1.3: a record of an unknown inner type inside a batch: unexpected_message after the good ones", async () => {
    const p = await established("TLSv1_3");
    const suite = (await tls13Suites()).find((s) =>
      s.id === p.clientConn.negotiatedCipherSuite!.id
    )!;
    const end = await p.clientConn.dangerousIntoKernelConnection();
    const seq = end.secrets.tx.seq;
    const records = [];
    for (let i = 0n; i < 5n; i++) {
      const type = i === 2n ? 99 : ContentType.application_data;
      records.push(await forgeRecord(suite, end, seq + i, type, utf8(`r${i}`)));
    }
    await expectFailureAfter(p, records, ["r0", "r1"], AlertDescription.unexpected_message);
  });
});

/** Feeds `records` at once: the server reads `before`, then fails with `alert` and sends it. */
async function expectFailureAfter(
  p: Pair,
  records: Uint8Array[],
  before: string[],
  alert: number,
): Promise<void> {
  let seen: string[] = [];
  let incoming = joined(records);
  await assert.rejects(
    (async () => {
      for (;;) {
        const { discard, state } = await p.serverConn.processTlsRecords(incoming);
        let used = discard;
        if (state.kind === "ReadTraffic") {
          for (let r = state.nextRecord(); r; r = state.nextRecord()) {
            seen = [...seen, text(r.payload)];
            used += r.discard;
          }
        }
        incoming = incoming.subarray(used);
      }
    })(),
    (e: unknown) => e instanceof TlsError && e.alert === alert,
  );
  assert.deepEqual(seen, before);
  // The next call hands out the fatal alert.
  const { state } = await p.serverConn.processTlsRecords(incoming);
  assert.equal(state.kind, "EncodeTlsData");
}

function joined(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, b) => n + b.length, 0));
  let at = 0;
  for (const b of parts) {
    out.set(b, at);
    at += b.length;
  }
  return out;
}

describe("issue 16 item 2: openMany with a window", () => {
  it("never has more than `window` decryptions running, and opens every record in order", async () => {
    const suite = (await tls13Suites()).find((x) => x.aead.kind === "Aes128Gcm")!;
    let running = 0;
    let most = 0;
    const counting = {
      ...suite.aead,
      async importKey(raw: Uint8Array) {
        const key = await suite.aead.importKey(raw);
        return {
          seal: key.seal.bind(key),
          async open(n: Uint8Array, a: Uint8Array, c: Uint8Array) {
            most = Math.max(most, ++running);
            try {
              return await key.open(n, a, c);
            } finally {
              running--;
            }
          },
        };
      },
    };
    const key = new Uint8Array(16).fill(3);
    const iv = new Uint8Array(12).fill(4);
    const writer = await Tls13Writer.create(suite.aead, key, iv);
    const reader = await Tls13Reader.create(counting, key, iv);
    const records: ProtectedRecord[] = [];
    for (let i = 0; i < 20; i++) {
      const wire = await writer.write(ContentType.application_data, utf8(`record ${i}`));
      records.push({ header: wire.subarray(0, 5), fragment: wire.subarray(5) });
    }
    const opened = await Promise.all(reader.openMany(records, 3));
    assert.deepEqual(opened.map((r) => text(r.plaintext)), records.map((_, i) => `record ${i}`));
    assert.equal(most, 3);
    assert.equal(reader.seq, 20n);
    assert.throws(() => reader.openMany(records, 0), RangeError);
  });
});
