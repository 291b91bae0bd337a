// Sending the fatal alert a failed connection queued, before the transport closes.

import type { ConnectionState } from "../conn/states.ts";
import type { TlsConnection } from "./stream_types.ts";

/**
 * Drives `conn` after its failure until it has nothing left to send: the
 * alert it queued (if any) goes to `send`; the error it then rethrows is
 * the one already reported.
 */
export async function flushAlert(
  conn: TlsConnection,
  incoming: Uint8Array,
  send: (bytes: Uint8Array) => void,
): Promise<void> {
  for (;;) {
    let state: ConnectionState;
    try {
      state = (await conn.processTlsRecords(incoming)).state;
    } catch {
      return; // the error again: the alert, if any, is out
    }
    if (state.kind === "EncodeTlsData") {
      const out = new Uint8Array(state.requiredSize);
      send(out.subarray(0, await state.encode(out)));
    } else if (state.kind === "TransmitTlsData") state.done();
    else return; // no alert queued (a local failure)
  }
}
