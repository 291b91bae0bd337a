import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { inspect } from "node:util";
import { toHex } from "../_bytes.ts";
import { TlsError } from "../error.ts";
import { AlertDescription, ContentType } from "../msgs/enums.ts";
import { aes128Gcm, aes256Gcm } from "../crypto/webcrypto/aead.ts";
import { encodeRecordHeader, MAX_CIPHERTEXT_LEN, readRecord } from "./deframer.ts";
import { MAX_SEQ } from "./protection.ts";
import { PlainReader, PlainWriter, Tls13Reader, Tls13Writer } from "./record_io.ts";

const key = new Uint8Array(16).map((_, i) => 0xa0 + i);
const iv = new Uint8Array(12).map((_, i) => 0x50 + i);

async function pair(seq = 0n): Promise<[Tls13Writer, Tls13Reader]> {
  return [
    await Tls13Writer.create(aes128Gcm, key, iv, seq),
    await Tls13Reader.create(aes128Gcm, key, iv, seq),
  ];
}

async function alertOf(p: Promise<unknown>): Promise<number | undefined> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof TlsError, `expected TlsError, got ${e}`);
    return e.alert;
  }
  assert.fail("expected a TlsError");
}

describe("Tls13Writer / Tls13Reader", () => {
  it("round-trips with padding, counting sequence numbers on both sides", async () => {
    const [sealer, opener] = await pair();
    for (const [type, len, padding] of [[22, 10, 0], [23, 0, 5], [21, 2, 300]]) {
      const record = await sealer.write(type, new Uint8Array(len).fill(7), padding);
      assert.deepEqual([...record.subarray(0, 3)], [23, 3, 3]);
      assert.equal(record.length, 5 + len + 1 + padding + 16);
      const r = readRecord(record)!;
      const opened = await opener.open(r.header, r.fragment);
      assert.equal(opened.contentType, type);
      assert.deepEqual(opened.plaintext, new Uint8Array(len).fill(7));
    }
    assert.equal(sealer.seq, 3n);
    assert.equal(opener.seq, 3n);
  });

  it("uses nonce = iv XOR seq and the record header as AAD", async () => {
    const seq = 0x0102030405060708n;
    const sealer = await Tls13Writer.create(aes128Gcm, key, iv, seq);
    const record = await sealer.write(23, new Uint8Array([1, 2, 3]));
    const nonce = iv.slice();
    for (let i = 0; i < 8; i++) nonce[4 + i] ^= i + 1;
    const direct = await (await aes128Gcm.importKey(key)).seal(
      nonce,
      record.subarray(0, 5),
      new Uint8Array([1, 2, 3, 23]),
    );
    assert.equal(toHex(record.subarray(5)), toHex(direct));
  });

  it("gives overlapping seals distinct sequence numbers", async () => {
    const [sealer, opener] = await pair();
    const records = await Promise.all([1, 2, 3].map((b) => sealer.write(23, new Uint8Array([b]))));
    for (const [i, rec] of records.entries()) {
      const r = readRecord(rec)!;
      assert.deepEqual([...(await opener.open(r.header, r.fragment)).plaintext], [i + 1]);
    }
  });

  it("refuses a bad tag with bad_record_mac and does not advance", async () => {
    const [sealer, opener] = await pair();
    const record = await sealer.write(23, new Uint8Array(20));
    record[record.length - 1] ^= 1;
    const r = readRecord(record)!;
    await assert.rejects(opener.open(r.header, r.fragment), (e: unknown) => {
      assert.ok(e instanceof TlsError);
      assert.equal(e.kind, "DecryptError");
      assert.equal(e.alert, AlertDescription.bad_record_mac);
      return true;
    });
    assert.equal(opener.seq, 0n);
  });

  it("refuses a modified header (AAD) and a too-short fragment with bad_record_mac", async () => {
    const [sealer, opener] = await pair();
    const r = readRecord(await sealer.write(23, new Uint8Array(4)))!;
    const header = r.header.slice();
    header[2] = 1; // 0x0301
    assert.equal(await alertOf(opener.open(header, r.fragment)), AlertDescription.bad_record_mac);
    const short = new Uint8Array(16);
    assert.equal(
      await alertOf(opener.open(encodeRecordHeader(23, 0x0303, 16), short)),
      AlertDescription.bad_record_mac,
    );
  });

  it("refuses an all-zero inner plaintext with unexpected_message", async () => {
    const [sealer, opener] = await pair();
    const r = readRecord(await sealer.write(0, new Uint8Array(0), 7))!;
    assert.equal(
      await alertOf(opener.open(r.header, r.fragment)),
      AlertDescription.unexpected_message,
    );
  });

  it("refuses change_cipher_spec or an unknown type inside protection", async () => {
    for (const type of [ContentType.change_cipher_spec, 99]) {
      const [sealer, opener] = await pair();
      const r = readRecord(await sealer.write(type, new Uint8Array([1])))!;
      assert.equal(await alertOf(opener.open(r.header, r.fragment)), 10, `type ${type}`);
    }
  });

  it("refuses an outer type other than application_data with unexpected_message", async () => {
    const [sealer, opener] = await pair();
    const r = readRecord(await sealer.write(22, new Uint8Array([1])))!;
    const header = r.header.slice();
    header[0] = 22;
    assert.equal(await alertOf(opener.open(header, r.fragment)), 10);
  });

  it("refuses ciphertext above 2^14 + 256 with record_overflow", async () => {
    const [, opener] = await pair();
    const fragment = new Uint8Array(MAX_CIPHERTEXT_LEN + 1);
    const header = encodeRecordHeader(23, 0x0303, fragment.length);
    assert.equal(await alertOf(opener.open(header, fragment)), AlertDescription.record_overflow);
  });

  it("refuses an inner plaintext above 2^14 + 1 with record_overflow", async () => {
    const inner = new Uint8Array(16384 + 2);
    inner[16384] = 23; // content of 2^14 + 1 bytes would need this many
    inner[inner.length - 1] = 23;
    const header = encodeRecordHeader(23, 0x0303, inner.length + 16);
    const fragment = await (await aes128Gcm.importKey(key)).seal(iv, header, inner);
    const [, opener] = await pair();
    assert.equal(await alertOf(opener.open(header, fragment)), AlertDescription.record_overflow);
  });

  it("seals at most 2^14 + 1 bytes of inner plaintext", async () => {
    const [sealer] = await pair();
    assert.equal((await sealer.write(23, new Uint8Array(16384))).length, 5 + 16385 + 16);
    await assert.rejects(sealer.write(23, new Uint8Array(16384), 1), RangeError);
    await assert.rejects(sealer.write(23, new Uint8Array(1), -1), RangeError);
  });

  it("uses sequence number 2^64 - 1 and then refuses to seal", async () => {
    const [sealer, opener] = await pair(MAX_SEQ);
    const r = readRecord(await sealer.write(23, new Uint8Array([5])))!;
    assert.deepEqual([...(await opener.open(r.header, r.fragment)).plaintext], [5]);
    await assert.rejects(sealer.write(23, new Uint8Array([5])), { kind: "EncryptError" });
    await assert.rejects(opener.open(r.header, r.fragment), TlsError);
  });

  it("checks key and iv lengths", async () => {
    await assert.rejects(Tls13Writer.create(aes256Gcm, key, iv), RangeError);
    await assert.rejects(Tls13Reader.create(aes128Gcm, key, iv.subarray(1)), RangeError);
  });

  it("never shows key material", async () => {
    const [sealer, opener] = await pair(5n);
    for (const obj of [sealer, opener]) {
      for (const text of [String(obj), inspect(obj), JSON.stringify(obj), `${obj}`]) {
        assert.ok(!text.includes(toHex(iv)) && !text.includes("80, 81"), text);
        assert.match(text, /seq: 5/);
      }
    }
  });
});

