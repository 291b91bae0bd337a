// Body codecs of the Encrypted Client Hello extensions (RFC 9849 sections 5
// and 5.1), one per message they appear in; the tables are in _ext_codecs.ts.

import { decodeError, illegalParameter } from "../error.ts";
import { ExtensionType } from "./enums.ts";
import type { ExtCodec } from "./_ext_helpers.ts";
import type {
  EchHelloRetryRequestExtension,
  EchInnerClientHelloExtension,
  EchOuterClientHelloExtension,
  EchOuterExtensionsExtension,
  EchRetryConfigsExtension,
} from "./extension_types.ts";
import { readEchConfigList } from "./ech_config.ts";

const OUTER = 0;
const INNER = 1;

/** Length of the HelloRetryRequest confirmation (section 7.2.1). */
export const ECH_CONFIRMATION_LENGTH = 8;

/** ECHClientHello: outer or inner; any other type is illegal_parameter (section 7). */
export const echClientHello: ExtCodec<EchOuterClientHelloExtension | EchInnerClientHelloExtension> =
  {
    read(r) {
      const kind = r.u8();
      const type = ExtensionType.encrypted_client_hello;
      if (kind === INNER) return { type, kind: "inner" };
      if (kind !== OUTER) {
        throw illegalParameter(`encrypted_client_hello: unknown type ${kind}`, "InvalidEch");
      }
      const cipherSuite = { kdfId: r.u16(), aeadId: r.u16() };
      const configId = r.u8();
      const enc = r.vec16();
      const payload = r.vec16();
      if (payload.length === 0) {
        throw decodeError("encrypted_client_hello: empty payload", "EmptyList");
      }
      return { type, kind: "outer", cipherSuite, configId, enc, payload };
    },
    write(w, ext) {
      if (ext.kind === "inner") {
        w.u8(INNER);
        return;
      }
      if (ext.payload.length === 0) throw new RangeError("ECH payload must not be empty");
      w.u8(OUTER).u16(ext.cipherSuite.kdfId).u16(ext.cipherSuite.aeadId).u8(ext.configId);
      w.vec16(ext.enc).vec16(ext.payload);
    },
  };

/** OuterExtensions<2..254>: a u8-length list of extension types. */
export const echOuterExtensions: ExtCodec<EchOuterExtensionsExtension> = {
  read(r) {
    const list = r.sub8("ech_outer_extensions");
    if (list.remaining < 2 || list.remaining % 2 !== 0) {
      throw decodeError("ech_outer_extensions: bad length", "OddLength");
    }
    const types: number[] = [];
    while (!list.atEnd) types.push(list.u16());
    return { type: ExtensionType.ech_outer_extensions, types };
  },
  write(w, ext) {
    if (ext.types.length === 0 || ext.types.length > 127) {
      throw new RangeError("ech_outer_extensions needs 1..127 types");
    }
    w.lengthPrefixed(1, (l) => {
      for (const t of ext.types) l.u16(t);
    });
  },
};

/** ECHEncryptedExtensions: retry_configs, which must decode (section 6.1.6). */
export const echRetryConfigs: ExtCodec<EchRetryConfigsExtension> = {
  read(r) {
    const retryConfigs = r.rest();
    readEchConfigList(retryConfigs);
    return { type: ExtensionType.encrypted_client_hello, retryConfigs };
  },
  write: (w, ext) => void w.bytes(ext.retryConfigs),
};

/** ECHHelloRetryRequest: exactly eight bytes, else decode_error (section 6.1.4). */
export const echHelloRetryRequest: ExtCodec<EchHelloRetryRequestExtension> = {
  read(r) {
    const confirmation = r.rest();
    if (confirmation.length !== ECH_CONFIRMATION_LENGTH) {
      throw decodeError("encrypted_client_hello in HelloRetryRequest is not 8 bytes", "InvalidEch");
    }
    return { type: ExtensionType.encrypted_client_hello, confirmation };
  },
  write(w, ext) {
    if (ext.confirmation.length !== ECH_CONFIRMATION_LENGTH) {
      throw new RangeError("ECH confirmation must be 8 bytes");
    }
    w.bytes(ext.confirmation);
  },
};
