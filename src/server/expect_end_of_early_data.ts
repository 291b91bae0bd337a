/**
 * The server reads accepted 0-RTT data until EndOfEarlyData (RFC 8446
 * sections 4.2.10 and 4.5), then switches to the client's handshake key.
 *
 * @module
 */

import type { ConnectionCore, HandshakeState } from "../common/core.ts";
import { expectMessage } from "../common/expect.ts";
import { Tls13Reader } from "../record/record_io.ts";
import { HandshakeType } from "../msgs/enums.ts";
import type { HandshakeMessage as RawHandshake } from "../record/handshake_joiner.ts";
import { trafficKeys } from "../tls13/key_schedule.ts";
import type { ServerHandshakeData, ServerHandshakeKeys } from "./handshake_data.ts";

/** Awaits EndOfEarlyData; early data records are queued by the core meanwhile. */
export class ExpectEndOfEarlyData implements HandshakeState {
  /** State name. */
  readonly name = "ExpectEndOfEarlyData";
  readonly #hs: ServerHandshakeData;
  readonly #keys: ServerHandshakeKeys;
  readonly #next: HandshakeState;

  /** Carries the handshake keys and the state that follows. */
  constructor(hs: ServerHandshakeData, keys: ServerHandshakeKeys, next: HandshakeState) {
    this.#hs = hs;
    this.#keys = keys;
    this.#next = next;
  }

  /** Ends early data; the client's Finished comes under its handshake key. */
  async handle(cx: ConnectionCore, raw: RawHandshake): Promise<HandshakeState> {
    expectMessage(raw, HandshakeType.end_of_early_data, "EndOfEarlyData");
    this.#hs.transcript.add(raw.encoded);
    cx.endEarlyData();
    const { suite, clientHandshakeSecret } = this.#keys;
    const { key, iv } = await trafficKeys(suite.hmac, suite.aead, clientHandshakeSecret);
    cx.setReader(await Tls13Reader.create(suite.aead, key, iv));
    return this.#next;
  }
}
