/**
 * The server's TLS 1.2 handshake after its first flight: the client's
 * ClientKeyExchange, [CertificateVerify], change_cipher_spec and Finished,
 * then our change_cipher_spec and Finished (RFC 5246 7.3). The client's
 * Certificate, when we asked for one, is `tls12_client_auth.ts`'s.
 *
 * @module
 */

import { peerMisbehaved, tlsError, unexpectedMessage } from "../error.ts";
import type { ConnectionCore, HandshakeState } from "../common/core.ts";
import { expectMessage } from "../common/expect.ts";
import { Exporter } from "../common/exporter.ts";
import type { ActiveKeyExchange, Tls12CipherSuite } from "../crypto/types.ts";
import { AlertDescription, HandshakeType } from "../msgs/enums.ts";
import {
  decodeClientKeyExchange,
  decodeFinished12,
  encodeFinished12,
  encodeNewSessionTicket12,
} from "../msgs/tls12_messages.ts";
import { ResumedTls12Session, sealTls12Ticket, tls12SessionValue } from "./tls12_resumption.ts";
import type { HandshakeMessage as RawHandshake } from "../record/handshake_joiner.ts";
import { constantTimeEqual } from "../_bytes.ts";
import { keyBlock, masterSecret, type Tls12KeyBlock, verifyData } from "../tls12/prf.ts";
import { Tls12Reader, Tls12Writer } from "../record/record_io.ts";
import { RefuseRenegotiation } from "../common/refuse_renegotiation.ts";
import type { ClientCertVerifier } from "../webpki/verifier.ts";
import type { ServerHandshakeData } from "./handshake_data.ts";
import {
  type ClientCertVerified,
  NoClientAuthRequired,
  type Tls12CertificateVerifyValid,
  verifyClientCertificateVerify12,
} from "./client_auth.ts";

/** What the server's TLS 1.2 states carry. */
export interface Tls12ServerState {
  /** The shared server handshake data (config, client random, transcript). */
  hs: ServerHandshakeData;
  /** The chosen suite. */
  suite: Tls12CipherSuite;
  /** Our random. */
  serverRandom: Uint8Array;
  /** Whether both sides use the extended master secret. */
  ems: boolean;
  /** Our half of ECDHE (undefined on a resumption). */
  kx: ActiveKeyExchange | undefined;
  /** The session ID we sent (empty: not kept by ID). */
  sessionId: Uint8Array;
  /** Whether a NewSessionTicket goes out before our CCS. */
  issueTicket: boolean;
  /** The SNI name, which the session is bound to. */
  serverName: string | undefined;
}

/** The client's chain verified: its CertificateVerify is checked next. */
export interface PresentedClientCert12 {
  /** The verifier whose CertificateRequest the client answered. */
  verifier: ClientCertVerifier;
  /** The client's end-entity certificate. */
  endEntity: Uint8Array;
  /** The evidence that its chain verified. */
  cert: ClientCertVerified;
}

/** What lets the server accept the client's TLS 1.2 Finished. */
export type Tls12ClientAuthenticated =
  | NoClientAuthRequired
  | ResumedTls12Session
  | { cert: ClientCertVerified; signature: Tls12CertificateVerifyValid };

/** The client's CCS (RFC 5246 7.1) will switch its direction to the new keys. */
function expectClientCcs(cx: ConnectionCore, suite: Tls12CipherSuite, keys: Tls12KeyBlock): void {
  cx.expectChangeCipherSpec(async () => {
    cx.setReader(await Tls12Reader.create(suite.aead, keys.client.key, keys.client.iv));
  });
}

/** Awaits the client's ECDHE share. */
export class ExpectClientKeyExchange implements HandshakeState {
  /** State name. */
  readonly name = "ExpectClientKeyExchange";
  readonly #st: Tls12ServerState;
  readonly #auth: NoClientAuthRequired | PresentedClientCert12;

  /**
   * Continues `st`: `auth` is the client's verified chain, or the token
   * that no client certificate is needed.
   */
  constructor(st: Tls12ServerState, auth: NoClientAuthRequired | PresentedClientCert12) {
    this.#st = st;
    this.#auth = auth;
  }

  /** Completes ECDHE, derives the keys, and waits for CertificateVerify or the client's CCS. */
  async handle(cx: ConnectionCore, raw: RawHandshake): Promise<HandshakeState> {
    if (raw.type !== HandshakeType.client_key_exchange) {
      throw unexpectedMessage("ClientKeyExchange", raw.type);
    }
    const st = this.#st;
    const { hs, suite } = st;
    const peerKey = decodeClientKeyExchange(raw.body);
    let pms: Uint8Array;
    try {
      pms = await st.kx!.complete(peerKey);
    } catch {
      throw peerMisbehaved("invalid client key share", "InvalidKeyShare");
    }
    hs.transcript.add(raw.encoded);
    // RFC 7627 section 3: the session hash ends with ClientKeyExchange, before
    // any CertificateVerify.
    const sessionHash = st.ems ? await hs.transcript.hash(suite.hash) : undefined;
    const master = await masterSecret(
      suite.hmac,
      pms,
      hs.clientRandom,
      st.serverRandom,
      sessionHash,
    );
    hs.keyLog("CLIENT_RANDOM", master);
    const keys = await keyBlock(suite.hmac, suite.aead, master, hs.clientRandom, st.serverRandom);
    const auth = this.#auth;
    if (!(auth instanceof NoClientAuthRequired)) {
      return new ExpectCertificateVerify12(st, master, keys, auth);
    }
    expectClientCcs(cx, suite, keys);
    return new ExpectClientFinished12(st, master, keys, auth);
  }
}

