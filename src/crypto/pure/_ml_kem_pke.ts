/**
 * K-PKE for ML-KEM-768 (FIPS 203 section 5): k = 3, eta1 = eta2 = 2,
 * du = 10, dv = 4. Inputs are assumed already length-checked by the caller.
 *
 * @module
 */

import {
  addTo,
  baseMulAcc,
  byteDecode,
  byteEncode,
  canonical,
  compress,
  decompress,
  invNtt,
  ntt,
  reduce,
  sampleCbd2,
  sampleNtt,
  toMont,
} from "./_ml_kem_poly.ts";
import { sha3_512, shake256 } from "./_sha3.ts";

/** Module rank of ML-KEM-768. */
export const K = 3;
/** Encoded size of one polynomial with 12-bit coefficients. */
export const POLY_BYTES = 384;
/** K-PKE encryption key (and ML-KEM encapsulation key) length. */
export const EK_BYTES = K * POLY_BYTES + 32;
/** K-PKE decryption key length. */
export const DK_PKE_BYTES = K * POLY_BYTES;
const DU = 10;
const DV = 4;
const C1_BYTES = K * 32 * DU;
/** Ciphertext length. */
export const CT_BYTES = C1_BYTES + 32 * DV;

function polys(n: number): Int16Array[] {
  return Array.from({ length: n }, () => new Int16Array(256));
}

/** The K x K matrix A-hat from rho, row-major; `transpose` gives A-hat^T. */
function expandMatrix(rho: Uint8Array, transpose: boolean): Int16Array[] {
  const a = polys(K * K);
  for (let i = 0; i < K; i++) {
    for (let j = 0; j < K; j++) {
      if (transpose) sampleNtt(rho, i, j, a[i * K + j]);
      else sampleNtt(rho, j, i, a[i * K + j]);
    }
  }
  return a;
}

const prfInput = new Uint8Array(33);

/** s <- SamplePolyCBD_2(PRF_2(sigma, n)). */
function sampleNoise(sigma: Uint8Array, n: number, r: Int16Array): void {
  prfInput.set(sigma);
  prfInput[32] = n;
  sampleCbd2(shake256(128, prfInput), r);
  prfInput.fill(0);
}

/** K-PKE.KeyGen (Algorithm 13) from the 32-byte seed d: returns { ek, dkPke }. */
export function pkeKeyGen(d: Uint8Array): { ek: Uint8Array; dkPke: Uint8Array } {
  const g = sha3_512(d, Uint8Array.of(K));
  const rho = g.slice(0, 32);
  const sigma = g.subarray(32);
  const a = expandMatrix(rho, false);
  const s = polys(K);
  const e = polys(K);
  for (let i = 0; i < K; i++) sampleNoise(sigma, i, s[i]);
  for (let i = 0; i < K; i++) sampleNoise(sigma, K + i, e[i]);
  for (let i = 0; i < K; i++) {
    ntt(s[i]);
    ntt(e[i]);
  }
  const ek = new Uint8Array(EK_BYTES);
  const dkPke = new Uint8Array(DK_PKE_BYTES);
  const t = new Int16Array(256);
  for (let i = 0; i < K; i++) {
    t.fill(0);
    for (let j = 0; j < K; j++) baseMulAcc(t, a[i * K + j], s[j]);
    toMont(t);
    addTo(t, e[i]);
    canonical(t);
    byteEncode(t, 12, ek, i * POLY_BYTES);
  }
  ek.set(rho, K * POLY_BYTES);
  for (let i = 0; i < K; i++) {
    canonical(s[i]);
    byteEncode(s[i], 12, dkPke, i * POLY_BYTES);
    s[i].fill(0);
    e[i].fill(0);
  }
  g.fill(0);
  return { ek, dkPke };
}

/** K-PKE.Encrypt (Algorithm 14): ek, 32-byte message m, 32-byte randomness r. */
export function pkeEncrypt(ek: Uint8Array, m: Uint8Array, r: Uint8Array): Uint8Array {
  const t = polys(K);
  for (let i = 0; i < K; i++) byteDecode(ek, i * POLY_BYTES, 12, t[i]);
  const at = expandMatrix(ek.subarray(K * POLY_BYTES), true);
  const y = polys(K);
  const e1 = polys(K);
  const e2 = new Int16Array(256);
  for (let i = 0; i < K; i++) sampleNoise(r, i, y[i]);
  for (let i = 0; i < K; i++) sampleNoise(r, K + i, e1[i]);
  sampleNoise(r, 2 * K, e2);
  for (let i = 0; i < K; i++) ntt(y[i]);

  const ct = new Uint8Array(CT_BYTES);
  const u = new Int16Array(256);
  for (let i = 0; i < K; i++) {
    u.fill(0);
    for (let j = 0; j < K; j++) baseMulAcc(u, at[i * K + j], y[j]);
    reduce(u);
    invNtt(u);
    addTo(u, e1[i]);
    canonical(u);
    compress(u, DU);
    byteEncode(u, DU, ct, i * 32 * DU);
  }

  const v = new Int16Array(256);
  for (let j = 0; j < K; j++) baseMulAcc(v, t[j], y[j]);
  reduce(v);
  invNtt(v);
  addTo(v, e2);
  const mu = new Int16Array(256);
  byteDecode(m, 0, 1, mu);
  decompress(mu, 1);
  addTo(v, mu);
  canonical(v);
  compress(v, DV);
  byteEncode(v, DV, ct, C1_BYTES);

  for (const p of [...y, ...e1, e2, mu, v, u]) p.fill(0);
  return ct;
}

/** K-PKE.Decrypt (Algorithm 15): returns the 32-byte message. */
export function pkeDecrypt(dkPke: Uint8Array, ct: Uint8Array): Uint8Array {
  const w = new Int16Array(256);
  const u = new Int16Array(256);
  const s = new Int16Array(256);
  for (let i = 0; i < K; i++) {
    byteDecode(ct, i * 32 * DU, DU, u);
    decompress(u, DU);
    ntt(u);
    byteDecode(dkPke, i * POLY_BYTES, 12, s);
    baseMulAcc(w, s, u);
  }
  reduce(w);
  invNtt(w);
  const v = new Int16Array(256);
  byteDecode(ct, C1_BYTES, DV, v);
  decompress(v, DV);
  for (let i = 0; i < 256; i++) w[i] = v[i] - w[i];
  canonical(w);
  compress(w, 1);
  const m = new Uint8Array(32);
  byteEncode(w, 1, m, 0);
  w.fill(0);
  s.fill(0);
  return m;
}

/**
 * FIPS 203 section 7.2 modulus check: every 12-bit coefficient of the encoded
 * vector is below q (equivalently, ByteEncode_12(ByteDecode_12(ek)) == ek).
 * Public data, so the early exit is fine.
 */
export function ekModulusOk(ek: Uint8Array): boolean {
  for (let i = 0; i < K * POLY_BYTES; i += 3) {
    const b1 = ek[i + 1];
    if ((ek[i] | ((b1 & 0x0f) << 8)) >= 3329 || ((b1 >> 4) | (ek[i + 2] << 4)) >= 3329) {
      return false;
    }
  }
  return true;
}
