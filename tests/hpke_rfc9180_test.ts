// HPKE (RFC 9180) base mode against the RFC's own test vectors, through the
// default crypto provider.
//
// Vectors: RFC 9180 Appendix A, "Base Setup Information" of A.1
// (DHKEM(X25519, HKDF-SHA256), HKDF-SHA256, AES-128-GCM), A.2 (..., ChaCha20Poly1305),
// A.3 (DHKEM(P-256, HKDF-SHA256), HKDF-SHA256, AES-128-GCM) and A.5 (..., ChaCha20Poly1305),
// copied from the document source in github.com/cfrg/draft-irtf-cfrg-hpke
// (draft-irtf-cfrg-hpke.md, the text published as RFC 9180). Licence: the RFC is
// (c) IETF Trust and the persons identified as its authors, and test vectors are
// published for implementers under the IETF Trust Legal Provisions (BSD-style
// for code components). Only the suites this library implements are kept; the RFC
// has no vector for HKDF-SHA384 or AES-256-GCM with these KEMs, so those suites
// are checked by round trip here and against NSS in the ECH interop tests.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { fromHex, toHex } from "../src/_bytes.ts";
import { webCryptoProvider } from "../src/crypto/webcrypto/provider.ts";
import {
  hpkeKeySchedule,
  type HpkeSuite,
  hpkeSuite,
  setupBaseReceiver,
  setupBaseSender,
} from "../src/crypto/hpke/hpke.ts";

interface HpkeVector {
  name: string;
  kemId: number;
  kdfId: number;
  aeadId: number;
  info: string;
  ikmE: string;
  pkEm: string;
  skEm: string;
  ikmR: string;
  pkRm: string;
  skRm: string;
  enc: string;
  sharedSecret: string;
  key: string;
  baseNonce: string;
  exporterSecret: string;
  pt: string;
  encryptions: { seq: number; aad: string; nonce: string; ct: string }[];
  exports: { context: string; length: number; value: string }[];
}

