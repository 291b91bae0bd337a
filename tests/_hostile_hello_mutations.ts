// Hostile hellos for tests/hostile_input_test.ts (issue 13): legacy and
// supported versions, and second ClientHellos that change what RFC 8446
// 4.1.2 forbids or allows. Each builder returns the input and the exact alert.
import { ExtensionType, HandshakeType } from "../src/msgs/enums.ts";
import type { ClientHello } from "../src/msgs/client_hello.ts";
import type { ClientHelloExtension } from "../src/msgs/extension_types.ts";
import { decodeHandshake, encodeHandshake } from "../src/msgs/handshake.ts";
import { helloExtOffset, replaceExtension } from "./_msg_edit.ts";
import { joinBytes } from "./_pair.ts";
import {
  clear,
  clearHandshake,
  findMessage,
  prefix,
  rest,
  type Rng,
  type Target,
  type Targeted,
  withMessage,
  withU16,
} from "./_hostile_records.ts";

/** Appendix D.5: ClientHello.legacy_version 0x0300 or below is protocol_version. */
export function clientLegacyVersion(t: Target, rng: Rng): Promise<Targeted | undefined> {
  if (t.side !== "server") return Promise.resolve(undefined);
  const v = rng.pick([0x0300, 0x0200, 0x0100, 0x0002, 0, rng.int(0x0301)]);
  const first = t.stream.records[0].bytes;
  const keep = rng.int(2) === 0 ? rest(t.stream, 1) : [];
  return Promise.resolve({
    what: `ClientHello legacy_version 0x${v.toString(16)}`,
    input: joinBytes([withU16(first, 9, v), ...keep]),
    alert: 70,
    keysIntact: false,
  });
}

/**
 * 4.2.1: with supported_versions present the client ignores
 * ServerHello.legacy_version (ServerHello or HelloRetryRequest). The changed
 * hello changes the client's transcript, so its handshake keys differ from the
 * server's and the first encrypted record does not open: bad_record_mac.
 */
export function serverLegacyVersion(t: Target, rng: Rng): Promise<Targeted | undefined> {
  if (t.side !== "client") return Promise.resolve(undefined);
  const nth = t.scenario === "HRR" ? rng.int(2) : 0;
  const i = clearHandshake(t.stream, nth);
  const v = rng.pick([0x0304, 0x0302, 0x0301, 0x0300, 0x7f1c, 0xfefd, 1 + rng.int(0xfffe)]);
  const c = withU16(t.stream.records[i].bytes, 9, v === 0x0303 ? 0x0304 : v);
  return Promise.resolve({
    what: `${
      nth ? "ServerHello after HRR" : t.scenario === "HRR" ? "HelloRetryRequest" : "ServerHello"
    } legacy_version 0x${v.toString(16)}`,
    input: joinBytes([...prefix(t.stream, i), c, ...rest(t.stream, i + 1)]),
    alert: 20,
    keysIntact: false,
  });
}

/** 4.2.1: supported_versions in ServerHello / HelloRetryRequest naming anything but 0x0304. */
export function serverSupportedVersions(t: Target, rng: Rng): Promise<Targeted | undefined> {
  if (t.side !== "client") return Promise.resolve(undefined);
  const nth = t.scenario === "HRR" ? rng.int(2) : 0;
  const i = clearHandshake(t.stream, nth);
  const v = rng.pick([0x0303, 0x0302, 0x0301, 0x0300, 0x0305, 0x7f1c, 0x0a0a, rng.int(0x0304)]);
  const msg = t.stream.records[i].bytes.subarray(5);
  const edited = replaceExtension(msg, helloExtOffset(msg), 43, new Uint8Array([v >> 8, v & 0xff]));
  return Promise.resolve({
    what: `supported_versions 0x${v.toString(16)} in hello ${nth}`,
    input: joinBytes([...prefix(t.stream, i), clear(22, edited)]),
    alert: 47,
    keysIntact: false,
  });
}

/** Replaces (or with `ext` undefined, drops) the extension of `type`; a new one goes first. */
function setExt(h: ClientHello, type: number, ext: ClientHelloExtension | undefined): void {
  const i = h.extensions.findIndex((e) => e.type === type);
  if (i >= 0) {
    if (ext) h.extensions[i] = ext;
    else h.extensions.splice(i, 1);
  } else if (ext) h.extensions.unshift(ext);
}

