/**
 * The client-facing server's half of Encrypted Client Hello (RFC 9849
 * sections 7 and 7.1): find the config by config_id, open the payload with
 * the ClientHelloOuter as associated data, rebuild the ClientHelloInner and
 * check it; and after our HelloRetryRequest, open the second payload with
 * the same HPKE context (section 7.1.1).
 *
 * @module
 */

import { peerMisbehaved, tlsError } from "../error.ts";
import { type HpkeContext, hpkeSuite, setupBaseReceiver } from "../crypto/hpke/hpke.ts";
import type { CryptoProvider } from "../crypto/types.ts";
import { type ClientHello, writeClientHello } from "../msgs/client_hello.ts";
import { Writer } from "../msgs/codec.ts";
import { echHpkeInfo } from "../msgs/ech_config.ts";
import { decodeEchInner } from "../msgs/ech_inner.ts";
import { AlertDescription, ExtensionType, ProtocolVersion } from "../msgs/enums.ts";
import { findExtension } from "../msgs/extensions.ts";
import type { EchOuterClientHelloExtension } from "../msgs/extension_types.ts";
import { isGrease } from "../msgs/grease.ts";
import type { ResolvedEch, ServerEchKey } from "./ech_keys.ts";

/** An accepted offer: what the second ClientHelloOuter must repeat, and the context. */
export interface AcceptedEch {
  /** The HPKE context, for a second ClientHelloOuter. */
  context: HpkeContext;
  /** config_id and cipher suite, which must not change (section 7.1.1). */
  configId: number;
  cipherSuite: { kdfId: number; aeadId: number };
}

/** The outer extension, or undefined; the inner variant on the wire is illegal (section 7). */
function outerExtension(hello: ClientHello): EchOuterClientHelloExtension | undefined {
  // Section 5.1: ech_outer_extensions never appears on the wire.
  if (findExtension(hello.extensions, ExtensionType.ech_outer_extensions)) {
    throw peerMisbehaved("ClientHello carries ech_outer_extensions", "InvalidEchOuterExtensions");
  }
  const ext = findExtension(hello.extensions, ExtensionType.encrypted_client_hello);
  if (ext?.kind === "inner") {
    throw peerMisbehaved("ClientHello carries an inner encrypted_client_hello", "InvalidEch");
  }
  return ext;
}

/** ClientHelloOuterAAD: the outer hello with the payload zeroed (section 5.2). */
function outerAad(hello: ClientHello, ext: EchOuterClientHelloExtension): Uint8Array {
  const zeroed = { ...ext, payload: new Uint8Array(ext.payload.length) };
  const w = new Writer();
  writeClientHello(w, {
    ...hello,
    extensions: hello.extensions.map((e) => e === ext ? zeroed : e),
  });
  return w.finish();
}

/** Section 7.1: the inner hello must be marked inner and offer nothing below TLS 1.3. */
function checkInner(inner: ClientHello): ClientHello {
  const marker = findExtension(inner.extensions, ExtensionType.encrypted_client_hello);
  const versions = findExtension(inner.extensions, ExtensionType.supported_versions)?.versions;
  if (
    marker?.kind !== "inner" || !versions ||
    versions.some((v) => !isGrease(v) && v < ProtocolVersion.TLSv1_3)
  ) {
    throw peerMisbehaved(
      "ClientHelloInner lacks the inner marker or offers TLS 1.2",
      "InvalidEchInner",
    );
  }
  return inner;
}

async function tryKey(
  provider: CryptoProvider,
  key: ServerEchKey,
  ext: EchOuterClientHelloExtension,
  aad: Uint8Array,
): Promise<{ plaintext: Uint8Array; context: HpkeContext } | undefined> {
  const { kdfId, aeadId } = ext.cipherSuite;
  if (!key.contents.cipherSuites.some((s) => s.kdfId === kdfId && s.aeadId === aeadId)) {
    return undefined;
  }
  const suite = hpkeSuite(provider, key.contents.kemId, kdfId, aeadId);
  if (!suite) return undefined;
  let context: HpkeContext;
  try {
    context = await setupBaseReceiver(suite, ext.enc, key.privateKey, echHpkeInfo(key.raw));
  } catch {
    return undefined; // an enc that is no public key of the KEM: not for this key
  }
  const plaintext = await context.open(aad, ext.payload);
  return plaintext ? { plaintext, context } : undefined;
}

/**
 * Section 7.1 for a first ClientHello: the ClientHelloInner when one of our
 * keys opens the offer, else undefined (no offer, or one we cannot decrypt:
 * GREASE, a stale config; the handshake then goes on with the outer hello).
 * A payload that opens but holds a bad inner hello is a `TlsError`.
 */
export async function openEch(
  provider: CryptoProvider,
  ech: ResolvedEch,
  hello: ClientHello,
): Promise<{ inner: ClientHello; accepted: AcceptedEch } | undefined> {
  const ext = outerExtension(hello);
  if (!ext) return undefined;
  const aad = outerAad(hello, ext);
  for (const key of ech.keys) {
    // Section 7.1: candidates by config_id, or all of them for trial decryption.
    if (!ech.trialDecryption && key.contents.configId !== ext.configId) continue;
    const opened = await tryKey(provider, key, ext, aad);
    if (!opened) continue;
    return {
      inner: checkInner(decodeEchInner(opened.plaintext, hello)),
      accepted: { context: opened.context, configId: ext.configId, cipherSuite: ext.cipherSuite },
    };
  }
  return undefined;
}

/** Whether `hello` carries an outer encrypted_client_hello (for retry configs). */
export function offersEch(hello: ClientHello): boolean {
  return outerExtension(hello) !== undefined;
}

/**
 * Section 7.1.1: the second ClientHelloOuter after we accepted ECH must
 * carry the extension (missing_extension), with the same config_id and
 * suite and an empty enc (illegal_parameter), and open under the same
 * context (decrypt_error).
 */
export async function openRetryEch(
  accepted: AcceptedEch,
  hello: ClientHello,
): Promise<ClientHello> {
  const ext = outerExtension(hello);
  if (!ext) {
    throw peerMisbehaved(
      "second ClientHelloOuter has no encrypted_client_hello",
      "MissingEchAfterRetry",
      AlertDescription.missing_extension,
    );
  }
  if (
    ext.configId !== accepted.configId || ext.enc.length !== 0 ||
    ext.cipherSuite.kdfId !== accepted.cipherSuite.kdfId ||
    ext.cipherSuite.aeadId !== accepted.cipherSuite.aeadId
  ) {
    throw peerMisbehaved("second encrypted_client_hello changed", "ChangedEchAfterRetry");
  }
  const plaintext = await accepted.context.open(outerAad(hello, ext), ext.payload);
  if (!plaintext) {
    throw tlsError("DecryptError", "EchDecryptFailed", "second ClientHelloOuter does not decrypt", {
      alert: AlertDescription.decrypt_error,
    });
  }
  return checkInner(decodeEchInner(plaintext, hello));
}
