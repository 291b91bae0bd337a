import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { TlsError } from "../error.ts";
import { Budget } from "./budget.ts";
import type { GeneralName } from "./extensions.ts";
import {
  checkNameConstraints,
  compileNameConstraints,
  constrainedNames,
  type ConstraintResult,
} from "./name_constraints.ts";

const dns = (value: string): GeneralName => ({ kind: "dns", value });
const email = (value: string): GeneralName => ({ kind: "email", value });
const ip = (...b: number[]): GeneralName => ({ kind: "ip", bytes: new Uint8Array(b) });
const uri = (value: string): GeneralName => ({ kind: "uri", value });

// DER Name builder: each RDN is [oid bytes, string tag, text].
function der(tag: number, body: number[]): number[] {
  const len = body.length < 0x80 ? [body.length] : [0x81, body.length];
  return [tag, ...len, ...body];
}
function name(...rdns: [number[], number, string][]): Uint8Array {
  const enc = (s: string): number[] => [...new TextEncoder().encode(s)];
  return new Uint8Array(
    der(
      0x30,
      rdns.flatMap(([oid, tag, v]) =>
        der(0x31, der(0x30, [...der(0x06, oid), ...der(tag, enc(v))]))
      ),
    ),
  );
}
const O = [0x55, 0x04, 0x0a];
const CN = [0x55, 0x04, 0x03];
const EMAIL = [0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x09, 0x01];
const dn = (n: Uint8Array): GeneralName => ({ kind: "dn", name: n });

function check(
  sans: GeneralName[] | undefined,
  nc: { permitted?: GeneralName[]; excluded?: GeneralName[] },
  subject?: Uint8Array,
  budget: Budget = new Budget(),
): ConstraintResult {
  return checkNameConstraints(
    constrainedNames(sans, subject),
    compileNameConstraints({ permitted: nc.permitted, excluded: nc.excluded }),
    budget,
  );
}

describe("dNSName constraints", () => {
  it("permits a subtree and its subdomains only on label boundaries", () => {
    const nc = { permitted: [dns("example.com")] };
    assert.equal(check([dns("example.com")], nc), undefined);
    assert.equal(check([dns("a.b.example.com")], nc), undefined);
    assert.equal(check([dns("badexample.com")], nc), "violation");
  });
  it("refuses a leading-period constraint as malformed (that form is for URIs)", () => {
    assert.equal(check([dns("a.example.com")], { permitted: [dns(".example.com")] }), "invalid");
    assert.equal(check([], { excluded: [dns(".example.com")] }), "invalid");
  });
  it("excludes subtrees", () => {
    const nc = { excluded: [dns("bad.example.com")] };
    assert.equal(check([dns("x.bad.example.com")], nc), "violation");
    assert.equal(check([dns("good.example.com")], nc), undefined);
  });
});

