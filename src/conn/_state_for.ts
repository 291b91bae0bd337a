// Which public state object a step of the connection core becomes.

import type { CoreStep } from "../common/core_types.ts";
import {
  BlockedHandshake,
  Closed,
  type ConnectionState,
  EncodeTlsData,
  PeerClosed,
  ReadEarlyData,
  ReadTraffic,
  type StateContext,
  TransmitTlsData,
  WriteTraffic,
} from "./states.ts";

/** The state `processTlsRecords` hands out for `step`, bound to `cx`. */
export function stateFor(step: CoreStep, cx: StateContext): ConnectionState {
  switch (step) {
    case "EncodeTlsData":
      return new EncodeTlsData(cx);
    case "TransmitTlsData":
      return new TransmitTlsData(cx);
    case "ReadTraffic":
      return new ReadTraffic(cx);
    case "ReadEarlyData":
      return new ReadEarlyData(cx);
    case "BlockedHandshake":
      return new BlockedHandshake();
    case "WriteTraffic":
      return new WriteTraffic(cx);
    case "PeerClosed":
      return new PeerClosed();
    case "Closed":
      return new Closed();
  }
}
