/**
 * Where a client keeps TLS 1.3 session tickets between connections. The
 * interface is async so that a store can live in IndexedDB, Deno KV or Redis;
 * sessions are plain data (numbers, strings, byte arrays) for that reason.
 *
 * @module
 */

/**
 * A TLS 1.3 ticket and what is needed to resume with it.
 *
 * @example
 * ```ts
 * import type { Tls13ClientSession } from "@kerneltls/tls";
 * const session: Tls13ClientSession = {
 *   suiteId: 0x1301,
 *   ticket: new Uint8Array([1, 2, 3]),
 *   psk: new Uint8Array(32),
 *   ageAdd: 12345,
 *   lifetimeSeconds: 7200,
 *   receivedAt: Date.now(),
 *   maxEarlyDataSize: 0,
 * };
 * console.log(session.lifetimeSeconds); // 7200
 * ```
 */
export interface Tls13ClientSession {
  /** Cipher suite the ticket was issued under (resumable with any suite of the same hash). */
  suiteId: number;
  /** The opaque ticket: the PSK identity. */
  ticket: Uint8Array;
  /** The resumption PSK derived from the ticket nonce (a secret). */
  psk: Uint8Array;
  /** ticket_age_add from the server. */
  ageAdd: number;
  /** Lifetime in seconds (capped at 7 days). */
  lifetimeSeconds: number;
  /** When the ticket arrived, in milliseconds since the epoch. */
  receivedAt: number;
  /** max_early_data_size, 0 when the ticket allows no 0-RTT. */
  maxEarlyDataSize: number;
  /** The ALPN protocol of the original connection, if any. */
  alpnProtocol?: string;
  /** The key exchange group of the original connection (a hint for the next key share). */
  kxGroup?: number;
}

/**
 * A TLS 1.2 session to resume by session ID or RFC 5077 ticket.
 *
 * @example
 * ```ts
 * import type { Tls12ClientSession } from "@kerneltls/tls";
 * const session: Tls12ClientSession = {
 *   suiteId: 0xc02f,
 *   sessionId: new Uint8Array(32),
 *   masterSecret: new Uint8Array(48),
 *   extendedMasterSecret: true,
 *   receivedAt: Date.now(),
 *   lifetimeSeconds: 86400,
 * };
 * console.log(session.extendedMasterSecret); // true
 * ```
 */
export interface Tls12ClientSession {
  /** Cipher suite of the original connection (a resumption must use it again). */
  suiteId: number;
  /** The server's session ID (empty when the server only gave a ticket). */
  sessionId: Uint8Array;
  /** The RFC 5077 ticket, if the server sent one. */
  ticket?: Uint8Array;
  /** The master secret (a secret). */
  masterSecret: Uint8Array;
  /** Whether the session used the extended master secret. */
  extendedMasterSecret: boolean;
  /** When the session was established, in milliseconds since the epoch. */
  receivedAt: number;
  /** How long we keep trying it, in seconds (the ticket's hint, else a day). */
  lifetimeSeconds: number;
  /** The server's certificate chain from the full handshake. */
  peerCertificates?: Uint8Array[];
}

/**
 * Storage for client sessions, keyed by server name.
 *
 * @example
 * ```ts
 * import { ClientConfig, RootCertStore } from "@kerneltls/tls";
 * import type { ClientSessionStore, Tls13ClientSession } from "@kerneltls/tls";
 * // A tiny unbounded store; a real one could live in IndexedDB or Redis.
 * class MapStore implements ClientSessionStore {
 *   readonly #tickets = new Map<string, Tls13ClientSession[]>();
 *   readonly #hints = new Map<string, number>();
 *   insertTls13Ticket(name: string, session: Tls13ClientSession): Promise<void> {
 *     this.#tickets.set(name, [...(this.#tickets.get(name) ?? []), session]);
 *     return Promise.resolve();
 *   }
 *   takeTls13Ticket(name: string): Promise<Tls13ClientSession | undefined> {
 *     return Promise.resolve(this.#tickets.get(name)?.pop());
 *   }
 *   setKxHint(name: string, group: number): Promise<void> {
 *     this.#hints.set(name, group);
 *     return Promise.resolve();
 *   }
 *   kxHint(name: string): Promise<number | undefined> {
 *     return Promise.resolve(this.#hints.get(name));
 *   }
 * }
 * const config = new ClientConfig({ roots: new RootCertStore(), sessionStore: new MapStore() });
 * void config;
 * ```
 */