const VECTORS: readonly HpkeVector[] = [
  {
    name: "DHKEM(X25519, HKDF-SHA256), HKDF-SHA256, AES-128-GCM",
    kemId: 0x0020,
    kdfId: 0x0001,
    aeadId: 0x0001,
    info: "4f6465206f6e2061204772656369616e2055726e",
    ikmE: "7268600d403fce431561aef583ee1613527cff655c1343f29812e66706df3234",
    pkEm: "37fda3567bdbd628e88668c3c8d7e97d1d1253b6d4ea6d44c150f741f1bf4431",
    skEm: "52c4a758a802cd8b936eceea314432798d5baf2d7e9235dc084ab1b9cfa2f736",
    ikmR: "6db9df30aa07dd42ee5e8181afdb977e538f5e1fec8a06223f33f7013e525037",
    pkRm: "3948cfe0ad1ddb695d780e59077195da6c56506b027329794ab02bca80815c4d",
    skRm: "4612c550263fc8ad58375df3f557aac531d26850903e55a9f23f21d8534e8ac8",
    enc: "37fda3567bdbd628e88668c3c8d7e97d1d1253b6d4ea6d44c150f741f1bf4431",
    sharedSecret: "fe0e18c9f024ce43799ae393c7e8fe8fce9d218875e8227b0187c04e7d2ea1fc",
    key: "4531685d41d65f03dc48f6b8302c05b0",
    baseNonce: "56d890e5accaaf011cff4b7d",
    exporterSecret: "45ff1c2e220db587171952c0592d5f5ebe103f1561a2614e38f2ffd47e99e3f8",
    pt: "4265617574792069732074727574682c20747275746820626561757479",
    encryptions: [
      {
        seq: 0,
        aad: "436f756e742d30",
        nonce: "56d890e5accaaf011cff4b7d",
        ct:
          "f938558b5d72f1a23810b4be2ab4f84331acc02fc97babc53a52ae8218a355a96d8770ac83d07bea87e13c512a",
      },
      {
        seq: 1,
        aad: "436f756e742d31",
        nonce: "56d890e5accaaf011cff4b7c",
        ct:
          "af2d7e9ac9ae7e270f46ba1f975be53c09f8d875bdc8535458c2494e8a6eab251c03d0c22a56b8ca42c2063b84",
      },
      {
        seq: 2,
        aad: "436f756e742d32",
        nonce: "56d890e5accaaf011cff4b7f",
        ct:
          "498dfcabd92e8acedc281e85af1cb4e3e31c7dc394a1ca20e173cb72516491588d96a19ad4a683518973dcc180",
      },
      {
        seq: 4,
        aad: "436f756e742d34",
        nonce: "56d890e5accaaf011cff4b79",
        ct:
          "583bd32bc67a5994bb8ceaca813d369bca7b2a42408cddef5e22f880b631215a09fc0012bc69fccaa251c0246d",
      },
      {
        seq: 255,
        aad: "436f756e742d323535",
        nonce: "56d890e5accaaf011cff4b82",
        ct:
          "7175db9717964058640a3a11fb9007941a5d1757fda1a6935c805c21af32505bf106deefec4a49ac38d71c9e0a",
      },
      {
        seq: 256,
        aad: "436f756e742d323536",
        nonce: "56d890e5accaaf011cff4a7d",
        ct:
          "957f9800542b0b8891badb026d79cc54597cb2d225b54c00c5238c25d05c30e3fbeda97d2e0e1aba483a2df9f2",
      },
    ],
    exports: [
      {
        context: "",
        length: 32,
        value: "3853fe2b4035195a573ffc53856e77058e15d9ea064de3e59f4961d0095250ee",
      },
      {
        context: "00",
        length: 32,
        value: "2e8f0b54673c7029649d4eb9d5e33bf1872cf76d623ff164ac185da9e88c21a5",
      },
      {
        context: "54657374436f6e74657874",
        length: 32,
        value: "e9e43065102c3836401bed8c3c3c75ae46be1639869391d62c61f1ec7af54931",
      },
    ],
  },
  {
    name: "DHKEM(X25519, HKDF-SHA256), HKDF-SHA256, ChaCha20Poly1305",
    kemId: 0x0020,
    kdfId: 0x0001,
    aeadId: 0x0003,
    info: "4f6465206f6e2061204772656369616e2055726e",
    ikmE: "909a9b35d3dc4713a5e72a4da274b55d3d3821a37e5d099e74a647db583a904b",
    pkEm: "1afa08d3dec047a643885163f1180476fa7ddb54c6a8029ea33f95796bf2ac4a",
    skEm: "f4ec9b33b792c372c1d2c2063507b684ef925b8c75a42dbcbf57d63ccd381600",
    ikmR: "1ac01f181fdf9f352797655161c58b75c656a6cc2716dcb66372da835542e1df",
    pkRm: "4310ee97d88cc1f088a5576c77ab0cf5c3ac797f3d95139c6c84b5429c59662a",
    skRm: "8057991eef8f1f1af18f4a9491d16a1ce333f695d4db8e38da75975c4478e0fb",
    enc: "1afa08d3dec047a643885163f1180476fa7ddb54c6a8029ea33f95796bf2ac4a",
    sharedSecret: "0bbe78490412b4bbea4812666f7916932b828bba79942424abb65244930d69a7",
    key: "ad2744de8e17f4ebba575b3f5f5a8fa1f69c2a07f6e7500bc60ca6e3e3ec1c91",
    baseNonce: "5c4d98150661b848853b547f",
    exporterSecret: "a3b010d4994890e2c6968a36f64470d3c824c8f5029942feb11e7a74b2921922",
    pt: "4265617574792069732074727574682c20747275746820626561757479",
    encryptions: [
      {
        seq: 0,
        aad: "436f756e742d30",
        nonce: "5c4d98150661b848853b547f",
        ct:
          "1c5250d8034ec2b784ba2cfd69dbdb8af406cfe3ff938e131f0def8c8b60b4db21993c62ce81883d2dd1b51a28",
      },
      {
        seq: 1,
        aad: "436f756e742d31",
        nonce: "5c4d98150661b848853b547e",
        ct:
          "6b53c051e4199c518de79594e1c4ab18b96f081549d45ce015be002090bb119e85285337cc95ba5f59992dc98c",
      },
      {
        seq: 2,
        aad: "436f756e742d32",
        nonce: "5c4d98150661b848853b547d",
        ct:
          "71146bd6795ccc9c49ce25dda112a48f202ad220559502cef1f34271e0cb4b02b4f10ecac6f48c32f878fae86b",
      },
      {
        seq: 4,
        aad: "436f756e742d34",
        nonce: "5c4d98150661b848853b547b",
        ct:
          "63357a2aa291f5a4e5f27db6baa2af8cf77427c7c1a909e0b37214dd47db122bb153495ff0b02e9e54a50dbe16",
      },
      {
        seq: 255,
        aad: "436f756e742d323535",
        nonce: "5c4d98150661b848853b5480",
        ct:
          "18ab939d63ddec9f6ac2b60d61d36a7375d2070c9b683861110757062c52b8880a5f6b3936da9cd6c23ef2a95c",
      },
      {
        seq: 256,
        aad: "436f756e742d323536",
        nonce: "5c4d98150661b848853b557f",
        ct:
          "7a4a13e9ef23978e2c520fd4d2e757514ae160cd0cd05e556ef692370ca53076214c0c40d4c728d6ed9e727a5b",
      },
    ],
    exports: [
      {
        context: "",
        length: 32,
        value: "4bbd6243b8bb54cec311fac9df81841b6fd61f56538a775e7c80a9f40160606e",
      },
      {
        context: "00",
        length: 32,
        value: "8c1df14732580e5501b00f82b10a1647b40713191b7c1240ac80e2b68808ba69",
      },
      {
        context: "54657374436f6e74657874",
        length: 32,
        value: "5acb09211139c43b3090489a9da433e8a30ee7188ba8b0a9a1ccf0c229283e53",
      },
    ],
  },
  {
    name: "DHKEM(P-256, HKDF-SHA256), HKDF-SHA256, AES-128-GCM",
    kemId: 0x0010,
    kdfId: 0x0001,
    aeadId: 0x0001,
    info: "4f6465206f6e2061204772656369616e2055726e",
    ikmE: "4270e54ffd08d79d5928020af4686d8f6b7d35dbe470265f1f5aa22816ce860e",
    pkEm:
      "04a92719c6195d5085104f469a8b9814d5838ff72b60501e2c4466e5e67b325ac98536d7b61a1af4b78e5b7f951c0900be863c403ce65c9bfcb9382657222d18c4",
    skEm: "4995788ef4b9d6132b249ce59a77281493eb39af373d236a1fe415cb0c2d7beb",
    ikmR: "668b37171f1072f3cf12ea8a236a45df23fc13b82af3609ad1e354f6ef817550",
    pkRm:
      "04fe8c19ce0905191ebc298a9245792531f26f0cece2460639e8bc39cb7f706a826a779b4cf969b8a0e539c7f62fb3d30ad6aa8f80e30f1d128aafd68a2ce72ea0",
    skRm: "f3ce7fdae57e1a310d87f1ebbde6f328be0a99cdbcadf4d6589cf29de4b8ffd2",
    enc:
      "04a92719c6195d5085104f469a8b9814d5838ff72b60501e2c4466e5e67b325ac98536d7b61a1af4b78e5b7f951c0900be863c403ce65c9bfcb9382657222d18c4",
    sharedSecret: "c0d26aeab536609a572b07695d933b589dcf363ff9d93c93adea537aeabb8cb8",
    key: "868c066ef58aae6dc589b6cfdd18f97e",
    baseNonce: "4e0bc5018beba4bf004cca59",
    exporterSecret: "14ad94af484a7ad3ef40e9f3be99ecc6fa9036df9d4920548424df127ee0d99f",
    pt: "4265617574792069732074727574682c20747275746820626561757479",
    encryptions: [
      {
        seq: 0,
        aad: "436f756e742d30",
        nonce: "4e0bc5018beba4bf004cca59",
        ct:
          "5ad590bb8baa577f8619db35a36311226a896e7342a6d836d8b7bcd2f20b6c7f9076ac232e3ab2523f39513434",
      },
      {
        seq: 1,
        aad: "436f756e742d31",
        nonce: "4e0bc5018beba4bf004cca58",
        ct:
          "fa6f037b47fc21826b610172ca9637e82d6e5801eb31cbd3748271affd4ecb06646e0329cbdf3c3cd655b28e82",
      },
      {
        seq: 2,
        aad: "436f756e742d32",
        nonce: "4e0bc5018beba4bf004cca5b",
        ct:
          "895cabfac50ce6c6eb02ffe6c048bf53b7f7be9a91fc559402cbc5b8dcaeb52b2ccc93e466c28fb55fed7a7fec",
      },
      {
        seq: 4,
        aad: "436f756e742d34",
        nonce: "4e0bc5018beba4bf004cca5d",
        ct:
          "8787491ee8df99bc99a246c4b3216d3d57ab5076e18fa27133f520703bc70ec999dd36ce042e44f0c3169a6a8f",
      },
      {
        seq: 255,
        aad: "436f756e742d323535",
        nonce: "4e0bc5018beba4bf004ccaa6",
        ct:
          "2ad71c85bf3f45c6eca301426289854b31448bcf8a8ccb1deef3ebd87f60848aa53c538c30a4dac71d619ee2cd",
      },
      {
        seq: 256,
        aad: "436f756e742d323536",
        nonce: "4e0bc5018beba4bf004ccb59",
        ct:
          "10f179686aa2caec1758c8e554513f16472bd0a11e2a907dde0b212cbe87d74f367f8ffe5e41cd3e9962a6afb2",
      },
    ],
    exports: [
      {
        context: "",
        length: 32,
        value: "5e9bc3d236e1911d95e65b576a8a86d478fb827e8bdfe77b741b289890490d4d",
      },
      {
        context: "00",
        length: 32,
        value: "6cff87658931bda83dc857e6353efe4987a201b849658d9b047aab4cf216e796",
      },
      {
        context: "54657374436f6e74657874",
        length: 32,
        value: "d8f1ea7942adbba7412c6d431c62d01371ea476b823eb697e1f6e6cae1dab85a",
      },
    ],
  },
  {
    name: "DHKEM(P-256, HKDF-SHA256), HKDF-SHA256, ChaCha20Poly1305",
    kemId: 0x0010,
    kdfId: 0x0001,
    aeadId: 0x0003,
    info: "4f6465206f6e2061204772656369616e2055726e",
    ikmE: "f1f1a3bc95416871539ecb51c3a8f0cf608afb40fbbe305c0a72819d35c33f1f",
    pkEm:
      "04c07836a0206e04e31d8ae99bfd549380b072a1b1b82e563c935c095827824fc1559eac6fb9e3c70cd3193968994e7fe9781aa103f5b50e934b5b2f387e381291",
    skEm: "7550253e1147aae48839c1f8af80d2770fb7a4c763afe7d0afa7e0f42a5b3689",
    ikmR: "61092f3f56994dd424405899154a9918353e3e008171517ad576b900ddb275e7",
    pkRm:
      "04a697bffde9405c992883c5c439d6cc358170b51af72812333b015621dc0f40bad9bb726f68a5c013806a790ec716ab8669f84f6b694596c2987cf35baba2a006",
    skRm: "a4d1c55836aa30f9b3fbb6ac98d338c877c2867dd3a77396d13f68d3ab150d3b",
    enc:
      "04c07836a0206e04e31d8ae99bfd549380b072a1b1b82e563c935c095827824fc1559eac6fb9e3c70cd3193968994e7fe9781aa103f5b50e934b5b2f387e381291",
    sharedSecret: "806520f82ef0b03c823b7fc524b6b55a088f566b9751b89551c170f4113bd850",
    key: "a8f45490a92a3b04d1dbf6cf2c3939ad8bfc9bfcb97c04bffe116730c9dfe3fc",
    baseNonce: "726b4390ed2209809f58c693",
    exporterSecret: "4f9bd9b3a8db7d7c3a5b9d44fdc1f6e37d5d77689ade5ec44a7242016e6aa205",
    pt: "4265617574792069732074727574682c20747275746820626561757479",
    encryptions: [
      {
        seq: 0,
        aad: "436f756e742d30",
        nonce: "726b4390ed2209809f58c693",
        ct:
          "6469c41c5c81d3aa85432531ecf6460ec945bde1eb428cb2fedf7a29f5a685b4ccb0d057f03ea2952a27bb458b",
      },
      {
        seq: 1,
        aad: "436f756e742d31",
        nonce: "726b4390ed2209809f58c692",
        ct:
          "f1564199f7e0e110ec9c1bcdde332177fc35c1adf6e57f8d1df24022227ffa8716862dbda2b1dc546c9d114374",
      },
      {
        seq: 2,
        aad: "436f756e742d32",
        nonce: "726b4390ed2209809f58c691",
        ct:
          "39de89728bcb774269f882af8dc5369e4f3d6322d986e872b3a8d074c7c18e8549ff3f85b6d6592ff87c3f310c",
      },
      {
        seq: 4,
        aad: "436f756e742d34",
        nonce: "726b4390ed2209809f58c697",
        ct:
          "bc104a14fbede0cc79eeb826ea0476ce87b9c928c36e5e34dc9b6905d91473ec369a08b1a25d305dd45c6c5f80",
      },
      {
        seq: 255,
        aad: "436f756e742d323535",
        nonce: "726b4390ed2209809f58c66c",
        ct:
          "8f2814a2c548b3be50259713c6724009e092d37789f6856553d61df23ebc079235f710e6af3c3ca6eaba7c7c6c",
      },
      {
        seq: 256,
        aad: "436f756e742d323536",
        nonce: "726b4390ed2209809f58c793",
        ct:
          "b45b69d419a9be7219d8c94365b89ad6951caf4576ea4774ea40e9b7047a09d6537d1aa2f7c12d6ae4b729b4d0",
      },
    ],
    exports: [
      {
        context: "",
        length: 32,
        value: "9b13c510416ac977b553bf1741018809c246a695f45eff6d3b0356dbefe1e660",
      },
      {
        context: "00",
        length: 32,
        value: "6c8b7be3a20a5684edecb4253619d9051ce8583baf850e0cb53c402bdcaf8ebb",
      },
      {
        context: "54657374436f6e74657874",
        length: 32,
        value: "477a50d804c7c51941f69b8e32fe8288386ee1a84905fe4938d58972f24ac938",
      },
    ],
  },
];

