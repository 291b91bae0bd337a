// Issue 18 item 6: GREASE (RFC 8701) in our ClientHello, the same values in
// the second ClientHello after a HelloRetryRequest, a server that selects a
// GREASE value refused, and the JA4 fingerprint README documents. Tolerance
// of GREASE on our server side is shown here (our client) and by Chromium in
// tests/browser_test.ts; the interop tests show OpenSSL, GnuTLS, rustls and
// Node tolerate our GREASE, since it is on by default.
import { readFileSync } from "node:fs";
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { AlertDescription, ExtensionType, HandshakeType } from "../src/msgs/enums.ts";
import type { ClientHello } from "../src/msgs/client_hello.ts";
import type { ServerHello } from "../src/msgs/server_hello.ts";
import { decodeHandshake, encodeHandshake } from "../src/msgs/handshake.ts";
import { findExtension } from "../src/msgs/extensions.ts";
import { isGrease, isGreasePskMode } from "../src/msgs/grease.ts";
import { ClientConfig } from "../src/client/config.ts";
import { makePairPki, type PairPki, utf8 } from "./_pair_setup.ts";
import { editMessages, type TamperedPair, tamperedPair } from "./_tamper.ts";
import { appendExtension } from "./_msg_edit.ts";
import { ja4, ja4ExtensionText, ja4Hash } from "./_ja4.ts";

let pki: PairPki;
before(() => {
  pki = makePairPki();
});
after(() => pki.cleanup());

/** Runs a pair and returns the ClientHellos the server received, decoded. */
async function helloes(
  opts: Parameters<typeof tamperedPair>[1] = {},
): Promise<{ run: TamperedPair; hellos: ClientHello[] }> {
  const hellos: ClientHello[] = [];
  const run = await tamperedPair(pki, {
    clientData: utf8("hi"),
    ...opts,
    toServer: editMessages((m) => {
      if (m.type === HandshakeType.client_hello) {
        hellos.push(decodeHandshake(m.type, m.body) as ClientHello);
      }
      return undefined;
    }),
  });
  return { run, hellos };
}

/** Every GREASE value in a ClientHello, by where it sits. */
function greaseIn(hello: ClientHello) {
  const ext = hello.extensions;
  return {
    suites: hello.cipherSuites.filter(isGrease),
    extensions: ext.filter((e) => isGrease(e.type)),
    groups: findExtension(ext, ExtensionType.supported_groups)!.groups.filter(isGrease),
    schemes: findExtension(ext, ExtensionType.signature_algorithms)!.schemes.filter(isGrease),
    versions: findExtension(ext, ExtensionType.supported_versions)!.versions.filter(isGrease),
    modes: findExtension(ext, ExtensionType.psk_key_exchange_modes)!.modes.filter(isGreasePskMode),
    shares: findExtension(ext, ExtensionType.key_share)!.shares.filter((s) => isGrease(s.group)),
  };
}

