// Every protected record of RFC 8448 sections 3-7 opens to the printed payload
// and re-seals to the printed bytes; and the section 3 flights deframe and join
// identically however the byte stream is split.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { field, printedRecords, rfc8448Section } from "./_rfc8448.ts";
import { concat, toHex } from "../src/_bytes.ts";
import { ContentType } from "../src/msgs/enums.ts";
import { aes128Gcm } from "../src/crypto/webcrypto/aead.ts";
import { type RawRecord, readRecord } from "../src/record/deframer.ts";
import { HandshakeJoiner, type HandshakeMessage } from "../src/record/handshake_joiner.ts";
import { PlainReader, Tls13Reader, Tls13Writer } from "../src/record/record_io.ts";

describe("RFC 8448 records", () => {
  const expected: Record<number, number> = { 3: 7, 4: 8, 5: 4, 6: 4, 7: 4 };
  for (const section of [3, 4, 5, 6, 7]) {
    it(`section ${section}: protected records open and re-seal byte for byte`, async () => {
      let protectedCount = 0;
      for (const rec of printedRecords(section)) {
        const complete = field(rec.step, "complete record");
        const payload = field(rec.step, "payload");
        const raw = readRecord(complete)!;
        assert.equal(raw.length, complete.length, "one whole record");
        if (rec.phase === undefined) {
          const opened = await new PlainReader().open(raw.header, raw.fragment);
          assert.equal(opened.contentType, rec.innerType);
          assert.equal(toHex(opened.plaintext), toHex(payload));
          continue;
        }
        protectedCount++;
        const what = `${rec.writer} ${rec.phase} seq ${rec.seq}`;
        const opener = await Tls13Reader.create(aes128Gcm, rec.key!, rec.iv!, rec.seq);
        const opened = await opener.open(raw.header, raw.fragment);
        assert.equal(opened.contentType, rec.innerType, what);
        assert.equal(toHex(opened.plaintext), toHex(payload), what);
        assert.equal(opener.seq, rec.seq + 1n);
        const sealer = await Tls13Writer.create(aes128Gcm, rec.key!, rec.iv!, rec.seq);
        const sealed = await sealer.write(rec.innerType, payload);
        assert.equal(toHex(sealed), toHex(complete), what);
      }
      assert.equal(protectedCount, expected[section]);
    });
  }

  it("a record opened under the wrong sequence number fails with bad_record_mac", async () => {
    const rec = printedRecords(3).find((r) => r.phase === "application" && r.seq === 1n)!;
    const raw = readRecord(field(rec.step, "complete record"))!;
    const opener = await Tls13Reader.create(aes128Gcm, rec.key!, rec.iv!, 0n);
    await assert.rejects(opener.open(raw.header, raw.fragment), { alert: 20 });
  });
});

/** Deframes `chunks` arriving one after another, as a sans-IO caller would. */
function deframeStream(chunks: Uint8Array[]): { type: number; fragment: string }[] {
  const out: { type: number; fragment: string }[] = [];
  let buf: Uint8Array = new Uint8Array(0);
  for (const chunk of chunks) {
    buf = concat(buf, chunk);
    let rec: RawRecord | undefined;
    while ((rec = readRecord(buf))) {
      out.push({ type: rec.contentType, fragment: toHex(rec.fragment) });
      buf = buf.subarray(rec.length);
    }
  }
  assert.equal(buf.length, 0, "nothing left over");
  return out;
}

function joinStream(chunks: Uint8Array[]): HandshakeMessage[] {
  const joiner = new HandshakeJoiner();
  const out: HandshakeMessage[] = [];
  for (const c of chunks) {
    joiner.push(c);
    for (let m = joiner.next(); m; m = joiner.next()) out.push(m);
  }
  assert.ok(joiner.isEmpty);
  return out;
}

describe("deframing and joining RFC 8448 section 3", () => {
  const server = printedRecords(3).filter((r) => r.writer === "server");
  const flight = concat(...server.map((r) => field(r.step, "complete record")));

  it("the server's records split at every byte boundary deframe identically", () => {
    const whole = deframeStream([flight]);
    assert.equal(whole.length, server.length);
    assert.deepEqual(whole.map((r) => r.type), server.map((r) => r.step.fields[1].value[0]));
    for (let cut = 0; cut <= flight.length; cut++) {
      const parts = deframeStream([flight.subarray(0, cut), flight.subarray(cut)]);
      assert.deepEqual(parts, whole, `cut at ${cut}`);
    }
    const bytewise = deframeStream([...flight].map((b) => new Uint8Array([b])));
    assert.deepEqual(bytewise, whole);
  });

  it("the server's handshake stream splits at every boundary into the same messages", () => {
    const stream = concat(
      ...server.filter((r) => r.innerType === ContentType.handshake).map((r) =>
        field(r.step, "payload")
      ),
    );
    const whole = joinStream([stream]);
    // ServerHello, EncryptedExtensions, Certificate, CertificateVerify, Finished, NewSessionTicket
    assert.deepEqual(whole.map((m) => m.type), [2, 8, 11, 15, 20, 4]);
    assert.equal(toHex(concat(...whole.map((m) => m.encoded))), toHex(stream));
    const expected = whole.map((m) => toHex(m.encoded));
    for (let cut = 1; cut < stream.length; cut++) {
      const parts = joinStream([stream.subarray(0, cut), stream.subarray(cut)]);
      assert.deepEqual(parts.map((m) => toHex(m.encoded)), expected, `cut at ${cut}`);
    }
    const bytewise = joinStream([...stream].map((b) => new Uint8Array([b])));
    assert.deepEqual(bytewise.map((m) => toHex(m.encoded)), expected);
  });

  it("the encrypted flight opens in sequence and joins into the printed messages", async () => {
    const hs = server.filter((r) => r.phase === "handshake");
    const opener = await Tls13Reader.create(aes128Gcm, hs[0].key!, hs[0].iv!);
    const joiner = new HandshakeJoiner();
    const messages: HandshakeMessage[] = [];
    for (const r of hs) {
      const raw = readRecord(field(r.step, "complete record"))!;
      const opened = await opener.open(raw.header, raw.fragment);
      joiner.push(opened.plaintext);
      for (let m = joiner.next(); m; m = joiner.next()) messages.push(m);
    }
    const printed = ["EncryptedExtensions", "Certificate", "CertificateVerify", "Finished"].map(
      (name) =>
        toHex(
          field(
            rfc8448Section(3).find((s) =>
              s.who === "server" &&
              /^construct an? (\w+) handshake message$/.exec(s.title)?.[1] === name
            )!,
            name,
          ),
        ),
    );
    assert.deepEqual(messages.map((m) => toHex(m.encoded)), printed);
  });
});
