/**
 * Starting a client handshake: the first ClientHello, queued for encoding.
 *
 * @module
 */

import { ConnectionCore } from "../common/core.ts";
import { parseServerName } from "../webpki/name.ts";
import type { ResolvedClientConfig } from "./config.ts";
import { buildClientHello } from "./client_hello.ts";
import { takeResumableSession } from "./resumption.ts";
import { ClientHandshakeData } from "./handshake_data.ts";
import { ExpectServerHello } from "./expect_server_hello.ts";

/**
 * Creates the core with the first ClientHello queued. One key share is sent:
 * for the group the server picked last time when known, else the most
 * preferred one. A stored ticket for `serverName` is offered when usable.
 */
export async function startClient(
  config: ResolvedClientConfig,
  serverName: string,
): Promise<ConnectionCore> {
  const hs = new ClientHandshakeData(config, serverName, parseServerName(serverName));
  const hint = await config.sessionStore?.kxHint(serverName);
  const first = config.kxGroups.find((g) => g.group === hint) ?? config.kxGroups[0];
  hs.keyShares = [await first.start()];
  hs.offer = await takeResumableSession(config, serverName);
  const hello = await buildClientHello(
    hs,
    hs.keyShares.map((k) => ({ group: k.group, keyExchange: k.publicKey })),
  );
  hs.transcript.add(hello);
  const core = new ConnectionCore(new ExpectServerHello(hs), {
    maxFragmentSize: config.maxFragmentSize,
    initialRecordVersion: 0x0301,
  });
  core.ccsAllowed = true;
  core.sendHandshake(hello);
  return core;
}
