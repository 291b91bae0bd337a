// Two in-memory byte transports wired back to back.
import type { ByteTransport } from "../src/streams/stream_types.ts";

/** `[a, b]`: what is written to one comes out of the other's readable. */
export function transportPair(): [ByteTransport, ByteTransport] {
  const a = new TransformStream<Uint8Array, Uint8Array>();
  const b = new TransformStream<Uint8Array, Uint8Array>();
  return [
    { readable: a.readable, writable: b.writable },
    { readable: b.readable, writable: a.writable },
  ];
}
