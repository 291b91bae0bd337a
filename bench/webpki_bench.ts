// Certificate verification cost: a typical 3-certificate chain, and the worst
// name-constraint chain that fits one Certificate message (an intermediate with
// 6580 excluded dNSName subtrees over a leaf with 6580 dNSName SANs, 256 KiB in
// all). Run: deno bench -A bench/webpki_bench.ts (results in bench/README.md).
import { RootCertStore } from "../src/webpki/root_store.ts";
import { WebPkiServerVerifier } from "../src/webpki/verifier.ts";
import { TestPki } from "../tests/_pki.ts";
import {
  type BenchChain,
  CERTIFICATE_MESSAGE_LIMIT,
  certificateMessageSize,
  nameConstraintChain,
  typicalChain,
} from "./_webpki_chains.ts";

const pki = new TestPki();
const typical = typicalChain(pki);
const worst = nameConstraintChain(pki, 6580);
pki.cleanup();
const size = certificateMessageSize(worst);
if (size > CERTIFICATE_MESSAGE_LIMIT) throw new Error(`worst chain is ${size} bytes`);
console.log(`worst name-constraint chain: ${size} bytes of Certificate message`);

const now = new Date();

function verifier(c: BenchChain): WebPkiServerVerifier {
  const roots = new RootCertStore();
  roots.add(c.root);
  return new WebPkiServerVerifier({ roots });
}

/** Verifies; the outcome (accepted or which refusal) is printed once, not timed. */
async function verify(v: WebPkiServerVerifier, c: BenchChain): Promise<string> {
  try {
    await v.verifyServerCert(c.leaf, c.intermediates, c.name, now);
    return "accepted";
  } catch (e) {
    return `refused: ${(e as { detail?: string }).detail}`;
  }
}

const typicalVerifier = verifier(typical);
const worstVerifier = verifier(worst);
console.log(`typical chain: ${await verify(typicalVerifier, typical)}`);
const t0 = performance.now();
const outcome = await verify(worstVerifier, worst);
console.log(`worst chain: ${outcome}, first run ${(performance.now() - t0).toFixed(1)} ms`);

Deno.bench("typical 3-certificate chain (ECDSA P-256)", async () => {
  await verify(typicalVerifier, typical);
});

// Before the name-constraint budget one run took tens of seconds; keep n small
// enough that the suite still finishes when run against such a build.
Deno.bench(
  "worst name-constraint chain in 256 KiB (6580 x 6580)",
  { n: 5, warmup: 1 },
  async () => {
    await verify(worstVerifier, worst);
  },
);
