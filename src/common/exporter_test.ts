import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { hmacSha256Pure } from "../crypto/pure/sha2.ts";
import { EarlySecret, type MasterSecret } from "../tls13/key_schedule.ts";
import { Exporter } from "./exporter.ts";

const hash = new Uint8Array(32).fill(7);
const context = new TextEncoder().encode("context");

async function master(): Promise<{ master: MasterSecret; derivations: () => number }> {
  const real = await (await (await EarlySecret.create(hmacSha256Pure)).toHandshake()).toMaster();
  let derivations = 0;
  const counted = {
    hmac: real.hmac,
    exporterMasterSecret: (h: Uint8Array) => {
      derivations++;
      return real.exporterMasterSecret(h);
    },
  } as unknown as MasterSecret;
  return { master: counted, derivations: () => derivations };
}

describe("TLS 1.3 exporter from the master secret", () => {
  it("derives exporter_master_secret only when something is exported, and once", async () => {
    const m = await master();
    const lazy = await Exporter.tls13FromMaster(m.master, hash);
    assert.equal(m.derivations(), 0);
    const a = await lazy.export("EXPORTER-a", context, 32);
    const b = await lazy.export("EXPORTER-b", undefined, 16);
    assert.equal(m.derivations(), 1);
    const secret = await m.master.exporterMasterSecret(hash);
    const eager = Exporter.tls13(m.master.hmac, secret);
    assert.deepEqual(a, await eager.export("EXPORTER-a", context, 32));
    assert.deepEqual(b, await eager.export("EXPORTER-b", undefined, 16));
  });

  it("derives it at once for a key log, which gets it", async () => {
    const m = await master();
    const logged: Uint8Array[] = [];
    const exporter = await Exporter.tls13FromMaster(m.master, hash, (s) => logged.push(s));
    assert.equal(m.derivations(), 1);
    assert.deepEqual(logged, [await m.master.exporterMasterSecret(hash)]);
    await exporter.export("EXPORTER-a", context, 32);
    assert.equal(m.derivations(), 2); // only the one made above for the comparison
  });
});
