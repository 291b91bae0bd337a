/**
 * What both Web PKI verifiers do with a chain and a handshake signature, from
 * their options checked once at construction.
 *
 * @module
 */

import type { SignatureVerifier } from "../crypto/types.ts";
import { signatureVerifiers } from "../crypto/webcrypto/verify.ts";
import { checkRsaMinimumOption } from "./algorithms.ts";
import { buildPath } from "./path.ts";
import { type RevocationOptions, type RevocationPolicy, revocationPolicy } from "./revocation.ts";
import type { RootCertStore } from "./root_store.ts";
import { SignatureCache } from "./signature_cache.ts";
import { verifyHandshakeSignature } from "./tls_signatures.ts";
import { type Certificate, parseCertificate } from "./x509.ts";

/** The verifier options, checked. */
export interface ChainSettings {
  readonly roots: RootCertStore;
  readonly verifiers: readonly SignatureVerifier[];
  readonly maxIntermediates: number | undefined;
  readonly minRsaBits: number;
  readonly revocation: RevocationPolicy | undefined;
  readonly signatureCache: SignatureCache;
}

/** Checks the options (throws `RangeError`, `TypeError` or, for a bad CRL, `SyntaxError`). */
export function chainSettings(o: {
  roots: RootCertStore;
  verifiers?: readonly SignatureVerifier[];
  maxIntermediates?: number;
  minRsaKeyBits?: number;
  revocation?: RevocationOptions;
  signatureCacheSize?: number;
}): ChainSettings {
  return {
    roots: o.roots,
    verifiers: o.verifiers ?? signatureVerifiers,
    maxIntermediates: o.maxIntermediates,
    minRsaBits: checkRsaMinimumOption(o.minRsaKeyBits),
    revocation: revocationPolicy(o.revocation),
    signatureCache: new SignatureCache(o.signatureCacheSize),
  };
}

/** Parses the chain and builds a validated path for `eku`; returns the leaf. */
export async function verifyChain(
  s: ChainSettings,
  endEntity: Uint8Array,
  intermediates: readonly Uint8Array[],
  now: Date,
  eku: string,
): Promise<Certificate> {
  const leaf = parseCertificate(endEntity);
  // An intermediate that does not parse cannot be in any path: skip it.
  const inter: Certificate[] = [];
  for (const der of intermediates) {
    try {
      inter.push(parseCertificate(der));
    } catch {
      // ignored on purpose
    }
  }
  await buildPath(leaf, inter, s.roots.roots, {
    // Certificates and CRLs carry whole seconds: compare at that granularity,
    // so a certificate is valid through the last millisecond of notAfter.
    now: Math.floor(now.getTime() / 1000) * 1000,
    eku,
    verifiers: s.verifiers,
    maxIntermediates: s.maxIntermediates,
    minRsaBits: s.minRsaBits,
    revocation: s.revocation,
    signatureCache: s.signatureCache,
  });
  return leaf;
}

/** Checks a TLS 1.3 (`tls13`) or 1.2 handshake signature by the end entity's key. */
export function handshakeSignature(
  s: ChainSettings,
  tls13: boolean,
  message: Uint8Array,
  endEntity: Uint8Array,
  scheme: number,
  signature: Uint8Array,
): Promise<void> {
  return verifyHandshakeSignature(
    s.verifiers,
    tls13,
    message,
    endEntity,
    scheme,
    signature,
    s.minRsaBits,
  );
}
