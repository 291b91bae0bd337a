/**
 * PostgreSQL's frontend/backend protocol v3 (the "Message Formats" chapter of
 * the PostgreSQL manual), as far as a client that logs in and runs simple
 * queries needs it: framing, the startup message, ErrorResponse, and the
 * simple query cycle. It runs over any byte streams (here: TLS).
 *
 * @module
 */

import { concat } from "../src/_bytes.ts";

/** Backend messages above this size are refused (a hostile server cannot make us buffer more). */
const MAX_MESSAGE = 1 << 20;
const utf8 = new TextEncoder();
const text = new TextDecoder();

/** PostgreSQL's ErrorResponse, with its fields (`C` is the SQLSTATE, `M` the message). */
export class PostgresError extends Error {
  /** Every field by its one-letter code (S, V, C, M, D, H, ...). */
  readonly fields: Readonly<Record<string, string>>;
  /** The SQLSTATE, e.g. "28000" (invalid_authorization_specification). */
  readonly code: string;

  constructor(fields: Record<string, string>) {
    super(`PostgreSQL ${fields.V ?? fields.S ?? "ERROR"} ${fields.C ?? "?"}: ${fields.M ?? ""}`);
    this.name = "PostgresError";
    this.fields = fields;
    this.code = fields.C ?? "";
  }
}

/** Reads the fields of a message body, refusing to read past its end. */
export class BodyReader {
  #at = 0;
  constructor(readonly body: Uint8Array) {}

