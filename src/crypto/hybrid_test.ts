import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  hybridGroups,
  mlKem768Group,
  type MlKemBackendChoice,
  secp256r1MlKem768,
  x25519MlKem768,
} from "./hybrid.ts";
import { detectWebCryptoMlKem } from "./webcrypto/ml_kem.ts";
import { mlKem768 } from "./pure/ml_kem.ts";
import { secp256r1, x25519 } from "./webcrypto/kx.ts";
import { NamedGroup } from "../msgs/enums.ts";
import type { KeyExchangeGroup } from "./types.ts";

const web = await detectWebCryptoMlKem();
const choices: MlKemBackendChoice[] = web ? ["pure", "webcrypto", "auto"] : ["pure", "auto"];
if (!web) console.log("Web Crypto ML-KEM-768 not available: webcrypto backend skipped");

type Which = "x25519MlKem768" | "secp256r1MlKem768" | "mlKem768";
const SIZES: Record<Which, { code: number; client: number; server: number; secret: number }> = {
  x25519MlKem768: { code: NamedGroup.X25519MLKEM768, client: 1216, server: 1120, secret: 64 },
  secp256r1MlKem768: {
    code: NamedGroup.SecP256r1MLKEM768,
    client: 1249,
    server: 1153,
    secret: 64,
  },
  mlKem768: { code: NamedGroup.MLKEM768, client: 1184, server: 1088, secret: 32 },
};
const WHICH = Object.keys(SIZES) as Which[];

async function exchange(client: KeyExchangeGroup, server: KeyExchangeGroup): Promise<void> {
  const kx = await client.start();
  const resp = await server.respond(kx.publicKey);
  const secret = await kx.complete(resp.publicKey);
  assert.deepEqual(secret, resp.sharedSecret);
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

describe("hybrid ML-KEM key exchange groups", () => {
  it("start / respond / complete agree for every group and backend pairing", async () => {
    let runs = 0;
    for (const which of WHICH) {
      for (const c of choices) {
        for (const s of choices) {
          const client = hybridGroups({ mlkem: c })[which];
          const server = hybridGroups({ mlkem: s })[which];
          const size = SIZES[which];
          assert.equal(client.group, size.code);
          const kx = await client.start();
          assert.equal(kx.group, size.code);
          assert.equal(kx.publicKey.length, size.client, `${which} client share`);
          const resp = await server.respond(kx.publicKey);
          assert.equal(resp.publicKey.length, size.server, `${which} server share`);
          assert.equal(resp.sharedSecret.length, size.secret);
          assert.deepEqual(
            await kx.complete(resp.publicKey),
            resp.sharedSecret,
            `${which} ${c}/${s}`,
          );
          runs++;
        }
      }
    }
    assert.equal(runs, WHICH.length * choices.length ** 2);
  });

  it("default exports are the auto groups with the IANA names", async () => {
    assert.deepEqual(
      [x25519MlKem768.name, secp256r1MlKem768.name, mlKem768Group.name],
      ["X25519MLKEM768", "SecP256r1MLKEM768", "MLKEM768"],
    );
    await exchange(x25519MlKem768, x25519MlKem768);
  });

  it("X25519MLKEM768 puts ML-KEM first in shares and secret", async () => {
    const kx = await x25519MlKem768.start();
    const enc = mlKem768.encapsulate(kx.publicKey.subarray(0, 1184));
    const x = await x25519.respond(kx.publicKey.subarray(1184));
    const secret = await kx.complete(concat(enc.ciphertext, x.publicKey));
    assert.deepEqual(secret, concat(enc.sharedSecret, x.sharedSecret));
  });

  it("SecP256r1MLKEM768 puts the P-256 point first in shares and secret", async () => {
    const kx = await secp256r1MlKem768.start();
    assert.equal(kx.publicKey[0], 0x04);
    const p = await secp256r1.respond(kx.publicKey.subarray(0, 65));
    const enc = mlKem768.encapsulate(kx.publicKey.subarray(65));
    const secret = await kx.complete(concat(p.publicKey, enc.ciphertext));
    assert.deepEqual(secret, concat(p.sharedSecret, enc.sharedSecret));
  });

  it("MLKEM768 alone: share is the encapsulation key, answer the ciphertext", async () => {
    const kx = await mlKem768Group.start();
    const enc = mlKem768.encapsulate(kx.publicKey);
    assert.deepEqual(await kx.complete(enc.ciphertext), enc.sharedSecret);
  });

  it("malformed client shares make respond throw TypeError", async () => {
    for (const c of choices) {
      const g = hybridGroups({ mlkem: c });
      const good = (await g.x25519MlKem768.start()).publicKey;
      await assert.rejects(g.x25519MlKem768.respond(good.subarray(1)), TypeError);
      await assert.rejects(g.x25519MlKem768.respond(concat(good, Uint8Array.of(0))), TypeError);
      const notReduced = Uint8Array.from(good);
      notReduced[0] = 0xff;
      notReduced[1] |= 0x0f;
      await assert.rejects(g.x25519MlKem768.respond(notReduced), TypeError, `${c}: modulus`);
      const zeroX = Uint8Array.from(good);
      zeroX.fill(0, 1184);
      await assert.rejects(g.x25519MlKem768.respond(zeroX), TypeError, `${c}: low-order X25519`);

      const p = (await g.secp256r1MlKem768.start()).publicKey;
      const badPoint = Uint8Array.from(p);
      badPoint[0] = 0x05;
      await assert.rejects(g.secp256r1MlKem768.respond(badPoint), TypeError);
      await assert.rejects(g.secp256r1MlKem768.respond(p.subarray(0, 1184)), TypeError);

      await assert.rejects(g.mlKem768.respond(new Uint8Array(1183)), TypeError);
      await assert.rejects(g.mlKem768.respond(notReduced.subarray(0, 1184)), TypeError);
    }
  });

  it("malformed server shares make complete throw TypeError", async () => {
    for (const c of choices) {
      const g = hybridGroups({ mlkem: c });
      for (const which of WHICH) {
        const kx = await g[which].start();
        const resp = await g[which].respond(kx.publicKey);
        await assert.rejects(kx.complete(resp.publicKey.subarray(1)), TypeError, `${c} ${which}`);
        await assert.rejects(kx.complete(new Uint8Array(0)), TypeError);
      }
      const kx = await g.x25519MlKem768.start();
      const resp = await g.x25519MlKem768.respond(kx.publicKey);
      const zeroX = Uint8Array.from(resp.publicKey);
      zeroX.fill(0, 1088);
      await assert.rejects(kx.complete(zeroX), TypeError, `${c}: low-order X25519 from server`);
    }
  });

  it("a tampered ciphertext gives a different secret, not an error (implicit rejection)", async () => {
    for (const c of choices) {
      const g = hybridGroups({ mlkem: c }).x25519MlKem768;
      const kx = await g.start();
      const resp = await g.respond(kx.publicKey);
      const bad = Uint8Array.from(resp.publicKey);
      bad[10] ^= 1;
      const secret = await kx.complete(bad);
      assert.notDeepEqual(secret.subarray(0, 32), resp.sharedSecret.subarray(0, 32));
      assert.deepEqual(secret.subarray(32), resp.sharedSecret.subarray(32));
    }
  });
});
