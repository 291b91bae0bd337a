// KernelRecordLayer's send order after an answered KeyUpdate, with no timer:
// a seal() queued while open() is still answering the peer's KeyUpdate
// resolves only after the code awaiting open() has run, so a caller that
// writes in resolution order puts `toSend` (the last record under the old
// key) on the wire before the data sealed under the new key.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { KernelRecordLayer } from "../src/kernel/record_layer.ts";
import type { KernelConnectionLike } from "../src/kernel/types.ts";
import { chacha20Poly1305Pure } from "../src/crypto/pure/chacha20_poly1305.ts";
import { kernelPair, tls13Suites } from "./_kernel_pair.ts";
import { joinBytes } from "./_pair.ts";

const suites = await tls13Suites();
const chacha = suites.find((s) => s.aead.kind === "Chacha20Poly1305")!;
// The pure AEAD settles in microtasks only: no macrotask hides a wrong order.
const pure = { cipherSuites: [{ aead: chacha20Poly1305Pure }] };

describe("KernelRecordLayer send order after an answered KeyUpdate", () => {
  it("a seal queued behind the answer resolves after open()'s caller has run", async () => {
    const { client, server } = await kernelPair(chacha);
    const wire: Uint8Array[] = [];
    const order: string[] = [];
    // Assigned once below, but read by the connection's callback first.
    // deno-lint-ignore prefer-const
    let layer: KernelRecordLayer | undefined;
    let sealing: Promise<Uint8Array> | undefined;
    const conn: KernelConnectionLike = {
      protocolVersion: "TLSv1_3",
      negotiatedCipherSuite: server.connection.negotiatedCipherSuite,
      updateRxSecret: () => server.connection.updateRxSecret(),
      updateTxSecret: () => {
        // Runs inside the answer's send job: this seal queues right behind it.
        sealing ??= layer!.seal(new TextEncoder().encode("new key"));
        sealing.then((bytes) => {
          order.push("seal");
          wire.push(bytes);
        });
        return server.connection.updateTxSecret();
      },
    };
    layer = await KernelRecordLayer.create(server.secrets, conn, { provider: pure });
    const peer = await KernelRecordLayer.create(client.secrets, client.connection, {
      provider: pure,
    });
    const { toSend } = await layer.open(await peer.keyUpdate(true));
    order.push("open");
    wire.push(toSend);
    await sealing;
    assert.deepEqual(order, ["open", "seal"]);
    const got = await peer.open(joinBytes(wire));
    assert.equal(new TextDecoder().decode(joinBytes(got.data)), "new key");
  });
});