  #take(n: number): Uint8Array {
    if (n < 0 || this.#at + n > this.body.length) throw new Error("PostgreSQL: truncated message");
    return this.body.subarray(this.#at, this.#at += n);
  }

  int16(): number {
    const b = this.#take(2);
    return (b[0] << 8) | b[1];
  }

  int32(): number {
    const b = this.#take(4);
    return ((b[0] << 24) | (b[1] << 16) | (b[2] << 8) | b[3]) | 0;
  }

  /** A NUL-terminated UTF-8 string. */
  cstring(): string {
    const end = this.body.indexOf(0, this.#at);
    if (end < 0) throw new Error("PostgreSQL: unterminated string");
    const s = text.decode(this.body.subarray(this.#at, end));
    this.#at = end + 1;
    return s;
  }

  bytes(n: number): Uint8Array {
    return this.#take(n);
  }

  /** What is left. */
  rest(): Uint8Array {
    return this.#take(this.body.length - this.#at);
  }
}

const int32 = (n: number) => new Uint8Array([n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255]);
/** A NUL-terminated UTF-8 string. */
export const cstring = (s: string): Uint8Array => concat(utf8.encode(s), new Uint8Array([0]));
/** A byte string with its int32 length in front (SASLInitialResponse's data). */
export const sized = (b: Uint8Array): Uint8Array => concat(int32(b.length), b);

/** One backend message: its type letter and its body. */
export interface BackendMessage {
  type: string;
  body: Uint8Array;
}

/** A simple query's result: column names and rows of text values (null for SQL NULL). */
export interface QueryResult {
  columns: string[];
  rows: (string | null)[][];
  /** The CommandComplete tag, e.g. "SELECT 1". */
  command: string;
}

/**
 * Message framing over a byte stream pair. `read()` throws
 * {@link PostgresError} for an ErrorResponse and skips notices.
 *
 * @example
 * ```ts
 * import { PgWire } from "./_pg_wire.ts";
 * const { readable, writable } = new TransformStream<Uint8Array, Uint8Array>();
 * const wire = new PgWire(readable, writable);
 * await wire.send("Q", new TextEncoder().encode("SELECT 1\0"));
 * ```
 */
export class PgWire {
  readonly #reader: ReadableStreamDefaultReader<Uint8Array>;
  readonly #writer: WritableStreamDefaultWriter<Uint8Array>;
  #buffer: Uint8Array = new Uint8Array(0);

  constructor(readable: ReadableStream<Uint8Array>, writable: WritableStream<Uint8Array>) {
    this.#reader = readable.getReader();
    this.#writer = writable.getWriter();
  }

  /** Sends one frontend message; `type` "" is the untyped startup message. */
  send(type: string, ...body: Uint8Array[]): Promise<void> {
    const payload = concat(...body);
    const head = type === "" ? new Uint8Array(0) : utf8.encode(type);
    return this.#writer.write(concat(head, int32(payload.length + 4), payload));
  }

  /** The StartupMessage: protocol 3.0 and the `user`, `database`, ... parameters. */
  startup(parameters: Record<string, string>): Promise<void> {
    const pairs = Object.entries(parameters).flatMap(([k, v]) => [cstring(k), cstring(v)]);
    return this.send("", int32(196608), ...pairs, new Uint8Array([0]));
  }

  async #fill(n: number): Promise<void> {
    while (this.#buffer.length < n) {
      const { value, done } = await this.#reader.read();
      if (done) throw new Error("PostgreSQL closed the connection");
      this.#buffer = concat(this.#buffer, value);
    }
  }

  /** The next backend message other than a NoticeResponse. */
  async read(): Promise<BackendMessage> {
    for (;;) {
      await this.#fill(5);
      const type = String.fromCharCode(this.#buffer[0]);
      const length = new BodyReader(this.#buffer.subarray(1, 5)).int32();
      if (length < 4 || length > MAX_MESSAGE) throw new Error(`PostgreSQL: bad length ${length}`);
      await this.#fill(1 + length);
      const body = this.#buffer.slice(5, 1 + length);
      this.#buffer = this.#buffer.subarray(1 + length);
      if (type === "E") throw new PostgresError(fields(body));
      if (type !== "N") return { type, body };
    }
  }

  /** Runs `sql` with the simple query protocol and collects its (one) result. */
  async query(sql: string): Promise<QueryResult> {
    await this.send("Q", cstring(sql));
    const result: QueryResult = { columns: [], rows: [], command: "" };
    let failure: PostgresError | undefined;
    for (;;) {
      let message: BackendMessage;
      try {
        message = await this.read();
      } catch (e) {
        // After an ErrorResponse the server ends the cycle with ReadyForQuery,
        // or (FATAL) closes the connection: either way the error is the news.
        if (!(e instanceof PostgresError)) throw failure ?? e;
        failure = e;
        continue;
      }
      const r = new BodyReader(message.body);
      if (message.type === "T") {
        const n = r.int16();
        for (let i = 0; i < n; i++) {
          result.columns.push(r.cstring());
          r.bytes(18); // table OID, column number, type OID, size, modifier, format
        }
      } else if (message.type === "D") {
        const n = r.int16();
        const row: (string | null)[] = [];
        for (let i = 0; i < n; i++) {
          const len = r.int32();
          row.push(len < 0 ? null : text.decode(r.bytes(len)));
        }
        result.rows.push(row);
      } else if (message.type === "C") {
        result.command = r.cstring();
      } else if (message.type === "Z") {
        if (failure) throw failure;
        return result;
      }
    }
  }

  /**
   * Sends Terminate, reads until the server has closed (it closes at once),
   * then closes our side. Sending our close_notify may fail by then (the
   * socket is gone) and is of no consequence after Terminate.
   */
  async terminate(): Promise<void> {
    await this.send("X");
    try {
      while (!(await this.#reader.read()).done) { /* nothing more is expected */ }
    } catch { /* a server that closed without close_notify */ }
    await this.#writer.close().catch(() => {});
  }
}

function fields(body: Uint8Array): Record<string, string> {
  const out: Record<string, string> = {};
  const r = new BodyReader(body);
  for (let code = r.bytes(1)[0]; code !== 0; code = r.bytes(1)[0]) {
    out[String.fromCharCode(code)] = r.cstring();
  }
  return out;
}