describe("wildcard SANs under dNSName constraints (the names they can match)", () => {
  it("are excluded when one name under the wildcard is excluded", () => {
    // CVE-2025-61727's shape: *.example.com covers bar.example.com.
    assert.equal(
      check([dns("*.example.com")], { excluded: [dns("bar.example.com")] }),
      "violation",
    );
    assert.equal(
      check([dns("*.EXAMPLE.com")], { excluded: [dns("BAR.example.com")] }),
      "violation",
    );
    // ... at any depth of the wildcard.
    assert.equal(
      check([dns("*.a.b.example.com")], { excluded: [dns("x.a.b.example.com")] }),
      "violation",
    );
    // ... and when the whole wildcard's domain is excluded.
    assert.equal(check([dns("*.example.com")], { excluded: [dns("example.com")] }), "violation");
    assert.equal(check([dns("*.a.example.com")], { excluded: [dns("example.com")] }), "violation");
    assert.equal(check([dns("*.example.com")], { excluded: [dns("")] }), "violation");
  });
  it("are not excluded by subtrees no name under the wildcard reaches", () => {
    // One label only: x.y.example.com is not a name *.example.com matches.
    assert.equal(check([dns("*.example.com")], { excluded: [dns("x.y.example.com")] }), undefined);
    assert.equal(check([dns("*.example.com")], { excluded: [dns("example.org")] }), undefined);
    assert.equal(check([dns("*.example.com")], { excluded: [dns("xexample.com")] }), undefined);
  });
  it("are permitted only when every name under the wildcard is", () => {
    assert.equal(check([dns("*.example.com")], { permitted: [dns("example.com")] }), undefined);
    assert.equal(check([dns("*.a.example.com")], { permitted: [dns("example.com")] }), undefined);
    // A single name under the wildcard is not enough.
    assert.equal(
      check([dns("*.example.com")], { permitted: [dns("bar.example.com")] }),
      "violation",
    );
    assert.equal(
      check([dns("*.example.com")], {
        permitted: [dns("a.example.com"), dns("b.example.com")],
      }),
      "violation",
    );
    assert.equal(check([dns("*.example.com")], { permitted: [dns("a.example.com")] }), "violation");
    // Narrower than the wildcard's domain.
    assert.equal(
      check([dns("*.example.com")], { permitted: [dns("sub.example.com")] }),
      "violation",
    );
  });
  it("checks permitted and excluded together", () => {
    const nc = { permitted: [dns("example.com")], excluded: [dns("secret.example.com")] };
    assert.equal(check([dns("*.example.com")], nc), "violation");
    assert.equal(check([dns("*.public.example.com")], nc), undefined);
  });
});

describe("iPAddress constraints", () => {
  it("applies subnets for v4 and v6 and ignores other name forms", () => {
    const nc = { permitted: [ip(192, 0, 2, 0, 255, 255, 255, 0)] };
    assert.equal(check([ip(192, 0, 2, 9)], nc), undefined);
    assert.equal(check([ip(192, 0, 3, 9)], nc), "violation");
    assert.equal(check([dns("example.com")], nc), undefined);
    const v6 = { excluded: [ip(...new Array(16).fill(0), ...new Array(16).fill(0xff))] };
    assert.equal(check([ip(...new Array(16).fill(0))], v6), "violation");
  });
  it("refuses malformed constraints and names", () => {
    assert.equal(check([], { permitted: [dns("*.example.com")] }), "invalid");
    assert.equal(check([], { permitted: [ip(192, 0, 2, 0, 255, 0, 255, 0)] }), "invalid");
    const nc = { permitted: [ip(192, 0, 2, 0, 255, 255, 255, 0)] };
    assert.equal(check([ip(192, 0, 2, 0, 255, 255, 255, 0)], nc), "invalid");
  });
});

describe("rfc822Name constraints (RFC 5280 4.2.1.10)", () => {
  it("matches one mailbox exactly (host without case)", () => {
    const nc = { permitted: [email("alice@example.com")] };
    assert.equal(check([email("alice@EXAMPLE.com")], nc), undefined);
    assert.equal(check([email("Alice@example.com")], nc), "violation");
    assert.equal(check([email("bob@example.com")], nc), "violation");
  });
  it("matches every mailbox at a host, not its subdomains", () => {
    const nc = { permitted: [email("example.com")] };
    assert.equal(check([email("anyone@example.com")], nc), undefined);
    assert.equal(check([email("anyone@mail.example.com")], nc), "violation");
  });
  it("matches every mailbox under a domain, not at the domain itself", () => {
    const nc = { permitted: [email(".example.com")] };
    assert.equal(check([email("anyone@mail.example.com")], nc), undefined);
    assert.equal(check([email("anyone@example.com")], nc), "violation");
    assert.equal(check([email("anyone@badexample.com")], nc), "violation");
  });
  it("excludes mailboxes, hosts and domains", () => {
    assert.equal(
      check([email("eve@example.com")], { excluded: [email("eve@example.com")] }),
      "violation",
    );
    assert.equal(check([email("eve@evil.org")], { excluded: [email("evil.org")] }), "violation");
    assert.equal(check([email("eve@a.evil.org")], { excluded: [email(".evil.org")] }), "violation");
    assert.equal(
      check([email("bob@example.com")], { excluded: [email("eve@example.com")] }),
      undefined,
    );
    // Constraints of another form do not restrict mailboxes.
    assert.equal(check([email("eve@evil.org")], { permitted: [dns("example.com")] }), undefined);
  });
  it("applies to the subject's emailAddress when there is no SAN extension", () => {
    const subject = name([EMAIL, 0x16, "eve@evil.org"]);
    assert.equal(check(undefined, { excluded: [email("evil.org")] }, subject), "violation");
    assert.equal(check(undefined, { permitted: [email("example.com")] }, subject), "violation");
    assert.equal(check(undefined, { permitted: [email("evil.org")] }, subject), undefined);
  });
  it("refuses malformed mailboxes and constraints", () => {
    assert.equal(check([email("no-at-sign")], { permitted: [email("example.com")] }), "invalid");
    assert.equal(check([email("a@b@")], { excluded: [email("example.com")] }), "invalid");
    assert.equal(check([], { permitted: [email("@example.com")] }), "invalid");
    assert.equal(check([], { permitted: [email("..example.com")] }), "invalid");
  });
});

