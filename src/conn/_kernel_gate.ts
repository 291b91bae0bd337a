// The checks of the kernel hand-off that look at the connection core, in the
// documented order (the config switch and the busy check come before them).

import type { ConnectionCore } from "../common/core.ts";
import { tlsError } from "../error.ts";
import { directionSecrets, type ExtractedSecrets, type KernelInit } from "./kernel.ts";

/** Returns the core when it may be handed off; throws the documented refusal otherwise. */
export function checkKernelGate(core: ConnectionCore | undefined): ConnectionCore {
  if (!core || !core.handshakeComplete || !(core.tls13 || core.tls12)) {
    throw tlsError("HandshakeNotComplete", "HandshakeNotComplete", "the handshake is not complete");
  }
  if (!core.outboundEmpty) {
    throw tlsError(
      "General",
      "RecordsPending",
      "buffered TLS records must be sent first: drive the connection until WriteTraffic",
    );
  }
  if (core.error) throw core.error;
  if (core.weClosed || core.peerClosed) {
    throw tlsError(
      "General",
      "ConnectionClosing",
      "close_notify was already sent or received: the connection is closing",
    );
  }
  if (core.peekAppLength() !== undefined) {
    throw tlsError(
      "General",
      "UnreadApplicationData",
      "received application data must be read first",
    );
  }
  return core;
}

/**
 * Reads both sequence numbers, calls `consume` before anything is awaited,
 * then derives the keys the hand-off returns.
 */
export async function extractSecrets(
  core: ConnectionCore,
  consume: () => void,
): Promise<{ secrets: ExtractedSecrets; init: KernelInit }> {
  const txSeq = core.writer.seq;
  const rxSeq = core.reader.seq;
  const exporter = core.exporter;
  // RFC 8449 limits both ways, as the handshake negotiated them.
  const limits = {
    maxFragmentSize: core.maxFragmentSize,
    recordSizeLimit: core.receiveRecordSizeLimit,
  };
  const peerKeyUpdates = Object.freeze(core.inbound.peerKeyUpdates);
  if (core.tls12) {
    const { suite, tx, rx } = core.tls12;
    const kind = suite.aead.kind;
    consume();
    // Sequence numbers go on from the handshake: our Finished and the
    // peer's were record 0 under these keys, so both are 1 here. The IVs
    // are the nonce bases the handshake used (see `Tls12DirectionKeys`).
    const secrets: ExtractedSecrets = {
      tx: { seq: txSeq, secrets: { kind, key: tx.key.slice(), iv: tx.iv.slice() } },
      rx: { seq: rxSeq, secrets: { kind, key: rx.key.slice(), iv: rx.iv.slice() } },
    };
    return { secrets, init: { protocolVersion: "TLSv1_2", suite, exporter, ...limits } };
  }
  const { suite, txSecret, rxSecret } = core.tls13!;
  consume();
  const [tx, rx] = await Promise.all([
    directionSecrets(suite, txSecret, txSeq),
    directionSecrets(suite, rxSecret, rxSeq),
  ]);
  return {
    secrets: { tx, rx },
    init: {
      protocolVersion: "TLSv1_3",
      suite,
      txSecret,
      rxSecret,
      exporter,
      peerKeyUpdates,
      ...limits,
    },
  };
}
