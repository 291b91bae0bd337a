/**
 * A {@link ClientSessionStore} over any string key-value store, such as a
 * Cloudflare Workers KV namespace (whose `get` / `put` / `delete` it matches)
 * or a thin wrapper around Deno KV or Redis: sessions survive the isolate, so
 * the next request's connection resumes. Values are the text of
 * `encodeClientSession`, which holds the sessions' secrets: the namespace must
 * be private to this client's code.
 *
 * @module
 */

import { clientSessionExpiry, decodeClientSession, encodeClientSession } from "./session_codec.ts";
import type {
  ClientSessionStore,
  Tls12ClientSession,
  Tls13ClientSession,
} from "./session_store.ts";

/** The key-value operations the store uses (Workers KV has exactly these). */
export interface SessionKeyValue {
  /** The value at `key`, or null / undefined when there is none. */
  get(key: string): Promise<string | null | undefined>;
  /** Stores `value`; `expirationTtl` (seconds) lets the store drop it by itself. */
  put(key: string, value: string, options?: { expirationTtl?: number }): Promise<void>;
  /** Removes `key`. */
  delete(key: string): Promise<void>;
}

/** Options for {@link KeyValueClientSessionStore}. */
export interface KeyValueClientSessionStoreOptions {
  /** Prefix of every key written (default `"kerneltls:"`). */
  prefix?: string;
  /** TLS 1.3 tickets kept per server, newest first (default 4). */
  ticketsPerServer?: number;
  /** The clock, in milliseconds since the epoch (default `Date.now`). */
  now?: () => number;
}

/** Workers KV refuses an `expirationTtl` under 60 seconds. */
const MIN_TTL_SECONDS = 60;

/**
 * Client sessions in a key-value store. Two clients sharing the store may take
 * the same ticket at once (the store has no transactions); a server then sees
 * a ticket used twice, which TLS 1.3 permits for 1-RTT resumption (a server
 * that enforces single use answers with a full handshake). Enable 0-RTT only
 * where that is acceptable. A value that does not decode (another format
 * version, damage) is deleted and treated as no session.
 *
 * @example
 * ```ts
 * import { ClientConfig, KeyValueClientSessionStore, RootCertStore } from "@kerneltls/tls";
 * import type { SessionKeyValue } from "@kerneltls/tls";
 * // In a Worker this would be env.TLS_SESSIONS (a KV namespace).
 * const map = new Map<string, string>();
 * const kv: SessionKeyValue = {
 *   get: (k) => Promise.resolve(map.get(k)),
 *   put: (k, v) => Promise.resolve(void map.set(k, v)),
 *   delete: (k) => Promise.resolve(void map.delete(k)),
 * };
 * const config = new ClientConfig({
 *   roots: new RootCertStore(),
 *   sessionStore: new KeyValueClientSessionStore(kv),
 * });
 * void config;
 * ```
 */
export class KeyValueClientSessionStore implements ClientSessionStore {
  readonly #kv: SessionKeyValue;
  readonly #prefix: string;
  readonly #ticketsPerServer: number;
  readonly #now: () => number;

  /** Stores sessions in `kv` under keys that start with the prefix. */
  constructor(kv: SessionKeyValue, options: KeyValueClientSessionStoreOptions = {}) {
    this.#kv = kv;
    this.#prefix = options.prefix ?? "kerneltls:";
    this.#ticketsPerServer = options.ticketsPerServer ?? 4;
    this.#now = options.now ?? Date.now;
    if (!(this.#ticketsPerServer >= 1)) {
      throw new TypeError("KeyValueClientSessionStore: ticketsPerServer must be at least 1");
    }
  }

  #key(kind: string, serverName: string): string {
    return `${this.#prefix}${kind}:${serverName}`;
  }

  #ttl(expiresAt: number): number {
    return Math.max(MIN_TTL_SECONDS, Math.ceil((expiresAt - this.#now()) / 1000));
  }

  async #tickets(key: string): Promise<Tls13ClientSession[]> {
    const text = await this.#kv.get(key);
    if (text == null) return [];
    try {
      const list = JSON.parse(text);
      if (!Array.isArray(list)) throw new TypeError("not a list");
      const now = this.#now();
      const live: Tls13ClientSession[] = [];
      for (const item of list) {
        const d = typeof item === "string" ? decodeClientSession(item, now) : undefined;
        if (d?.kind === "tls13") live.push(d.session);
      }
      return live;
    } catch {
      await this.#kv.delete(key);
      return [];
    }
  }

  async #putTickets(key: string, tickets: Tls13ClientSession[]): Promise<void> {
    if (tickets.length === 0) return this.#kv.delete(key);
    const expiresAt = Math.max(...tickets.map(clientSessionExpiry));
    await this.#kv.put(key, JSON.stringify(tickets.map(encodeClientSession)), {
      expirationTtl: this.#ttl(expiresAt),
    });
  }

  /** Adds a ticket (newest first), keeping at most `ticketsPerServer`. */
  async insertTls13Ticket(serverName: string, session: Tls13ClientSession): Promise<void> {
    const key = this.#key("tls13", serverName);
    const tickets = [session, ...await this.#tickets(key)].slice(0, this.#ticketsPerServer);
    await this.#putTickets(key, tickets);
  }

  /** Takes the newest live ticket and writes back the rest. */
  async takeTls13Ticket(serverName: string): Promise<Tls13ClientSession | undefined> {
    const key = this.#key("tls13", serverName);
    const [first, ...rest] = await this.#tickets(key);
    if (first) await this.#putTickets(key, rest);
    return first;
  }

  /** Remembers the group the server picked. */
  async setKxHint(serverName: string, group: number): Promise<void> {
    await this.#kv.put(this.#key("kx", serverName), String(group));
  }

  /** The group the server picked last time, if known. */
  async kxHint(serverName: string): Promise<number | undefined> {
    const v = Number(await this.#kv.get(this.#key("kx", serverName)));
    return Number.isInteger(v) && v > 0 && v <= 0xffff ? v : undefined;
  }

  /** Keeps the TLS 1.2 session (one per server). */
  async setTls12Session(serverName: string, session: Tls12ClientSession): Promise<void> {
    await this.#kv.put(this.#key("tls12", serverName), encodeClientSession(session), {
      expirationTtl: this.#ttl(clientSessionExpiry(session)),
    });
  }

  /** The TLS 1.2 session kept for `serverName`, if it is still live. */
  async tls12Session(serverName: string): Promise<Tls12ClientSession | undefined> {
    const key = this.#key("tls12", serverName);
    const text = await this.#kv.get(key);
    if (text == null) return undefined;
    try {
      const d = decodeClientSession(text, this.#now());
      if (d?.kind === "tls12") return d.session;
    } catch {
      // Another format or damaged: dropped below.
    }
    await this.#kv.delete(key);
    return undefined;
  }

  /** Forgets the TLS 1.2 session. */
  async removeTls12Session(serverName: string): Promise<void> {
    await this.#kv.delete(this.#key("tls12", serverName));
  }
}
