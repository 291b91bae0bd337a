import { describe, it } from "node:test";
import assert from "node:assert/strict";
import type { GeneralName } from "./extensions.ts";
import { dnsNameMatches, parseIpv4, parseIpv6, parseServerName, sanMatches } from "./name.ts";

const dns = (value: string): GeneralName => ({ kind: "dns", value });
const ip = (...b: number[]): GeneralName => ({ kind: "ip", bytes: new Uint8Array(b) });
const matches = (sans: GeneralName[], name: string): boolean =>
  sanMatches(sans, parseServerName(name));

describe("server name parsing", () => {
  it("lower-cases DNS names and drops one trailing dot", () => {
    assert.deepEqual(parseServerName("WWW.Example.COM."), { kind: "dns", name: "www.example.com" });
  });
  it("recognises IPv4 and IPv6 literals", () => {
    assert.deepEqual(parseServerName("192.0.2.1"), {
      kind: "ip",
      bytes: new Uint8Array([192, 0, 2, 1]),
    });
    const v6 = parseServerName("2001:db8::1");
    assert.equal(v6.kind, "ip");
    assert.equal(v6.kind === "ip" && v6.bytes.length, 16);
  });
  it("rejects invalid names", () => {
    for (const bad of ["", "a..b", "-a.com", "a b.com", "example.com..", "1.2.3", "[::1]", "::g"]) {
      assert.throws(() => parseServerName(bad), TypeError, bad);
    }
  });
  it("parses IPv4 strictly", () => {
    assert.equal(parseIpv4("01.2.3.4"), undefined);
    assert.equal(parseIpv4("256.2.3.4"), undefined);
    assert.equal(parseIpv4("1.2.3"), undefined);
  });
  it("parses IPv6 text forms", () => {
    assert.deepEqual(parseIpv6("::1"), new Uint8Array([...new Array(15).fill(0), 1]));
    assert.deepEqual(parseIpv6("::"), new Uint8Array(16));
    assert.deepEqual(
      parseIpv6("::ffff:192.0.2.1"),
      new Uint8Array([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 192, 0, 2, 1]),
    );
    assert.deepEqual(parseIpv6("1:2:3:4:5:6:7:8")?.[15], 8);
    assert.equal(parseIpv6("1::2::3"), undefined);
    assert.equal(parseIpv6("1:2:3:4:5:6:7:8:9"), undefined);
    assert.equal(parseIpv6("12345::"), undefined);
    assert.equal(parseIpv6("fe80::1%eth0"), undefined);
  });
});

describe("SAN matching", () => {
  it("matches DNS names case-insensitively", () => {
    assert.ok(matches([dns("Example.COM")], "example.com"));
    assert.ok(matches([dns("example.com")], "EXAMPLE.com"));
    assert.ok(!matches([dns("example.com")], "example.org"));
  });
  it("treats a trailing dot on the reference as the same name", () => {
    assert.ok(matches([dns("example.com")], "example.com."));
  });
  it("refuses a presented name with a trailing dot", () => {
    assert.ok(!matches([dns("example.com.")], "example.com"));
  });
  it("allows a wildcard only as the whole left-most label, for one label", () => {
    assert.ok(dnsNameMatches("*.example.com", "foo.example.com"));
    assert.ok(!dnsNameMatches("*.example.com", "example.com"));
    assert.ok(!dnsNameMatches("*.example.com", "a.b.example.com"));
    assert.ok(!dnsNameMatches("foo.*.com", "foo.example.com"));
    assert.ok(!dnsNameMatches("*.com", "example.com"));
  });
  it("refuses partial-label wildcards", () => {
    assert.ok(!dnsNameMatches("f*o.example.com", "foo.example.com"));
    assert.ok(!dnsNameMatches("f*.example.com", "foo.example.com"));
    assert.ok(!dnsNameMatches("*o.example.com", "foo.example.com"));
    assert.ok(!dnsNameMatches("xn--*-1b3c148a.example.com", "xn--bliss-1b3c148a.example.com"));
  });
  it("never matches an IP reference with a wildcard or DNS SAN", () => {
    assert.ok(!matches([dns("*.0.2.1")], "192.0.2.1"));
    assert.ok(!matches([dns("192.0.2.1")], "192.0.2.1"));
  });
  it("never matches a DNS reference with an IP SAN", () => {
    assert.ok(!matches([ip(192, 0, 2, 1)], "example.com"));
  });
  it("matches IPv4 and IPv6 SANs by bytes", () => {
    assert.ok(matches([ip(192, 0, 2, 1)], "192.0.2.1"));
    assert.ok(!matches([ip(192, 0, 2, 2)], "192.0.2.1"));
    const one = [...new Array(15).fill(0), 1];
    assert.ok(matches([ip(...one)], "::1"));
    assert.ok(matches([ip(...one)], "0:0:0:0:0:0:0:1"));
    assert.ok(!matches([ip(...one)], "127.0.0.1"));
  });
  it("has no Common Name fallback: a directoryName SAN never matches a host", () => {
    // CN=example.com as a DN SAN: 30 16 31 14 30 12 06 03 55 04 03 0c 0b "example.com"
    const cn = new Uint8Array([
      0x30,
      0x16,
      0x31,
      0x14,
      0x30,
      0x12,
      0x06,
      0x03,
      0x55,
      0x04,
      0x03,
      0x0c,
      0x0b,
      ...new TextEncoder().encode("example.com"),
    ]);
    assert.ok(!matches([{ kind: "dn", name: cn }], "example.com"));
    assert.ok(!matches([], "example.com"));
  });
});
