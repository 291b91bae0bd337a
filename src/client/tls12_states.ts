/**
 * The client's TLS 1.2 handshake after the ServerHello (RFC 5246 7.3, RFC
 * 8422 for ECDHE): Certificate, ServerKeyExchange, [CertificateRequest],
 * ServerHelloDone; then our ClientKeyExchange, change_cipher_spec and
 * Finished; then the server's [NewSessionTicket], change_cipher_spec and
 * Finished. No False Start: application data waits for the server Finished.
 *
 * A CertificateRequest is answered with our certificate and a
 * CertificateVerify when the config has a client certificate whose key type
 * and a signature scheme the server accepts (RFC 5246 7.4.6, 7.4.8), else
 * with an empty Certificate, and the server decides whether to continue.
 *
 * @module
 */

import { peerMisbehaved, tlsError, unexpectedMessage } from "../error.ts";
import type { ConnectionCore, HandshakeState } from "../common/core.ts";
import { Exporter } from "../common/exporter.ts";
import type { Tls12CipherSuite } from "../crypto/types.ts";
import { AlertDescription, HandshakeType } from "../msgs/enums.ts";
import {
  decodeCertificate12,
  decodeCertificateRequest12,
  decodeEmptyMessage,
  decodeFinished12,
  decodeNewSessionTicket12,
  decodeServerKeyExchange,
  encodeCertificate12,
  encodeClientKeyExchange,
  encodeFinished12,
  type Tls12CertificateRequest,
} from "../msgs/tls12_messages.ts";
import { encodeHandshake } from "../msgs/handshake.ts";
import type { CertifiedKey } from "../common/config_base.ts";
import type { HandshakeMessage as RawHandshake } from "../record/handshake_joiner.ts";
import { constantTimeEqual } from "../_bytes.ts";
import { keyBlock, masterSecret, type Tls12KeyBlock, verifyData } from "../tls12/prf.ts";
import { Tls12Reader, Tls12Writer } from "../record/record_io.ts";
import { certificateTypeOf, TLS12_GROUPS } from "../tls12/negotiation.ts";
import { RefuseRenegotiation } from "../common/refuse_renegotiation.ts";
import type { ClientHandshakeData } from "./handshake_data.ts";
import type { ActiveKeyExchange } from "../crypto/types.ts";
import {
  type ResumedTls12Session,
  type ServerCertVerified,
  type ServerKeyExchangeSignatureValid,
  type Tls12ServerAuthenticated,
  verifyServerChain,
  verifyServerKeyExchange,
} from "./server_auth.ts";

/** What the client's TLS 1.2 states carry. */
export interface Tls12ClientState {
  /** The shared client handshake data (config, randoms, transcript). */
  hs: ClientHandshakeData;
  /** The suite the server chose. */
  suite: Tls12CipherSuite;
  /** The server's random. */
  serverRandom: Uint8Array;
  /** Whether both sides use the extended master secret. */
  ems: boolean;
  /** Whether the server said it will send a NewSessionTicket. */
  ticketExpected: boolean;
  /** The server's end-entity certificate. */
  serverCert: Uint8Array;
  /** Whether the server sent a CertificateRequest. */
  certificateRequested: boolean;
  /** The session ID in the ServerHello (empty: the session cannot be resumed by ID). */
  serverSessionId: Uint8Array;
  /** The RFC 5077 ticket received in this handshake, if any. */
  ticket: Uint8Array | undefined;
  /** The ticket's lifetime hint in seconds (0: none given). */
  ticketLifetime: number;
}

/** Sessions without a lifetime hint are offered again for a day at most. */
const DEFAULT_SESSION_LIFETIME = 24 * 3600;

/**
 * Abbreviated handshake (RFC 5246 7.3, RFC 5077 3.1): keys come from the
 * stored master secret and the new randoms; the server's [NewSessionTicket],
 * CCS and Finished come first, then ours.
 */
