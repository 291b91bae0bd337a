// Issue 17 item 4: TlsStream fit for production. An AbortSignal and a
// handshake timeout on connectTls / acceptTls (typed error, user_canceled and
// close_notify on the wire, transport closed, no timer left behind), the
// `closed` promise, and `await using`. The silent peers are raw TCP sockets
// on 127.0.0.1 that record every byte until EOF; the rest runs in memory and
// against openssl s_server.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ClientConfig } from "../src/client/config.ts";
import { UnbufferedClientConnection } from "../src/conn/unbuffered.ts";
import { ServerConfig } from "../src/server/config.ts";
import { RootCertStore } from "../src/webpki/root_store.ts";
import { TlsError } from "../src/error.ts";
import { acceptTls, connectTls } from "../src/streams/tls_stream.ts";
import { testPki } from "../examples/_certgen.ts";
import { joinBytes, splitRecords } from "./_pair.ts";
import { transportPair } from "./_transport_pair.ts";
import { peerMissing } from "./peers/_spawn.ts";
import { OpenSslServer } from "./peers/_openssl_server.ts";

const isDeno = typeof Deno !== "undefined";
const needsDeno = isDeno ? false : "needs Deno.listen / Deno.connect (skipped outside Deno)";
const needsOpenssl = needsDeno ||
  (peerMissing("openssl", ["version"]) ?? peerMissing("stdbuf", ["--version"]) ?? false);

const pki = testPki(["localhost"]);
async function clientConfig(): Promise<ClientConfig> {
  return new ClientConfig({ roots: RootCertStore.fromPem((await pki).ca.certPem) });
}
async function serverConfig(): Promise<ServerConfig> {
  const { leaf } = await pki;
  return new ServerConfig({ certificateChain: leaf.certPem, privateKey: leaf.keyPem });
}

/** user_canceled then close_notify, warning level, in clear (RFC 8446 6.1). */
const CANCEL_ALERTS = [
  [21, 3, 3, 0, 2, 1, 90],
  [21, 3, 3, 0, 2, 1, 0],
];

/** Records every byte a TCP peer receives until EOF; it never sends anything. */
async function collect(conn: Deno.Conn): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  const buf = new Uint8Array(64 * 1024);
  for (let n = await conn.read(buf); n !== null; n = await conn.read(buf)) {
    parts.push(buf.slice(0, n));
  }
  conn.close();
  return joinBytes(parts);
}

/** A TCP listener whose accepted connection stays silent and records what it gets until EOF. */
async function silentPeer<T>(
  run: (port: number, received: Promise<Uint8Array>) => Promise<T>,
): Promise<T> {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  try {
    const received = listener.accept().then(collect);
    return await run(listener.addr.port, received);
  } finally {
    listener.close();
  }
}

function assertStreamError(e: unknown, detail: string, alert: number | undefined): true {
  assert.ok(e instanceof TlsError, `expected a TlsError, got ${e}`);
  assert.equal(e.kind, "General");
  assert.equal(e.detail, detail);
  assert.equal(e.alert, alert);
  return true;
}

