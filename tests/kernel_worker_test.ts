// The Worker hand-off: secrets cross a message port intact, and the example
// (handshake on the main thread, KernelRecordLayer in a Worker) runs end to end.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { KernelRecordLayer } from "../src/kernel/record_layer.ts";
import type { ExtractedSecrets } from "../src/conn/kernel.ts";
import { kernelPair, tls13Suites } from "./_kernel_pair.ts";

function viaMessagePort(secrets: ExtractedSecrets): Promise<ExtractedSecrets> {
  const { port1, port2 } = new MessageChannel();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("message never arrived")), 5000);
    port2.onmessage = (event: MessageEvent<ExtractedSecrets>) => {
      clearTimeout(timer);
      port1.close();
      port2.close();
      resolve(event.data);
    };
    port1.postMessage(secrets);
  });
}

describe("kernel hand-off across threads", () => {
  it("ExtractedSecrets survive postMessage for every suite, and work on the other side", async () => {
    for (const suite of await tls13Suites()) {
      const { client, server } = await kernelPair(suite, { c2s: 7n, s2c: 2n });
      const received = await viaMessagePort(client.secrets);
      assert.deepEqual(received, client.secrets);
      assert.notEqual(received.tx.secrets.key, client.secrets.tx.secrets.key, "a copy");
      const c = await KernelRecordLayer.create(received, client.connection);
      const s = await KernelRecordLayer.create(server.secrets, server.connection);
      const { data } = await s.open(await c.seal(new TextEncoder().encode("across")));
      assert.equal(new TextDecoder().decode(data[0]), "across");
      assert.equal(s.rxSeq, 8n);
    }
  });

  it("examples/kernel_worker.ts: echo, KeyUpdate both ways, tickets, close", {
    skip: typeof Deno === "undefined" ? "the example needs Deno.listenTls and Deno.connect" : false,
  }, async () => {
    const { runKernelWorkerDemo } = await import("../examples/kernel_worker.ts");
    const summary = await runKernelWorkerDemo();
    assert.equal(summary.echoed.length, 2);
    assert.equal(summary.calls.updateTxSecret, 1);
    assert.equal(summary.calls.updateRxSecret, 1);
    assert.ok((summary.calls.handleNewSessionTicket ?? 0) >= 1);
    assert.equal(summary.ticketsStored, summary.calls.handleNewSessionTicket);
    assert.equal(summary.stats?.txKeyUpdates, 1);
    assert.equal(summary.stats?.rxKeyUpdates, 1);
  });
});
