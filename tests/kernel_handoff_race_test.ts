// Issue 13 item 1: the kernel hand-off raced against the connection's other
// operations. Whatever the interleaving, the connection is consumed and both
// sequence numbers are read before the gate yields, so the record layer that
// takes over continues exactly where the connection stopped: every record the
// client protects, before and after the hand-off, opens at the peer in order
// (a record sealed twice under one sequence number would fail there).
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { KernelRecordLayer } from "../src/kernel/record_layer.ts";
import type { WriteTraffic } from "../src/conn/states.ts";
import { connectPair, makePairPki, type Pair, text, utf8 } from "./_pair_setup.ts";

const pki = makePairPki();

async function established(version: "TLSv1_3" | "TLSv1_2"): Promise<Pair> {
  const p = await connectPair(pki, {
    client: { versions: [version], enableSecretExtraction: true },
    server: { enableSecretExtraction: true },
  });
  assert.equal(p.clientConn.protocolVersion, version);
  return p;
}

async function writeTraffic(p: Pair): Promise<WriteTraffic> {
  const { state } = await p.clientConn.processTlsRecords(p.client.incoming);
  assert.equal(state.kind, "WriteTraffic");
  return state as WriteTraffic;
}

/** Feeds client-protected bytes to the server connection; returns the plaintext it read. */
async function serverReads(p: Pair, wire: Uint8Array): Promise<string> {
  const before = p.server.receivedBytes().length;
  p.server.feed(wire);
  await p.server.step();
  return text(p.server.receivedBytes().subarray(before));
}

type ClientHandOff = Awaited<ReturnType<Pair["clientConn"]["dangerousIntoKernelConnection"]>>;

async function sealWithKernel(handOff: ClientHandOff, data: string): Promise<Uint8Array> {
  const layer = await KernelRecordLayer.create(handOff.secrets, handOff.connection);
  return layer.seal(utf8(data));
}

for (const version of ["TLSv1_3", "TLSv1_2"] as const) {
  describe(`issue 13 item 1: nonce reuse when the hand-off is raced (${version})`, () => {
    it("race 1a: encrypt() on an idle WriteTraffic right after the gate rejects", async () => {
      const p = await established(version);
      const wt = await writeTraffic(p);
      const out = new Uint8Array(wt.encryptedSize(5) + 100);
      const gate = p.clientConn.dangerousIntoKernelConnection();
      await assert.rejects(wt.encrypt(utf8("stale"), out), TypeError);
      await assert.rejects(wt.queueCloseNotify(out), TypeError);
      const handOff = await gate;
      assert.equal(await serverReads(p, await sealWithKernel(handOff, "after")), "after");
    });

    it("race 1b: the gate while encrypt() is pending rejects; the next gate counts that record", async () => {
      const p = await established(version);
      const wt = await writeTraffic(p);
      const out = new Uint8Array(wt.encryptedSize(6));
      const encrypting = wt.encrypt(utf8("before"), out);
      await assert.rejects(p.clientConn.dangerousIntoKernelConnection(), TypeError);
      const n = await encrypting;
      const handOff = await p.clientConn.dangerousIntoKernelConnection();
      assert.equal(await serverReads(p, out.slice(0, n)), "before");
      assert.equal(await serverReads(p, await sealWithKernel(handOff, "after")), "after");
    });

    it("race 2: of two overlapping gate calls exactly one is fulfilled", async () => {
      const p = await established(version);
      const results = await Promise.allSettled([
        p.clientConn.dangerousIntoKernelConnection(),
        p.clientConn.dangerousIntoKernelConnection(),
      ]);
      assert.deepEqual(results.map((r) => r.status).sort(), ["fulfilled", "rejected"]);
      const rejected = results.find((r) => r.status === "rejected") as PromiseRejectedResult;
      assert.ok(rejected.reason instanceof TypeError);
      await assert.rejects(p.clientConn.dangerousIntoKernelConnection(), TypeError);
    });

    it("race 3a: processTlsRecords while the gate is pending rejects", async () => {
      const p = await established(version);
      const gate = p.clientConn.dangerousIntoKernelConnection();
      await assert.rejects(p.clientConn.processTlsRecords(new Uint8Array(0)), TypeError);
      const handOff = await gate;
      assert.equal(await serverReads(p, await sealWithKernel(handOff, "x")), "x");
    });

    it("race 3b: the gate while processTlsRecords is pending rejects; rx.seq is stable", async () => {
      const p = await established(version);
      // The server sends two records; the client is decrypting them when the gate is called.
      p.server.pendingWrites.push(utf8("one"));
      await p.server.step();
      p.server.pendingWrites.push(utf8("two"));
      await p.server.step();
      const processing = p.clientConn.processTlsRecords(p.client.incoming);
      await assert.rejects(p.clientConn.dangerousIntoKernelConnection(), TypeError);
      const first = await processing;
      assert.equal(first.state.kind, "ReadTraffic");
      const state = first.state;
      // Drain both records, then reach the idle state the hand-off needs.
      let incoming = p.client.incoming;
      const got: string[] = [];
      for (let status = first; status.state.kind !== "WriteTraffic";) {
        let consumed = status.discard;
        if (status.state.kind === "ReadTraffic") {
          for (let r = status.state.nextRecord(); r; r = status.state.nextRecord()) {
            got.push(text(r.payload));
            consumed += r.discard;
          }
        }
        incoming = incoming.subarray(consumed);
        status = await p.clientConn.processTlsRecords(incoming);
      }
      assert.deepEqual(got, ["one", "two"]);
      assert.equal(incoming.length, 0);
      p.client.incoming = new Uint8Array(0);
      const handOff = await p.clientConn.dangerousIntoKernelConnection();
      // A state taken before the hand-off is dead now.
      if (state.kind === "ReadTraffic") assert.throws(() => state.nextRecord(), TypeError);
      // The server's next record opens under the extracted rx.seq.
      p.server.pendingWrites.push(utf8("three"));
      await p.server.step();
      const layer = await KernelRecordLayer.create(handOff.secrets, handOff.connection);
      const { data } = await layer.open(p.client.incoming);
      assert.deepEqual(data.map(text), ["three"]);
    });
  });
}
