/**
 * kerneltls: a sans-IO TLS 1.3 engine whose connections can hand their
 * traffic keys to another record layer (a Worker, native code, kTLS, WASM).
 *
 * Drive an {@link UnbufferedClientConnection} or
 * {@link UnbufferedServerConnection} with `processTlsRecords`, then either keep
 * using it for application data or call `dangerousIntoKernelConnection()` and
 * move the data plane elsewhere.
 *
 * @example
 * ```ts
 * import { ClientConfig, RootCertStore, UnbufferedClientConnection } from "@kerneltls/tls";
 * const config = new ClientConfig({ roots: new RootCertStore(), enableSecretExtraction: true });
 * const client = await UnbufferedClientConnection.create(config, "example.com");
 * const { state } = await client.processTlsRecords(new Uint8Array(0));
 * console.log(state.kind); // "EncodeTlsData": the ClientHello is ready
 * ```
 *
 * @module
 */

export { EchRejectedError, InsufficientSizeError, TlsError } from "./src/error.ts";
export type { TlsErrorKind, TlsErrorOptions } from "./src/error.ts";
export {
  isTlsErrorDetail,
  TLS_ERROR_DETAIL_GROUPS,
  TLS_ERROR_DETAILS,
} from "./src/error_details.ts";
export type { TlsErrorDetail } from "./src/error_details.ts";

export {
  UnbufferedClientConnection,
  UnbufferedConnectionCommon,
  UnbufferedServerConnection,
} from "./src/conn/unbuffered.ts";
export {
  BlockedHandshake,
  Closed,
  EncodeTlsData,
  MayEncryptEarlyData,
  PeerClosed,
  ReadEarlyData,
  ReadTraffic,
  TransmitTlsData,
  WriteTraffic,
} from "./src/conn/states.ts";
export type {
  AppDataRecord,
  ConnectionState,
  EarlyDataWritten,
  UnbufferedStatus,
} from "./src/conn/states.ts";
export { ClientKernelConnection, KernelConnection } from "./src/conn/kernel.ts";
export type {
  ConnectionTrafficSecrets,
  DirectionSecrets,
  ExtractedSecrets,
  KernelCipherSuite,
} from "./src/conn/kernel.ts";
export type { HandshakeKind } from "./src/common/info.ts";
export type { CancelReason } from "./src/common/cancel.ts";
export {
  TLS_EXPORTER_LABEL,
  tlsExporterChannelBinding,
  tlsServerEndPointChannelBinding,
} from "./src/conn/channel_binding.ts";
export type { KeyingMaterialExporter } from "./src/conn/channel_binding.ts";

export { ClientConfig } from "./src/client/config.ts";
export type { ClientConfigOptions, ResolvedClientConfig } from "./src/client/config.ts";
export { InMemoryClientSessionStore } from "./src/client/session_store.ts";
export {
  CLIENT_SESSION_FORMAT,
  clientSessionExpiry,
  decodeClientSession,
  encodeClientSession,
} from "./src/client/session_codec.ts";
export type { DecodedClientSession } from "./src/client/session_codec.ts";
export { KeyValueClientSessionStore } from "./src/client/kv_session_store.ts";
export type {
  KeyValueClientSessionStoreOptions,
  SessionKeyValue,
} from "./src/client/kv_session_store.ts";
export type {
  ClientSessionStore,
  InMemoryClientSessionStoreOptions,
  Tls12ClientSession,
  Tls13ClientSession,
} from "./src/client/session_store.ts";
export { ServerConfig } from "./src/server/config.ts";
export { InMemoryServerSessionStore } from "./src/server/session_store.ts";
export type {
  InMemoryServerSessionStoreOptions,
  ServerSessionStore,
} from "./src/server/session_store.ts";
export type { ServerSessionValue } from "./src/server/session_value.ts";
export { RotatingTicketer } from "./src/server/ticketer.ts";
export { generateEchConfig } from "./src/server/ech_keys.ts";
export type {
  EchKey,
  GenerateEchConfigOptions,
  ResolvedEch,
  ServerEchKey,
} from "./src/server/ech_keys.ts";
export type { ChosenEchConfig } from "./src/client/ech_select.ts";
export type { HpkeAead, HpkeKdf, HpkeSuite } from "./src/crypto/hpke/hpke.ts";
export {
  ECH_CONFIG_VERSION,
  encodeEchConfig,
  encodeEchConfigList,
  readEchConfigList,
} from "./src/msgs/ech_config.ts";
export type {
  EchConfig,
  EchConfigContents,
  EchConfigExtension,
  HpkeSymmetricCipherSuite,
} from "./src/msgs/ech_config.ts";
export type { RotatingTicketerOptions, Ticketer } from "./src/server/ticketer.ts";
export type {
  CertResolver,
  ClientHelloInfo,
  ResolvedServerConfig,
  ServerConfigOptions,
} from "./src/server/config.ts";
export type {
  CertChainInput,
  CertifiedKey,
  CommonConfigOptions,
  KeyLog,
  ResolvedCommon,
  TlsVersion,
} from "./src/common/config_base.ts";
export { TlsConfig } from "./src/common/config_base.ts";

export { RootCertStore } from "./src/webpki/root_store.ts";
export {
  WebPkiClientVerifier,
  WebPkiServerVerifier,
  WebPkiVerifier,
} from "./src/webpki/verifier.ts";
export type {
  ClientCertVerifier,
  HandshakeSignatureVerifier,
  ServerCertVerifier,
  WebPkiClientVerifierOptions,
  WebPkiVerifierOptions,
} from "./src/webpki/verifier.ts";
export type { RsaMinimumBits } from "./src/webpki/algorithms.ts";
export { CertRevocationList } from "./src/webpki/crl.ts";
export type { RevocationOptions } from "./src/webpki/revocation.ts";
export { dangerousNoServerVerification } from "./src/webpki/dangerous.ts";

export { webCryptoProvider } from "./src/crypto/webcrypto/provider.ts";
export type { WebCryptoProviderOptions } from "./src/crypto/webcrypto/provider.ts";
export type {
  ActiveKeyExchange,
  Aead,
  AeadKey,
  AeadKind,
  CryptoProvider,
  Hash,
  HashState,
  Hmac,
  HpkeKem,
  HpkeKeyPair,
  KeyedHmac,
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
export type { AlertDescriptionValue } from "./src/msgs/enums.ts";