const FORBIDDEN: [string, (h: ClientHello, rng: Rng) => void][] = [
  ["random", (h, rng) => void (h.random = rng.bytes(32))],
  [
    "cipher suites (one added)",
    (h, rng) => h.cipherSuites.push(rng.pick([0x1302, 0x1303, 0xc02b])),
  ],
  ["cipher suites (reordered)", (h) => h.cipherSuites.unshift(0x1303)],
  ["server name", (h, rng) =>
    setExt(h, ExtensionType.server_name, {
      type: ExtensionType.server_name,
      hostName: `other${rng.int(100)}.test`,
    })],
  ["ALPN (added)", (h) =>
    setExt(h, ExtensionType.application_layer_protocol_negotiation, {
      type: ExtensionType.application_layer_protocol_negotiation,
      protocols: [new TextEncoder().encode("h2")],
    })],
  [
    "early_data (added)",
    (h) => setExt(h, ExtensionType.early_data, { type: ExtensionType.early_data }),
  ],
  ["legacy_session_id", (h, rng) => void (h.legacySessionId = rng.bytes(rng.pick([0, 32])))],
  ["signature_algorithms", (h) =>
    setExt(h, ExtensionType.signature_algorithms, {
      type: ExtensionType.signature_algorithms,
      schemes: [0x0403],
    })],
];

const ALLOWED: [string, (h: ClientHello, rng: Rng, t: Target) => void][] = [
  ["padding (added)", (h, rng) =>
    setExt(h, ExtensionType.padding, {
      type: ExtensionType.padding,
      data: new Uint8Array(1 + rng.int(64)),
    })],
  ["key_share (another P-256 key)", (h, _rng, t) =>
    setExt(h, ExtensionType.key_share, {
      type: ExtensionType.key_share,
      shares: [{ group: 0x17, keyExchange: t.otherP256Share }],
    })],
];

async function secondHello(
  t: Target,
  rng: Rng,
  change: (h: ClientHello) => void,
): Promise<{ index: number; record: Uint8Array } | undefined> {
  if (t.side !== "server" || t.scenario !== "HRR") return undefined;
  const found = await findMessage(t.stream, HandshakeType.client_hello, 1);
  if (!found) throw new Error("no second ClientHello recorded");
  const { r, m } = found;
  const msg = r.plaintext.subarray(m.start, m.end);
  const hello = decodeHandshake(msg[0], msg.subarray(4)) as ClientHello;
  if (encodeHandshake(hello).join() !== msg.join()) throw new Error("ClientHello re-encodes");
  change(hello);
  void rng;
  return { index: r.index, record: await withMessage(t.stream, r, m, encodeHandshake(hello)) };
}

/** 4.1.2: a second ClientHello that changes anything it may not is illegal_parameter. */
export async function secondHelloChange(t: Target, rng: Rng): Promise<Targeted | undefined> {
  const [what, change] = rng.pick(FORBIDDEN);
  const got = await secondHello(t, rng, (h) => change(h, rng));
  if (!got) return undefined;
  const keep = rng.int(2) === 0 ? rest(t.stream, got.index + 1) : [];
  return {
    what: `second ClientHello changes ${what}`,
    input: joinBytes([...prefix(t.stream, got.index), got.record, ...keep]),
    alert: 47,
    keysIntact: false,
  };
}

/**
 * 4.1.2: what a second ClientHello may change (padding, the key share for
 * the requested group) is accepted; the changed transcript (or key) then
 * gives the server other handshake keys than the recorded client's, so the
 * client's Finished record does not open: bad_record_mac, never 47.
 */
export async function secondHelloAllowed(t: Target, rng: Rng): Promise<Targeted | undefined> {
  const [what, change] = rng.pick(ALLOWED);
  const got = await secondHello(t, rng, (h) => change(h, rng, t));
  if (!got) return undefined;
  return {
    what: `second ClientHello updates ${what}`,
    input: joinBytes([
      ...prefix(t.stream, got.index),
      got.record,
      ...rest(t.stream, got.index + 1),
    ]),
    alert: 20,
    keysIntact: false,
  };
}
