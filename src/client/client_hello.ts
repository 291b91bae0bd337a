/**
 * Building the client's ClientHello (RFC 8446 section 4.1.2), first and after
 * a HelloRetryRequest.
 *
 * @module
 */

import {
  ExtensionType,
  HandshakeType,
  ProtocolVersion,
  PskKeyExchangeMode,
} from "../msgs/enums.ts";
import type { ClientHello } from "../msgs/client_hello.ts";
import type {
  ClientHelloExtension,
  EchOuterClientHelloExtension,
  PreSharedKeyClientHelloExtension,
} from "../msgs/extension_types.ts";
import { encodeHandshake } from "../msgs/handshake.ts";
import { isGrease } from "../msgs/grease.ts";
import type { ClientHandshakeData } from "./handshake_data.ts";
import type { ResolvedClientConfig } from "./config.ts";
import { ourRecordSizeLimit } from "../common/record_size_limit.ts";
import { bindClientHello, obfuscatedTicketAge, type OfferedSession } from "./resumption.ts";
import type { Transcript } from "../tls13/transcript.ts";
import type { EarlySecret } from "../tls13/key_schedule.ts";

/** What changes between the first and the second ClientHello. */
export interface HelloVariant {
  /** The key shares to send. */
  shares: { group: number; keyExchange: Uint8Array }[];
  /** The cookie from a HelloRetryRequest, echoed. */
  cookie?: Uint8Array;
  /** Whether this is the second ClientHello, answering a HelloRetryRequest. */
  afterRetry?: boolean;
  /** A ticket to offer; its binder is a placeholder to patch afterwards. */
  psk?: { identity: Uint8Array; obfuscatedTicketAge: number; binderLength: number };
  /** Offer 0-RTT data (first ClientHello with a ticket only). */
  earlyData?: boolean;
  /** The GREASE encrypted_client_hello, the same in both plain ClientHellos. */
  echGrease?: EchOuterClientHelloExtension;
}

/**
 * The record_size_limit every ClientHello of ours carries (RFC 8449 section
 * 4): the configured value, in the terms of the highest version we offer.
 */
export function offeredRecordSizeLimit(config: ResolvedClientConfig): number {
  const top = config.versions.includes("TLSv1_3") ? "TLSv1_3" : "TLSv1_2";
  return ourRecordSizeLimit(config.recordSizeLimit, top);
}

/**
 * Which ClientHello to build: the only one, or with Encrypted Client Hello
 * the inner one (real name, ALPN, the inner ECH marker) or the outer one
 * (the config's public name; its encrypted_client_hello is added when
 * sealing). Both ECH hellos offer TLS 1.3 only and share, in one run that
 * the inner compresses, the groups, schemes, versions, PSK modes, cookie
 * and key shares; GREASE values are the same in both.
 */
export type HelloRole = "plain" | "inner" | "outer";