/** Awaits the client's CertificateVerify for the certificate it presented. */
export class ExpectCertificateVerify12 implements HandshakeState {
  /** State name. */
  readonly name = "ExpectCertificateVerify12";
  readonly #st: Tls12ServerState;
  readonly #master: Uint8Array;
  readonly #keys: Tls12KeyBlock;
  readonly #presented: PresentedClientCert12;

  /** Continues `st` with the master secret, key block and the client's verified chain. */
  constructor(
    st: Tls12ServerState,
    master: Uint8Array,
    keys: Tls12KeyBlock,
    presented: PresentedClientCert12,
  ) {
    this.#st = st;
    this.#master = master;
    this.#keys = keys;
    this.#presented = presented;
  }

  /** Checks the signature over the handshake so far, then waits for the client's CCS. */
  async handle(cx: ConnectionCore, raw: RawHandshake): Promise<HandshakeState> {
    const cv = expectMessage(raw, HandshakeType.certificate_verify, "CertificateVerify");
    const st = this.#st;
    const { hs, suite } = st;
    const { verifier, endEntity, cert } = this.#presented;
    const signature = await verifyClientCertificateVerify12(
      verifier,
      hs.transcript.bytes(),
      endEntity,
      cv.scheme,
      cv.signature,
    );
    hs.transcript.add(raw.encoded);
    expectClientCcs(cx, suite, this.#keys);
    return new ExpectClientFinished12(st, this.#master, this.#keys, { cert, signature });
  }
}

/** Awaits the client's Finished (after its CCS), then sends ours. */
export class ExpectClientFinished12 implements HandshakeState {
  /** State name. */
  readonly name = "ExpectClientFinished12";
  readonly #st: Tls12ServerState;
  readonly #master: Uint8Array;
  readonly #keys: Tls12KeyBlock;
  readonly #resumed: boolean;

  /**
   * Continues `st` with the master secret and key block once the client is
   * authenticated (`auth`). On a resumption (`ResumedTls12Session`) our CCS
   * and Finished already went out.
   */
  constructor(
    st: Tls12ServerState,
    master: Uint8Array,
    keys: Tls12KeyBlock,
    auth: Tls12ClientAuthenticated,
  ) {
    this.#st = st;
    this.#master = master;
    this.#keys = keys;
    this.#resumed = auth instanceof ResumedTls12Session;
  }

  /** Checks verify_data, then answers with CCS and our Finished. */
  async handle(cx: ConnectionCore, raw: RawHandshake): Promise<HandshakeState> {
    if (raw.type !== HandshakeType.finished || !cx.reader.isProtected) {
      throw unexpectedMessage("ChangeCipherSpec then Finished", raw.type);
    }
    const { hs, suite } = this.#st;
    const got = decodeFinished12(raw.body);
    const expected = await verifyData(
      suite.hmac,
      this.#master,
      "client",
      await hs.transcript.hash(suite.hash),
    );
    if (!constantTimeEqual(got, expected)) {
      throw tlsError("DecryptError", "FinishedMismatch", "client Finished is wrong", {
        alert: AlertDescription.decrypt_error,
      });
    }
    hs.transcript.add(raw.encoded);
    cx.recordTls12Keys({ suite, tx: this.#keys.server, rx: this.#keys.client });
    const { ems, serverRandom } = this.#st;
    const exporter = Exporter.tls12(suite.hmac, this.#master, hs.clientRandom, serverRandom, ems);
    if (this.#resumed) {
      cx.startTraffic({ exporter });
      return new RefuseRenegotiation(HandshakeType.client_hello, "ClientHello");
    }
    const st = this.#st;
    const value = st.ems
      ? tls12SessionValue(hs.config, suite, this.#master, st.serverName, cx.info)
      : undefined;
    if (value && st.issueTicket) {
      const ticket = encodeNewSessionTicket12({
        lifetimeHint: value.lifetimeSeconds,
        ticket: await sealTls12Ticket(hs.config, value),
      });
      cx.sendHandshake(ticket);
      hs.transcript.add(ticket);
    } else if (value && st.sessionId.length > 0) {
      await hs.config.sessionStore.put(st.sessionId, value);
    }
    cx.sendChangeCipherSpec();
    cx.setWriter(await Tls12Writer.create(suite.aead, this.#keys.server.key, this.#keys.server.iv));
    const finished = encodeFinished12(
      await verifyData(suite.hmac, this.#master, "server", await hs.transcript.hash(suite.hash)),
    );
    cx.sendHandshake(finished);
    hs.transcript.add(finished);
    cx.startTraffic({ exporter });
    return new RefuseRenegotiation(HandshakeType.client_hello, "ClientHello");
  }
}
