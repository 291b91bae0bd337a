// Issue 17 item 4: Node's net.Socket through stream.Duplex.toWeb. The
// library bundled for Node runs tests/peers/node_duplex_check.mjs under plain
// Node 20: our client over a Node socket against Deno.listenTls (rustls), an
// echo server that answers after our close_notify; and our server over a
// Node socket, echoing to a Deno.connectTls client.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { testPki } from "../examples/_certgen.ts";
import { peerMissing, PeerProcess } from "./peers/_spawn.ts";
import { bundleLibrary } from "./_bundle.ts";

const CHECK = fileURLToPath(new URL("./peers/node_duplex_check.mjs", import.meta.url));
const skip = typeof Deno === "undefined"
  ? "needs Deno.listenTls / Deno.connectTls (skipped outside Deno)"
  : peerMissing("node") ?? peerMissing("deno") ?? false;

/** Deno.listenTls: reads each connection to its close_notify, then answers "echo: ...". */
function echoAfterClose(certPem: string, keyPem: string): Deno.TlsListener {
  const listener = Deno.listenTls({ hostname: "127.0.0.1", port: 0, cert: certPem, key: keyPem });
  (async () => {
    for await (const conn of listener) {
      (async () => {
        // conn.read, not conn.readable: Deno closes the connection when its readable ends.
        let question = "";
        const buf = new Uint8Array(4096);
        for (let n = await conn.read(buf); n !== null; n = await conn.read(buf)) {
          question += new TextDecoder().decode(buf.subarray(0, n));
        }
        await conn.write(new TextEncoder().encode(`echo: ${question}`));
        conn.close();
      })().catch(() => {});
    }
  })().catch(() => {});
  return listener;
}

describe("issue 17 item 4: Node net.Socket through Duplex.toWeb", () => {
  it("our client and our server over Node sockets, under Node 20", { skip }, async () => {
    const dir = mkdtempSync(join(tmpdir(), "kerneltls-duplex-"));
    const { ca, leaf } = await testPki(["localhost", "127.0.0.1"]);
    const listener = echoAfterClose(leaf.certPem, leaf.keyPem);
    let peer: PeerProcess | undefined;
    try {
      const bundle = bundleLibrary(dir);
      writeFileSync(join(dir, "ca.pem"), ca.certPem);
      writeFileSync(join(dir, "cert.pem"), leaf.certPem);
      writeFileSync(join(dir, "key.pem"), leaf.keyPem);
      peer = new PeerProcess("node", [CHECK, bundle, dir, String(listener.addr.port)]);
      await peer.waitFor(/^OK client TLSv1_3 "echo: ping from node"$/m, { timeoutMs: 30_000 });
      const m = await peer.waitFor(/LISTENING (\d+)/) as RegExpMatchArray;
      const client = await Deno.connectTls({
        hostname: "127.0.0.1",
        port: Number(m[1]),
        caCerts: [ca.certPem],
      });
      await client.write(new TextEncoder().encode("ping to node"));
      await client.closeWrite(); // close_notify and FIN: the echo must still come back
      assert.equal(await new Response(client.readable).text(), "ping to node");
      await peer.waitFor(/^OK server TLSv1_3 /m);
      assert.equal(await peer.waitExit(), 0, peer.output);
      assert.doesNotMatch(peer.output, /FAIL/);
    } finally {
      await peer?.stop();
      listener.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