const provider = await webCryptoProvider();

function suiteFor(v: HpkeVector): HpkeSuite {
  const suite = hpkeSuite(provider, v.kemId, v.kdfId, v.aeadId);
  assert.ok(suite, `provider lacks ${v.name}`);
  return suite;
}

describe("HPKE base mode: RFC 9180 Appendix A vectors", () => {
  for (const v of VECTORS) {
    it(`${v.name}: DeriveKeyPair, Encap, Decap`, async () => {
      const { kem } = suiteFor(v);
      const e = await kem.deriveKeyPair(fromHex(v.ikmE));
      assert.equal(toHex(e.privateKey), v.skEm);
      assert.equal(toHex(e.publicKey), v.pkEm);
      const r = await kem.deriveKeyPair(fromHex(v.ikmR));
      assert.equal(toHex(r.privateKey), v.skRm);
      assert.equal(toHex(r.publicKey), v.pkRm);
      const { enc, sharedSecret } = await kem.encap(fromHex(v.pkRm), e);
      assert.equal(toHex(enc), v.enc);
      assert.equal(toHex(sharedSecret), v.sharedSecret);
      assert.equal(toHex(await kem.decap(fromHex(v.enc), fromHex(v.skRm))), v.sharedSecret);
    });

    it(`${v.name}: key schedule`, async () => {
      const out = await hpkeKeySchedule(suiteFor(v), fromHex(v.sharedSecret), fromHex(v.info));
      assert.equal(toHex(out.key), v.key);
      assert.equal(toHex(out.baseNonce), v.baseNonce);
      assert.equal(toHex(out.exporterSecret), v.exporterSecret);
    });

    it(`${v.name}: Seal / Open by sequence number, Export`, async () => {
      const suite = suiteFor(v);
      const ephemeral = { privateKey: fromHex(v.skEm), publicKey: fromHex(v.pkEm) };
      const info = fromHex(v.info);
      const { enc, context: sender } = await setupBaseSender(
        suite,
        fromHex(v.pkRm),
        info,
        ephemeral,
      );
      assert.equal(toHex(enc), v.enc);
      const receiver = await setupBaseReceiver(suite, enc, fromHex(v.skRm), info);
      const pt = fromHex(v.pt);
      for (const e of v.encryptions) {
        // Advance both contexts to the vector's sequence number.
        while (sender.seq < e.seq) {
          const filler = await sender.seal(new Uint8Array(0), pt);
          assert.ok(await receiver.open(new Uint8Array(0), filler));
        }
        const ct = await sender.seal(fromHex(e.aad), pt);
        assert.equal(toHex(ct), e.ct, `seq ${e.seq}`);
        const opened = await receiver.open(fromHex(e.aad), fromHex(e.ct));
        assert.ok(opened);
        assert.equal(toHex(opened), v.pt);
      }
      for (const x of v.exports) {
        assert.equal(toHex(await sender.export(fromHex(x.context), x.length)), x.value);
        assert.equal(toHex(await receiver.export(fromHex(x.context), x.length)), x.value);
      }
    });
  }
});

