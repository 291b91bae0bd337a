// One casing rule for the IANA tables (issue 15 item 7): members are spelt as
// their registries spell them, snake_case wherever the registry is.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  AlertDescription,
  AlertLevel,
  alertName,
  ClientCertificateType,
  ContentType,
  ExtensionType,
  handshakeName,
  HandshakeType,
  KeyUpdateRequest,
  NamedGroup,
  PskKeyExchangeMode,
  SignatureScheme,
} from "./enums.ts";

describe("IANA tables", () => {
  it("snake_case registries keep their spelling", () => {
    const tables = {
      ContentType,
      HandshakeType,
      AlertLevel,
      AlertDescription,
      ExtensionType,
      SignatureScheme,
      PskKeyExchangeMode,
      KeyUpdateRequest,
      ClientCertificateType,
    };
    for (const [table, members] of Object.entries(tables)) {
      for (const name of Object.keys(members)) {
        assert.match(name, /^[a-z][a-z0-9_]*$/, `${table}.${name}`);
      }
    }
  });

  it("supported groups as the registry writes them", () => {
    assert.deepEqual(Object.keys(NamedGroup), [
      "secp256r1",
      "secp384r1",
      "secp521r1",
      "x25519",
      "x448",
      "MLKEM768",
      "SecP256r1MLKEM768",
      "X25519MLKEM768",
    ]);
  });

  it("names come back as the RFC writes them", () => {
    assert.equal(alertName(48), "unknown_ca");
    assert.equal(alertName(200), "unknown(200)");
    assert.equal(handshakeName(1), "client_hello");
    assert.equal(handshakeName(99), "handshake type 99");
  });
});