describe("issue 17 item 4: handshake abort and timeout", () => {
  for (const how of ["abort", "timeout"] as const) {
    const detail = how === "abort" ? "HandshakeAborted" : "HandshakeTimeout";

    it(
      `connectTls, ${how} while the server stays silent: ${detail}, alerts sent, transport closed`,
      {
        skip: needsDeno,
      },
      async () => {
        await silentPeer(async (port, received) => {
          const tcp = await Deno.connect({ hostname: "127.0.0.1", port });
          const controller = new AbortController();
          const reason = new Error("the user gave up");
          const options = how === "abort"
            ? { signal: controller.signal }
            : { handshakeTimeoutMs: 300 };
          const handshake = connectTls(tcp, await clientConfig(), "localhost", options);
          if (how === "abort") setTimeout(() => controller.abort(reason), 200);
          await assert.rejects(handshake, (e: unknown) => {
            assertStreamError(e, detail, 90);
            assert.equal((e as TlsError).alertName, "user_canceled");
            if (how === "abort") assert.equal((e as TlsError).cause, reason);
            return true;
          });
          // The peer's read loop ends: we closed the socket.
          const records = splitRecords(await received);
          assert.equal(records.length, 3, "ClientHello, user_canceled, close_notify");
          assert.equal(records[0].type, 22);
          assert.deepEqual(records.slice(1).map((r) => [...r.bytes]), CANCEL_ALERTS);
        });
      },
    );

    it(
      `acceptTls, ${how} while the client stays silent: ${detail}, alerts sent, transport closed`,
      {
        skip: needsDeno,
      },
      async () => {
        const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
        try {
          const accepted = listener.accept();
          const client = await Deno.connect({ hostname: "127.0.0.1", port: listener.addr.port });
          const received = collect(client);
          const controller = new AbortController();
          const options = how === "abort"
            ? { signal: controller.signal }
            : { handshakeTimeoutMs: 300 };
          const handshake = acceptTls(await accepted, await serverConfig(), options);
          if (how === "abort") setTimeout(() => controller.abort(), 200);
          await assert.rejects(handshake, (e: unknown) => assertStreamError(e, detail, 90));
          assert.deepEqual(splitRecords(await received).map((r) => [...r.bytes]), CANCEL_ALERTS);
        } finally {
          listener.close();
        }
      },
    );
  }

  it("an already aborted signal fails at once: nothing sent, transport closed", {
    skip: needsDeno,
  }, async () => {
    await silentPeer(async (port, received) => {
      const tcp = await Deno.connect({ hostname: "127.0.0.1", port });
      const reason = new Error("cancelled before we started");
      await assert.rejects(
        connectTls(tcp, await clientConfig(), "localhost", { signal: AbortSignal.abort(reason) }),
        (e: unknown) =>
          assertStreamError(e, "HandshakeAborted", undefined) && (e as TlsError).cause === reason,
      );
      assert.equal((await received).length, 0);
    });
  });

  it("the alerts go out under the handshake keys once the client has them", async () => {
    // The client gets the server's first record (ServerHello) and nothing
    // more, so it waits with handshake keys installed; its user_canceled and
    // close_notify must decrypt at the server, which then reports close_notify
    // during the handshake (not bad_record_mac).
    const toServer = new TransformStream<Uint8Array, Uint8Array>();
    const fromServer = new TransformStream<Uint8Array, Uint8Array>();
    const toClient = new TransformStream<Uint8Array, Uint8Array>();
    const firstRecordOnly = (async () => {
      const reader = fromServer.readable.getReader();
      const writer = toClient.writable.getWriter();
      const { value } = await reader.read();
      const serverHello = splitRecords(value!)[0];
      assert.equal(serverHello.type, 22);
      await writer.write(serverHello.bytes.slice());
      reader.releaseLock();
    })();
    const controller = new AbortController();
    const client = connectTls(
      { readable: toClient.readable, writable: toServer.writable },
      await clientConfig(),
      "localhost",
      { signal: controller.signal },
    );
    const server = acceptTls(
      { readable: toServer.readable, writable: fromServer.writable },
      await serverConfig(),
    );
    await firstRecordOnly;
    await new Promise((resolve) => setTimeout(resolve, 50));
    controller.abort();
    await assert.rejects(client, (e: unknown) => assertStreamError(e, "HandshakeAborted", 90));
    await assert.rejects(server, (e: unknown) => {
      assert.ok(e instanceof TlsError);
      assert.equal(e.kind, "AlertReceived");
      assert.equal(e.alert, 0);
      return true;
    });
  });

  it("a finished handshake clears its timer; the signal then closes the stream", async () => {
    const [ct, st] = transportPair();
    const controller = new AbortController();
    // Every handshake timer (the only timers of 100 ms) must be cleared by the
    // end; other timers, such as the key-share pool's refill, are not ours to count.
    const live = new Set<unknown>();
    const { setTimeout: realSet, clearTimeout: realClear } = globalThis;
    const spySet = (fn: () => void, ms?: number) => {
      const id = realSet(() => {
        live.delete(id);
        fn();
      }, ms);
      if (ms === 100) live.add(id);
      return id;
    };
    const spyClear = (id?: number) => {
      live.delete(id);
      realClear(id);
    };
    Object.assign(globalThis, { setTimeout: spySet, clearTimeout: spyClear });
    let c, s;
    try {
      [c, s] = await Promise.all([
        connectTls(ct, await clientConfig(), "localhost", {
          signal: controller.signal,
          handshakeTimeoutMs: 100,
        }),
        acceptTls(st, await serverConfig(), { handshakeTimeoutMs: 100 }),
      ]);
    } finally {
      Object.assign(globalThis, { setTimeout: realSet, clearTimeout: realClear });
    }
    assert.equal(live.size, 0, "a handshake timer is still running");
    await new Promise((resolve) => setTimeout(resolve, 250)); // past both timeouts
    const cw = c.writable.getWriter();
    await cw.write(new TextEncoder().encode("still here"));
    const sr = s.readable.getReader();
    assert.equal(new TextDecoder().decode((await sr.read()).value), "still here");
    // Aborted after the handshake: close_notify to the peer, the stream fails with Aborted.
    const reason = new Error("shutting down");
    controller.abort(reason);
    await assert.rejects(c.closed, (e: unknown) => {
      return assertStreamError(e, "Aborted", undefined) && (e as TlsError).cause === reason;
    });
    await assert.rejects(c.readable.getReader().read(), (e: unknown) => e instanceof TlsError);
    await assert.rejects(cw.write(new Uint8Array(1)), (e: unknown) => e instanceof TlsError);
    assert.equal((await sr.read()).done, true, "the server saw close_notify");
  });

  it("refuses unusable options with built-in errors", async () => {
    const [ct] = transportPair();
    for (const handshakeTimeoutMs of [0, -1, Number.NaN, Infinity]) {
      await assert.rejects(
        connectTls(ct, await clientConfig(), "localhost", { handshakeTimeoutMs }),
        RangeError,
      );
    }
    await assert.rejects(
      acceptTls(ct, await serverConfig(), { signal: {} as AbortSignal }),
      TypeError,
    );
  });
});

