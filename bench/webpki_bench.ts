// Certificate verification cost: a typical 3-certificate chain; the worst
// name-constraint chain that fits one Certificate message (an intermediate with
// 6580 excluded dNSName subtrees over a leaf with 6580 dNSName SANs, 256 KiB in
// all); the largest one the comparison budget lets through (500 x 500); and
// 120 decoy intermediates (P-256, then P-384 keys) that spend the signature budget.
// Run: deno bench -A bench/webpki_bench.ts (results in bench/README.md).
import { RootCertStore } from "../src/webpki/root_store.ts";
import { WebPkiServerVerifier } from "../src/webpki/verifier.ts";
import { TestPki } from "../tests/_pki.ts";
import {
  type BenchChain,
  CERTIFICATE_MESSAGE_LIMIT,
  certificateMessageSize,
  nameConstraintChain,
  signatureBudgetChain,
  typicalChain,
} from "./_webpki_chains.ts";

const pki = new TestPki();
const typical = typicalChain(pki);
const worst = nameConstraintChain(pki, 6580);
const withinBudget = nameConstraintChain(pki, 500);
const decoys = signatureBudgetChain(pki, 120, "p384");
const decoys256 = signatureBudgetChain(pki, 120, "p256");
pki.cleanup();
for (const [name, c] of [["worst name-constraint", worst], ["decoy", decoys]] as const) {
  const size = certificateMessageSize(c);
  if (size > CERTIFICATE_MESSAGE_LIMIT) throw new Error(`${name} chain is ${size} bytes`);
  console.log(`${name} chain: ${size} bytes of Certificate message`);
}

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
const withinVerifier = verifier(withinBudget);
const decoyVerifier = verifier(decoys);
const decoy256Verifier = verifier(decoys256);
console.log(`typical chain: ${await verify(typicalVerifier, typical)}`);
console.log(`500 x 500 chain: ${await verify(withinVerifier, withinBudget)}`);
console.log(`decoy chain: ${await verify(decoyVerifier, decoys)}`);
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

Deno.bench("name-constraint chain at the comparison budget (500 x 500)", async () => {
  await verify(withinVerifier, withinBudget);
});

Deno.bench("120 decoy P-256 intermediates (signature budget)", async () => {
  await verify(decoy256Verifier, decoys256);
});

Deno.bench("120 decoy P-384 intermediates (signature budget)", async () => {
  await verify(decoyVerifier, decoys);
});
