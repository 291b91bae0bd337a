/**
 * Finding the AEAD for a suite and importing one direction's key material.
 *
 * @module
 */

import type { Aead, AeadKind } from "../crypto/types.ts";
import type { ConnectionTrafficSecrets } from "../conn/kernel.ts";
import { type InstalledKey, installKey, MAX_SEQ } from "../record/protection.ts";
import type { AeadSource } from "./types.ts";

/** The AEAD of `kind` from `provider`'s suites. */
export function findAead(provider: AeadSource, kind: AeadKind): Aead {
  const aead = provider.cipherSuites.find((s) => s.aead.kind === kind)?.aead;
  if (!aead) throw new TypeError(`the provider has no ${kind} AEAD`);
  return aead;
}

/** Imports one direction's key after checking it fits `aead`. */
export async function install(aead: Aead, s: ConnectionTrafficSecrets): Promise<InstalledKey> {
  if (s.kind !== aead.kind) throw new TypeError(`secrets are for ${s.kind}, not ${aead.kind}`);
  return await installKey(aead, s.key, s.iv, 0n);
}

/** A sequence number handed over from outside, checked. */
export function checkSeq(seq: unknown): bigint {
  if (typeof seq !== "bigint" || seq < 0n || seq > MAX_SEQ) {
    throw new RangeError("seq must be a bigint in [0, 2^64 - 1]");
  }
  return seq;
}