export interface ClientSessionStore {
  /** Adds a ticket for `serverName`. */
  insertTls13Ticket(serverName: string, session: Tls13ClientSession): Promise<void>;
  /** Removes and returns the newest ticket for `serverName` (a ticket is used once). */
  takeTls13Ticket(serverName: string): Promise<Tls13ClientSession | undefined>;
  /** Remembers the group the server picked last time. */
  setKxHint(serverName: string, group: number): Promise<void>;
  /** The group the server picked last time, if known. */
  kxHint(serverName: string): Promise<number | undefined>;
  /** TLS 1.2: keeps the session for `serverName` (one per server). Optional. */
  setTls12Session?(serverName: string, session: Tls12ClientSession): Promise<void>;
  /** TLS 1.2: the session kept for `serverName`, if any. Optional. */
  tls12Session?(serverName: string): Promise<Tls12ClientSession | undefined>;
  /** TLS 1.2: forgets the session for `serverName`. Optional. */
  removeTls12Session?(serverName: string): Promise<void>;
}

/**
 * Options for {@link InMemoryClientSessionStore}.
 *
 * @example
 * ```ts
 * import { InMemoryClientSessionStore } from "@kerneltls/tls";
 * import type { InMemoryClientSessionStoreOptions } from "@kerneltls/tls";
 * const options: InMemoryClientSessionStoreOptions = { maxServers: 64, ticketsPerServer: 4 };
 * const store = new InMemoryClientSessionStore(options);
 * console.log(await store.kxHint("example.com")); // undefined
 * ```
 */
export interface InMemoryClientSessionStoreOptions {
  /** Server names kept (least recently used dropped first; default 256). */
  maxServers?: number;
  /** Tickets kept per server (oldest dropped first; default 8). */
  ticketsPerServer?: number;
}

interface Entry {
  tickets: Tls13ClientSession[];
  kxHint?: number;
  tls12?: Tls12ClientSession;
}

/**
 * The default store: bounded, in memory, per process.
 *
 * @example
 * ```ts
 * import { InMemoryClientSessionStore } from "@kerneltls/tls";
 * const store = new InMemoryClientSessionStore({ maxServers: 16 });
 * console.log(await store.takeTls13Ticket("example.com")); // undefined
 * ```
 */
export class InMemoryClientSessionStore implements ClientSessionStore {
  readonly #maxServers: number;
  readonly #ticketsPerServer: number;
  readonly #entries = new Map<string, Entry>();

  /** Creates an empty store. */
  constructor(options: InMemoryClientSessionStoreOptions = {}) {
    this.#maxServers = options.maxServers ?? 256;
    this.#ticketsPerServer = options.ticketsPerServer ?? 8;
    if (!(this.#maxServers >= 1) || !(this.#ticketsPerServer >= 1)) {
      throw new TypeError("InMemoryClientSessionStore limits must be at least 1");
    }
  }

  /** Number of tickets held for `serverName`. */
  ticketCount(serverName: string): number {
    return this.#entries.get(serverName)?.tickets.length ?? 0;
  }

  /** Adds a ticket, dropping the oldest beyond the per-server bound. */
  insertTls13Ticket(serverName: string, session: Tls13ClientSession): Promise<void> {
    const entry = this.#touch(serverName);
    entry.tickets.push(session);
    if (entry.tickets.length > this.#ticketsPerServer) entry.tickets.shift();
    return Promise.resolve();
  }

  /** Takes the newest ticket. */
  takeTls13Ticket(serverName: string): Promise<Tls13ClientSession | undefined> {
    const entry = this.#entries.get(serverName);
    return Promise.resolve(entry?.tickets.pop());
  }

  /** Records the group hint. */
  setKxHint(serverName: string, group: number): Promise<void> {
    this.#touch(serverName).kxHint = group;
    return Promise.resolve();
  }

  /** Reads the group hint. */
  kxHint(serverName: string): Promise<number | undefined> {
    return Promise.resolve(this.#entries.get(serverName)?.kxHint);
  }

  /** Keeps the TLS 1.2 session, replacing any earlier one. */
  setTls12Session(serverName: string, session: Tls12ClientSession): Promise<void> {
    this.#touch(serverName).tls12 = session;
    return Promise.resolve();
  }

  /** The TLS 1.2 session for `serverName`. */
  tls12Session(serverName: string): Promise<Tls12ClientSession | undefined> {
    return Promise.resolve(this.#entries.get(serverName)?.tls12);
  }

  /** Forgets the TLS 1.2 session. */
  removeTls12Session(serverName: string): Promise<void> {
    const entry = this.#entries.get(serverName);
    if (entry) entry.tls12 = undefined;
    return Promise.resolve();
  }

  #touch(serverName: string): Entry {
    let entry = this.#entries.get(serverName);
    if (entry) {
      this.#entries.delete(serverName);
    } else {
      entry = { tickets: [] };
      if (this.#entries.size >= this.#maxServers) {
        this.#entries.delete(this.#entries.keys().next().value!);
      }
    }
    this.#entries.set(serverName, entry);
    return entry;
  }
}
