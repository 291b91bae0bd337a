// Every example exercised for real on 127.0.0.1: in-process through their
// exported functions, plus two spawned as `deno run -A` to cover their
// no-argument entry points. The examples need Deno's socket APIs, so under
// Bun these tests are skipped with a message.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { ClientConfig } from "../src/client/config.ts";
import { RootCertStore } from "../src/webpki/root_store.ts";
import { connectTls, halfCloseTransport } from "../src/streams/tls_stream.ts";
import { testPki } from "../examples/_certgen.ts";
import { OpenSslServer } from "./peers/_openssl_server.ts";
import { peerMissing } from "./peers/_spawn.ts";

const skip = typeof Deno === "undefined" ? "the examples need Deno.listen/Deno.serve" : false;
const TIMEOUT_MS = 30_000;
const noOpenssl = skip || (peerMissing("openssl", ["version"]) ?? false);

/** Bounds `p` so that a hang fails the test instead of stalling the run. */
function bounded<T>(p: Promise<T>, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const limit = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`${what}: no result in ${TIMEOUT_MS} ms`)),
      TIMEOUT_MS,
    );
  });
  return Promise.race([p, limit]).finally(() => clearTimeout(timer));
}

async function readAll(readable: ReadableStream<Uint8Array>): Promise<string> {
  let text = "";
  const decoder = new TextDecoder();
  for await (const chunk of readable) text += decoder.decode(chunk, { stream: true });
  return text;
}

/** Runs `deno run -A examples/<file>` (killed at the timeout) and returns stdout. */
async function runExample(file: string): Promise<string> {
  const url = new URL(`../examples/${file}`, import.meta.url);
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", url.pathname],
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const timer = setTimeout(() => {
    try {
      Deno.kill(child.pid, "SIGKILL");
    } catch { /* already exited */ }
  }, TIMEOUT_MS);
  try {
    const out = await child.output();
    const stdout = new TextDecoder().decode(out.stdout);
    assert.equal(
      out.code,
      0,
      `${file} failed:\n${stdout}\n${new TextDecoder().decode(out.stderr)}`,
    );
    return stdout;
  } finally {
    clearTimeout(timer);
  }
}