describe("PlainWriter / PlainReader", () => {
  it("frames handshake, alert and change_cipher_spec in clear", async () => {
    const rec = await new PlainWriter(0x0303).write(22, new Uint8Array([1, 0, 0, 0]));
    assert.deepEqual([...rec], [22, 3, 3, 0, 4, 1, 0, 0, 0]);
    const first = await new PlainWriter(0x0301).write(20, new Uint8Array([1]));
    assert.deepEqual([...first], [20, 3, 1, 0, 1, 1]);
    const r = readRecord(rec)!;
    const opened = await new PlainReader().open(r.header, r.fragment);
    assert.equal(opened.contentType, 22);
    assert.deepEqual([...opened.plaintext], [1, 0, 0, 0]);
  });

  it("refuses application_data in clear", async () => {
    await assert.rejects(new PlainWriter(0x0303).write(23, new Uint8Array([1])), RangeError);
    const header = encodeRecordHeader(23, 0x0303, 1);
    assert.equal(await alertOf(new PlainReader().open(header, new Uint8Array([1]))), 10);
  });

  it("refuses more than 2^14 bytes", async () => {
    await assert.rejects(new PlainWriter(0x0303).write(22, new Uint8Array(16385)), RangeError);
    const fragment = new Uint8Array(16385);
    const header = encodeRecordHeader(22, 0x0303, fragment.length);
    assert.equal(
      await alertOf(new PlainReader().open(header, fragment)),
      AlertDescription.record_overflow,
    );
  });
});
