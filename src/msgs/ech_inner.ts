/**
 * EncodedClientHelloInner (RFC 9849 section 5.1): the ClientHelloInner with
 * its session ID emptied, a run of extensions replaced by one
 * `ech_outer_extensions` that points into the ClientHelloOuter, and zero
 * padding; and the reverse, done in one linear pass over the outer
 * extensions (appendix A) so hostile references cannot amplify.
 *
 * @module
 */

import { illegalParameter } from "../error.ts";
import { Reader, Writer } from "./codec.ts";
import { type ClientHello, readClientHelloPrefix, writeClientHello } from "./client_hello.ts";
import { ExtensionType } from "./enums.ts";
import type { ClientHelloExtension } from "./extension_types.ts";

const EMPTY = new Uint8Array(0);

/**
 * Encodes `inner` as an EncodedClientHelloInner whose extensions of the
 * types in `compressed` (contiguous in `inner`, and present in the same
 * order in the outer hello) are replaced by `ech_outer_extensions`, followed
 * by `padding` zero bytes. Throws `RangeError` when `compressed` is not one
 * contiguous run of `inner`'s extensions.
 *
 * @example
 * ```ts
 * import { decodeEchInner, encodeEchInner } from "./ech_inner.ts";
 * import { ExtensionType } from "./enums.ts";
 * import type { ClientHello } from "./client_hello.ts";
 * const hello: ClientHello = {
 *   type: 1, legacyVersion: 0x0303, random: new Uint8Array(32),
 *   legacySessionId: new Uint8Array(32), cipherSuites: [0x1301],
 *   legacyCompressionMethods: new Uint8Array([0]),
 *   extensions: [{ type: ExtensionType.supported_versions, versions: [0x0304] }],
 * };
 * const encoded = encodeEchInner(hello, [ExtensionType.supported_versions], 3);
 * const back = decodeEchInner(encoded, hello);
 * console.log(back.extensions[0].type, back.legacySessionId.length); // 43 32
 * ```
 */
export function encodeEchInner(
  inner: ClientHello,
  compressed: readonly number[],
  padding: number,
): Uint8Array {
  let extensions = inner.extensions;
  if (compressed.length > 0) {
    const at = extensions.findIndex((e) => e.type === compressed[0]);
    if (at < 0 || compressed.some((t, i) => extensions[at + i]?.type !== t)) {
      throw new RangeError("compressed extensions must be one contiguous run");
    }
    extensions = [
      ...extensions.slice(0, at),
      { type: ExtensionType.ech_outer_extensions, types: [...compressed] },
      ...extensions.slice(at + compressed.length),
    ];
  }
  const w = new Writer();
  writeClientHello(w, { ...inner, legacySessionId: EMPTY, extensions });
  w.bytes(new Uint8Array(padding));
  return w.finish();
}

/**
 * Rebuilds the ClientHelloInner from a decrypted EncodedClientHelloInner and
 * the ClientHelloOuter it came in. Every RFC 9849 section 5.1 violation is
 * a `TlsError`: non-zero padding, a reference to a missing extension, one
 * referenced twice, encrypted_client_hello referenced, references out of
 * the outer order (illegal_parameter), or bytes that do not decode
 * (decode_error).
 *
 * @example
 * ```ts
 * import { decodeEchInner } from "./ech_inner.ts";
 * import { TlsError } from "../error.ts";
 * try {
 *   decodeEchInner(new Uint8Array([3, 3]), {
 *     type: 1, legacyVersion: 0x0303, random: new Uint8Array(32),
 *     legacySessionId: new Uint8Array(0), cipherSuites: [0x1301],
 *     legacyCompressionMethods: new Uint8Array([0]), extensions: [],
 *   });
 * } catch (e) {
 *   console.log((e as TlsError).alert); // 50
 * }
 * ```
 */
export function decodeEchInner(plaintext: Uint8Array, outer: ClientHello): ClientHello {
  const r = new Reader(plaintext, "EncodedClientHelloInner");
  const hello = readClientHelloPrefix(r);
  if (r.rest().some((b) => b !== 0)) {
    throw illegalParameter("EncodedClientHelloInner: padding is not zero", "InvalidEchPadding");
  }
  const extensions: ClientHelloExtension[] = [];
  for (const ext of hello.extensions) {
    if (ext.type !== ExtensionType.ech_outer_extensions) {
      extensions.push(ext);
      continue;
    }
    extensions.push(...expandOuterExtensions((ext as { types: number[] }).types, outer));
  }
  const seen = new Set<number>();
  for (const ext of extensions) {
    if (seen.has(ext.type)) {
      throw illegalParameter(
        `ClientHelloInner: extension ${ext.type} twice after ech_outer_extensions`,
        "InvalidEchOuterExtensions",
      );
    }
    seen.add(ext.type);
  }
  const psk = extensions.findIndex((e) => e.type === ExtensionType.pre_shared_key);
  if (psk >= 0 && psk !== extensions.length - 1) {
    throw illegalParameter("ClientHelloInner: pre_shared_key is not last", "PskNotLast");
  }
  return { ...hello, legacySessionId: outer.legacySessionId, extensions };
}

/** The outer extensions `types` names, found with one forward cursor (appendix A). */
function expandOuterExtensions(
  types: readonly number[],
  outer: ClientHello,
): ClientHelloExtension[] {
  const bad = (why: string): never => {
    throw illegalParameter(`ech_outer_extensions: ${why}`, "InvalidEchOuterExtensions");
  };
  const out: ClientHelloExtension[] = [];
  const referenced = new Set<number>();
  let cursor = 0;
  for (const type of types) {
    if (type === ExtensionType.encrypted_client_hello) bad("references encrypted_client_hello");
    if (referenced.has(type)) bad(`references ${type} twice`);
    referenced.add(type);
    while (cursor < outer.extensions.length && outer.extensions[cursor].type !== type) cursor++;
    if (cursor === outer.extensions.length) {
      bad(`${type} is missing from the outer hello or out of order`);
    }
    out.push(outer.extensions[cursor++]);
  }
  return out;
}