describe("directoryName constraints", () => {
  const acme = name([O, 0x0c, "Acme"]);
  it("checks the subject and directoryName SANs against the subtree", () => {
    const nc = { permitted: [dn(acme)] };
    assert.equal(check([], nc, name([O, 0x0c, "Acme"], [CN, 0x0c, "leaf"])), undefined);
    assert.equal(check([], nc, name([O, 0x0c, "Other"], [CN, 0x0c, "leaf"])), "violation");
    const inSan = [dn(name([O, 0x0c, "Other"]))];
    assert.equal(check(inSan, nc, name([O, 0x0c, "Acme"], [CN, 0x0c, "leaf"])), "violation");
  });
  it("compares string values without case, spacing or string type", () => {
    const nc = { excluded: [dn(acme)] };
    // PrintableString, other case, extra spaces: still the excluded organisation.
    assert.equal(check([], nc, name([O, 0x13, "  ACME "], [CN, 0x0c, "x"])), "violation");
    assert.equal(check([], nc, name([O, 0x0c, "Acme Corp"], [CN, 0x0c, "x"])), undefined);
  });
});

describe("other name forms", () => {
  it("fail closed only when both a constraint and a name of the form are present", () => {
    assert.equal(check([uri("https://x.example")], { permitted: [uri("x.example")] }), "invalid");
    assert.equal(check([dns("a.example")], { permitted: [uri("x.example")] }), undefined);
    assert.equal(check([uri("https://x.example")], { permitted: [dns("x.example")] }), undefined);
  });
});

describe("the name-constraint budget", () => {
  const many = (n: number, f: (i: number) => GeneralName): GeneralName[] =>
    Array.from({ length: n }, (_, i) => f(i));
  it("charges names x constraints of the same form", () => {
    const sans = many(100, (i) => dns(`h${i}.example.com`));
    const nc = { excluded: many(100, (i) => dns(`x${i}.example.org`)) };
    assert.equal(
      check(sans, nc, undefined, new Budget({ nameConstraintComparisons: 10_000 })),
      undefined,
    );
    assert.throws(
      () => check(sans, nc, undefined, new Budget({ nameConstraintComparisons: 9_999 })),
      (e: unknown) =>
        e instanceof TlsError && e.detail === "MaximumNameConstraintComparisonsExceeded" &&
        e.alert === 42,
    );
    // Names of other forms cost nothing against DNS constraints.
    const ips = many(1000, (i) => ip(10, 0, i >> 8, i & 255));
    assert.equal(
      check(ips, nc, undefined, new Budget({ nameConstraintComparisons: 0 })),
      undefined,
    );
  });
  it("refuses 1024 constraints over 1024 names with the default budget", () => {
    const sans = many(1024, (i) => dns(`h${i}.example.com`));
    const nc = { excluded: many(1024, (i) => dns(`x${i}.example.org`)) };
    assert.throws(
      () => check(sans, nc),
      (e: unknown) =>
        e instanceof TlsError && e.detail === "MaximumNameConstraintComparisonsExceeded",
    );
  });
});
