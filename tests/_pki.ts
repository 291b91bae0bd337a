// Test PKI: a CA, intermediates and leaves made with the openssl CLI in a temp dir.
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** A certificate with its private key, as files and DER. */
export interface TestCert {
  /** PEM private key path. */
  keyPath: string;
  /** PEM certificate path. */
  certPath: string;
  /** DER certificate. */
  der: Uint8Array;
}

/** Key algorithms the tests use; `rsa-<bits>` is an RSA key of that modulus length. */
export type KeyAlg = "p256" | "p384" | "rsa" | "rsapss" | "ed25519" | `rsa-${number}`;

/** A scratch directory of test certificates; call cleanup() when done. */
export class TestPki {
  readonly dir: string = mkdtempSync(join(tmpdir(), "kerneltls-pki-"));
  #n = 0;

  #openssl(args: string[]): void {
    execFileSync("openssl", args, { cwd: this.dir, stdio: ["ignore", "ignore", "pipe"] });
  }

  #key(alg: KeyAlg, path: string): void {
    const bits = /^rsa-(\d+)$/.exec(alg)?.[1];
    if (bits) {
      this.#openssl([
        "genpkey",
        "-algorithm",
        "RSA",
        "-pkeyopt",
        `rsa_keygen_bits:${bits}`,
        "-out",
        path,
      ]);
      return;
    }
    const opts: Record<string, string[]> = {
      p256: ["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256"],
      p384: ["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-384"],
      rsa: ["-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048"],
      rsapss: ["-algorithm", "RSA-PSS", "-pkeyopt", "rsa_keygen_bits:2048"],
      ed25519: ["-algorithm", "ED25519"],
    };
    this.#openssl(["genpkey", ...opts[alg], "-out", path]);
  }

  #finish(keyPath: string, certPath: string): TestCert {
    const pem = readFileSync(certPath, "utf8");
    const b64 = pem.replace(/-----[^-]+-----/g, "").replace(/\s+/g, "");
    return { keyPath, certPath, der: Uint8Array.from(atob(b64), (c) => c.charCodeAt(0)) };
  }

  /** A self-signed root CA; `keyUsage` replaces its keyUsage (null: none). */
  root(
    cn: string,
    alg: KeyAlg = "p256",
    keyUsage: string | null = "critical,keyCertSign,cRLSign",
  ): TestCert {
    const i = this.#n++;
    const key = join(this.dir, `k${i}.pem`);
    const crt = join(this.dir, `c${i}.pem`);
    this.#key(alg, key);
    this.#openssl([
      "req",
      "-x509",
      "-new",
      "-key",
      key,
      "-out",
      crt,
      "-days",
      "3650",
      "-subj",
      `/CN=${cn}`,
      "-addext",
      "basicConstraints=critical,CA:TRUE",
      ...(keyUsage === null ? [] : ["-addext", `keyUsage=${keyUsage}`]),
      "-addext",
      "subjectKeyIdentifier=hash",
    ]);
    return this.#finish(key, crt);
  }

  /**
   * A certificate signed by `issuer`. `ext` is an openssl extension section
   * body, for example "subjectAltName=DNS:example.com".
   */
  issue(
    issuer: TestCert,
    cn: string,
    ext: string[],
    opts: { alg?: KeyAlg; days?: number; digest?: string; sameKeyAs?: TestCert } = {},
  ): TestCert {
    const i = this.#n++;
    const key = opts.sameKeyAs?.keyPath ?? join(this.dir, `k${i}.pem`);
    const csr = join(this.dir, `r${i}.pem`);
    const crt = join(this.dir, `c${i}.pem`);
    const extFile = join(this.dir, `e${i}.cnf`);
    if (!opts.sameKeyAs) this.#key(opts.alg ?? "p256", key);
    this.#openssl(["req", "-new", "-key", key, "-out", csr, "-subj", `/CN=${cn}`]);
    writeFileSync(
      extFile,
      ["subjectKeyIdentifier=hash", "authorityKeyIdentifier=keyid:always", ...ext].join("\n"),
    );
    this.#openssl([
      "x509",
      "-req",
      "-in",
      csr,
      "-CA",
      issuer.certPath,
      "-CAkey",
      issuer.keyPath,
      "-CAcreateserial",
      "-out",
      crt,
      "-days",
      String(opts.days ?? 365),
      "-extfile",
      extFile,
      ...(opts.digest ? [`-${opts.digest}`] : []),
    ]);
    return this.#finish(key, crt);
  }

  /** A TLS server leaf for `sans` (openssl syntax, e.g. "DNS:a.example, IP:127.0.0.1"). */
  leaf(issuer: TestCert, sans: string, opts: { alg?: KeyAlg; days?: number } = {}): TestCert {
    return this.issue(issuer, "leaf", [
      "basicConstraints=critical,CA:FALSE",
      "keyUsage=critical,digitalSignature",
      "extendedKeyUsage=serverAuth,clientAuth",
      `subjectAltName=${sans}`,
    ], opts);
  }

  /** An intermediate CA. */
  intermediate(issuer: TestCert, cn: string, alg: KeyAlg = "p256"): TestCert {
    return this.issue(issuer, cn, [
      "basicConstraints=critical,CA:TRUE,pathlen:0",
      "keyUsage=critical,keyCertSign,cRLSign",
    ], { alg });
  }

  /** Signs `message` with the key of `cert` (`digest` e.g. "sha256"; none for Ed25519). */
  sign(cert: TestCert, message: Uint8Array, digest?: string, pss = false): Uint8Array {
    const i = this.#n++;
    const msg = join(this.dir, `m${i}.bin`);
    const sig = join(this.dir, `s${i}.bin`);
    writeFileSync(msg, message);
    if (digest) {
      const pssOpts = pss
        ? ["-sigopt", "rsa_padding_mode:pss", "-sigopt", "rsa_pss_saltlen:digest"]
        : [];
      this.#openssl(["dgst", `-${digest}`, "-sign", cert.keyPath, ...pssOpts, "-out", sig, msg]);
    } else {
      this.#openssl([
        "pkeyutl",
        "-sign",
        "-inkey",
        cert.keyPath,
        "-rawin",
        "-in",
        msg,
        "-out",
        sig,
      ]);
    }
    return new Uint8Array(readFileSync(sig));
  }

  /**
   * A CRL from `issuer` made by `openssl ca -gencrl` (SHA-256, cRLNumber,
   * valid for 7 days), revoking `revoked` with `reason` (openssl's names).
   * Returns the PEM text.
   */
  crl(issuer: TestCert, revoked: TestCert[], reason = "keyCompromise"): string {
    const i = this.#n++;
    const db = join(this.dir, `ca${i}`);
    mkdirSync(db);
    writeFileSync(join(db, "index.txt"), "");
    writeFileSync(join(db, "crlnumber"), "01\n");
    writeFileSync(
      join(db, "ca.cnf"),
      "[ca]\ndefault_ca = d\n[d]\ndatabase = index.txt\ncrlnumber = crlnumber\n" +
        "default_md = sha256\ndefault_crl_days = 7\n",
    );
    const ca = ["-config", "ca.cnf", "-keyfile", issuer.keyPath, "-cert", issuer.certPath];
    for (const c of revoked) {
      execFileSync("openssl", ["ca", ...ca, "-revoke", c.certPath, "-crl_reason", reason], {
        cwd: db,
        stdio: ["ignore", "ignore", "pipe"],
      });
    }
    execFileSync("openssl", ["ca", ...ca, "-gencrl", "-out", "crl.pem"], {
      cwd: db,
      stdio: ["ignore", "ignore", "pipe"],
    });
    return readFileSync(join(db, "crl.pem"), "utf8");
  }

  /** Removes the directory. */
  cleanup(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}
