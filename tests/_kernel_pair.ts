// Two kernel connections built by hand for one TLS 1.3 session: the tx of one
// is the rx of the other, with the real "traffic upd" derivation behind them.
import { ClientKernelConnection, directionSecrets, KernelConnection } from "../src/conn/kernel.ts";
import type { ExtractedSecrets } from "../src/conn/kernel.ts";
import type { CryptoProvider, Tls13CipherSuite } from "../src/crypto/types.ts";
import { webCryptoProvider } from "../src/crypto/webcrypto/provider.ts";
import { ContentType } from "../src/msgs/enums.ts";
import { tls13Protection } from "../src/record/protection.ts";

let provider: Promise<CryptoProvider> | undefined;

/** The default provider, built once. */
export function testProvider(): Promise<CryptoProvider> {
  provider ??= webCryptoProvider();
  return provider;
}

/** The TLS 1.3 suites of the default provider. */
export async function tls13Suites(): Promise<Tls13CipherSuite[]> {
  return (await testProvider()).cipherSuites.filter((s): s is Tls13CipherSuite =>
    s.version === "TLSv1_3"
  );
}

/** One end: its secrets and its kernel connection. */
export interface KernelEnd {
  secrets: ExtractedSecrets;
  connection: KernelConnection;
}

function secretOf(suite: Tls13CipherSuite, fill: number): Uint8Array {
  return new Uint8Array(suite.hash.outputLen).fill(fill);
}

/** A client end and a server end sharing two traffic secrets. */
export async function kernelPair(
  suite: Tls13CipherSuite,
  seqs: { c2s?: bigint; s2c?: bigint } = {},
): Promise<{ client: KernelEnd; server: KernelEnd }> {
  const c2s = secretOf(suite, 0x11);
  const s2c = secretOf(suite, 0x22);
  const client = new ClientKernelConnection({
    protocolVersion: "TLSv1_3",
    suite,
    txSecret: c2s,
    rxSecret: s2c,
  });
  const server = new KernelConnection({
    protocolVersion: "TLSv1_3",
    suite,
    txSecret: s2c,
    rxSecret: c2s,
  });
  const c2sDir = await directionSecrets(suite, c2s, seqs.c2s ?? 0n);
  const s2cDir = await directionSecrets(suite, s2c, seqs.s2c ?? 0n);
  return {
    client: { connection: client, secrets: { tx: c2sDir, rx: s2cDir } },
    server: { connection: server, secrets: { tx: s2cDir, rx: c2sDir } },
  };
}

/**
 * Seals one record of any content under `end`'s send key at `seq`, bypassing
 * the layer, to build records the layer itself would never send.
 */
export async function forgeRecord(
  suite: Tls13CipherSuite,
  end: KernelEnd,
  seq: bigint,
  contentType: number,
  payload: Uint8Array,
): Promise<Uint8Array> {
  const key = await suite.aead.importKey(end.secrets.tx.secrets.key);
  const out = new Uint8Array(tls13Protection.recordLen(payload.length));
  await tls13Protection.seal(
    { key, iv: end.secrets.tx.secrets.iv },
    seq,
    contentType,
    payload,
    out,
  );
  return out;
}

/** Content types, re-exported for brevity in tests. */
export { ContentType };
