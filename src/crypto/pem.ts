/**
 * PEM (RFC 7468) text <-> DER bytes, strictly: a block must have matching
 * BEGIN/END labels and clean base64 inside.
 *
 * @module
 */

const BEGIN = /^-----BEGIN ([\x21-\x2c\x2e-\x7e](?:[- ]?[\x21-\x2c\x2e-\x7e])*)?-----$/;
const END = /^-----END ([\x21-\x2c\x2e-\x7e](?:[- ]?[\x21-\x2c\x2e-\x7e])*)?-----$/;
const B64_LINE = /^[A-Za-z0-9+/]*={0,2}$/;

function decodeBase64(b64: string, label: string): Uint8Array {
  if (b64.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(b64)) {
    throw new SyntaxError(`PEM "${label}": invalid base64`);
  }
  const bin = atob(b64);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

/**
 * Decodes every PEM block in `text`, in order. Text outside blocks is ignored
 * (RFC 7468 allows explanatory text); inside a block only base64 is allowed.
 * Throws `SyntaxError` for a missing END line, mismatched labels, bad base64,
 * or text without any block.
 *
 * @example
 * ```ts
 * import { pemDecode, pemEncode } from "./pem.ts";
 * const [block] = pemDecode(pemEncode("PRIVATE KEY", new Uint8Array([1, 2, 3])));
 * console.log(block.label, block.der); // PRIVATE KEY Uint8Array(3) [ 1, 2, 3 ]
 * ```
 */
export function pemDecode(text: string): { label: string; der: Uint8Array }[] {
  const lines = text.split(/\r?\n|\r/).map((l) => l.trim());
  const blocks: { label: string; der: Uint8Array }[] = [];
  let label: string | undefined;
  let body = "";
  for (const line of lines) {
    if (label === undefined) {
      const m = BEGIN.exec(line);
      if (m) {
        label = m[1] ?? "";
        body = "";
      } else if (line.startsWith("-----")) {
        throw new SyntaxError("PEM: malformed or unexpected boundary line");
      }
      continue;
    }
    const end = END.exec(line);
    if (end) {
      if ((end[1] ?? "") !== label) {
        throw new SyntaxError(`PEM: END label "${end[1] ?? ""}" does not match BEGIN "${label}"`);
      }
      blocks.push({ label, der: decodeBase64(body, label) });
      label = undefined;
      continue;
    }
    if (line.startsWith("-----")) throw new SyntaxError(`PEM "${label}": missing END line`);
    if (!B64_LINE.test(line)) throw new SyntaxError(`PEM "${label}": invalid base64`);
    body += line;
  }
  if (label !== undefined) throw new SyntaxError(`PEM "${label}": missing END line`);
  if (blocks.length === 0) throw new SyntaxError("PEM: no BEGIN line found");
  return blocks;
}

/**
 * Encodes `der` as one PEM block with 64-character base64 lines.
 *
 * @example
 * ```ts
 * import { pemEncode } from "./pem.ts";
 * console.log(pemEncode("CERTIFICATE", new Uint8Array([0x30, 0x00])));
 * ```
 */
export function pemEncode(label: string, der: Uint8Array): string {
  let bin = "";
  for (let i = 0; i < der.length; i++) bin += String.fromCharCode(der[i]);
  const b64 = btoa(bin);
  const lines: string[] = [];
  for (let i = 0; i < b64.length; i += 64) lines.push(b64.slice(i, i + 64));
  return `-----BEGIN ${label}-----\n${lines.join("\n")}${
    lines.length ? "\n" : ""
  }-----END ${label}-----\n`;
}