describe("issue 17 item 4: closed and await using", () => {
  it("closed resolves on both sides after a clean close", async () => {
    const [ct, st] = transportPair();
    const [c, s] = await Promise.all([
      connectTls(ct, await clientConfig(), "localhost"),
      acceptTls(st, await serverConfig()),
    ]);
    let settled = false;
    c.closed.then(() => settled = true, () => settled = true);
    const clientGot = new Response(c.readable).text();
    await c.writable.close();
    await new Promise((resolve) => setTimeout(resolve, 20));
    assert.equal(settled, false, "one direction is still open");
    assert.equal(await new Response(s.readable).text(), "");
    const sw = s.writable.getWriter();
    await sw.write(new TextEncoder().encode("bye"));
    await sw.close();
    assert.equal(await clientGot, "bye");
    await Promise.all([c.closed, s.closed]);
  });

  it("closed rejects with the TlsError that ended the stream", async () => {
    const [ct, st] = transportPair();
    // A pipe to the server that flips one bit of the first application record.
    let tamper = false;
    const toServer = new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        if (tamper && chunk[0] === 23) {
          chunk = chunk.slice();
          chunk[chunk.length - 1] ^= 1;
          tamper = false;
        }
        controller.enqueue(chunk);
      },
    });
    const [c, s] = await Promise.all([
      connectTls(
        { readable: ct.readable, writable: toServer.writable },
        await clientConfig(),
        "localhost",
      ),
      acceptTls({ readable: toServer.readable, writable: st.writable }, await serverConfig()),
    ]);
    tamper = true;
    const serverRead = s.readable.getReader().read();
    await c.writable.getWriter().write(new TextEncoder().encode("tampered"));
    await assert.rejects(serverRead, TlsError);
    await assert.rejects(s.closed, (e: unknown) => {
      assert.ok(e instanceof TlsError);
      assert.equal(e.kind, "DecryptError");
      assert.equal(e.alertName, "bad_record_mac");
      return true;
    });
    // The client got the server's fatal alert.
    await assert.rejects(c.readable.getReader().read(), (e: unknown) => {
      return e instanceof TlsError && e.kind === "AlertReceived" && e.alert === 20;
    });
    await assert.rejects(c.closed, TlsError);
  });

  it("aborting writable rejects closed with the reason; the peer sees a truncation", async () => {
    const [ct, st] = transportPair();
    const [c, s] = await Promise.all([
      connectTls(ct, await clientConfig(), "localhost"),
      acceptTls(st, await serverConfig()),
    ]);
    const reason = new Error("no more");
    await c.writable.abort(reason);
    await assert.rejects(c.closed, (e: unknown) => e === reason);
    await assert.rejects(
      new Response(s.readable).text(),
      (e: unknown) => assertStreamError(e, "UnexpectedEof", undefined),
    );
    await assert.rejects(
      s.closed,
      (e: unknown) => assertStreamError(e, "UnexpectedEof", undefined),
    );
  });

  it("await using sends close_notify at the end of the block (in memory)", async () => {
    const [ct, st] = transportPair();
    const accepted = acceptTls(st, await serverConfig());
    {
      await using c = await connectTls(ct, await clientConfig(), "localhost");
      await c.writable.getWriter().write(new TextEncoder().encode("hello"));
    }
    const s = await accepted;
    assert.equal(await new Response(s.readable).text(), "hello", "ended by close_notify");
  });

  it(
    "await using sends close_notify to openssl s_server over TCP",
    { skip: needsOpenssl },
    async () => {
      const dir = mkdtempSync(join(tmpdir(), "kerneltls-using-"));
      const { leaf } = await pki;
      writeFileSync(join(dir, "cert.pem"), leaf.certPem);
      writeFileSync(join(dir, "key.pem"), leaf.keyPem);
      const server = await OpenSslServer.start([
        "-cert",
        join(dir, "cert.pem"),
        "-key",
        join(dir, "key.pem"),
        "-naccept",
        "1",
      ]);
      try {
        let closed: Promise<void>;
        {
          const tcp = await Deno.connect({ hostname: "127.0.0.1", port: server.port });
          await using tls = await connectTls(tcp, await clientConfig(), "localhost");
          closed = tls.closed;
          await tls.writable.getWriter().write(new TextEncoder().encode("line before close\n"));
          await server.proc.waitFor("line before close");
        }
        await closed;
        await server.proc.waitFor(/DONE/);
        assert.doesNotMatch(server.output, /unexpected eof/i);
      } finally {
        await server.stop();
        rmSync(dir, { recursive: true, force: true });
      }
    },
  );
});

