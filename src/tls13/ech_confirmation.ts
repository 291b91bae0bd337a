/**
 * The Encrypted Client Hello acceptance signals (RFC 9849 sections 7.2 and
 * 7.2.1): eight bytes derived from the ClientHelloInner random and the inner
 * transcript, carried in the last bytes of ServerHello.random or in a
 * HelloRetryRequest's encrypted_client_hello extension. Both sides compute
 * them here, over the message with the signal's place zeroed.
 *
 * @module
 */

import { hkdfExpandLabel, hkdfExtract } from "../crypto/hkdf.ts";
import type { Tls13CipherSuite } from "../crypto/types.ts";
import { ExtensionType } from "../msgs/enums.ts";
import { encodeHandshake } from "../msgs/handshake.ts";
import type { HelloRetryRequest } from "../msgs/server_hello.ts";
import type { Transcript } from "./transcript.ts";

/** Where the signal sits in an encoded ServerHello: header 4, version 2, random[24..32]. */
const SERVER_HELLO_SIGNAL_AT = 4 + 2 + 24;
const SIGNAL_LENGTH = 8;

async function confirmation(
  suite: Tls13CipherSuite,
  innerRandom: Uint8Array,
  label: string,
  transcriptHash: Uint8Array,
): Promise<Uint8Array> {
  // HKDF-Extract(0, ClientHelloInner.random): "0" is Hash.length zero bytes.
  const prk = await hkdfExtract(suite.hmac, new Uint8Array(suite.hash.outputLen), innerRandom);
  return hkdfExpandLabel(suite.hmac, prk, label, transcriptHash, SIGNAL_LENGTH);
}

/**
 * accept_confirmation for `encodedServerHello` (the whole handshake message,
 * whose random's last eight bytes are ignored), after `innerTranscript`
 * (ClientHelloInner .. the message before the ServerHello).
 */
export function serverHelloEchConfirmation(
  suite: Tls13CipherSuite,
  innerRandom: Uint8Array,
  innerTranscript: Transcript,
  encodedServerHello: Uint8Array,
): Promise<Uint8Array> {
  const zeroed = encodedServerHello.slice();
  zeroed.fill(0, SERVER_HELLO_SIGNAL_AT, SERVER_HELLO_SIGNAL_AT + SIGNAL_LENGTH);
  return innerTranscript.hashWith(suite.hash, zeroed).then((hash) =>
    confirmation(suite, innerRandom, "ech accept confirmation", hash)
  );
}

/** The ServerHello's signal bytes (a view into `encodedServerHello`). */
export function serverHelloEchSignal(encodedServerHello: Uint8Array): Uint8Array {
  return encodedServerHello.subarray(
    SERVER_HELLO_SIGNAL_AT,
    SERVER_HELLO_SIGNAL_AT + SIGNAL_LENGTH,
  );
}

/**
 * hrr_accept_confirmation for `hrr`, encoded with its encrypted_client_hello
 * confirmation zeroed, after `innerTranscript` (already rewritten to
 * message_hash(ClientHelloInner1)).
 */
export async function helloRetryEchConfirmation(
  suite: Tls13CipherSuite,
  innerRandom: Uint8Array,
  innerTranscript: Transcript,
  hrr: HelloRetryRequest,
): Promise<Uint8Array> {
  const zeroed = encodeHandshake({
    ...hrr,
    extensions: hrr.extensions.map((e) =>
      e.type === ExtensionType.encrypted_client_hello
        ? { type: e.type, confirmation: new Uint8Array(SIGNAL_LENGTH) }
        : e
    ),
  });
  const hash = await innerTranscript.hashWith(suite.hash, zeroed);
  return confirmation(suite, innerRandom, "hrr ech accept confirmation", hash);
}