describe("examples", () => {
  it("echo_server.ts: acceptTls over Deno.listen echoes 100 kB and closes cleanly", {
    skip,
  }, async () => {
    const { startEchoServer } = await import("../examples/echo_server.ts");
    const server = await startEchoServer({ alpnProtocols: ["echo"] });
    try {
      const config = new ClientConfig({
        roots: RootCertStore.fromPem(server.caPem!),
        alpnProtocols: ["echo"],
      });
      const tcp = await Deno.connect({ hostname: "127.0.0.1", port: server.port });
      const tls = await bounded(
        connectTls(halfCloseTransport(tcp), config, "localhost"),
        "handshake",
      );
      assert.equal(tls.info.alpnProtocol, "echo");
      const message = "echo ".repeat(20_000);
      const got = readAll(tls.readable);
      const writer = tls.writable.getWriter();
      await writer.write(new TextEncoder().encode(message));
      await writer.close();
      assert.equal(await bounded(got, "echo"), message);
    } finally {
      await bounded(server.close(), "server close");
    }
  });

  it("https_get.ts: GET from a local Deno.serve HTTPS server", { skip }, async () => {
    const { httpsGet } = await import("../examples/https_get.ts");
    const { ca, leaf } = await testPki(["localhost"]);
    const server = Deno.serve(
      { hostname: "127.0.0.1", port: 0, cert: leaf.certPem, key: leaf.keyPem, onListen() {} },
      (req) => new Response(`you asked for ${new URL(req.url).pathname}`),
    );
    try {
      const res = await bounded(
        httpsGet(
          `https://localhost:${server.addr.port}/some/path?q=1`,
          RootCertStore.fromPem(ca.certPem),
          "127.0.0.1",
        ),
        "GET",
      );
      assert.equal(res.status, 200);
      assert.equal(res.body, "you asked for /some/path");
      assert.equal(res.tls.protocolVersion, "TLSv1_3");
      assert.equal(res.tls.alpnProtocol, "http/1.1");
    } finally {
      await server.shutdown();
    }
  });

  it("https_get.ts: a certificate for another name is refused", { skip }, async () => {
    const { httpsGet } = await import("../examples/https_get.ts");
    const { ca, leaf } = await testPki(["other.example"]);
    const server = Deno.serve(
      { hostname: "127.0.0.1", port: 0, cert: leaf.certPem, key: leaf.keyPem, onListen() {} },
      () => new Response("never"),
    );
    try {
      await assert.rejects(
        bounded(
          httpsGet(
            `https://localhost:${server.addr.port}/`,
            RootCertStore.fromPem(ca.certPem),
            "127.0.0.1",
          ),
          "GET",
        ),
        (e: Error) => e.name === "TlsError",
      );
    } finally {
      await server.shutdown();
    }
  });

  it("unbuffered_client.ts + unbuffered_server.ts: every state, echo, close_notify both ways", {
    skip,
  }, async () => {
    const { startUnbufferedServer } = await import("../examples/unbuffered_server.ts");
    const { runUnbufferedClient } = await import("../examples/unbuffered_client.ts");
    const server = await startUnbufferedServer();
    try {
      const { received, states } = await bounded(
        runUnbufferedClient({ port: server.port, caPem: server.caPem, message: "raw loop" }),
        "unbuffered client",
      );
      assert.equal(received, "raw loop");
      for (
        const kind of [
          "EncodeTlsData",
          "TransmitTlsData",
          "BlockedHandshake",
          "WriteTraffic",
          "ReadTraffic",
          "Closed",
        ]
      ) assert.ok(states.includes(kind), `client never saw ${kind}: ${states.join(",")}`);
      assert.equal(states.at(-1), "PeerClosed");
    } finally {
      await bounded(server.close(), "server close");
    }
    assert.equal(server.connections.length, 1);
    const serverStates = server.connections[0];
    assert.ok(serverStates.includes("ReadTraffic"), serverStates.join(","));
    assert.equal(serverStates.at(-1), "PeerClosed");
  });

  it("ws_bridge.ts: our client over a WebSocket, through the bridge, to the echo server", {
    skip,
  }, async () => {
    const { startWsBridge } = await import("../examples/ws_bridge.ts");
    const { webSocketTransport } = await import("../examples/_ws_transport.ts");
    const { startEchoServer } = await import("../examples/echo_server.ts");
    const echo = await startEchoServer();
    const bridge = await startWsBridge();
    try {
      const config = new ClientConfig({ roots: RootCertStore.fromPem(echo.caPem!) });
      const transport = await webSocketTransport(bridge.urlFor("127.0.0.1", echo.port));
      const tls = await bounded(connectTls(transport, config, "localhost"), "handshake");
      assert.equal(tls.info.protocolVersion, "TLSv1_3");
      const message = "through the bridge ".repeat(2000);
      const got = readAll(tls.readable);
      const writer = tls.writable.getWriter();
      await writer.write(new TextEncoder().encode(message));
      await writer.close();
      assert.equal(await bounded(got, "echo"), message);
    } finally {
      await bounded(bridge.close(), "bridge close");
      await bounded(echo.close(), "echo close");
    }
  });

  it("ws_bridge.ts: our client over a WebSocket, through the bridge, to openssl s_server -rev", {
    skip: noOpenssl,
  }, async () => {
    const { startWsBridge } = await import("../examples/ws_bridge.ts");
    const { webSocketTransport } = await import("../examples/_ws_transport.ts");
    const { ca, leaf } = await testPki(["localhost"]);
    const dir = await Deno.makeTempDir({ prefix: "kerneltls-ws-" });
    await Deno.writeTextFile(`${dir}/cert.pem`, leaf.certPem);
    await Deno.writeTextFile(`${dir}/key.pem`, leaf.keyPem);
    const openssl = await OpenSslServer.start([
      "-cert",
      `${dir}/cert.pem`,
      "-key",
      `${dir}/key.pem`,
      "-rev",
    ]);
    const bridge = await startWsBridge();
    try {
      const config = new ClientConfig({ roots: RootCertStore.fromPem(ca.certPem) });
      const transport = await webSocketTransport(bridge.urlFor("127.0.0.1", openssl.port));
      const tls = await bounded(connectTls(transport, config, "localhost"), "handshake");
      assert.equal(tls.info.protocolVersion, "TLSv1_3");
      const writer = tls.writable.getWriter();
      await writer.write(new TextEncoder().encode("kerneltls via websocket\n"));
      // -rev sends each line back reversed; read until the whole line is in.
      const reader = tls.readable.getReader();
      let got = "";
      const decoder = new TextDecoder();
      while (!got.includes("\n")) {
        const { value, done } = await bounded(reader.read(), "reversed line");
        if (done) break;
        got += decoder.decode(value, { stream: true });
      }
      assert.equal(got.trim(), "tekcosbew aiv sltlenrek");
      await reader.cancel().catch(() => {});
      await writer.abort().catch(() => {});
    } finally {
      await bounded(bridge.close(), "bridge close");
      await openssl.stop();
      await Deno.remove(dir, { recursive: true });
    }
  });

  it("ws_bridge.ts refuses targets outside allowedHosts", { skip }, async () => {
    const { startWsBridge } = await import("../examples/ws_bridge.ts");
    const bridge = await startWsBridge();
    try {
      const res = await fetch(`http://127.0.0.1:${bridge.port}/?target=example.com:443`);
      assert.equal(res.status, 403);
      await res.body?.cancel();
    } finally {
      await bridge.close();
    }
  });

  it("`deno run -A` with no arguments: ws_bridge.ts and unbuffered_client.ts", {
    skip,
  }, async () => {
    const bridgeOut = await runExample("ws_bridge.ts");
    assert.match(bridgeOut, /echoed: "hello through a WebSocket"/);
    const clientOut = await runExample("unbuffered_client.ts");
    assert.match(clientOut, /\[server\] {3}sent close_notify/);
    assert.match(clientOut, /received: "hello, unbuffered"/);
  });
});
