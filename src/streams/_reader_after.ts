// The transport reader a hand-off returns when a read was under way.

/**
 * A reader that yields what `pending` (a read already under way on `reader`)
 * brings, then whatever `reader` yields next.
 */
export function readerAfter(
  pending: Promise<ReadableStreamReadResult<Uint8Array>>,
  reader: ReadableStreamDefaultReader<Uint8Array>,
): ReadableStreamDefaultReader<Uint8Array> {
  let first: typeof pending | undefined = pending;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      const { value, done } = await (first ?? reader.read());
      first = undefined;
      if (done) controller.close();
      else controller.enqueue(value);
    },
    cancel: (reason) => reader.cancel(reason),
  }, { highWaterMark: 0 }).getReader();
}
