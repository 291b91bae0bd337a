// JA4 (FoxIO's TLS client fingerprint, technical_details/JA4.md) of a decoded
// ClientHello over TCP: GREASE ignored everywhere, SNI and ALPN left out of
// the hashed extension list but counted.
import type { ClientHello } from "../src/msgs/client_hello.ts";
import { ExtensionType } from "../src/msgs/enums.ts";
import { findExtension } from "../src/msgs/extensions.ts";
import { isGrease } from "../src/msgs/grease.ts";

const hex4 = (v: number): string => v.toString(16).padStart(4, "0");

/** The first 12 hex digits of SHA-256(`text`). */
export async function ja4Hash(text: string): Promise<string> {
  const digest = new Uint8Array(
    await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text)),
  );
  return [...digest].map((b) => b.toString(16).padStart(2, "0")).join("").slice(0, 12);
}

/** JA4_c's input: sorted extensions (no SNI, no ALPN), then signature schemes in order. */
export function ja4ExtensionText(extensions: number[], schemes: number[]): string {
  const exts = extensions.filter((t) => t !== 0x0000 && t !== 0x0010).sort((a, b) => a - b);
  const text = exts.map(hex4).join(",");
  return schemes.length > 0 ? `${text}_${schemes.map(hex4).join(",")}` : text;
}

/** The JA4 fingerprint of `hello`. */
export async function ja4(hello: ClientHello): Promise<string> {
  const suites = hello.cipherSuites.filter((s) => !isGrease(s));
  const types = hello.extensions.map((e) => e.type).filter((t) => !isGrease(t));
  const versions = findExtension(hello.extensions, ExtensionType.supported_versions)?.versions
    .filter((v) => !isGrease(v)) ?? [hello.legacyVersion];
  const top = Math.max(...versions);
  const version = ({ 0x0304: "13", 0x0303: "12", 0x0302: "11", 0x0301: "10" } as Record<
    number,
    string
  >)[top] ?? "00";
  const sni = types.includes(ExtensionType.server_name) ? "d" : "i";
  const alpn = findExtension(hello.extensions, ExtensionType.application_layer_protocol_negotiation)
    ?.protocols[0];
  const alpnText = alpn && alpn.length > 0
    ? String.fromCharCode(alpn[0]) + String.fromCharCode(alpn[alpn.length - 1])
    : "00";
  const two = (n: number) => String(Math.min(n, 99)).padStart(2, "0");
  const schemes = (findExtension(hello.extensions, ExtensionType.signature_algorithms)?.schemes ??
    []).filter((s) => !isGrease(s));
  const a = `t${version}${sni}${two(suites.length)}${two(types.length)}${alpnText}`;
  const b = await ja4Hash([...suites].sort((x, y) => x - y).map(hex4).join(","));
  const c = await ja4Hash(ja4ExtensionText(types, schemes));
  return `${a}_${b}_${c}`;
}