describe("issue 17 item 4: conn.cancelHandshake", () => {
  it("queues user_canceled and close_notify behind what was queued, then rejects with its error", async () => {
    const client = await UnbufferedClientConnection.create(await clientConfig(), "localhost");
    const err = await client.cancelHandshake({ detail: "HandshakeTimeout", message: "too slow" });
    assertStreamError(err, "HandshakeTimeout", 90);
    assert.equal(err.message, "too slow");
    assert.equal(await client.cancelHandshake(), err, "a second call changes nothing");
    const { state } = await client.processTlsRecords(new Uint8Array(0));
    assert.equal(state.kind, "EncodeTlsData");
    const out = new Uint8Array(state.kind === "EncodeTlsData" ? state.requiredSize : 0);
    const n = state.kind === "EncodeTlsData" ? await state.encode(out) : 0;
    const records = splitRecords(out.subarray(0, n));
    assert.deepEqual(records.map((r) => r.type), [22, 21, 21], "ClientHello, then the alerts");
    assert.deepEqual(records.slice(1).map((r) => [...r.bytes]), CANCEL_ALERTS);
    const next = await client.processTlsRecords(new Uint8Array(0));
    assert.equal(next.state.kind, "TransmitTlsData");
    if (next.state.kind === "TransmitTlsData") next.state.done();
    await assert.rejects(client.processTlsRecords(new Uint8Array(0)), (e: unknown) => e === err);
  });

  it("is a TypeError once the handshake is complete", async () => {
    const [ct, st] = transportPair();
    const [c, s] = await Promise.all([
      connectTls(ct, await clientConfig(), "localhost"),
      acceptTls(st, await serverConfig()),
    ]);
    await assert.rejects(c.connection.cancelHandshake(), TypeError);
    await assert.rejects(s.connection.cancelHandshake(), TypeError);
    await Promise.all([c[Symbol.asyncDispose](), s[Symbol.asyncDispose]()]);
  });
});
