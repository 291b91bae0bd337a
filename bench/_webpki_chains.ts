// Chains for bench/webpki_bench.ts, made with the openssl CLI (tests/_pki.ts).
import type { KeyAlg, TestPki } from "../tests/_pki.ts";

/** Largest handshake message we accept (src/record/handshake_joiner.ts). */
export const CERTIFICATE_MESSAGE_LIMIT = 256 * 1024;

/** A chain ready to verify: leaf, intermediates, the root to trust, a name. */
export interface BenchChain {
  leaf: Uint8Array;
  intermediates: Uint8Array[];
  root: Uint8Array;
  name: string;
}

/** Bytes the chain takes in a TLS 1.3 Certificate message (3-byte length + 2-byte extensions each). */
export function certificateMessageSize(c: BenchChain): number {
  return 4 + 3 + [c.leaf, ...c.intermediates].reduce((n, d) => n + 3 + d.length + 2, 0);
}

/** root -> intermediate -> leaf, ECDSA P-256, one SAN: what most servers send. */
export function typicalChain(pki: TestPki): BenchChain {
  const root = pki.root("Bench Root");
  const inter = pki.intermediate(root, "Bench Intermediate");
  const leaf = pki.leaf(inter, "DNS:www.example.com, DNS:example.com");
  return { leaf: leaf.der, intermediates: [inter.der], root: root.der, name: "www.example.com" };
}

/**
 * root -> intermediate with `n` excluded dNSName subtrees -> leaf with `n`
 * dNSName SANs, none of which the constraints touch: every (name,
 * constraint) pair must be compared, n^2 in all. `n` is the largest that keeps
 * the Certificate message under the limit.
 */
export function nameConstraintChain(pki: TestPki, n: number): BenchChain {
  const root = pki.root("Bench NC Root");
  const excluded = Array.from({ length: n }, (_, i) => `excluded;DNS:x${i}.example.org`);
  const inter = pki.issue(root, "Bench NC Intermediate", [
    "basicConstraints=critical,CA:TRUE",
    "keyUsage=critical,keyCertSign,cRLSign",
    `nameConstraints=critical,${excluded.join(",")}`,
  ]);
  const sans = Array.from({ length: n }, (_, i) => `DNS:h${i}.example.com`);
  const leaf = pki.leaf(inter, sans.join(","));
  return { leaf: leaf.der, intermediates: [inter.der], root: root.der, name: "h0.example.com" };
}

/**
 * root -> intermediate -> leaf, sent with `decoys` more intermediates ahead
 * of the real one that carry its name but each another key of type `alg`:
 * every one is a candidate issuer whose signature check (ECDSA with SHA-256,
 * the leaf's) fails, until the signature budget runs out.
 */
export function signatureBudgetChain(pki: TestPki, decoys: number, alg: KeyAlg): BenchChain {
  const root = pki.root("Bench Decoy Root");
  const inter = pki.intermediate(root, "Bench Decoy Intermediate");
  const leaf = pki.leaf(inter, "DNS:www.example.com");
  const fakes = Array.from(
    { length: decoys },
    () => pki.intermediate(root, "Bench Decoy Intermediate", alg),
  );
  return {
    leaf: leaf.der,
    intermediates: [...fakes.map((c) => c.der), inter.der],
    root: root.der,
    name: "www.example.com",
  };
}
