/**
 * Where a server keeps the sessions behind stateful TLS 1.3 tickets. The
 * ticket sent to the client is a random identifier; the session stays here.
 * The interface is async so that a store can live in Redis, Deno KV or a
 * database shared by several server instances.
 *
 * @module
 */

import { toHex } from "../_bytes.ts";
import type { ServerSessionValue } from "./session_value.ts";

/**
 * Storage for server sessions, keyed by ticket identifier.
 *
 * @example
 * ```ts
 * import { ServerConfig } from "@kerneltls/tls";
 * import type { ServerSessionStore, ServerSessionValue } from "@kerneltls/tls";
 * // A tiny unbounded store; a shared one (Redis, Deno KV) lets instances resume each other's sessions.
 * class MapStore implements ServerSessionStore {
 *   readonly #map = new Map<string, ServerSessionValue>();
 *   put(id: Uint8Array, value: ServerSessionValue): Promise<boolean> {
 *     this.#map.set(id.join(","), value);
 *     return Promise.resolve(true);
 *   }
 *   get(id: Uint8Array): Promise<ServerSessionValue | undefined> {
 *     return Promise.resolve(this.#map.get(id.join(",")));
 *   }
 *   take(id: Uint8Array): Promise<ServerSessionValue | undefined> {
 *     const value = this.#map.get(id.join(","));
 *     this.#map.delete(id.join(","));
 *     return Promise.resolve(value);
 *   }
 * }
 * const config = new ServerConfig({ certResolver: () => undefined, sessionStore: new MapStore() });
 * void config;
 * ```
 */
export interface ServerSessionStore {
  /** Stores `value` under `id`; false when the store declined it (no ticket is sent then). */
  put(id: Uint8Array, value: ServerSessionValue): Promise<boolean>;
  /** Looks a session up, leaving it in place. */
  get(id: Uint8Array): Promise<ServerSessionValue | undefined>;
  /**
   * Removes and returns a session. Used when the client offers 0-RTT, so that
   * a replayed ClientHello finds nothing (RFC 8446 section 8.1).
   */
  take(id: Uint8Array): Promise<ServerSessionValue | undefined>;
}

/**
 * Options for {@link InMemoryServerSessionStore}.
 *
 * @example
 * ```ts
 * import { InMemoryServerSessionStore } from "@kerneltls/tls";
 * import type { InMemoryServerSessionStoreOptions } from "@kerneltls/tls";
 * const options: InMemoryServerSessionStoreOptions = { maxSessions: 10_000 };
 * const store = new InMemoryServerSessionStore(options);
 * console.log(await store.take(new Uint8Array([1]))); // undefined
 * ```
 */
export interface InMemoryServerSessionStoreOptions {
  /** Sessions kept; the oldest is dropped beyond it (default 256). */
  maxSessions?: number;
}

/**
 * The default stateful store: bounded, in memory, per process.
 *
 * @example
 * ```ts
 * import { InMemoryServerSessionStore } from "@kerneltls/tls";
 * const store = new InMemoryServerSessionStore({ maxSessions: 1024 });
 * console.log(await store.get(new Uint8Array([1, 2, 3]))); // undefined
 * ```
 */
export class InMemoryServerSessionStore implements ServerSessionStore {
  readonly #max: number;
  readonly #sessions = new Map<string, ServerSessionValue>();

  /** Creates an empty store. */
  constructor(options: InMemoryServerSessionStoreOptions = {}) {
    this.#max = options.maxSessions ?? 256;
    if (!Number.isInteger(this.#max) || this.#max < 1) {
      throw new TypeError("InMemoryServerSessionStore: maxSessions must be at least 1");
    }
  }

  /** Sessions held now. */
  get size(): number {
    return this.#sessions.size;
  }

  /** Stores a session, dropping the oldest beyond the bound. */
  put(id: Uint8Array, value: ServerSessionValue): Promise<boolean> {
    const key = toHex(id);
    this.#sessions.delete(key);
    this.#sessions.set(key, value);
    while (this.#sessions.size > this.#max) {
      this.#sessions.delete(this.#sessions.keys().next().value!);
    }
    return Promise.resolve(true);
  }

  /** Looks a session up. */
  get(id: Uint8Array): Promise<ServerSessionValue | undefined> {
    return Promise.resolve(this.#sessions.get(toHex(id)));
  }

  /** Removes and returns a session. */
  take(id: Uint8Array): Promise<ServerSessionValue | undefined> {
    const key = toHex(id);
    const value = this.#sessions.get(key);
    this.#sessions.delete(key);
    return Promise.resolve(value);
  }
}
