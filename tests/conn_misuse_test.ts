// Issue 13 item 18: API misuse is a TypeError for the caller and never
// touches the connection or reaches the peer.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { TlsError } from "../src/error.ts";
import type { WriteTraffic } from "../src/conn/states.ts";
import { connectPair, makePairPki, type Pair, text, utf8 } from "./_pair_setup.ts";
import { runPair } from "./_pair.ts";

const pki = makePairPki();

function established(version: "TLSv1_3" | "TLSv1_2" = "TLSv1_3"): Promise<Pair> {
  return connectPair(pki, {
    client: { versions: [version], enableSecretExtraction: true },
    server: { enableSecretExtraction: true },
  });
}

async function writeTraffic(p: Pair): Promise<WriteTraffic> {
  const { state } = await p.clientConn.processTlsRecords(p.client.incoming);
  assert.equal(state.kind, "WriteTraffic");
  return state as WriteTraffic;
}

describe("issue 13 item 18: misuse throws TypeError without touching the connection", () => {
  it("overlapping processTlsRecords during the handshake: TypeError, handshake unharmed", async () => {
    const p = await connectPair(pki, { noRun: true });
    const first = p.clientConn.processTlsRecords(new Uint8Array(0));
    await assert.rejects(p.clientConn.processTlsRecords(new Uint8Array(0)), TypeError);
    assert.equal((await first).state.kind, "EncodeTlsData");
    await runPair(p.client, p.server);
    assert.equal(p.clientConn.isHandshaking, false);
    assert.equal(p.serverConn.isHandshaking, false);
    // Nothing but the handshake went to the server: no alert among its input.
    p.client.pendingWrites.push(utf8("still fine"));
    await runPair(p.client, p.server);
    assert.equal(text(p.server.receivedBytes()), "still fine");
  });

  it("overlapping processTlsRecords while decrypting: TypeError, data intact", async () => {
    const p = await established();
    p.server.pendingWrites.push(utf8("payload"));
    await p.server.step();
    const first = p.clientConn.processTlsRecords(p.client.incoming);
    await assert.rejects(p.clientConn.processTlsRecords(p.client.incoming), TypeError);
    const { state } = await first;
    assert.equal(state.kind, "ReadTraffic");
    if (state.kind === "ReadTraffic") assert.equal(text(state.nextRecord()!.payload), "payload");
  });

  it("a stale state's methods reject their promise instead of throwing", async () => {
    const p = await established();
    const wt = await writeTraffic(p);
    const size = wt.encryptedSize(4);
    await p.clientConn.processTlsRecords(p.client.incoming); // wt is stale now
    const out = new Uint8Array(size + 64);
    let encrypting: Promise<number> | undefined;
    assert.doesNotThrow(() => (encrypting = wt.encrypt(utf8("late"), out)));
    await assert.rejects(encrypting!, TypeError);
    let closing: Promise<number> | undefined;
    assert.doesNotThrow(() => (closing = wt.queueCloseNotify(out)));
    await assert.rejects(closing!, TypeError);
    let refreshing: Promise<void> | undefined;
    assert.doesNotThrow(() => (refreshing = wt.refreshTrafficKeys()));
    await assert.rejects(refreshing!, TypeError);
  });

  it("overlapping encrypt() calls: the second rejects with TypeError", async () => {
    const p = await established();
    const wt = await writeTraffic(p);
    const a = new Uint8Array(wt.encryptedSize(1));
    const b = new Uint8Array(wt.encryptedSize(1));
    const first = wt.encrypt(utf8("a"), a);
    await assert.rejects(wt.encrypt(utf8("b"), b), TypeError);
    const n = await first;
    p.server.feed(a.subarray(0, n));
    await p.server.step();
    assert.equal(text(p.server.receivedBytes()), "a");
  });

  for (const version of ["TLSv1_3", "TLSv1_2"] as const) {
    it(`the hand-off after our own close_notify is refused (${version})`, async () => {
      const p = await established(version);
      const wt = await writeTraffic(p);
      await wt.queueCloseNotify(new Uint8Array(64));
      await assert.rejects(p.clientConn.dangerousIntoKernelConnection(), (e: unknown) => {
        assert.ok(e instanceof TlsError);
        assert.equal(e.kind, "General");
        assert.match(e.message, /close_notify/);
        return true;
      });
    });

    it(`the hand-off after the peer's close_notify is refused (${version})`, async () => {
      const p = await established(version);
      p.server.closeAfterWrites = true;
      await runPair(p.client, p.server);
      assert.equal(p.client.peerClosed, true);
      await assert.rejects(p.clientConn.dangerousIntoKernelConnection(), /close_notify/);
    });
  }
});
