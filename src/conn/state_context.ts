/**
 * What every public connection state holds: the connection core and the
 * call generation it belongs to.
 *
 * @module
 */

import type { ConnectionCore } from "../common/core.ts";

/** Shared by the states: the core and the call generation they belong to. */
export interface StateContext {
  /** The connection's engine. */
  readonly core: ConnectionCore;
  /** Throws `TypeError` when the state is no longer current. */
  checkCurrent(what: string): void;
  /**
   * Runs `task` as the connection's one pending operation: rejects with
   * `TypeError` when the state is stale or another operation is pending.
   */
  exclusive<T>(what: string, task: () => Promise<T>): Promise<T>;
}
