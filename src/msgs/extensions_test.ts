import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { TlsError } from "../error.ts";
import { concat, fromHex, toHex } from "../_bytes.ts";
import { AlertDescription, ExtensionType, NamedGroup } from "./enums.ts";
import { Reader, Writer } from "./codec.ts";
import {
  checkTls13Extensions,
  type ExtensionsByContext,
  findExtension,
  readExtensions,
  writeExtensions,
} from "./extensions.ts";
import type { ExtensionContext } from "./extension_types.ts";

/** One raw extension: type, u16 length, data. */
function ext(type: number, data: Uint8Array | string): Uint8Array {
  const body = typeof data === "string" ? fromHex(data) : data;
  return new Writer().u16(type).vec16(body).finish();
}

/** A u16-length-prefixed list of raw extensions. */
function list(...exts: Uint8Array[]): Uint8Array {
  return new Writer().vec16(concat(...exts)).finish();
}

function decode<C extends ExtensionContext>(
  context: C,
  bytes: Uint8Array,
): ExtensionsByContext[C][] {
  const r = new Reader(bytes);
  const out = readExtensions(r, context);
  r.expectEnd();
  return out;
}

function encode<C extends ExtensionContext>(
  context: C,
  exts: ExtensionsByContext[C][],
): Uint8Array {
  const w = new Writer();
  writeExtensions(w, exts, context);
  return w.finish();
}

function assertAlert(fn: () => unknown, alert: number, detail: string): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof TlsError, `expected TlsError, got ${e}`);
    assert.equal(e.alert, alert, e.message);
    assert.equal(e.detail, detail, e.message);
    return true;
  });
}

const decodeErr = AlertDescription.decode_error;
const illegal = AlertDescription.illegal_parameter;

