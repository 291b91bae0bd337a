/**
 * Distinguished names as name constraints compare them (RFC 5280 7.1): RDN by
 * RDN, attribute values of string types compared after RFC 4518-style
 * preparation (case folded, outer spaces dropped, inner runs of spaces made
 * one), so that a re-encoded name (PrintableString for UTF8String, other
 * letter case) cannot slip past an excluded subtree. Other values compare as
 * bytes.
 *
 * @module
 */

import { DerReader, Tag } from "./der.ts";

/** A parsed Name: one comparison key per RDN, in order. */
export type ComparableName = readonly string[];

const EMAIL_ADDRESS = "1.2.840.113549.1.9.1";

const utf8 = new TextDecoder("utf-8", { fatal: true });
const utf16be = new TextDecoder("utf-16be", { fatal: true });

function hex(b: Uint8Array): string {
  let s = "";
  for (const x of b) s += x.toString(16).padStart(2, "0");
  return s;
}

/** The text of a directory string value, or undefined for other types. */
function directoryString(tag: number, v: Uint8Array): string | undefined {
  try {
    switch (tag) {
      case Tag.Utf8String:
        return utf8.decode(v);
      case Tag.PrintableString:
      case Tag.Ia5String:
      case 0x14: // TeletexString, read as Latin-1 as deployed software does
        return String.fromCharCode(...v);
      case 0x1e: // BMPString
        return utf16be.decode(v);
      case 0x1c: { // UniversalString
        if (v.length % 4 !== 0) return undefined;
        let s = "";
        for (let i = 0; i < v.length; i += 4) {
          s += String.fromCodePoint(
            ((v[i] << 24) | (v[i + 1] << 16) | (v[i + 2] << 8) | v[i + 3]) >>> 0,
          );
        }
        return s;
      }
    }
  } catch {
    // Not valid text: compared as bytes below.
  }
  return undefined;
}

function prepare(s: string): string {
  return s.normalize("NFKC").toLowerCase().trim().replace(/\s+/g, " ");
}

function attributeKey(oid: string, value: { tag: number; value: Uint8Array; raw: Uint8Array }) {
  const text = directoryString(value.tag, value.value);
  return text === undefined ? `${oid}=#${hex(value.raw)}` : `${oid}="${prepare(text)}"`;
}

/** Parses a raw Name (the whole SEQUENCE) for comparison. */
export function comparableName(name: Uint8Array): ComparableName {
  const r = new DerReader(new DerReader(name).read(Tag.Sequence).value);
  const out: string[] = [];
  while (!r.done) {
    const set = new DerReader(r.read(Tag.Set).value);
    const keys: string[] = [];
    while (!set.done) {
      const atv = set.readSequence();
      const oid = atv.readOid();
      keys.push(attributeKey(oid, atv.readAny()));
      atv.finish();
    }
    // A multi-valued RDN is a SET: order does not matter.
    out.push(keys.sort().join("+"));
  }
  return out;
}

/** True when `name` lies in the subtree `base` (base's RDNs are a prefix of name's). */
export function nameWithin(name: ComparableName, base: ComparableName): boolean {
  if (base.length > name.length) return false;
  for (let i = 0; i < base.length; i++) if (base[i] !== name[i]) return false;
  return true;
}

/** The emailAddress attributes (PKCS #9) of a raw Name, as text. */
export function emailAddresses(name: Uint8Array): string[] {
  const r = new DerReader(new DerReader(name).read(Tag.Sequence).value);
  const out: string[] = [];
  while (!r.done) {
    const set = new DerReader(r.read(Tag.Set).value);
    while (!set.done) {
      const atv = set.readSequence();
      const oid = atv.readOid();
      const value = atv.readAny();
      if (oid === EMAIL_ADDRESS) out.push(directoryString(value.tag, value.value) ?? "");
    }
  }
  return out;
}