describe("issue 18 item 6: GREASE", () => {
  it("the ClientHello carries one GREASE value in each list, and our server ignores them", async () => {
    const { run, hellos } = await helloes();
    assert.equal(run.clientError, undefined);
    assert.equal(run.serverError, undefined);
    assert.equal(new TextDecoder().decode(run.server.receivedBytes()), "hi");
    const [hello] = hellos;
    const g = greaseIn(hello);
    assert.equal(hello.cipherSuites[0], g.suites[0], "a GREASE suite first");
    assert.equal(g.suites.length, 1);
    assert.equal(g.extensions.length, 2);
    assert.notEqual(g.extensions[0].type, g.extensions[1].type);
    assert.equal(hello.extensions[0], g.extensions[0], "an empty GREASE extension first");
    assert.deepEqual([...(g.extensions[0] as { data: Uint8Array }).data], []);
    assert.deepEqual([...(g.extensions[1] as { data: Uint8Array }).data], [0]);
    assert.equal(g.groups.length, 1);
    assert.equal(g.schemes.length, 1);
    assert.equal(g.versions.length, 1);
    assert.equal(g.modes.length, 1);
    assert.equal(g.shares.length, 1);
    assert.equal(g.shares[0].group, g.groups[0], "the GREASE share is for the GREASE group");
    assert.deepEqual([...g.shares[0].keyExchange], [0]);
  });

  it("the second ClientHello repeats the GREASE values and drops the GREASE share", async () => {
    // The server wants P-384, which the client did not share: a HelloRetryRequest.
    const { run, hellos } = await helloes({ server: { kxGroups: [0x18] } });
    assert.equal(run.clientError, undefined, run.clientError?.message);
    assert.equal(run.serverError, undefined, run.serverError?.message);
    assert.equal(hellos.length, 2);
    const first = greaseIn(hellos[0]);
    const second = greaseIn(hellos[1]);
    assert.deepEqual(second.suites, first.suites);
    assert.deepEqual(second.extensions, first.extensions);
    assert.deepEqual(second.groups, first.groups);
    assert.deepEqual(second.schemes, first.schemes);
    assert.deepEqual(second.versions, first.versions);
    assert.deepEqual(second.modes, first.modes);
    assert.equal(second.shares.length, 0);
  });

  it("grease: false sends none", async () => {
    const { run, hellos } = await helloes({ client: { grease: false } });
    assert.equal(run.clientError, undefined);
    const g = greaseIn(hellos[0]);
    for (const [where, found] of Object.entries(g)) assert.equal(found.length, 0, where);
  });

  describe("a server that selects a GREASE value is refused (RFC 8701 3.1)", () => {
    /** Runs a pair whose ServerHello `edit` rewrites, given the client's GREASE values. */
    async function withServerHello(
      edit: (sh: ServerHello, g: ReturnType<typeof greaseIn>) => void,
    ): Promise<TamperedPair> {
      let g: ReturnType<typeof greaseIn> | undefined;
      return await tamperedPair(pki, {
        toServer: editMessages((m) => {
          if (m.type === HandshakeType.client_hello) {
            g = greaseIn(decodeHandshake(m.type, m.body) as ClientHello);
          }
          return undefined;
        }),
        toClient: editMessages((m) => {
          if (m.type !== HandshakeType.server_hello) return undefined;
          const sh = decodeHandshake(m.type, m.body) as ServerHello;
          edit(sh, g!);
          return encodeHandshake(sh);
        }),
      });
    }

    it("its cipher suite", async () => {
      const run = await withServerHello((sh, g) => {
        sh.cipherSuite = g.suites[0];
      });
      assert.equal(run.clientError?.alert, AlertDescription.illegal_parameter);
      assert.equal(run.clientError?.detail, "SelectedUnofferedCipherSuite");
    });

    it("its version", async () => {
      const run = await withServerHello((sh, g) => {
        const v = findExtension(sh.extensions, ExtensionType.supported_versions)!;
        v.version = g.versions[0];
      });
      assert.equal(run.clientError?.alert, AlertDescription.illegal_parameter);
      assert.equal(run.clientError?.detail, "UnsupportedVersion");
    });

    it("its group", async () => {
      const run = await withServerHello((sh, g) => {
        const ks = findExtension(sh.extensions, ExtensionType.key_share)!;
        ks.share = { group: g.groups[0], keyExchange: new Uint8Array([0]) };
      });
      assert.equal(run.clientError?.alert, AlertDescription.illegal_parameter);
      assert.equal(run.clientError?.detail, "WrongGroupForKeyShare");
    });

    it("its extension, echoed in EncryptedExtensions", async () => {
      let type = 0;
      const run = await tamperedPair(pki, {
        toServer: editMessages((m) => {
          if (m.type === HandshakeType.client_hello) {
            type = greaseIn(decodeHandshake(m.type, m.body) as ClientHello).extensions[0].type;
          }
          return undefined;
        }),
        toClient: editMessages((m) =>
          m.type === HandshakeType.encrypted_extensions
            ? appendExtension(m.encoded, 4, type, new Uint8Array(0))
            : undefined
        ),
      });
      assert.equal(run.clientError?.alert, AlertDescription.unsupported_extension);
      assert.equal(run.clientError?.detail, "UnsolicitedExtension");
    });
  });

  describe("JA4", () => {
    it("the JA4 code matches a published fingerprint (Chrome 143, browserleaks.com)", async () => {
      // ja4_r of that ClientHello and the JA4 reported with it, parts b and c.
      const suites = "002f,0035,009c,009d,1301,1302,1303,c013,c014,c02b,c02c,c02f,c030,cca8,cca9";
      assert.equal(await ja4Hash(suites), "8daaf6152771");
      const exts = [0x5, 0xa, 0xb, 0xd, 0x12, 0x17, 0x1b, 0x23, 0x2b, 0x2d, 0x33, 0x44cd, 0xfe0d]
        .concat([0xff01, 0x0000, 0x0010]);
      const schemes = [0x0403, 0x0804, 0x0401, 0x0503, 0x0805, 0x0501, 0x0806, 0x0601];
      assert.equal(await ja4Hash(ja4ExtensionText(exts, schemes)), "d8a2da3f94cd");
    });

    it("README documents the JA4 of our default ClientHello", async () => {
      const { hellos } = await helloes({ clientConfig: new ClientConfig({ roots: pki.roots() }) });
      const fingerprint = await ja4(hellos[0]);
      const readme = readFileSync(new URL("../README.md", import.meta.url), "utf8");
      const documented = readme.match(/default\s+ClientHello's\s+JA4\s+is\s+`([^`]+)`/)?.[1];
      assert.equal(documented, fingerprint, "update README's GREASE section");
    });
  });
});
