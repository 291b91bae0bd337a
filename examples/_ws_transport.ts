/**
 * A WebSocket as a `{ readable, writable }` byte transport, for
 * `connectTls`. Uses only the standard `WebSocket` global, so the same code
 * runs in a browser page talking to `ws_bridge.ts`.
 *
 * @module
 */

import type { ByteTransport } from "../src/streams/tls_stream.ts";

/**
 * Opens `url` and resolves once the socket is open. Binary messages become
 * the readable's chunks; each written chunk is one binary message. Closing
 * the writable closes the socket.
 *
 * @example
 * ```ts
 * import { webSocketTransport } from "./_ws_transport.ts";
 * const transport = await webSocketTransport("ws://127.0.0.1:8080/?target=127.0.0.1:4433");
 * await transport.writable.close();
 * ```
 */
export function webSocketTransport(url: string): Promise<ByteTransport> {
  const ws = new WebSocket(url);
  ws.binaryType = "arraybuffer";
  // A WebSocket cannot half-close, but TLS needs to: after our close_notify
  // the peer's last records are still on their way. So the socket closes
  // only when both directions are done.
  let readDone = false;
  let writeDone = false;
  const closeIfDone = () => {
    if (readDone && writeDone) ws.close();
  };
  // WebSocket has no read backpressure; the queue is bounded by what the
  // server sends, which for TLS is driven by what we ask for.
  const readable = new ReadableStream<Uint8Array>({
    start(controller) {
      ws.addEventListener("message", (ev) => {
        if (ev.data instanceof ArrayBuffer) controller.enqueue(new Uint8Array(ev.data));
      });
      ws.addEventListener("close", () => {
        readDone = true;
        try {
          controller.close();
        } catch { /* already closed or errored */ }
      });
      ws.addEventListener("error", () => {
        try {
          controller.error(new Error("WebSocket error"));
        } catch { /* already closed */ }
      });
    },
    cancel() {
      readDone = true;
      ws.close();
    },
  });
  const writable = new WritableStream<Uint8Array>({
    write(chunk) {
      if (ws.readyState !== WebSocket.OPEN) throw new Error("WebSocket is not open");
      ws.send(chunk);
    },
    close() {
      writeDone = true;
      closeIfDone();
    },
    abort() {
      ws.close();
    },
  });
  return new Promise((resolve, reject) => {
    ws.addEventListener("open", () => resolve({ readable, writable }), { once: true });
    ws.addEventListener("error", () => reject(new Error(`cannot open ${url}`)), { once: true });
  });
}
