// KernelRecordLayer.seal throughput beside raw sequential Web Crypto encrypt
// calls on the same record sizes, and seal plus open at the peer. Each
// iteration moves RECORDS records.
// Run: deno bench -A bench/kernel_record_layer_bench.ts
import { KernelRecordLayer } from "../src/kernel/record_layer.ts";
import { detectWebCryptoChacha } from "../src/crypto/webcrypto/aead.ts";
import { webCryptoProvider } from "../src/crypto/webcrypto/provider.ts";
import { kernelPair, testProvider, tls13Suites } from "../tests/_kernel_pair.ts";

const RECORDS = 32;
const SIZES = [["16 KiB", 16384], ["1 KiB", 1024], ["64 B", 64]] as const;

const provider = await testProvider();
const suites = (await tls13Suites()).filter((s) =>
  s.aead.kind === "Aes128Gcm" || s.aead.kind === "Chacha20Poly1305"
);
const webChacha = await detectWebCryptoChacha();
// The same AEADs as the raw rows: Web Crypto for both ciphers when it has them.
const webOnly = webChacha ? await webCryptoProvider({ chacha: "webcrypto" }) : provider;

let sink = 0;
for (const suite of suites) {
  const aeadLabel = suite.aead.kind === "Aes128Gcm" ? "AES-128-GCM" : "ChaCha20-Poly1305";
  const webName = suite.aead.kind === "Aes128Gcm" ? "AES-GCM" : "ChaCha20-Poly1305";
  const canRaw = webName === "AES-GCM" || webChacha;
  const rawKey = canRaw
    ? await crypto.subtle.importKey(
      (webName === "AES-GCM" ? "raw" : "raw-secret") as "raw",
      new Uint8Array(suite.aead.keyLen).fill(7),
      { name: webName },
      false,
      ["encrypt"],
    )
    : undefined;
  const iv = new Uint8Array(12).fill(3);
  const header = new Uint8Array([23, 3, 3, 0, 0]);

  for (const [label, size] of SIZES) {
    const group = `${aeadLabel} ${label} x${RECORDS}`;
    const payload = new Uint8Array(size * RECORDS).map((_, i) => i & 0xff);
    const record = new Uint8Array(size + 1);
    if (rawKey) {
      Deno.bench({ name: `raw Web Crypto, sequential`, group, baseline: true }, async () => {
        for (let i = 0; i < RECORDS; i++) {
          const nonce = iv.slice();
          nonce[11] ^= i;
          const ct = await crypto.subtle.encrypt(
            { name: webName, iv: nonce, additionalData: header } as AesGcmParams,
            rawKey,
            record,
          );
          sink ^= ct.byteLength;
        }
      });
    }
    const variants = [
      { impl: webChacha || suite.aead.kind === "Aes128Gcm" ? "Web Crypto" : "pure", p: webOnly },
    ];
    if (suite.aead.kind === "Chacha20Poly1305") {
      const def = provider.cipherSuites.find((s) => s.aead.kind === suite.aead.kind)!.aead;
      if (def !== webOnly.cipherSuites.find((s) => s.aead.kind === suite.aead.kind)!.aead) {
        variants.push({ impl: "default provider (pure TS)", p: provider });
      }
    }
    for (const { impl, p } of variants) {
      for (const inFlight of [1, 16]) {
        const { client } = await kernelPair(suite);
        const layer = await KernelRecordLayer.create(client.secrets, client.connection, {
          provider: p,
          maxFragmentSize: size,
          maxInFlight: inFlight,
        });
        Deno.bench({
          name: `KernelRecordLayer.seal, ${impl}, maxInFlight ${inFlight}`,
          group,
          baseline: !rawKey && inFlight === 1,
        }, async () => {
          sink ^= (await layer.seal(payload)).length;
        });
      }
      // The receive side too (every record goes through the post-handshake
      // policy): the peer opens what was sealed, so both sequence numbers
      // move in step.
      const { client, server } = await kernelPair(suite);
      const options = { provider: p, maxFragmentSize: size };
      const sender = await KernelRecordLayer.create(client.secrets, client.connection, options);
      const receiver = await KernelRecordLayer.create(server.secrets, server.connection, options);
      Deno.bench(
        { name: `seal, then open at the peer, ${impl}, maxInFlight 16`, group },
        async () => {
          sink ^= (await receiver.open(await sender.seal(payload))).data.length;
        },
      );
    }
  }
}

addEventListener("unload", () => {
  if (sink === 0.5) console.log(sink);
});
