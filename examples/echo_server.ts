/**
 * A TLS echo server built from `acceptTls` over plain `Deno.listen`: every
 * byte a client sends comes back, until the client sends close_notify.
 *
 * Run: deno run -A examples/echo_server.ts [port]
 * (with no port it picks a free one and prints it, plus a CA file to trust).
 *
 * @module
 */

import { ServerConfig } from "../mod.ts";
import { acceptTls, halfCloseTransport } from "../src/streams/tls_stream.ts";
import { testPki } from "./_certgen.ts";

/** Where and with which certificate to listen. */
export interface EchoServerOptions {
  /** Address to bind (default 127.0.0.1). */
  hostname?: string;
  /** TCP port (default 0: any free port). */
  port?: number;
  /** Certificate chain PEM; with `keyPem`. When absent a test PKI is made. */
  certPem?: string;
  /** Private key PEM. */
  keyPem?: string;
  /** ALPN protocols to offer. */
  alpnProtocols?: string[];
  /** Progress lines (default: silent). */
  log?: (line: string) => void;
}

/** A running echo server. */
export interface EchoServer {
  /** The bound port. */
  port: number;
  /** The CA certificate to trust when the server made its own test PKI. */
  caPem: string | undefined;
  /** Stops accepting and waits for open connections to finish. */
  close(): Promise<void>;
}

/**
 * Starts the echo server.
 *
 * @example
 * ```ts
 * import { startEchoServer } from "./echo_server.ts";
 * const server = await startEchoServer({ port: 0 });
 * console.log(server.port);
 * await server.close();
 * ```
 */
export async function startEchoServer(options: EchoServerOptions = {}): Promise<EchoServer> {
  const log = options.log ?? (() => {});
  let caPem: string | undefined;
  let { certPem, keyPem } = options;
  if (certPem === undefined || keyPem === undefined) {
    const { ca, leaf } = await testPki(["localhost", "127.0.0.1"]);
    caPem = ca.certPem;
    certPem = leaf.certPem;
    keyPem = leaf.keyPem;
  }
  const config = new ServerConfig({
    certificateChain: certPem,
    privateKey: keyPem,
    alpnProtocols: options.alpnProtocols,
  });
  const listener = Deno.listen({
    hostname: options.hostname ?? "127.0.0.1",
    port: options.port ?? 0,
  });
  const open = new Set<Promise<void>>();

  async function serve(tcp: Deno.TcpConn): Promise<void> {
    const peer = `${tcp.remoteAddr.hostname}:${tcp.remoteAddr.port}`;
    try {
      const tls = await acceptTls(halfCloseTransport(tcp), config);
      log(`${peer}: ${tls.info.protocolVersion} ${tls.info.cipherSuite?.name}`);
      // Echo: the plaintext readable piped straight into the plaintext
      // writable; closing the writable at the client's close_notify sends ours.
      await tls.readable.pipeTo(tls.writable);
      log(`${peer}: closed cleanly`);
    } catch (e) {
      log(`${peer}: ${(e as Error).message}`);
      try {
        tcp.close();
      } catch { /* already closed by the stream */ }
    }
  }

  const accepting = (async () => {
    for await (const tcp of listener) {
      const done = serve(tcp);
      open.add(done);
      done.finally(() => open.delete(done));
    }
  })();

  return {
    port: (listener.addr as Deno.NetAddr).port,
    caPem,
    async close(): Promise<void> {
      listener.close();
      await accepting.catch(() => {});
      await Promise.allSettled([...open]);
    },
  };
}

if (import.meta.main) {
  const server = await startEchoServer({
    port: Deno.args[0] ? Number(Deno.args[0]) : 0,
    log: console.log,
  });
  const caPath = await Deno.makeTempFile({ suffix: "-kerneltls-ca.pem" });
  await Deno.writeTextFile(caPath, server.caPem ?? "");
  console.log(`TLS echo server on 127.0.0.1:${server.port}; trust ${caPath}`);
  console.log(`try: openssl s_client -connect 127.0.0.1:${server.port} -CAfile ${caPath}`);
}
