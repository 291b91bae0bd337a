/**
 * The client reads the server's answer to its ECH offer (RFC 9849 section
 * 6.1.4): the signal in a HelloRetryRequest's encrypted_client_hello, then
 * in the last eight bytes of ServerHello.random. Accepted, the handshake goes
 * on as if ClientHelloInner had been the ClientHello (section 6.1.5);
 * rejected, with ClientHelloOuter (section 6.1.6).
 *
 * @module
 */

import { peerMisbehaved } from "../error.ts";
import type { ConnectionCore } from "../common/core.ts";
import type { Tls13CipherSuite } from "../crypto/types.ts";
import { constantTimeEqual } from "../_bytes.ts";
import { ExtensionType } from "../msgs/enums.ts";
import { findExtension } from "../msgs/extensions.ts";
import { isGrease } from "../msgs/grease.ts";
import type { HelloRetryRequest } from "../msgs/server_hello.ts";
import {
  helloRetryEchConfirmation,
  serverHelloEchConfirmation,
  serverHelloEchSignal,
} from "../tls13/ech_confirmation.ts";
import type { ClientHandshakeData } from "./handshake_data.ts";

/**
 * Section 6.1.4 for a HelloRetryRequest: with our offer outstanding, notes
 * whether it confirms ECH, and moves the inner transcript on past it
 * (message_hash(ClientHelloInner1), then the HelloRetryRequest).
 */
export async function readRetryEchSignal(
  hs: ClientHandshakeData,
  suite: Tls13CipherSuite,
  hrr: HelloRetryRequest,
  encoded: Uint8Array,
): Promise<void> {
  const ech = hs.ech;
  if (!ech) return;
  await ech.innerTranscript.rewriteForHelloRetryRequest(suite.hash);
  const ext = findExtension(hrr.extensions, ExtensionType.encrypted_client_hello);
  ech.acceptedAtRetry = ext !== undefined && constantTimeEqual(
    ext.confirmation,
    await helloRetryEchConfirmation(suite, ech.innerRandom, ech.innerTranscript, hrr),
  );
  ech.innerTranscript.add(encoded);
}

/**
 * Section 6.1.4 for the ServerHello: accepted or rejected. Accepted, the
 * inner transcript becomes the transcript (see `ClientHandshakeData.transcript`). Returns the extension types the
 * server may answer from now on: the inner hello's when accepted, the outer
 * one's when rejected (undefined without ECH). A HelloRetryRequest that confirmed ECH
 * must be followed by a ServerHello that does (section 6.1.5). `resumed`:
 * whether the ServerHello selected our PSK.
 */
export async function readServerHelloEchSignal(
  hs: ClientHandshakeData,
  cx: ConnectionCore,
  suite: Tls13CipherSuite,
  encoded: Uint8Array,
  resumed: boolean,
): Promise<ReadonlySet<number> | undefined> {
  const ech = hs.ech;
  if (!ech) return undefined;
  const accepted = ech.acceptedAtRetry !== false && constantTimeEqual(
    serverHelloEchSignal(encoded),
    await serverHelloEchConfirmation(suite, ech.innerRandom, ech.innerTranscript, encoded),
  );
  if (ech.acceptedAtRetry && !accepted) {
    throw peerMisbehaved(
      "ServerHello does not confirm the ECH its HelloRetryRequest accepted",
      "EchAcceptanceChanged",
    );
  }
  // Section 6.1.2: the outer hello's PSK was GREASE; resuming with it is illegal.
  if (!accepted && resumed) {
    throw peerMisbehaved("server resumed with the outer hello's GREASE PSK", "EchOuterResumption");
  }
  ech.status = accepted ? "accepted" : "rejected";
  cx.recordNegotiated({ echAccepted: accepted });
  const types = accepted ? ech.innerExtensions : ech.outerExtensions;
  return new Set([...types].filter((t) => !isGrease(t)));
}
