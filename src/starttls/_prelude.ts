/**
 * A plaintext prelude on a transport: the one reader and writer it holds,
 * bounded line reading, and the three ways it ends (TLS may start; the peer
 * refused; the peer misbehaved).
 *
 * @module
 */

import { concat } from "../_bytes.ts";
import type { ByteTransport } from "../streams/stream_types.ts";
import { startTlsError } from "./errors.ts";
import { resumeTransport } from "./transport.ts";

/**
 * Bounds on what a plaintext peer may send before TLS.
 *
 * @example
 * ```ts
 * import type { LineLimits } from "@kerneltls/tls/starttls";
 * const strict: LineLimits = { maxLineLength: 512, maxReplyLines: 32 };
 * console.log(strict.maxLineLength); // 512
 * ```
 */
export interface LineLimits {
  /** Longest line, in bytes, without its CRLF (default 8192). */
  maxLineLength?: number;
  /** Most lines in one reply (default 128). */
  maxReplyLines?: number;
}

const DEFAULT_MAX_LINE = 8192;
const DEFAULT_MAX_LINES = 128;
const LF = 0x0a;
const CR = 0x0d;

/** @internal The plaintext side of a STARTTLS exchange. */
export class Prelude {
  readonly maxReplyLines: number;
  readonly #transport: ByteTransport;
  readonly #reader: ReadableStreamDefaultReader<Uint8Array>;
  readonly #writer: WritableStreamDefaultWriter<Uint8Array>;
  readonly #maxLine: number;
  /** Bytes read and not yet taken. */
  #buf: Uint8Array = new Uint8Array(0);
  /** `refuse` or `fail` has dealt with the transport. */
  #settled = false;

  constructor(transport: ByteTransport, limits: LineLimits = {}) {
    const maxLine = limits.maxLineLength ?? DEFAULT_MAX_LINE;
    const maxLines = limits.maxReplyLines ?? DEFAULT_MAX_LINES;
    for (const [name, n] of [["maxLineLength", maxLine], ["maxReplyLines", maxLines]] as const) {
      if (!Number.isSafeInteger(n) || n < 1) {
        throw new RangeError(`${name} must be a positive integer`);
      }
    }
    this.#maxLine = maxLine;
    this.maxReplyLines = maxLines;
    this.#transport = transport;
    this.#reader = transport.readable.getReader();
    this.#writer = transport.writable.getWriter();
  }

  /** Sends `line` and CRLF (ASCII). */
  send(line: string): Promise<void> {
    return this.#writer.write(Uint8Array.from(line + "\r\n", (c) => c.charCodeAt(0)));
  }

  /** Sends raw bytes. */
  sendBytes(bytes: Uint8Array): Promise<void> {
    return this.#writer.write(bytes);
  }

  /** The next byte. */
  async readByte(waitingFor: string): Promise<number> {
    if (this.#buf.length === 0) await this.#readMore(waitingFor);
    const byte = this.#buf[0];
    this.#buf = this.#buf.subarray(1);
    return byte;
  }

  /** The next line without its line ending (CRLF, or a bare LF), as Latin-1. */
  async readLine(waitingFor: string): Promise<string> {
    let searched = 0;
    for (;;) {
      const end = this.#buf.indexOf(LF, searched);
      if (end >= 0) {
        const stop = end > 0 && this.#buf[end - 1] === CR ? end - 1 : end;
        if (stop > this.#maxLine) break;
        const line = latin1(this.#buf.subarray(0, stop));
        this.#buf = this.#buf.subarray(end + 1);
        return line;
      }
      if (this.#buf.length > this.#maxLine + 1) break;
      searched = this.#buf.length;
      await this.#readMore(waitingFor);
    }
    throw startTlsError(
      "StartTlsLineTooLong",
      `a line longer than ${this.#maxLine} bytes while waiting for ${waitingFor}`,
    );
  }

  async #readMore(waitingFor: string): Promise<void> {
    for (;;) {
      const { value, done } = await this.#reader.read();
      if (done) {
        throw startTlsError(
          "StartTlsClosed",
          `the transport closed while waiting for ${waitingFor}`,
        );
      }
      if (value.length === 0) continue;
      this.#buf = this.#buf.length === 0 ? value : concat(this.#buf, value);
      return;
    }
  }

  /**
   * Client side, after the server's go-ahead: nothing may be buffered
   * (CVE-2011-0411, CVE-2021-23222), then the transport is ready for TLS.
   */
  async clientReady(goAhead: string): Promise<ByteTransport> {
    if (this.#buf.length > 0) {
      await this.fail(startTlsError(
        "StartTlsInjection",
        `${this.#buf.length} bytes followed the server's ${goAhead} before the TLS handshake`,
      ));
    }
    return resumeTransport(this.#transport, { reader: this.#reader, writer: this.#writer });
  }

  /**
   * Server side, after our go-ahead: bytes the client sent right after its
   * command (a pipelined ClientHello) are TLS records, handed on in front.
   */
  serverReady(): ByteTransport {
    const buffered = this.#buf;
    this.#buf = new Uint8Array(0);
    return resumeTransport(this.#transport, {
      reader: this.#reader,
      writer: this.#writer,
      buffered,
    });
  }

  /**
   * The peer declined (or we did): throws `error`. The transport stays open
   * and unlocked for a plaintext fallback when nothing unread is buffered;
   * otherwise it is closed.
   */
  async refuse(error: unknown): Promise<never> {
    if (this.#buf.length > 0) return await this.fail(error);
    this.#settled = true;
    this.#reader.releaseLock();
    this.#writer.releaseLock();
    throw error;
  }

  /** Closes both directions (the connection cannot be trusted) and throws `error`. */
  async fail(error: unknown): Promise<never> {
    this.#settled = true;
    await Promise.all([
      this.#reader.cancel(error).catch(() => {}),
      this.#writer.abort(error).catch(() => {}),
    ]);
    throw error;
  }

  /** Runs `body`; any failure it did not handle closes the transport. */
  async run<T>(body: () => Promise<T>): Promise<T> {
    try {
      return await body();
    } catch (e) {
      if (this.#settled) throw e;
      return await this.fail(e);
    }
  }
}

function latin1(bytes: Uint8Array): string {
  let s = "";
  for (let i = 0; i < bytes.length; i += 4096) {
    s += String.fromCharCode(...bytes.subarray(i, i + 4096));
  }
  return s;
}
