// The PKI and NSS database both NSS interop suites use (tests/nss_interop_test.ts,
// tests/nss_interop_server_test.ts), and the suites and groups they cover.
import { readFileSync } from "node:fs";
import { RootCertStore } from "../src/webpki/root_store.ts";
import { CipherSuiteId, NamedGroup } from "../src/msgs/enums.ts";
import { type KeyAlg, type TestCert, TestPki } from "./_pki.ts";
import { NssDb } from "./peers/_nss.ts";

export const TLS13_SUITES = [
  CipherSuiteId.TLS_AES_128_GCM_SHA256,
  CipherSuiteId.TLS_AES_256_GCM_SHA384,
  CipherSuiteId.TLS_CHACHA20_POLY1305_SHA256,
];
/** TLS 1.2 ECDHE suites, with the certificate each needs. */
export const TLS12_SUITES = [
  { id: CipherSuiteId.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, cert: "ec" },
  { id: CipherSuiteId.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384, cert: "ec" },
  { id: CipherSuiteId.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256, cert: "ec" },
  { id: CipherSuiteId.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, cert: "rsa" },
  { id: CipherSuiteId.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384, cert: "rsa" },
  { id: CipherSuiteId.TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256, cert: "rsa" },
] as const;
/** Groups NSS 3.87 has (it has no X25519MLKEM768), with tstclnt's `-I` names. */
export const GROUPS = [
  { id: NamedGroup.x25519, nss: "x25519" },
  { id: NamedGroup.secp256r1, nss: "P256" },
  { id: NamedGroup.secp384r1, nss: "P384" },
];
export const VERSIONS = [
  { ours: "TLSv1_3", nss: "tls1.3:tls1.3" },
  { ours: "TLSv1_2", nss: "tls1.2:tls1.2" },
] as const;

/** "0x1301" style, as tstclnt/selfserv `-c :1301` take it. */
export function nssCipher(id: number): string {
  return `:${id.toString(16).padStart(4, "0")}`;
}

/**
 * A CA, an ECDSA and an RSA server certificate and a client certificate,
 * and an NSS database trusting the CA with all three identities
 * ("server-ec", "server-rsa", "client").
 */
export class NssFixture {
  readonly pki: TestPki = new TestPki();
  readonly ca: TestCert;
  readonly ecLeaf: TestCert;
  readonly rsaLeaf: TestCert;
  readonly clientCert: TestCert;
  readonly db: NssDb;

  constructor() {
    const pki = this.pki;
    this.ca = pki.root("kerneltls NSS interop CA");
    // NSS files certificates by subject: each one needs a subject of its own.
    // NSS also wants keyEncipherment on an RSA server certificate, even for
    // ECDHE_RSA (SEC_ERROR_INADEQUATE_KEY_USAGE otherwise).
    const leaf = (cn: string, alg: KeyAlg) =>
      pki.issue(this.ca, cn, [
        "basicConstraints=critical,CA:FALSE",
        `keyUsage=critical,digitalSignature${alg === "rsa" ? ",keyEncipherment" : ""}`,
        "extendedKeyUsage=serverAuth",
        "subjectAltName=DNS:localhost, IP:127.0.0.1",
      ], { alg });
    this.ecLeaf = leaf("nss interop server ec", "p256");
    this.rsaLeaf = leaf("nss interop server rsa", "rsa");
    this.clientCert = pki.issue(this.ca, "nss interop client", [
      "basicConstraints=critical,CA:FALSE",
      "keyUsage=critical,digitalSignature",
      "extendedKeyUsage=clientAuth",
    ]);
    this.db = NssDb.create({
      trust: [this.ca],
      identities: [
        { nickname: "server-ec", cert: this.ecLeaf },
        { nickname: "server-rsa", cert: this.rsaLeaf },
        { nickname: "client", cert: this.clientCert },
      ],
    });
  }

  /** Our trust anchors: the CA. */
  roots(): RootCertStore {
    return RootCertStore.fromPem(readFileSync(this.ca.certPath, "utf8"));
  }

  /** Removes the database and the PKI. */
  cleanup(): void {
    this.db.cleanup();
    this.pki.cleanup();
  }
}
