/**
 * kerneltls: a sans-IO TLS 1.3 / 1.2 engine whose connections can hand their
 * traffic keys to another record layer (a Worker, native code, kTLS, WASM).
 *
 * @example
 * ```ts
 * import { TlsError } from "@kerneltls/tls";
 * console.log(new TlsError("General", "example").kind); // General
 * ```
 *
 * @module
 */

export { InsufficientSizeError, TlsError } from "./src/error.ts";
export type { TlsErrorKind, TlsErrorOptions } from "./src/error.ts";
export type {
  ActiveKeyExchange,
  Aead,
  AeadKey,
  AeadKind,
  CryptoProvider,
  Hash,
  Hmac,
  KeyExchangeGroup,
  SignatureVerifier,
  SigningKey,
  SupportedCipherSuite,
  Tls12CipherSuite,
  Tls13CipherSuite,
} from "./src/crypto/types.ts";
export {
  AlertDescription,
  CipherSuiteId,
  NamedGroup,
  ProtocolVersion,
  SignatureScheme,
} from "./src/msgs/enums.ts";
