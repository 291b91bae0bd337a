/**
 * An HTTPS GET over our client: `Deno.connect` for TCP, `connectTls` for
 * TLS, HTTP/1.1 by hand.
 *
 * Run: deno run -A examples/https_get.ts [https://host[:port]/path]
 * With no URL it starts a local `Deno.serve` HTTPS server (test certificate)
 * and fetches from it; with a URL it trusts the system CA bundle.
 *
 * @module
 */

import { ClientConfig, RootCertStore } from "../mod.ts";
import { connectTls, halfCloseTransport, type TlsStreamInfo } from "../src/streams/tls_stream.ts";
import { testPki } from "./_certgen.ts";
import { loadRootsFromFile } from "./_load_pem.ts";

/** The parsed response. */
export interface HttpsResponse {
  /** The status code. */
  status: number;
  /** Header names lower-cased. */
  headers: Map<string, string>;
  /** The body as text. */
  body: string;
  /** TLS facts. */
  tls: TlsStreamInfo;
}

/**
 * Fetches `url` with GET over TLS 1.3/1.2, trusting `roots`. `connectHost`
 * overrides the address dialed (the certificate is still checked against
 * the URL's host).
 *
 * @example
 * ```ts
 * import { httpsGet } from "./https_get.ts";
 * import { loadRootsFromFile } from "./_load_pem.ts";
 * const { roots } = await loadRootsFromFile();
 * const res = await httpsGet("https://example.com/", roots);
 * console.log(res.status, res.body.length);
 * ```
 */
export async function httpsGet(
  url: string,
  roots: RootCertStore,
  connectHost?: string,
): Promise<HttpsResponse> {
  const u = new URL(url);
  const port = Number(u.port || 443);
  const tcp = await Deno.connect({ hostname: connectHost ?? u.hostname, port });
  const config = new ClientConfig({ roots, alpnProtocols: ["http/1.1"] });
  const tls = await connectTls(halfCloseTransport(tcp), config, u.hostname);
  const writer = tls.writable.getWriter();
  await writer.write(
    new TextEncoder().encode(
      `GET ${u.pathname}${u.search} HTTP/1.1\r\nHost: ${u.host}\r\n` +
        `Connection: close\r\nAccept-Encoding: identity\r\n\r\n`,
    ),
  );
  // Read until the body is complete (Content-Length) or the server closes:
  // some servers drop TCP without close_notify once the response is out, so
  // we do not insist on reading to the end when the length is known.
  const reader = tls.readable.getReader();
  let raw = new Uint8Array(0);
  let head: { status: number; headers: Map<string, string>; bodyStart: number } | undefined;
  for (;;) {
    if (head) {
      const length = head.headers.get("content-length");
      if (length !== undefined && raw.length - head.bodyStart >= Number(length)) break;
    }
    const { value, done } = await reader.read();
    if (done) break;
    const merged = new Uint8Array(raw.length + value.length);
    merged.set(raw);
    merged.set(value, raw.length);
    raw = merged;
    head ??= parseHead(raw);
  }
  if (!head) throw new Error("no HTTP response head");
  await writer.close().catch(() => {});
  await reader.cancel().catch(() => {});
  return {
    status: head.status,
    headers: head.headers,
    body: new TextDecoder().decode(raw.subarray(head.bodyStart)),
    tls: tls.info,
  };
}

function parseHead(
  raw: Uint8Array,
): { status: number; headers: Map<string, string>; bodyStart: number } | undefined {
  const text = new TextDecoder("latin1").decode(raw);
  const end = text.indexOf("\r\n\r\n");
  if (end < 0) return undefined;
  const [statusLine, ...lines] = text.slice(0, end).split("\r\n");
  const headers = new Map<string, string>();
  for (const line of lines) {
    const colon = line.indexOf(":");
    headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
  return { status: Number(statusLine.split(" ")[1]), headers, bodyStart: end + 4 };
}

if (import.meta.main) {
  if (Deno.args[0]) {
    const { roots } = await loadRootsFromFile();
    const res = await httpsGet(Deno.args[0], roots);
    console.log(`${res.status}, ${res.tls.protocolVersion} ${res.tls.cipherSuite?.name}`);
    console.log(res.body.slice(0, 500));
  } else {
    const { ca, leaf } = await testPki(["localhost", "127.0.0.1"]);
    const server = Deno.serve(
      { hostname: "127.0.0.1", port: 0, cert: leaf.certPem, key: leaf.keyPem, onListen() {} },
      () => new Response("hello from Deno.serve over HTTPS\n"),
    );
    const url = `https://localhost:${server.addr.port}/`;
    const res = await httpsGet(url, RootCertStore.fromPem(ca.certPem), "127.0.0.1");
    console.log(
      `GET ${url} -> ${res.status} (${res.tls.protocolVersion}, ALPN ${res.tls.alpnProtocol})`,
    );
    console.log(res.body.trimEnd());
    await server.shutdown();
  }
}