describe("HPKE base mode: failures", () => {
  const v = VECTORS[0];

  it("a tampered ciphertext or AAD opens to null and does not advance the sequence", async () => {
    const suite = suiteFor(v);
    const receiver = await setupBaseReceiver(
      suite,
      fromHex(v.enc),
      fromHex(v.skRm),
      fromHex(v.info),
    );
    const first = v.encryptions[0];
    const bad = fromHex(first.ct);
    bad[bad.length - 1] ^= 1;
    assert.equal(await receiver.open(fromHex(first.aad), bad), null);
    assert.equal(await receiver.open(fromHex("00"), fromHex(first.ct)), null);
    assert.equal(receiver.seq, 0);
    assert.ok(await receiver.open(fromHex(first.aad), fromHex(first.ct)));
    assert.equal(receiver.seq, 1);
  });

  it("a wrong info gives a context that cannot open", async () => {
    const suite = suiteFor(v);
    const receiver = await setupBaseReceiver(suite, fromHex(v.enc), fromHex(v.skRm), fromHex("00"));
    const first = v.encryptions[0];
    assert.equal(await receiver.open(fromHex(first.aad), fromHex(first.ct)), null);
  });

  for (const vec of [VECTORS[0], VECTORS[2]]) {
    it(`${vec.name}: malformed encapsulated keys are TypeErrors`, async () => {
      const { kem } = suiteFor(vec);
      const sk = fromHex(vec.skRm);
      const enc = fromHex(vec.enc);
      await assert.rejects(kem.decap(enc.subarray(1), sk), TypeError);
      await assert.rejects(kem.decap(new Uint8Array(enc.length + 1), sk), TypeError);
      if (vec.kemId === 0x0020) {
        // The all-zero point is of small order: the X25519 result would be zero.
        await assert.rejects(kem.decap(new Uint8Array(32), sk), TypeError);
      } else {
        const offCurve = enc.slice();
        offCurve[64] ^= 1;
        await assert.rejects(kem.decap(offCurve, sk), TypeError);
      }
    });
  }
});

