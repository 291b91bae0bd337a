// ML-KEM-768 (pure TypeScript vs Web Crypto, with noble as an outside reference)
// and full key exchanges (hybrid vs X25519 alone), in one run.
// Run: deno bench -A bench/ml_kem_bench.ts
import { ml_kem768 as noble } from "npm:@noble/post-quantum@0/ml-kem.js";
import { mlKem768 } from "../src/crypto/pure/ml_kem.ts";
import { detectWebCryptoMlKem, webCryptoMlKem768 } from "../src/crypto/webcrypto/ml_kem.ts";
import { hybridGroups } from "../src/crypto/hybrid.ts";
import { secp256r1, x25519 } from "../src/crypto/webcrypto/kx.ts";
import type { KeyExchangeGroup } from "../src/crypto/types.ts";

const web = await detectWebCryptoMlKem();
if (!web) console.log("Web Crypto ML-KEM-768 not available: Web Crypto rows skipped");

const pureKp = mlKem768.keygen();
const pureCt = mlKem768.encapsulate(pureKp.encapsulationKey).ciphertext;
const nobleKp = noble.keygen();
const nobleCt = noble.encapsulate(nobleKp.publicKey).cipherText;
const webKp = web ? await webCryptoMlKem768.generateKeyPair() : undefined;
const webCt = webKp
  ? (await webCryptoMlKem768.encapsulate(webKp.encapsulationKey)).ciphertext
  : undefined;

let sink = 0;
// Fixed iteration counts keep the run short on a shared machine. Bench functions
// must be `async`: deno bench does not await a plain function's returned promise.
const N = { n: 400, warmup: 40 } as const;

Deno.bench({ ...N, name: "pure keygen", group: "keygen", baseline: true }, () => {
  sink ^= mlKem768.keygen().encapsulationKey[0];
});
Deno.bench({ ...N, name: "webcrypto keygen", group: "keygen", ignore: !web }, async () => {
  sink ^= (await webCryptoMlKem768.generateKeyPair()).encapsulationKey[0];
});
Deno.bench({ ...N, name: "noble keygen", group: "keygen" }, () => {
  sink ^= noble.keygen().publicKey[0];
});

Deno.bench({ ...N, name: "pure encaps", group: "encaps", baseline: true }, () => {
  sink ^= mlKem768.encapsulate(pureKp.encapsulationKey).sharedSecret[0];
});
Deno.bench({ ...N, name: "webcrypto encaps", group: "encaps", ignore: !web }, async () => {
  sink ^= (await webCryptoMlKem768.encapsulate(webKp!.encapsulationKey)).sharedSecret[0];
});
Deno.bench({ ...N, name: "noble encaps", group: "encaps" }, () => {
  sink ^= noble.encapsulate(nobleKp.publicKey).sharedSecret[0];
});

Deno.bench({ ...N, name: "pure decaps", group: "decaps", baseline: true }, () => {
  sink ^= mlKem768.decapsulate(pureKp.decapsulationKey, pureCt)[0];
});
Deno.bench({ ...N, name: "webcrypto decaps", group: "decaps", ignore: !web }, async () => {
  sink ^= (await webCryptoMlKem768.decapsulate(webKp!.privateKey, webCt!))[0];
});
Deno.bench({ ...N, name: "noble decaps", group: "decaps" }, () => {
  sink ^= noble.decapsulate(nobleCt, nobleKp.secretKey)[0];
});

/** One whole exchange: client start, server respond, client complete. */
async function exchange(group: KeyExchangeGroup): Promise<void> {
  const kx = await group.start();
  const resp = await group.respond(kx.publicKey);
  sink ^= (await kx.complete(resp.publicKey))[0];
}

const pure = hybridGroups({ mlkem: "pure" });
const webGroups = hybridGroups({ mlkem: "webcrypto" });
const xg = "full exchange (start + respond + complete)";
Deno.bench(
  { ...N, name: "X25519 alone", group: xg, baseline: true },
  async () => await exchange(x25519),
);
Deno.bench({ ...N, name: "secp256r1 alone", group: xg }, async () => await exchange(secp256r1));
Deno.bench(
  { ...N, name: "X25519MLKEM768 (webcrypto ML-KEM)", group: xg, ignore: !web },
  async () => await exchange(webGroups.x25519MlKem768),
);
Deno.bench(
  { ...N, name: "X25519MLKEM768 (pure ML-KEM)", group: xg },
  async () => await exchange(pure.x25519MlKem768),
);
Deno.bench(
  { ...N, name: "SecP256r1MLKEM768 (webcrypto ML-KEM)", group: xg, ignore: !web },
  async () => await exchange(webGroups.secp256r1MlKem768),
);
Deno.bench(
  { ...N, name: "MLKEM768 alone (webcrypto)", group: xg, ignore: !web },
  async () => await exchange(webGroups.mlKem768),
);
Deno.bench(
  { ...N, name: "MLKEM768 alone (pure)", group: xg },
  async () => await exchange(pure.mlKem768),
);

globalThis.addEventListener("unload", () => {
  if (sink === 0.5) console.log(sink);
});
