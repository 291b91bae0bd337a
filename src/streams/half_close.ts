/**
 * A TCP connection as a byte transport that half-closes: closing its
 * writable shuts only our direction (`closeWrite()`, a FIN), so after our
 * close_notify the peer still gets to answer, and a peer that reads to EOF
 * before it answers gets its EOF. Structural: it takes any object shaped
 * like `Deno.TcpConn` and touches no runtime API itself.
 *
 * @module
 */

import type { ByteTransport } from "./stream_types.ts";

/** Bytes asked for by the first `read()`, and the least ever asked for. */
const MIN_READ = 16 * 1024;
/** The most asked for by one `read()`: 16 records of 16 KiB, decrypted at once. */
const MAX_READ = 256 * 1024;

/**
 * What {@link halfCloseTransport} needs: the shape of a `Deno.TcpConn`
 * (and of `Deno.UnixConn`).
 *
 * @example
 * ```ts
 * import type { HalfClosable } from "@kerneltls/tls/streams";
 * function isHalfClosable(conn: object): conn is HalfClosable {
 *   return "closeWrite" in conn && "readable" in conn && "writable" in conn && "close" in conn;
 * }
 * void isHalfClosable;
 * ```
 */
export interface HalfClosable {
  /** Bytes from the peer (not used when `read` exists). */
  readonly readable: ReadableStream<Uint8Array>;
  /** Bytes to the peer; it is written to but never closed. */
  readonly writable: WritableStream<Uint8Array>;
  /** Shuts down our direction only (TCP FIN). */
  closeWrite(): Promise<void>;
  /** Closes both directions. */
  close(): void;
  /**
   * Reads into `p`, `null` at EOF. Used instead of `readable` when present:
   * Deno's `readable` closes the whole connection when it reaches EOF, which
   * would leave no way to answer a peer that half-closed first.
   */
  read?(p: Uint8Array): Promise<number | null>;
}

/**
 * Wraps `conn` as a `ByteTransport` with `halfClose: true`: its writable's
 * `close()` calls `conn.closeWrite()` instead of closing the socket, and
 * `conn.close()` is called once both directions are done (the readable
 * ended or was cancelled, the writable closed) or at once when the writable
 * is aborted. Give it to `connectTls` / `acceptTls`, which then send FIN
 * right after their close_notify.
 *
 * @example
 * ```ts
 * import { ClientConfig, RootCertStore } from "@kerneltls/tls";
 * import { connectTls, halfCloseTransport } from "@kerneltls/tls/streams";
 * async function ask(caPem: string, port: number): Promise<string> {
 *   const tcp = await Deno.connect({ hostname: "127.0.0.1", port });
 *   const config = new ClientConfig({ roots: RootCertStore.fromPem(caPem) });
 *   const tls = await connectTls(halfCloseTransport(tcp), config, "localhost");
 *   const writer = tls.writable.getWriter();
 *   await writer.write(new TextEncoder().encode("question"));
 *   await writer.close(); // close_notify, then FIN; the answer can still come
 *   return await new Response(tls.readable).text();
 * }
 * void ask;
 * ```
 */
export function halfCloseTransport(conn: HalfClosable): ByteTransport {
  let readDone = false;
  let writeDone = false;
  let closed = false;
  const closeOnce = () => {
    if (closed) return;
    closed = true;
    try {
      conn.close();
    } catch { /* already closed */ }
  };
  const done = (side: "read" | "write") => {
    if (side === "read") readDone = true;
    else writeDone = true;
    if (readDone && writeDone) closeOnce();
  };
  const next = readNext(conn);
  const readable = new ReadableStream<Uint8Array>({
    async pull(controller) {
      let chunk: Uint8Array | null;
      try {
        chunk = await next.read();
      } catch (e) {
        done("read");
        throw e;
      }
      if (chunk) controller.enqueue(chunk);
      else {
        controller.close();
        done("read");
      }
    },
    async cancel(reason) {
      await next.cancel(reason);
      done("read");
    },
  }, { highWaterMark: 0 });
  const writer = conn.writable.getWriter();
  const writable = new WritableStream<Uint8Array>({
    write: (chunk) => writer.write(chunk),
    async close() {
      try {
        await conn.closeWrite();
      } finally {
        done("write");
      }
    },
    abort() {
      closeOnce();
    },
  });
  return { readable, writable, halfClose: true };
}

/** The next chunk from `conn` (`null` at EOF), through `read()` when it has one. */
function readNext(conn: HalfClosable): {
  read(): Promise<Uint8Array | null>;
  cancel(reason: unknown): Promise<void>;
} {
  if (conn.read) {
    const read = conn.read.bind(conn);
    return { read: slabReads(read), cancel: () => Promise.resolve() };
  }
  let reader: ReadableStreamDefaultReader<Uint8Array> | undefined;
  return {
    async read() {
      reader ??= conn.readable.getReader();
      const { value, done } = await reader.read();
      return done ? null : value;
    },
    cancel: (reason) => (reader ?? conn.readable).cancel(reason).catch(() => {}),
  };
}

/**
 * Reads through `read(p)` into consecutive regions of a larger buffer (a
 * slab), never reusing a region once handed out: each chunk is the reader's
 * to keep, without a copy, and chunks that follow each other on the wire lie
 * next to each other in memory (the read buffer joins them without copying).
 * The size asked for doubles while reads fill it (up to {@link MAX_READ}) and
 * halves when they come back less than half full, so a busy connection reads
 * 256 KiB at a time and an idle one holds a small slab.
 */
export function slabReads(
  read: (p: Uint8Array) => Promise<number | null>,
): () => Promise<Uint8Array | null> {
  let size = MIN_READ;
  let slab = new Uint8Array(0);
  let at = 0;
  return async () => {
    if (slab.length - at < size) {
      slab = new Uint8Array(size * 4);
      at = 0;
    }
    const asked = size;
    const n = await read(slab.subarray(at, at + asked));
    if (n === null) return null;
    const chunk = slab.subarray(at, at + n);
    at += n;
    if (n === asked) size = Math.min(MAX_READ, size * 2);
    else if (n < asked / 2) size = Math.max(MIN_READ, size / 2);
    return chunk;
  };
}
