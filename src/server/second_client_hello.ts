/**
 * The second ClientHello after our HelloRetryRequest (RFC 8446 section
 * 4.1.2), awaited in its own state: the client must send the first one
 * again, changed only where the RFC allows, and no TLS 1.2 or second
 * HelloRetryRequest can follow.
 *
 * @module
 */

import type { ConnectionCore, HandshakeState } from "../common/core.ts";
import { expectMessage } from "../common/expect.ts";
import { HandshakeType } from "../msgs/enums.ts";
import { encodeHandshake } from "../msgs/handshake.ts";
import type { HandshakeMessage as RawHandshake } from "../record/handshake_joiner.ts";
import { openRetryEch } from "./ech_accept.ts";
import type { ServerHandshakeData } from "./handshake_data.ts";
import { choosePskMode } from "./psk.ts";
import { answerClientHello, refuseAncientHello, requireTls13Hello } from "./client_hello_answer.ts";
import { peerMisbehaved } from "../error.ts";
import type { ClientHello } from "../msgs/client_hello.ts";
import { Writer } from "../msgs/codec.ts";
import { ExtensionType } from "../msgs/enums.ts";
import { findExtension, writeExtensions } from "../msgs/extensions.ts";
import type { ClientHelloExtension, KeyShareEntry } from "../msgs/extension_types.ts";
import { bytesEqual } from "../_bytes.ts";
import type { RetryChoice } from "./handshake_data.ts";

/** Awaits the second ClientHello, answering our HelloRetryRequest. */
export class ExpectSecondClientHello implements HandshakeState {
  /** State name. */
  readonly name = "ExpectSecondClientHello";
  readonly #hs: ServerHandshakeData;
  readonly #retry: RetryChoice;

  /** Waits for the ClientHello that `retry` asked for. */
  constructor(hs: ServerHandshakeData, retry: RetryChoice) {
    this.#hs = hs;
    this.#retry = retry;
  }

  /** Checks it against the first, then answers it with the server flight. */
  async handle(cx: ConnectionCore, raw: RawHandshake): Promise<HandshakeState> {
    const hs = this.#hs;
    const wire = expectMessage(raw, HandshakeType.client_hello, "ClientHello");
    // RFC 9849 section 7.1.1: an accepted offer is opened again, with the same context.
    const hello = hs.echAccepted ? await openRetryEch(hs.echAccepted, wire) : wire;
    const encoded = hello === wire ? raw.encoded : encodeHandshake(hello);
    refuseAncientHello(cx, hello);
    requireTls13Hello(hs.config, hello);
    const pskMode = choosePskMode(hs, hello);
    // 4.2.10: no early data follows the second ClientHello, so from here on
    // a record that does not decrypt is bad_record_mac, never skipped.
    cx.stopSkippingEarlyData();
    const { suite, group } = this.#retry;
    const share = checkSecondHello(hello, this.#retry);
    return answerClientHello(hs, cx, hello, encoded, pskMode, { suite, group, share }, true);
  }
}

/**
 * Extensions 4.1.2 lets the second ClientHello change: key_share (checked on
 * its own), pre_shared_key (new ages and binders, identities may be dropped),
 * padding, encrypted_client_hello. early_data must go; a cookie is only echoed from a
 * HelloRetryRequest that carried one, and ours never do.
 */
const MAY_CHANGE: ReadonlySet<number> = new Set([
  ExtensionType.key_share,
  ExtensionType.pre_shared_key,
  ExtensionType.padding,
  // RFC 9849 section 6.1.5: a rejected offer's second outer payload is new.
  ExtensionType.encrypted_client_hello,
]);

/**
 * Checks `hello` against the first ClientHello kept in `retry` and returns
 * the one key share it must now carry, for the group we asked for. Any other
 * change is illegal_parameter. A second HelloRetryRequest is never sent.
 */
export function checkSecondHello(hello: ClientHello, retry: RetryChoice): KeyShareEntry {
  const first = retry.firstHello;
  const changed = (what: string): never => {
    throw peerMisbehaved(`second ClientHello changed ${what}`, "ChangedClientHelloAfterRetry");
  };
  if (hello.legacyVersion !== first.legacyVersion) changed("legacy_version");
  if (!bytesEqual(hello.random, first.random)) changed("the random");
  if (!bytesEqual(hello.legacySessionId, first.legacySessionId)) changed("the session ID");
  if (
    hello.cipherSuites.length !== first.cipherSuites.length ||
    hello.cipherSuites.some((s, i) => s !== first.cipherSuites[i])
  ) {
    changed("the cipher suites");
  }
  if (!bytesEqual(hello.legacyCompressionMethods, first.legacyCompressionMethods)) {
    changed("the compression methods");
  }
  if (findExtension(hello.extensions, ExtensionType.early_data)) {
    throw peerMisbehaved("early_data in the second ClientHello", "EarlyDataAfterRetry");
  }
  const before = new Map(first.extensions.map((e) => [e.type, e]));
  for (const ext of hello.extensions) {
    const old = before.get(ext.type);
    if (!old) {
      if (!MAY_CHANGE.has(ext.type) || ext.type === ExtensionType.pre_shared_key) {
        changed(`its extensions (added ${ext.type})`);
      }
    } else if (!MAY_CHANGE.has(ext.type) && !bytesEqual(encoded(ext), encoded(old))) {
      changed(`extension ${ext.type}`);
    }
    before.delete(ext.type);
  }
  for (const type of before.keys()) {
    if (!MAY_CHANGE.has(type) && type !== ExtensionType.early_data) {
      changed(`its extensions (dropped ${type})`);
    }
  }
  const psk = findExtension(hello.extensions, ExtensionType.pre_shared_key);
  const offered = findExtension(first.extensions, ExtensionType.pre_shared_key)?.identities ?? [];
  if (psk?.identities.some((id) => !offered.some((o) => bytesEqual(o.identity, id.identity)))) {
    changed("its PSK identities (added one)");
  }
  const shares = findExtension(hello.extensions, ExtensionType.key_share)?.shares ?? [];
  if (shares.length !== 1 || shares[0].group !== retry.group.group) {
    throw peerMisbehaved(
      "second ClientHello does not carry exactly the requested key share",
      "WrongKeyShareAfterRetry",
    );
  }
  return shares[0];
}

function encoded(ext: ClientHelloExtension): Uint8Array {
  const w = new Writer();
  writeExtensions(w, [ext], "ClientHello");
  return w.finish();
}
