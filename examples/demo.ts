// Placeholder demo until the engine exists: a crypto self-check.
import { hkdfExpandLabel } from "../src/crypto/hkdf.ts";
import { hmacSha256 } from "../src/crypto/webcrypto/hash.ts";
import { fromHex, toHex } from "../src/_bytes.ts";

const secret = fromHex("c14a6d7976d8102b5a0c9951493fee87dcaff82c24cab214e8be71a8206dbda5");
const next = await hkdfExpandLabel(hmacSha256, secret, "traffic upd", new Uint8Array(0), 32);
console.log("kerneltls self-check: next client application traffic secret", toHex(next));