describe("extension lists", () => {
  it("round-trip typed and unknown extensions in wire order", () => {
    const bytes = list(
      ext(0xfafa, "0102"), // unknown (GREASE): kept raw
      ext(ExtensionType.server_name, "0009000006736572766572"),
      ext(ExtensionType.supported_groups, "0004001d0017"),
      ext(ExtensionType.padding, "000000"),
      ext(ExtensionType.key_share, "0000"), // empty client_shares is legal
      ext(ExtensionType.early_data, ""),
      ext(ExtensionType.application_layer_protocol_negotiation, "000c02683208687474702f312e31"),
      ext(ExtensionType.pre_shared_key, "0007000161000000010021" + "20" + "11".repeat(32)),
    );
    const exts = decode("ClientHello", bytes);
    assert.deepEqual(exts.map((e) => e.type), [
      0xfafa,
      ExtensionType.server_name,
      ExtensionType.supported_groups,
      ExtensionType.padding,
      ExtensionType.key_share,
      ExtensionType.early_data,
      ExtensionType.application_layer_protocol_negotiation,
      ExtensionType.pre_shared_key,
    ]);
    assert.deepEqual(exts[0], { type: 0xfafa, data: fromHex("0102") });
    assert.equal(findExtension(exts, ExtensionType.server_name)?.hostName, "server");
    assert.deepEqual(findExtension(exts, ExtensionType.supported_groups)?.groups, [
      NamedGroup.x25519,
      NamedGroup.secp256r1,
    ]);
    assert.deepEqual(findExtension(exts, ExtensionType.key_share)?.shares, []);
    const alpn = findExtension(exts, ExtensionType.application_layer_protocol_negotiation);
    assert.deepEqual(alpn?.protocols.map((p) => new TextDecoder().decode(p)), ["h2", "http/1.1"]);
    const psk = findExtension(exts, ExtensionType.pre_shared_key);
    assert.equal(psk?.identities[0].obfuscatedTicketAge, 1);
    assert.equal(psk?.binders[0].length, 32);
    assert.equal(findExtension(exts, ExtensionType.cookie), undefined);
    assert.equal(toHex(encode("ClientHello", exts)), toHex(bytes));
  });

  it("reject a duplicate extension type with illegal_parameter", () => {
    const dup = list(ext(0xfafa, ""), ext(ExtensionType.cookie, "000101"), ext(0xfafa, ""));
    assertAlert(() => decode("ClientHello", dup), illegal, "DuplicateExtension");
    const dupTyped = list(ext(43, "0304"), ext(43, "0304"));
    assertAlert(() => decode("ServerHello", dupTyped), illegal, "DuplicateExtension");
    assert.throws(
      () => encode("ServerHello", [{ type: 43, version: 0x0304 }, { type: 43, version: 0x0304 }]),
      RangeError,
    );
  });

  it("reject a ClientHello pre_shared_key that is not last", () => {
    const psk = ext(
      ExtensionType.pre_shared_key,
      "0007000161000000010021" + "20" + "11".repeat(32),
    );
    assertAlert(
      () => decode("ClientHello", list(psk, ext(ExtensionType.early_data, ""))),
      illegal,
      "PskNotLast",
    );
    const exts = decode("ClientHello", list(ext(ExtensionType.early_data, ""), psk));
    assert.throws(() => encode("ClientHello", [exts[1], exts[0]]), RangeError);
  });

  it("reject forbidden empty lists and entries with decode_error", () => {
    const cases: [string, number, string][] = [
      ["server_name empty list", ExtensionType.server_name, "0000"],
      ["server_name empty host", ExtensionType.server_name, "000300" + "0000"],
      ["supported_groups", ExtensionType.supported_groups, "0000"],
      ["signature_algorithms", ExtensionType.signature_algorithms, "0000"],
      ["signature_algorithms_cert", ExtensionType.signature_algorithms_cert, "0000"],
      ["supported_versions", ExtensionType.supported_versions, "00"],
      ["psk_key_exchange_modes", ExtensionType.psk_key_exchange_modes, "00"],
      ["alpn list", ExtensionType.application_layer_protocol_negotiation, "0000"],
      ["alpn name", ExtensionType.application_layer_protocol_negotiation, "000100"],
      ["certificate_authorities", ExtensionType.certificate_authorities, "0000"],
      ["certificate_authorities DN", ExtensionType.certificate_authorities, "00020000"],
      ["cookie", ExtensionType.cookie, "0000"],
      ["key_share empty key_exchange", ExtensionType.key_share, "0004001d0000"],
      ["ec_point_formats", ExtensionType.ec_point_formats, "00"],
      ["psk identities", ExtensionType.pre_shared_key, "0000" + "0021" + "20" + "11".repeat(32)],
      [
        "psk empty identity",
        ExtensionType.pre_shared_key,
        "0006000000000001" + "0021" + "20" + "11".repeat(32),
      ],
      ["psk binders", ExtensionType.pre_shared_key, "00070001610000000100" + "00"],
    ];
    for (const [name, type, data] of cases) {
      assert.throws(
        () => decode("ClientHello", list(ext(type, data))),
        (e: unknown) => e instanceof TlsError && e.alert === decodeErr && e.detail === "EmptyList",
        name,
      );
    }
  });

  it("reject malformed bodies with decode_error", () => {
    const cases: [string, number, string, string][] = [
      ["odd groups", ExtensionType.supported_groups, "0003001d00", "OddLength"],
      ["odd versions", ExtensionType.supported_versions, "030304ff", "OddLength"],
      ["trailing in early_data", ExtensionType.early_data, "00", "TrailingData"],
      ["trailing after groups", ExtensionType.supported_groups, "0002001d00", "TrailingData"],
      [
        "short binder",
        ExtensionType.pre_shared_key,
        "000700016100000001" + "0020" + "1f" + "11".repeat(31),
        "ShortBinder",
      ],
      ["group list overruns", ExtensionType.supported_groups, "0004001d", "MessageTooShort"],
    ];
    for (const [name, type, data, detail] of cases) {
      assert.throws(
        () => decode("ClientHello", list(ext(type, data))),
        (e: unknown) => e instanceof TlsError && e.alert === decodeErr && e.detail === detail,
        name,
      );
    }
    // An extension whose length runs past the list.
    assertAlert(() => decode("ClientHello", fromHex("0004002b0005")), decodeErr, "MessageTooShort");
    // Server forms: trailing bytes after a fixed-size body.
    assertAlert(() => decode("ServerHello", list(ext(43, "030400"))), decodeErr, "TrailingData");
  });

  it("reject rule violations with illegal_parameter", () => {
    const binder = "0021" + "20" + "11".repeat(32);
    assertAlert(
      () => decode("ClientHello", list(ext(ExtensionType.key_share, "000a001d0001aa001d0001bb"))),
      illegal,
      "DuplicateGroup",
    );
    assertAlert(
      () =>
        decode(
          "ClientHello",
          list(ext(ExtensionType.pre_shared_key, "000e" + "0001610000000100016200000002" + binder)),
        ),
      illegal,
      "BinderCount",
    );
    assertAlert(
      () => decode("ClientHello", list(ext(ExtensionType.record_size_limit, "003f"))),
      illegal,
      "RecordSizeLimitTooSmall",
    );
    assertAlert(
      () =>
        decode(
          "ClientHello",
          list(ext(ExtensionType.server_name, "0008" + "00000141" + "00000142")),
        ),
      illegal,
      "DuplicateServerName",
    );
    assertAlert(
      () => decode("ClientHello", list(ext(ExtensionType.server_name, "0004" + "01000141"))),
      illegal,
      "UnknownNameType",
    );
  });

  it("apply RFC 8446 section 4.2 to TLS 1.3-only messages", () => {
    assertAlert(
      () => decode("EncryptedExtensions", list(ext(ExtensionType.key_share, "001d0001aa"))),
      illegal,
      "ExtensionNotAllowed",
    );
    assertAlert(
      () => decode("NewSessionTicket", list(ext(ExtensionType.cookie, "000101"))),
      illegal,
      "ExtensionNotAllowed",
    );
    assertAlert(
      () => decode("HelloRetryRequest", list(ext(ExtensionType.pre_shared_key, "0000"))),
      illegal,
      "ExtensionNotAllowed",
    );
    assertAlert(
      () => decode("Certificate", list(ext(ExtensionType.extended_master_secret, ""))),
      illegal,
      "ExtensionNotAllowed",
    );
    // Unknown types pass and are kept; allowed ones decode typed.
    const ee = decode(
      "EncryptedExtensions",
      list(ext(0x1234, "ff"), ext(ExtensionType.max_fragment_length, "01")),
    );
    assert.deepEqual(ee, [
      { type: 0x1234, data: fromHex("ff") },
      { type: ExtensionType.max_fragment_length, data: fromHex("01") },
    ]);
    // A ServerHello is checked only on request, once TLS 1.3 is known.
    const sh = decode("ServerHello", list(ext(ExtensionType.extended_master_secret, "")));
    assert.throws(() => checkTls13Extensions(sh, "ServerHello"), TlsError);
  });

  it("decode the context-specific forms", () => {
    const hrr = decode("HelloRetryRequest", list(ext(51, "0017"), ext(44, "0002abcd")));
    assert.equal(findExtension(hrr, ExtensionType.key_share)?.selectedGroup, 0x17);
    assert.deepEqual([...findExtension(hrr, ExtensionType.cookie)!.cookie], [0xab, 0xcd]);
    const sh = decode("ServerHello", list(ext(51, "001d0002aabb"), ext(41, "0003")));
    assert.deepEqual(findExtension(sh, ExtensionType.key_share)?.share, {
      group: 0x1d,
      keyExchange: fromHex("aabb"),
    });
    assert.equal(findExtension(sh, ExtensionType.pre_shared_key)?.selectedIdentity, 3);
    const nst = decode("NewSessionTicket", list(ext(42, "00004000")));
    assert.equal(findExtension(nst, ExtensionType.early_data)?.maxEarlyDataSize, 0x4000);
    assertAlert(() => decode("NewSessionTicket", list(ext(42, ""))), decodeErr, "MessageTooShort");
    const cr = decode("CertificateRequest", list(ext(47, "0005" + "0003300100")));
    assert.deepEqual(findExtension(cr, ExtensionType.certificate_authorities)?.authorities, [
      fromHex("300100"),
    ]);
    for (
      const [context, bytes] of [
        ["HelloRetryRequest", list(ext(51, "0017"), ext(44, "0002abcd"))],
        ["ServerHello", list(ext(51, "001d0002aabb"), ext(41, "0003"))],
        ["NewSessionTicket", list(ext(42, "00004000"))],
        ["CertificateRequest", list(ext(47, "0005" + "0003300100"))],
      ] as const
    ) {
      assert.equal(toHex(encode(context, decode(context, bytes))), toHex(bytes));
    }
  });

  it("refuse to encode what the decoder would reject", () => {
    assert.throws(() => encode("ClientHello", [{ type: 10, groups: [] }]), RangeError);
    assert.throws(
      () => encode("ClientHello", [{ type: 44, cookie: new Uint8Array(0) }]),
      RangeError,
    );
    assert.throws(() => encode("ClientHello", [{ type: 0, hostName: "bücher\u0100" }]), RangeError);
    assert.throws(
      () =>
        encode("ClientHello", [{
          type: 41,
          identities: [{ identity: new Uint8Array(1), obfuscatedTicketAge: 0 }],
          binders: [],
        }]),
      RangeError,
    );
  });
});