describe("HPKE base mode: every suite ECH may use", () => {
  for (const kemId of [0x0020, 0x0010]) {
    for (const kdfId of [0x0001, 0x0002]) {
      for (const aeadId of [0x0001, 0x0002, 0x0003]) {
        it(`KEM ${kemId} KDF ${kdfId} AEAD ${aeadId}: a fresh key pair round-trips`, async () => {
          const suite = hpkeSuite(provider, kemId, kdfId, aeadId);
          assert.ok(suite);
          assert.equal(suite.aead.aead.keyLen, aeadId === 0x0001 ? 16 : 32);
          assert.equal(suite.kdf.hmac.hash.outputLen, kdfId === 0x0001 ? 32 : 48);
          const r = await suite.kem.generateKeyPair();
          const info = new TextEncoder().encode("tls ech");
          const { enc, context } = await setupBaseSender(suite, r.publicKey, info);
          const msg = new TextEncoder().encode("ClientHelloInner");
          const ct1 = await context.seal(info, msg);
          const ct2 = await context.seal(info, msg);
          assert.notEqual(toHex(ct1), toHex(ct2)); // the second uses nonce seq 1
          const receiver = await setupBaseReceiver(suite, enc, r.privateKey, info);
          assert.equal(toHex((await receiver.open(info, ct1))!), toHex(msg));
          assert.equal(toHex((await receiver.open(info, ct2))!), toHex(msg));
          const other = await suite.kem.generateKeyPair();
          const wrong = await setupBaseReceiver(suite, enc, other.privateKey, info);
          assert.equal(await wrong.open(info, ct1), null);
        });
      }
    }
  }

  it("unknown identifiers give no suite", () => {
    assert.equal(hpkeSuite(provider, 0x0011, 1, 1), undefined); // P-384 KEM
    assert.equal(hpkeSuite(provider, 0x0020, 0x0003, 1), undefined); // HKDF-SHA512
    assert.equal(hpkeSuite(provider, 0x0020, 1, 0xffff), undefined); // export-only
  });
});
