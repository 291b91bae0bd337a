/**
 * GREASE Encrypted Client Hello (RFC 9849 section 6.2.1): without an
 * ECHConfig, a client may send an encrypted_client_hello that looks real (a
 * random config_id, a valid X25519 key as enc, random bytes as long as a
 * padded inner hello would seal to) so that real ECH does not stand out.
 *
 * @module
 */

import { ExtensionType } from "../msgs/enums.ts";
import type { EchOuterClientHelloExtension } from "../msgs/extension_types.ts";
import { encodeHandshake } from "../msgs/handshake.ts";
import { HpkeAeadId, HpkeKdfId, HpkeKemId } from "../crypto/hpke/hpke.ts";
import { clientHelloMessage, type HelloVariant } from "./client_hello.ts";
import { echPaddingLength } from "./ech_offer.ts";
import type { ClientHandshakeData } from "./handshake_data.ts";

const AES_GCM_TAG = 16;
const INNER_MARKER = 5; // encrypted_client_hello of type inner: type, length, one byte

/**
 * A GREASE extension sized for the ClientHello `variant` builds, or
 * undefined when the provider has no HPKE KEM.
 */
export async function greaseEch(
  hs: ClientHandshakeData,
  variant: HelloVariant,
): Promise<EchOuterClientHelloExtension | undefined> {
  const { provider, randomBytes } = hs.config;
  const kem = provider.hpkeKems?.find((k) => k.id === HpkeKemId.DhKemX25519) ??
    provider.hpkeKems?.[0];
  if (!kem) return undefined;
  const { publicKey } = await kem.generateKeyPair();
  // The inner hello we would send: this one without its session ID, plus the marker.
  const hello = encodeHandshake(clientHelloMessage(hs, variant));
  const unpadded = hello.length - 4 - hs.sessionId.length + INNER_MARKER;
  const length = unpadded + echPaddingLength(unpadded, hs.sniName, 0);
  return {
    type: ExtensionType.encrypted_client_hello,
    kind: "outer",
    cipherSuite: { kdfId: HpkeKdfId.HkdfSha256, aeadId: HpkeAeadId.Aes128Gcm },
    configId: randomBytes(1)[0],
    enc: publicKey,
    payload: randomBytes(length + AES_GCM_TAG),
  };
}
