// Wycheproof key agreement: x25519, ecdh_secp256r1_ecpoint, ecdh_secp384r1_ecpoint,
// run through the provider's own `complete()`.
//
// Policy for `acceptable` cases:
// - x25519, ZeroSharedSecret (low-order public keys): REJECTED. RFC 8446 section
//   7.4.2 requires aborting on an all-zero X25519 secret; complete() throws.
// - x25519, every other acceptable flag (Twist, NonCanonicalPublic,
//   SmallPublicKey, EdgeCaseMultiplication, EdgeCaseShared, Ktv): ACCEPTED with
//   the exact expected secret. RFC 7748 section 5 says to mask the top bit and
//   accept non-canonical and twist points; X25519 is safe on the twist.
// - ecdh_*_ecpoint, CompressedPoint: REJECTED. TLS 1.3 key_share carries only the
//   uncompressed form (RFC 8446 section 4.2.8.2); complete() refuses other forms.
import { describe, it } from "node:test";
import { bytesEqual } from "../src/_bytes.ts";
import {
  detectX25519,
  ecdhFromPrivateKey,
  x25519FromPrivateKey,
} from "../src/crypto/webcrypto/kx.ts";
import type { ActiveKeyExchange } from "../src/crypto/types.ts";
import {
  type AcceptablePolicy,
  hex,
  readWycheproof,
  Tally,
  type WycheproofCase,
} from "./_wycheproof.ts";

async function outcome(kx: () => Promise<ActiveKeyExchange>, tc: WycheproofCase): Promise<boolean> {
  try {
    const shared = await (await kx()).complete(hex(tc.public));
    return bytesEqual(shared, hex(tc.shared));
  } catch (e) {
    if (!(e instanceof TypeError)) throw e;
    return false;
  }
}

function x25519Policy(tc: WycheproofCase): AcceptablePolicy | undefined {
  if (tc.result !== "acceptable") return undefined;
  return tc.flags.includes("ZeroSharedSecret")
    ? { accept: false, reason: "ZeroSharedSecret, RFC 8446 7.4.2" }
    : { accept: true, reason: "twist/non-canonical/edge cases, RFC 7748" };
}

const hasX25519 = await detectX25519();

describe("Wycheproof key exchange", () => {
  // A runtime without X25519 does not offer the group, so there is nothing to test.
  (hasX25519 ? it : it.skip)("x25519", async () => {
    const file = readWycheproof<object>("x25519");
    const tally = new Tally("x25519_test.json");
    for (const group of file.testGroups) {
      for (const tc of group.tests) {
        const ok = await outcome(() => x25519FromPrivateKey(hex(tc.private)), tc);
        tally.record(tc, ok, x25519Policy(tc));
      }
    }
    tally.finish(file.numberOfTests);
  });

  for (const curve of ["secp256r1", "secp384r1"] as const) {
    it(`ecdh_${curve}_ecpoint`, async () => {
      const file = readWycheproof<{ curve: string }>(`ecdh_${curve}_ecpoint`);
      const tally = new Tally(`ecdh_${curve}_ecpoint_test.json`);
      for (const group of file.testGroups) {
        for (const tc of group.tests) {
          const ok = await outcome(() => ecdhFromPrivateKey(curve, hex(tc.private)), tc);
          const policy = tc.result === "acceptable" && tc.flags.includes("CompressedPoint")
            ? { accept: false, reason: "compressed point, RFC 8446 4.2.8.2" }
            : undefined;
          tally.record(tc, ok, policy);
        }
      }
      tally.finish(file.numberOfTests);
    });
  }
});
