/**
 * Choosing the ECHConfig to encrypt to (RFC 9849 sections 4, 4.2, 6.1 and
 * 6.1.7): the first config of the list, in the server's order of preference,
 * with our version, no unknown mandatory or duplicated extension, a public
 * name that is a valid DNS host name (never an IPv4 literal), a KEM the
 * provider has, and one of its KDF/AEAD pairs the provider can run.
 *
 * @module
 */

import type { CryptoProvider } from "../crypto/types.ts";
import { type HpkeSuite, hpkeSuite } from "../crypto/hpke/hpke.ts";
import {
  type EchConfigContents,
  type HpkeSymmetricCipherSuite,
  readEchConfigList,
} from "../msgs/ech_config.ts";
import { parseServerName } from "../webpki/name.ts";

/** The config a client encrypts to, with the HPKE suite it picked from it. */
export interface ChosenEchConfig {
  /** The encoded ECHConfig: HPKE's info is "tls ech" 0x00 and these bytes. */
  raw: Uint8Array;
  /** Its contents. */
  contents: EchConfigContents;
  /** The provider's implementation of the chosen suite. */
  suite: HpkeSuite;
  /** The chosen KDF and AEAD, as sent in the extension. */
  cipherSuite: HpkeSymmetricCipherSuite;
}

/** Section 6.1.7: a host name of LDH labels, not something read as IPv4. */
export function isValidPublicName(name: string): boolean {
  if (name.endsWith(".")) return false;
  try {
    if (parseServerName(name).kind !== "dns") return false;
  } catch {
    return false;
  }
  return !/^0x[0-9a-f]*$/i.test(name.split(".").pop()!);
}

function usableExtensions(contents: EchConfigContents): boolean {
  const seen = new Set<number>();
  for (const { type } of contents.extensions) {
    // Section 4.2: we know no extension, so a mandatory one rules the config out.
    if (seen.has(type) || (type & 0x8000) !== 0) return false;
    seen.add(type);
  }
  return true;
}

/**
 * The first usable config of `configList` (an ECHConfigList, as DNS HTTPS
 * records carry it), or `undefined` when none is. Throws the `decode_error`
 * TlsError when the list does not decode.
 */
export function selectEchConfig(
  provider: CryptoProvider,
  configList: Uint8Array,
): ChosenEchConfig | undefined {
  for (const config of readEchConfigList(configList)) {
    const contents = config.contents;
    if (!contents || !usableExtensions(contents) || !isValidPublicName(contents.publicName)) {
      continue;
    }
    for (const cipherSuite of contents.cipherSuites) {
      const suite = hpkeSuite(provider, contents.kemId, cipherSuite.kdfId, cipherSuite.aeadId);
      if (suite) return { raw: config.raw, contents, suite, cipherSuite };
    }
  }
  return undefined;
}
