// Issue 18 item 2, hostile servers: what our ECH client does with a
// server's encrypted_client_hello answers that break RFC 9849 (malformed
// retry configs and HelloRetryRequest signals are decode_error, retry
// configs after accepting ECH are unsupported_extension), rewritten on the
// wire between our client and our server.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { AlertDescription, ExtensionType, HandshakeType, NamedGroup } from "../src/msgs/enums.ts";
import { generateEchConfig } from "../src/server/ech_keys.ts";
import type { TlsError } from "../src/error.ts";
import { isHelloRetryRequest } from "../src/msgs/server_hello.ts";
import { decodeHandshake } from "../src/msgs/handshake.ts";
import type { ServerHello } from "../src/msgs/server_hello.ts";
import { makePairPki, type PairPki } from "./_pair_setup.ts";
import { editMessages, tamperedPair } from "./_tamper.ts";
import { appendExtension, helloExtOffset, replaceExtension } from "./_msg_edit.ts";

let pki: PairPki;
before(() => {
  pki = makePairPki();
});
after(() => pki.cleanup());

/** The client's error after the server's `type` message is rewritten by `edit`. */
async function clientErrorWith(
  type: number,
  edit: (encoded: Uint8Array) => Uint8Array | undefined,
  opts: { stale?: boolean; kxGroups?: number[] } = {},
): Promise<TlsError | undefined> {
  // The public name is the leaf's name, so a rejected handshake authenticates.
  const key = await generateEchConfig({ publicName: "localhost", configId: 1 });
  const offered = opts.stale
    ? await generateEchConfig({ publicName: "localhost", configId: 1 })
    : key;
  const run = await tamperedPair(pki, {
    client: { ech: { configList: offered.configList } },
    server: {
      ech: { keys: [key] },
      ...(opts.kxGroups ? { kxGroups: opts.kxGroups } : {}),
    },
    toClient: editMessages((m) => (m.type === type ? edit(m.encoded) : undefined)),
  });
  return run.clientError;
}

describe("issue 18 item 2: hostile ECH answers to our client", () => {
  it("control: untouched, the stale config ends in EchRejected and the good one is accepted", async () => {
    const stale = await clientErrorWith(HandshakeType.encrypted_extensions, () => undefined, {
      stale: true,
    });
    assert.equal(stale?.detail, "EchRejected");
    assert.equal(
      await clientErrorWith(HandshakeType.encrypted_extensions, () => undefined),
      undefined,
    );
  });

  it("malformed retry_configs in EncryptedExtensions: decode_error", async () => {
    const err = await clientErrorWith(
      HandshakeType.encrypted_extensions,
      (e) =>
        replaceExtension(e, 4, ExtensionType.encrypted_client_hello, new Uint8Array([0, 9, 1])),
      { stale: true },
    );
    assert.equal(err?.alert, AlertDescription.decode_error);
  });

  it("retry_configs after the ServerHello accepted ECH: unsupported_extension", async () => {
    const configs = (await generateEchConfig({ publicName: "localhost" })).configList;
    const err = await clientErrorWith(
      HandshakeType.encrypted_extensions,
      (e) => appendExtension(e, 4, ExtensionType.encrypted_client_hello, configs),
    );
    assert.equal(err?.alert, AlertDescription.unsupported_extension);
    assert.equal(err?.detail, "UnsolicitedEchRetryConfigs");
  });

  it("a HelloRetryRequest ECH signal that is not 8 bytes: decode_error", async () => {
    const err = await clientErrorWith(HandshakeType.server_hello, (e) => {
      const msg = decodeHandshake(e[0], e.subarray(4)) as ServerHello;
      if (!isHelloRetryRequest(msg)) return undefined;
      return replaceExtension(
        e,
        helloExtOffset(e),
        ExtensionType.encrypted_client_hello,
        new Uint8Array(7),
      );
    }, { kxGroups: [NamedGroup.secp256r1] });
    assert.equal(err?.alert, AlertDescription.decode_error);
  });

  it("a HelloRetryRequest that confirmed ECH, then a ServerHello that does not: illegal_parameter", async () => {
    const err = await clientErrorWith(HandshakeType.server_hello, (e) => {
      const msg = decodeHandshake(e[0], e.subarray(4)) as ServerHello;
      if (isHelloRetryRequest(msg)) return undefined;
      const out = e.slice();
      out[4 + 2 + 31] ^= 1; // the last byte of the random: the signal
      return out;
    }, { kxGroups: [NamedGroup.secp256r1] });
    assert.equal(err?.alert, AlertDescription.illegal_parameter);
    assert.equal(err?.detail, "EchAcceptanceChanged");
  });
});
