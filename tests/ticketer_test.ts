// The stateless ticketer does its crypto through the CryptoProvider (issue 15
// item 7: the provider is the only crypto), and its ticket format did not
// change when it moved there.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { RotatingTicketer } from "../src/server/ticketer.ts";
import type { CryptoProvider } from "../src/crypto/types.ts";
import { webCryptoProvider } from "../src/crypto/webcrypto/provider.ts";

const SECRET = new Uint8Array(32).fill(7);
const NOW = () => new Date(1_700_000_000_000);

/** A provider that counts what the ticketer asks of it. */
async function countingProvider(): Promise<
  { provider: CryptoProvider; calls: Map<string, number> }
> {
  const base = await webCryptoProvider();
  const calls = new Map<string, number>();
  const count = (what: string) => calls.set(what, (calls.get(what) ?? 0) + 1);
  const sha256 = base.hmacs.sha256;
  const provider: CryptoProvider = {
    ...base,
    randomBytes: (n) => {
      count("randomBytes");
      return base.randomBytes(n);
    },
    hmacs: {
      ...base.hmacs,
      sha256: {
        hash: sha256.hash,
        sign: (key, data) => {
          count("hmac");
          return sha256.sign(key, data);
        },
      },
    },
    cipherSuites: base.cipherSuites.map((s) => ({
      ...s,
      aead: {
        ...s.aead,
        importKey: (key: Uint8Array) => {
          count(`importKey ${s.aead.kind}`);
          return s.aead.importKey(key);
        },
      },
    })) as CryptoProvider["cipherSuites"],
  };
  return { provider, calls };
}

describe("RotatingTicketer", () => {
  it("seals and opens through the given provider", async () => {
    const { provider, calls } = await countingProvider();
    const ticketer = new RotatingTicketer({ provider, now: NOW });
    const ticket = await ticketer.encrypt(new Uint8Array([1, 2, 3]));
    assert.deepEqual(await ticketer.decrypt(ticket), new Uint8Array([1, 2, 3]));
    assert.ok((calls.get("randomBytes") ?? 0) >= 2, "secret and nonce from the provider");
    assert.ok((calls.get("hmac") ?? 0) >= 2, "HKDF on the provider's HMAC");
    assert.equal(calls.get("importKey Aes256Gcm"), 1, "one AES-256-GCM key per period");
  });

  it("opens a ticket sealed by the earlier Web Crypto implementation (format unchanged)", async () => {
    // Sealed by commit 3fafc46's ticketer (crypto.subtle directly) with SECRET at NOW.
    const old = Uint8Array.from(
      atob("c+3srgAHNJ7ouJK+G7VfbvWj7yAo2Tqi8QKGx6R6Hnqm8OeFS7cFk1mkawJWcFsx6g=="),
      (c) => c.charCodeAt(0),
    );
    const ticketer = new RotatingTicketer({
      secret: SECRET,
      rotationPeriodSeconds: 3600,
      now: NOW,
    });
    const plain = await ticketer.decrypt(old);
    assert.equal(plain && new TextDecoder().decode(plain), "session state");
    old[old.length - 1] ^= 1;
    assert.equal(await ticketer.decrypt(old), undefined, "a tampered ticket does not open");
  });

  it("a provider without AES-256-GCM is refused at first use", async () => {
    const base = await webCryptoProvider();
    const provider: CryptoProvider = {
      ...base,
      cipherSuites: base.cipherSuites.filter((s) => s.aead.kind !== "Aes256Gcm"),
    };
    const ticketer = new RotatingTicketer({ provider, secret: SECRET });
    await assert.rejects(ticketer.encrypt(new Uint8Array(1)), TypeError);
  });
});
