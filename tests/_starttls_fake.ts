// Helpers for in-memory STARTTLS tests: a scripted plaintext peer, TLS configs,
// and checks on the typed errors.
import assert from "node:assert/strict";
import { ClientConfig } from "../src/client/config.ts";
import { TlsError } from "../src/error.ts";
import { ServerConfig } from "../src/server/config.ts";
import { RootCertStore } from "../src/webpki/root_store.ts";
import type { ByteTransport } from "../src/streams/stream_types.ts";
import { acceptTls, connectTls, type TlsStream } from "../src/streams/tls_stream.ts";
import { resumeTransport } from "../src/starttls/mod.ts";
import { testPki } from "../examples/_certgen.ts";
import { transportPair } from "./_transport_pair.ts";

const latin1 = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0));

/** The far end of an in-memory transport, driven line by line. */
export class ScriptedPeer {
  readonly reader: ReadableStreamDefaultReader<Uint8Array>;
  readonly writer: WritableStreamDefaultWriter<Uint8Array>;
  #buf = "";

  constructor(t: ByteTransport) {
    this.reader = t.readable.getReader();
    this.writer = t.writable.getWriter();
  }

  /** Writes `text` as one chunk (not awaited: in-memory writes wait for the reader). */
  say(text: string): void {
    this.writer.write(latin1(text)).catch(() => {});
  }

  /** The next CRLF-terminated line. */
  async line(): Promise<string> {
    for (;;) {
      const i = this.#buf.indexOf("\r\n");
      if (i >= 0) {
        const line = this.#buf.slice(0, i);
        this.#buf = this.#buf.slice(i + 2);
        return line;
      }
      const { value, done } = await this.reader.read();
      if (done) throw new Error("closed");
      this.#buf += String.fromCharCode(...value);
    }
  }

  /** Bytes read past the last line taken. */
  get leftover(): Uint8Array {
    return latin1(this.#buf);
  }

  /**
   * A transport for a TLS client that pipelines: its first write (the
   * ClientHello) goes out in one chunk behind `command`, and its readable
   * starts after the server's next line (the answer to `command`), which is
   * kept in `answer`.
   */
  pipelining(command: string): { transport: ByteTransport; answer: Promise<string> } {
    let first = true;
    let answered!: (line: string) => void;
    const answer = new Promise<string>((resolve) => (answered = resolve));
    const readable = new ReadableStream<Uint8Array>({
      pull: async (c) => {
        if (first) {
          first = false;
          answered(await this.line());
          if (this.#buf) {
            c.enqueue(this.leftover);
            this.#buf = "";
            return;
          }
        }
        const { value, done } = await this.reader.read();
        if (done) c.close();
        else c.enqueue(value);
      },
    }, { highWaterMark: 0 });
    let head: Uint8Array | undefined = latin1(command);
    const writable = new WritableStream<Uint8Array>({
      write: (chunk) => {
        const out = head ? new Uint8Array([...head, ...chunk]) : chunk;
        head = undefined;
        return this.writer.write(out);
      },
      close: () => this.writer.close(),
    });
    return { transport: { readable, writable }, answer };
  }
}

/** A CA-signed "localhost" pair of configs. */
export async function tlsConfigs() {
  const { ca, leaf } = await testPki(["localhost"]);
  return {
    client: new ClientConfig({ roots: RootCertStore.fromPem(ca.certPem) }),
    server: new ServerConfig({ certificateChain: leaf.certPem, privateKey: leaf.keyPem }),
  };
}

/** An assert.rejects matcher for a STARTTLS failure with `detail` (and `kind`; no alert). */
export function startTlsFailure(detail: string, kind?: string) {
  return (e: unknown) => {
    assert.ok(e instanceof TlsError, String(e));
    assert.equal(e.detail, detail, e.message);
    if (kind) assert.equal(e.kind, kind);
    assert.equal(e.alert, undefined);
    return true;
  };
}

/** Sends `text` one way over TLS and checks it arrives. */
export async function exchange(from: TlsStream, to: TlsStream, text: string): Promise<void> {
  const w = from.writable.getWriter();
  const r = to.readable.getReader();
  await w.write(latin1(text));
  const { value } = await r.read();
  assert.equal(new TextDecoder().decode(value), text);
  r.releaseLock();
  w.releaseLock();
}

/**
 * Runs `serverPrelude` (our STARTTLS server) against a client that sends
 * `command` and its ClientHello in one chunk right after the greeting;
 * returns both TLS handshakes (settled), the greeting and the server's
 * answer to `command`.
 */
export async function pipelinedStartTls(
  serverPrelude: (t: ByteTransport) => Promise<ByteTransport>,
  command: string,
) {
  const { client, server } = await tlsConfigs();
  const [ct, st] = transportPair();
  const peer = new ScriptedPeer(ct);
  const accepted = serverPrelude(st);
  const greeting = await peer.line();
  const { transport, answer } = peer.pipelining(command);
  const [c, s] = await Promise.allSettled([
    connectTls(transport, client, "localhost"),
    accepted.then((t) => acceptTls(t, server)),
  ]);
  return { c, s, greeting, answer: await answer };
}

/** The stream of a handshake that must have succeeded. */
export function fulfilled<T>(r: PromiseSettledResult<T>): T {
  if (r.status === "rejected") throw r.reason;
  return r.value;
}

/** Checks that a handshake failed with a TlsError that carries an alert. */
export function failedWithAlert(r: PromiseSettledResult<unknown>): void {
  assert.equal(r.status, "rejected");
  const e = (r as PromiseRejectedResult).reason;
  assert.ok(e instanceof TlsError, String(e));
  assert.notEqual(e.alert, undefined, e.message);
}

/** Writes `chunk` to `peer` until the far end stops reading; `count()` says how many went. */
export function flood(peer: ScriptedPeer, chunk: Uint8Array): { count: () => number } {
  let n = 0;
  void (async () => {
    try {
      for (;;) {
        await peer.writer.write(chunk);
        n++;
      }
    } catch { /* the far end cancelled */ }
  })();
  return { count: () => n };
}

/**
 * Runs `clientPrelude` (our STARTTLS client) against `script` (a scripted
 * server), then TLS: our acceptTls on what the script left over.
 */
export async function scriptedStartTls(
  script: (peer: ScriptedPeer) => Promise<void>,
  clientPrelude: (t: ByteTransport) => Promise<ByteTransport>,
) {
  const { client, server } = await tlsConfigs();
  const [ct, st] = transportPair();
  const peer = new ScriptedPeer(st);
  const served = script(peer).then(() => {
    const { reader, writer, leftover } = peer;
    return acceptTls(resumeTransport(st, { reader, writer, buffered: leftover }), server);
  });
  const c = await connectTls(await clientPrelude(ct), client, "localhost");
  return { c, s: await served };
}

/** Our STARTTLS client prelude against our server prelude, then TLS both ends. */
export async function startTlsPair(
  clientPrelude: (t: ByteTransport) => Promise<ByteTransport>,
  serverPrelude: (t: ByteTransport) => Promise<ByteTransport>,
) {
  const { client, server } = await tlsConfigs();
  const [ct, st] = transportPair();
  const [ready, accepted] = await Promise.all([clientPrelude(ct), serverPrelude(st)]);
  const [c, s] = await Promise.all([
    connectTls(ready, client, "localhost"),
    acceptTls(accepted, server),
  ]);
  return { c, s };
}