export async function resumeTls12(
  cx: ConnectionCore,
  st: Tls12ClientState,
  master: Uint8Array,
  resumed: ResumedTls12Session,
): Promise<HandshakeState> {
  const { hs, suite } = st;
  hs.keyLog("CLIENT_RANDOM", master);
  const keys = await keyBlock(suite.hmac, suite.aead, master, hs.random, st.serverRandom);
  cx.expectChangeCipherSpec(async () => {
    cx.setReader(await Tls12Reader.create(suite.aead, keys.server.key, keys.server.iv));
  });
  return new ExpectServerFinished12(st, master, keys, resumed);
}

/** Awaits the server's Certificate. */
export class ExpectCertificate12 implements HandshakeState {
  /** State name. */
  readonly name = "ExpectCertificate12";
  readonly #st: Tls12ClientState;

  /** Continues `st`. */
  constructor(st: Tls12ClientState) {
    this.#st = st;
  }

  /** Verifies the chain against the server name. */
  async handle(cx: ConnectionCore, raw: RawHandshake): Promise<HandshakeState> {
    if (raw.type !== HandshakeType.certificate) throw unexpectedMessage("Certificate", raw.type);
    const chain = decodeCertificate12(raw.body);
    if (chain.length === 0) {
      throw peerMisbehaved(
        "server sent no certificate",
        "NoCertificatesPresented",
        AlertDescription.decode_error,
      );
    }
    const { hs } = this.#st;
    // TLS 1.2 is never negotiated with ECH offered: the name is the server name.
    const cert = await verifyServerChain(hs, chain);
    cx.recordNegotiated({ peerCertificates: chain });
    hs.transcript.add(raw.encoded);
    this.#st.serverCert = chain[0];
    return new ExpectServerKeyExchange(this.#st, cert);
  }
}

/** Awaits the signed ECDHE ServerKeyExchange. */
export class ExpectServerKeyExchange implements HandshakeState {
  /** State name. */
  readonly name = "ExpectServerKeyExchange";
  readonly #st: Tls12ClientState;
  readonly #cert: ServerCertVerified;

  /** Continues `st` once the server's chain is verified. */
  constructor(st: Tls12ClientState, cert: ServerCertVerified) {
    this.#st = st;
    this.#cert = cert;
  }

