// An HTTPS server built on acceptTls over node:net (so it runs under Deno and
// Bun), for real browsers as clients: it serves fixed pages over HTTP/1.1 with
// `Connection: close`, and records per connection what the client offered
// (its ClientHello, decoded), what was negotiated and the request line.
import { createServer, type Socket } from "node:net";
import { Duplex } from "node:stream";
import { ServerConfig } from "../../src/server/config.ts";
import { acceptTls, type ByteTransport, type TlsStream } from "../../src/streams/tls_stream.ts";
import { type ClientHelloOffer, clientHelloOffer } from "../_client_hello_offer.ts";
import { joinBytes } from "../_pair.ts";

/** Bytes of each connection kept for decoding the ClientHello. */
const CAPTURE_BYTES = 64 * 1024;
/** A request head larger than this is refused. */
const MAX_HEAD_BYTES = 16 * 1024;
const HANDSHAKE_TIMEOUT_MS = 10_000;

/** One TLS connection the server completed. */
export interface PageConnection {
  protocolVersion: string | undefined;
  cipherSuite: string | undefined;
  group: string | undefined;
  alpn: string | undefined;
  serverName: string | undefined;
  offer: ClientHelloOffer;
  /** The HTTP request line, once read. */
  requestLine?: string;
}

/** A running page server. */
export interface HttpsPageServer {
  port: number;
  connections: PageConnection[];
  /** Connections that failed: `handshake: <message>` or `http: <message>`. */
  failures: string[];
  /** Resolves at the next failure after the call, with its message. */
  nextFailure(): Promise<string>;
  /** Closes the listener and every open socket. */
  close(): Promise<void>;
}

async function readHead(reader: ReadableStreamDefaultReader<Uint8Array>): Promise<string> {
  const decoder = new TextDecoder();
  let text = "";
  while (!text.includes("\r\n\r\n")) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`request ended after ${text.length} bytes`);
    text += decoder.decode(value, { stream: true });
    if (text.length > MAX_HEAD_BYTES) throw new Error("request head too large");
  }
  return text;
}

function response(pages: Record<string, string>, requestLine: string): Uint8Array {
  const path = requestLine.match(/^GET (\S+) HTTP\/1\.[01]$/)?.[1];
  const page = path === undefined ? undefined : pages[path];
  const body = new TextEncoder().encode(page ?? "not found\n");
  const head = `HTTP/1.1 ${page === undefined ? "404 Not Found" : "200 OK"}\r\n` +
    `content-type: ${page === undefined ? "text/plain" : "text/html"}; charset=utf-8\r\n` +
    `content-length: ${body.length}\r\ncache-control: no-store\r\nconnection: close\r\n\r\n`;
  return joinBytes([new TextEncoder().encode(head), body]);
}

/** Starts the server on 127.0.0.1 (a free port) serving `pages` by path. */
export async function startHttpsPageServer(
  config: ServerConfig,
  pages: Record<string, string>,
): Promise<HttpsPageServer> {
  const connections: PageConnection[] = [];
  const failures: string[] = [];
  const sockets = new Set<Socket>();
  let waiters: ((message: string) => void)[] = [];

  async function serve(socket: Socket): Promise<void> {
    const web = Duplex.toWeb(socket) as ByteTransport;
    const captured: Uint8Array[] = [];
    let capturedBytes = 0;
    const tap = new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        if (capturedBytes < CAPTURE_BYTES) {
          captured.push(chunk.slice());
          capturedBytes += chunk.length;
        }
        controller.enqueue(chunk);
      },
    });
    const tls = await acceptTls(
      { readable: web.readable.pipeThrough(tap), writable: web.writable },
      config,
      { handshakeTimeoutMs: HANDSHAKE_TIMEOUT_MS },
    ).catch((e) => {
      throw new Error(`handshake: ${e instanceof Error ? e.message : e}`);
    });
    const conn: PageConnection = {
      protocolVersion: tls.info.protocolVersion,
      cipherSuite: tls.info.cipherSuite?.name,
      group: tls.connection.negotiatedKeyExchangeGroup?.name,
      alpn: tls.info.alpnProtocol,
      serverName: tls.connection.serverName,
      offer: clientHelloOffer(joinBytes(captured)),
    };
    connections.push(conn);
    try {
      await answer(tls, conn);
    } catch (e) {
      throw new Error(`http: ${e instanceof Error ? e.message : e}`);
    }
  }

  async function answer(tls: TlsStream, conn: PageConnection): Promise<void> {
    const reader = tls.readable.getReader();
    const head = await readHead(reader);
    conn.requestLine = head.slice(0, head.indexOf("\r\n"));
    const writer = tls.writable.getWriter();
    await writer.write(response(pages, conn.requestLine));
    await writer.close();
    // Connection: close. Browsers often drop the connection after the body
    // without a close_notify (or are stopped): the page is served by then, so
    // how the connection ends is not a failure.
    try {
      while (!(await reader.read()).done) { /* nothing more is expected */ }
    } catch { /* ended without close_notify */ }
  }

  // allowHalfOpen (see ByteTransport): a client's FIN must not end our side
  // under acceptTls, which closes the writable itself. (Without it, closing
  // the writable of a socket Node already ended throws an uncaught TypeError
  // inside Deno's Duplex.toWeb adapter.)
  const server = createServer({ allowHalfOpen: true }, (socket) => {
    sockets.add(socket);
    socket.setNoDelay(true);
    socket.once("close", () => sockets.delete(socket));
    serve(socket).catch((e) => {
      const message = e instanceof Error ? e.message : String(e);
      failures.push(message);
      const woken = waiters;
      waiters = [];
      for (const w of woken) w(message);
      socket.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", resolve);
  });
  return {
    port: (server.address() as { port: number }).port,
    connections,
    failures,
    nextFailure: () => new Promise((resolve) => waiters.push(resolve)),
    async close(): Promise<void> {
      for (const s of sockets) s.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

/**
 * Starts the server with `leaf` (its certificate and key, as testPki issues
 * them), offering ALPN http/1.1 only, serving `pages`.
 */
export function startPageServerFor(
  leaf: { certPem: string; keyPem: string },
  pages: Record<string, string>,
): Promise<HttpsPageServer> {
  const config = new ServerConfig({
    certificateChain: leaf.certPem,
    privateKey: leaf.keyPem,
    alpnProtocols: ["http/1.1"],
  });
  return startHttpsPageServer(config, pages);
}

/**
 * A page that is one solid `colour` edge to edge (so a screenshot of it is
 * recognisable, see shareOfColour) with `text` in white in `<p id="served">`.
 */
export function colourPage(colour: [number, number, number], text: string): string {
  return `<!doctype html>
<html><head><meta charset="utf-8"><title>kerneltls</title><link rel="icon" href="data:,">
<style>html, body { margin: 0; height: 100%; background: rgb(${colour.join(", ")}); }
p { margin: 0; font: 16px sans-serif; color: white; }</style></head>
<body><p id="served">${text}</p></body></html>
`;
}
