/**
 * `KernelRecordLayerOptions` checked and filled in with their defaults.
 *
 * @module
 */

import { MAX_PLAINTEXT_LEN } from "../record/deframer.ts";
import type { KernelConnectionLike, KernelRecordLayerOptions } from "./types.ts";

const DEFAULT_IN_FLIGHT = 16;

/** The options a layer runs with. */
export interface LayerSettings {
  maxFragment: number;
  maxInFlight: number;
  /** Records one send key may protect, KeyUpdate included. */
  limit: bigint;
  maxKeyUpdates: number | undefined;
}

/**
 * Checks `options` against the connection's suite limit and the record size
 * the peer accepts (RFC 8449: the smaller fragment size wins).
 *
 * @throws {RangeError} For a value out of range.
 */
export function layerSettings(
  options: KernelRecordLayerOptions,
  connection: KernelConnectionLike,
): LayerSettings {
  const suiteLimit = connection.negotiatedCipherSuite.confidentialityLimit;
  const wantedFragment = options.maxFragmentSize ?? MAX_PLAINTEXT_LEN;
  if (
    !Number.isInteger(wantedFragment) || wantedFragment < 1 || wantedFragment > MAX_PLAINTEXT_LEN
  ) {
    throw new RangeError(`maxFragmentSize must be an integer in [1, ${MAX_PLAINTEXT_LEN}]`);
  }
  const maxFragment = Math.min(wantedFragment, connection.maxFragmentSize ?? MAX_PLAINTEXT_LEN);
  const maxInFlight = options.maxInFlight ?? DEFAULT_IN_FLIGHT;
  if (!Number.isInteger(maxInFlight) || maxInFlight < 1) {
    throw new RangeError("maxInFlight must be a positive integer");
  }
  const wanted = options.confidentialityLimit ?? suiteLimit;
  if (typeof wanted !== "bigint" || wanted < 2n) {
    throw new RangeError("confidentialityLimit must be a bigint of at least 2");
  }
  const maxKeyUpdates = options.maxKeyUpdates;
  if (maxKeyUpdates !== undefined && (!Number.isInteger(maxKeyUpdates) || maxKeyUpdates < 1)) {
    throw new RangeError("maxKeyUpdates must be a positive integer");
  }
  const limit = wanted < suiteLimit ? wanted : suiteLimit;
  return { maxFragment, maxInFlight, limit, maxKeyUpdates };
}
