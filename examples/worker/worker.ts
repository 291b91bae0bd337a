/**
 * A Cloudflare Worker that speaks TLS itself: it opens a plain TCP socket with
 * `connect()` from `cloudflare:sockets` and runs kerneltls's client over it,
 * trusting a private CA from the `CA_PEM` binding (which the platform's own
 * `startTls` cannot do). `GET /?port=N` sends an HTTP/1.0 request for `/` to
 * 127.0.0.1:N with the name `localhost` and answers with what came back,
 * behind one line of what was negotiated. The handshake is bounded
 * (`&timeoutMs=`, default 10 s) and tied to the request's signal; the
 * answer ends with how the stream closed (`tls.closed`).
 *
 * Build and run (tests/workerd_test.ts does exactly this):
 *   deno bundle --platform browser --format esm examples/worker/worker.ts -o worker.mjs
 *   workerd serve config.capnp   (see examples/worker/config.capnp)
 *
 * @module
 */

// deno-lint-ignore-file no-explicit-any
import { ClientConfig, RootCertStore } from "../../mod.ts";
import { connectTls } from "../../src/streams/tls_stream.ts";

const SOCKETS = "cloudflare:sockets";

/** The Worker's bindings. */
export interface Env {
  /** PEM of the CA that issued the server's certificate. */
  CA_PEM: string;
}

/**
 * Fetches `/` over TLS from 127.0.0.1:`port` and returns the response text.
 * The handshake gives up after `timeoutMs` or when `signal` aborts.
 */
export async function fetchOverTls(
  port: number,
  caPem: string,
  timeoutMs = 10_000,
  signal?: AbortSignal,
): Promise<string> {
  // A specifier in a variable: the type checker and the bundler leave it to
  // workerd, which provides the module.
  const { connect } = await import(SOCKETS);
  const socket = connect({ hostname: "127.0.0.1", port });
  const config = new ClientConfig({ roots: RootCertStore.fromPem(caPem) });
  const tls = await connectTls(socket as any, config, "localhost", {
    handshakeTimeoutMs: timeoutMs,
    signal,
  });
  const writer = tls.writable.getWriter();
  await writer.write(new TextEncoder().encode("GET / HTTP/1.0\r\nHost: localhost\r\n\r\n"));
  let text = "";
  const decoder = new TextDecoder();
  const reader = tls.readable.getReader();
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    text += decoder.decode(value, { stream: true });
  }
  await writer.close().catch(() => {});
  await tls.closed; // both directions done, the socket closed
  const { protocolVersion, cipherSuite } = tls.info;
  return `kerneltls in workerd: ${protocolVersion} ${cipherSuite?.name}\n${text}\nclosed cleanly\n`;
}

export default {
  async fetch(request: Request, env: Env): Promise<Response> {
    const params = new URL(request.url).searchParams;
    const port = Number(params.get("port"));
    const timeoutMs = Number(params.get("timeoutMs") ?? 10_000);
    try {
      return new Response(await fetchOverTls(port, env.CA_PEM, timeoutMs, request.signal));
    } catch (e) {
      const err = e as { name?: string; message?: string; alert?: number; detail?: string };
      return new Response(
        `failed: ${err.name} ${err.message} alert=${err.alert} detail=${err.detail}\n`,
        { status: 502 },
      );
    }
  },
};
