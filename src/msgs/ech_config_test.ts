import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { TlsError } from "../error.ts";
import {
  type EchConfigContents,
  echHpkeInfo,
  encodeEchConfig,
  encodeEchConfigList,
  readEchConfigList,
} from "./ech_config.ts";
import { decodeEchInner, encodeEchInner } from "./ech_inner.ts";
import type { ClientHello } from "./client_hello.ts";
import { ExtensionType } from "./enums.ts";

const contents: EchConfigContents = {
  configId: 9,
  kemId: 0x0020,
  publicKey: new Uint8Array(32).fill(7),
  cipherSuites: [{ kdfId: 1, aeadId: 1 }, { kdfId: 1, aeadId: 3 }],
  maximumNameLength: 64,
  publicName: "public.example",
  extensions: [{ type: 0x1234, data: new Uint8Array([1, 2]) }],
};

function decodeAlert(f: () => unknown): number | undefined {
  try {
    f();
  } catch (e) {
    assert.ok(e instanceof TlsError, `expected a TlsError, got ${e}`);
    return e.alert;
  }
  assert.fail("expected a failure");
}

describe("ECHConfigList", () => {
  it("round-trips, keeps unknown versions raw and each config's exact bytes", () => {
    const config = encodeEchConfig(contents);
    const unknown = new Uint8Array([0xfe, 0x0c, 0, 3, 1, 2, 3]);
    const [a, b] = readEchConfigList(encodeEchConfigList([unknown, config]));
    assert.equal(a.version, 0xfe0c);
    assert.equal(a.contents, undefined);
    assert.deepEqual(a.raw, unknown);
    assert.deepEqual(b.raw, config);
    assert.deepEqual(b.contents, contents);
    assert.deepEqual(echHpkeInfo(config).subarray(0, 8), new TextEncoder().encode("tls ech\0"));
  });

  it("refuses an empty list, trailing bytes, truncation and bad fields with decode_error", () => {
    const config = encodeEchConfig(contents);
    const list = encodeEchConfigList([config]);
    assert.equal(decodeAlert(() => readEchConfigList(new Uint8Array([0, 0]))), 50);
    assert.equal(decodeAlert(() => readEchConfigList(new Uint8Array([...list, 0]))), 50);
    assert.equal(decodeAlert(() => readEchConfigList(list.subarray(0, list.length - 1))), 50);
    const noSuites = encodeEchConfig({ ...contents, cipherSuites: [{ kdfId: 1, aeadId: 1 }] });
    noSuites[4 + 1 + 2 + 2 + 32 + 1] = 2; // cipher_suites length 4 -> 2
    assert.equal(decodeAlert(() => readEchConfigList(encodeEchConfigList([noSuites]))), 50);
  });
});

describe("EncodedClientHelloInner", () => {
  const outer: ClientHello = {
    type: 1,
    legacyVersion: 0x0303,
    random: new Uint8Array(32).fill(1),
    legacySessionId: new Uint8Array(32).fill(2),
    cipherSuites: [0x1301],
    legacyCompressionMethods: new Uint8Array([0]),
    extensions: [
      { type: ExtensionType.server_name, hostName: "public.example" },
      { type: ExtensionType.supported_groups, groups: [29] },
      { type: 0x7777, data: new Uint8Array([5]) },
      { type: ExtensionType.supported_versions, versions: [0x0304] },
    ],
  };
  const inner: ClientHello = {
    ...outer,
    random: new Uint8Array(32).fill(3),
    extensions: [
      { type: ExtensionType.server_name, hostName: "private.example" },
      { type: ExtensionType.encrypted_client_hello, kind: "inner" },
      { type: ExtensionType.supported_groups, groups: [29] },
      { type: ExtensionType.supported_versions, versions: [0x0304] },
    ],
  };
  const compressed = [ExtensionType.supported_groups, ExtensionType.supported_versions];

  it("compresses a contiguous run, pads with zeros, and decodes back against the outer hello", () => {
    const encoded = encodeEchInner(inner, compressed, 10);
    const plain = encodeEchInner(inner, [], 0);
    assert.ok(encoded.length - 10 < plain.length, "compression saves bytes");
    assert.deepEqual([...encoded.subarray(encoded.length - 10)], new Array(10).fill(0));
    assert.deepEqual(decodeEchInner(encoded, outer), inner);
  });

  it("refuses a run that is not contiguous in the inner hello (RangeError, our misuse)", () => {
    assert.throws(
      () => encodeEchInner(inner, [ExtensionType.server_name, ExtensionType.supported_groups], 0),
      RangeError,
    );
  });
});