  /** Checks group and scheme, verifies the signature, and starts our side of ECDHE. */
  async handle(cx: ConnectionCore, raw: RawHandshake): Promise<HandshakeState> {
    if (raw.type !== HandshakeType.server_key_exchange) {
      throw unexpectedMessage("ServerKeyExchange", raw.type);
    }
    const st = this.#st;
    const { hs } = st;
    const ske = decodeServerKeyExchange(raw.body);
    const group = hs.config.kxGroups.find((g) => g.group === ske.group);
    if (!group || !TLS12_GROUPS.has(ske.group)) {
      throw peerMisbehaved("server chose a group we did not offer", "SelectedUnofferedKxGroup");
    }
    const signature = await verifyServerKeyExchange(
      hs,
      st.suite,
      st.serverRandom,
      st.serverCert,
      ske,
    );
    hs.transcript.add(raw.encoded);
    cx.recordNegotiated({ kxGroup: group });
    const ours = await group.start();
    return new ExpectServerHelloDone(st, ours, ske.publicKey, { cert: this.#cert, signature });
  }
}

/** Awaits ServerHelloDone (a CertificateRequest may come first), then sends our flight. */
export class ExpectServerHelloDone implements HandshakeState {
  /** State name. */
  readonly name = "ExpectServerHelloDone";
  readonly #st: Tls12ClientState;
  readonly #ours: ActiveKeyExchange;
  readonly #peerKey: Uint8Array;
  readonly #auth: Tls12ServerAuthenticated;
  #request: Tls12CertificateRequest | undefined;

  /**
   * Continues `st` with our key exchange started, the server's share and
   * the evidence that its chain and ServerKeyExchange verified.
   */
  constructor(
    st: Tls12ClientState,
    ours: ActiveKeyExchange,
    peerKey: Uint8Array,
    auth: { cert: ServerCertVerified; signature: ServerKeyExchangeSignatureValid },
  ) {
    this.#st = st;
    this.#ours = ours;
    this.#peerKey = peerKey;
    this.#auth = auth;
  }

  /** Sends ClientKeyExchange, change_cipher_spec and Finished. */
  async handle(cx: ConnectionCore, raw: RawHandshake): Promise<HandshakeState> {
    const st = this.#st;
    const { hs, suite } = st;
    if (raw.type === HandshakeType.certificate_request && !st.certificateRequested) {
      st.certificateRequested = true;
      this.#request = decodeCertificateRequest12(raw.body);
      hs.transcript.add(raw.encoded);
      return this;
    }
    if (raw.type !== HandshakeType.server_hello_done) {
      throw unexpectedMessage("ServerHelloDone", raw.type);
    }
    decodeEmptyMessage(raw.body, "ServerHelloDone");
    hs.transcript.add(raw.encoded);
    let pms: Uint8Array;
    try {
      pms = await this.#ours.complete(this.#peerKey);
    } catch {
      throw peerMisbehaved("invalid server key share", "InvalidKeyShare");
    }
    const auth = this.#request && clientAuth12(hs.config.clientAuth, this.#request);
    if (this.#request) {
      const certificate = encodeCertificate12(auth ? auth.certChain : []);
      cx.sendHandshake(certificate);
      hs.transcript.add(certificate);
    }
    const cke = encodeClientKeyExchange(this.#ours.publicKey);
    cx.sendHandshake(cke);
    hs.transcript.add(cke);
    // RFC 7627 section 3: the session hash ends with ClientKeyExchange.
    const sessionHash = st.ems ? await hs.transcript.hash(suite.hash) : undefined;
    if (auth) {
      // RFC 5246 7.4.8: the signature covers every handshake message so far.
      const verify = encodeHandshake({
        type: HandshakeType.certificate_verify,
        scheme: auth.scheme,
        signature: await auth.key.sign(auth.scheme, hs.transcript.bytes()),
      });
      cx.sendHandshake(verify);
      hs.transcript.add(verify);
    }
    const master = await masterSecret(suite.hmac, pms, hs.random, st.serverRandom, sessionHash);
    hs.keyLog("CLIENT_RANDOM", master);
    const keys = await keyBlock(suite.hmac, suite.aead, master, hs.random, st.serverRandom);
    cx.sendChangeCipherSpec();
    cx.setWriter(await Tls12Writer.create(suite.aead, keys.client.key, keys.client.iv));
    const finished = encodeFinished12(
      await verifyData(suite.hmac, master, "client", await hs.transcript.hash(suite.hash)),
    );
    cx.sendHandshake(finished);
    hs.transcript.add(finished);
    cx.expectChangeCipherSpec(async () => {
      cx.setReader(await Tls12Reader.create(suite.aead, keys.server.key, keys.server.iv));
    });
    cx.recordTls12Keys({ suite, tx: keys.client, rx: keys.server });
    return new ExpectServerFinished12(st, master, undefined, this.#auth);
  }
}

/**
 * Our certificate and the scheme to sign with: the first of our key's
 * schemes that the server's request lists and whose certificate type
 * (RFC 5246 7.4.4) it asks for; undefined when none fits.
 */
function clientAuth12(
  auth: CertifiedKey | undefined,
  request: Tls12CertificateRequest,
): (CertifiedKey & { scheme: number }) | undefined {
  const scheme = auth?.key.schemes.find((s) =>
    request.schemes.includes(s) && request.certificateTypes.includes(certificateTypeOf(s) ?? -1)
  );
  return auth && scheme !== undefined ? { ...auth, scheme } : undefined;
}

/** Awaits [NewSessionTicket], the server's change_cipher_spec and Finished. */
export class ExpectServerFinished12 implements HandshakeState {
  /** State name. */
  readonly name = "ExpectServerFinished12";
  readonly #st: Tls12ClientState;
  readonly #master: Uint8Array;
  readonly #resumedKeys: Tls12KeyBlock | undefined;
  #ticketSeen = false;

  /**
   * Continues `st` with the master secret once the server is authenticated
   * (`_auth`: its chain and ServerKeyExchange verified, or the session we
   * offered resumed). `resumedKeys` marks an abbreviated handshake: our CCS
   * and Finished follow the server's.
   */
  constructor(
    st: Tls12ClientState,
    master: Uint8Array,
    resumedKeys: Tls12KeyBlock | undefined,
    _auth: Tls12ServerAuthenticated,
  ) {
    this.#st = st;
    this.#master = master;
    this.#resumedKeys = resumedKeys;
  }

  /** Checks verify_data; the handshake is then complete. */
  async handle(cx: ConnectionCore, raw: RawHandshake): Promise<HandshakeState> {
    const st = this.#st;
    const { hs, suite } = st;
    if (
      raw.type === HandshakeType.new_session_ticket && st.ticketExpected && !this.#ticketSeen &&
      !cx.reader.isProtected
    ) {
      const nst = decodeNewSessionTicket12(raw.body);
      // RFC 5077 3.3: an empty ticket withdraws the offer to issue one.
      if (nst.ticket.length > 0) {
        st.ticket = nst.ticket;
        st.ticketLifetime = nst.lifetimeHint;
      }
      this.#ticketSeen = true;
      hs.transcript.add(raw.encoded);
      return this;
    }
    // The Finished must come under the new key, after the server's CCS.
    if (raw.type !== HandshakeType.finished || !cx.reader.isProtected) {
      throw unexpectedMessage("ChangeCipherSpec then Finished", raw.type);
    }
    const got = decodeFinished12(raw.body);
    const expected = await verifyData(
      suite.hmac,
      this.#master,
      "server",
      await hs.transcript.hash(suite.hash),
    );
    if (!constantTimeEqual(got, expected)) {
      throw tlsError("DecryptError", "FinishedMismatch", "server Finished is wrong", {
        alert: AlertDescription.decrypt_error,
      });
    }
    hs.transcript.add(raw.encoded);
    const keys = this.#resumedKeys;
    if (keys) {
      cx.sendChangeCipherSpec();
      cx.setWriter(await Tls12Writer.create(suite.aead, keys.client.key, keys.client.iv));
      const finished = encodeFinished12(
        await verifyData(suite.hmac, this.#master, "client", await hs.transcript.hash(suite.hash)),
      );
      cx.sendHandshake(finished);
      hs.transcript.add(finished);
      cx.recordTls12Keys({ suite, tx: keys.client, rx: keys.server });
    }
    await this.#saveSession(cx);
    cx.startTraffic({
      exporter: Exporter.tls12(suite.hmac, this.#master, hs.random, st.serverRandom, st.ems),
    });
    return new RefuseRenegotiation(HandshakeType.hello_request, "HelloRequest");
  }

  /** Keeps the session when the server made it resumable (session ID or ticket). */
  async #saveSession(cx: ConnectionCore): Promise<void> {
    const st = this.#st;
    const { config, serverName } = st.hs;
    const store = config.sessionStore;
    if (!store?.setTls12Session) return;
    // A resumption keeps the session alive unless it brought a new ticket.
    const previous = this.#resumedKeys ? st.hs.tls12Offer : undefined;
    const ticket = st.ticket ?? previous?.ticket;
    // On a resumption the echo is the ID we sent, which with a ticket was random.
    const sessionId = previous ? previous.sessionId : st.serverSessionId;
    if (sessionId.length === 0 && !ticket) {
      await store.removeTls12Session?.(serverName);
      return;
    }
    await store.setTls12Session(serverName, {
      suiteId: st.suite.id,
      sessionId,
      ticket,
      masterSecret: this.#master,
      extendedMasterSecret: st.ems,
      receivedAt: previous && !st.ticket ? previous.receivedAt : config.now().getTime(),
      lifetimeSeconds: st.ticket && st.ticketLifetime > 0
        ? Math.min(st.ticketLifetime, DEFAULT_SESSION_LIFETIME * 7)
        : previous?.lifetimeSeconds ?? DEFAULT_SESSION_LIFETIME,
      peerCertificates: cx.info.peerCertificates,
    });
  }
}