/** The ClientHello for `role`, unencoded. */
export function clientHelloMessage(
  hs: ClientHandshakeData,
  variant: HelloVariant,
  role: HelloRole = "plain",
): ClientHello {
  const { config, grease } = hs;
  const extensions: ClientHelloExtension[] = [];
  if (grease) extensions.push({ type: grease.firstExtension, data: new Uint8Array(0) });
  const name = role === "outer" ? hs.ech!.config.contents.publicName : hs.sniName;
  if (name !== undefined) extensions.push({ type: ExtensionType.server_name, hostName: name });
  if (role !== "outer" && config.alpnProtocols.length > 0) {
    extensions.push({
      type: ExtensionType.application_layer_protocol_negotiation,
      protocols: [...config.alpnProtocols],
    });
  }
  extensions.push({ type: ExtensionType.record_size_limit, limit: offeredRecordSizeLimit(config) });
  if (role === "inner") {
    extensions.push({ type: ExtensionType.encrypted_client_hello, kind: "inner" });
  }
  extensions.push(
    {
      type: ExtensionType.supported_groups,
      groups: withGrease(grease?.group, config.kxGroups.map((g) => g.group)),
    },
    {
      type: ExtensionType.signature_algorithms,
      schemes: withGrease(grease?.signatureScheme, config.verifier.supportedVerifySchemes()),
    },
  );
  const tls13 = config.versions.includes("TLSv1_3");
  // RFC 9849 section 6.1: the inner hello must not offer TLS 1.2; nor does the outer.
  const tls12 = config.versions.includes("TLSv1_2") && role === "plain";
  const versions: number[] = grease ? [grease.version] : [];
  if (tls13) versions.push(ProtocolVersion.TLSv1_3);
  if (tls12) versions.push(ProtocolVersion.TLSv1_2);
  extensions.push({ type: ExtensionType.supported_versions, versions });
  if (tls12) {
    // RFC 8422 5.1.2, RFC 7627, RFC 5746 3.4, RFC 5077 3.2: what a TLS 1.2
    // server needs to pick ECDHE, the extended master secret and secure
    // renegotiation signalling; a stored ticket rides in session_ticket.
    extensions.push(
      { type: ExtensionType.ec_point_formats, formats: [0] },
      { type: ExtensionType.extended_master_secret },
      { type: ExtensionType.renegotiation_info, renegotiatedConnection: new Uint8Array(0) },
      { type: ExtensionType.session_ticket, ticket: hs.tls12Offer?.ticket ?? new Uint8Array(0) },
    );
  }
  if (tls13) {
    const modes = withGrease(grease?.pskMode, [PskKeyExchangeMode.psk_dhe_ke]);
    extensions.push({ type: ExtensionType.psk_key_exchange_modes, modes });
    if (variant.cookie) extensions.push({ type: ExtensionType.cookie, cookie: variant.cookie });
    // A GREASE share only in the first ClientHello: the second carries just
    // the share the HelloRetryRequest asked for (4.1.2).
    const shares = grease && !variant.afterRetry
      ? [{ group: grease.group, keyExchange: new Uint8Array([0]) }, ...variant.shares]
      : variant.shares;
    extensions.push({ type: ExtensionType.key_share, shares });
  }
  if (variant.earlyData) extensions.push({ type: ExtensionType.early_data });
  // RFC 9849 section 6.2.1: the same GREASE ECH in both ClientHellos.
  if (role === "plain" && variant.echGrease) extensions.push(variant.echGrease);
  if (grease) extensions.push({ type: grease.lastExtension, data: new Uint8Array([0]) });
  if (variant.psk) {
    // pre_shared_key must be the last extension (RFC 8446 4.2.11). RFC 9849
    // section 6.1.2: the outer hello carries a GREASE one shaped like it.
    const psk = role === "outer" ? hs.ech!.greasePsk(variant.psk) : variant.psk;
    extensions.push({
      type: ExtensionType.pre_shared_key,
      identities: [{ identity: psk.identity, obfuscatedTicketAge: psk.obfuscatedTicketAge }],
      binders: [
        role === "outer" ? config.randomBytes(psk.binderLength) : new Uint8Array(psk.binderLength),
      ],
    });
  }
  return {
    type: HandshakeType.client_hello,
    legacyVersion: ProtocolVersion.TLSv1_2,
    random: role === "inner" ? hs.ech!.innerRandom : hs.random,
    legacySessionId: hs.sessionId,
    cipherSuites: withGrease(grease?.cipherSuite, config.cipherSuites.map((s) => s.id)),
    legacyCompressionMethods: new Uint8Array([0]),
    extensions,
  };
}

/** RFC 8701 3.1: a GREASE extension in the server's answer is unsolicited. */
function solicitable(types: Iterable<number>): ReadonlySet<number> {
  return new Set([...types].filter((t) => !isGrease(t)));
}

/** `values` with the GREASE value `grease` in front, when there is one. */
function withGrease(grease: number | undefined, values: Iterable<number>): number[] {
  return grease === undefined ? [...values] : [grease, ...values];
}

/**
 * Encodes the ClientHello (with ECH, the sealed ClientHelloOuter) and records
 * the extension types the server may answer. When a ticket is offered, binds
 * it to the PSK (returning the early secret as well). `base`: the variant
 * without its PSK, which `offer` gives.
 */
export async function buildClientHello(
  hs: ClientHandshakeData,
  offer: OfferedSession | undefined,
  base: Omit<HelloVariant, "psk">,
): Promise<{ hello: Uint8Array; early: EarlySecret | undefined; offered: ReadonlySet<number> }> {
  const variant: HelloVariant = {
    ...base,
    psk: offer && {
      identity: offer.session.ticket,
      obfuscatedTicketAge: obfuscatedTicketAge(offer, hs.config.now().getTime()),
      binderLength: offer.suite.hash.outputLen,
    },
  };
  if (hs.ech) {
    const inner = clientHelloMessage(hs, variant, "inner");
    // The binder covers the inner hello, after the inner transcript.
    const early = offer ? await bindInnerHello(offer, hs.ech.innerTranscript, inner) : undefined;
    const outer = clientHelloMessage(hs, variant, "outer");
    const hello = await hs.ech.seal(inner, hs.sniName, outer, base.afterRetry === true);
    const offered = solicitable([...hs.ech.innerExtensions, ...hs.ech.outerExtensions]);
    return { hello, early, offered };
  }
  const message = clientHelloMessage(hs, variant);
  const offered = solicitable(message.extensions.map((e) => e.type));
  const hello = encodeHandshake(message);
  const early = offer ? await bindClientHello(offer, hs.transcript, hello) : undefined;
  return { hello, early, offered };
}

/** Binds `inner`'s (last) pre_shared_key in place, after `transcript`. */
async function bindInnerHello(
  offer: OfferedSession,
  transcript: Transcript,
  inner: ClientHello,
): Promise<EarlySecret> {
  const encoded = encodeHandshake(inner);
  const early = await bindClientHello(offer, transcript, encoded);
  const psk = inner.extensions[inner.extensions.length - 1] as PreSharedKeyClientHelloExtension;
  psk.binders = [encoded.slice(encoded.length - offer.suite.hash.outputLen)];
  return early;
}
