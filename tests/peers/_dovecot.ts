// A throw-away Dovecot (Debian dovecot-imapd + dovecot-submissiond) on
// 127.0.0.1: IMAP and SMTP submission with STARTTLS, configured in a temp dir
// (the machine's /etc/dovecot is never read), run in the foreground and
// stopped by PID.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PeerProcess } from "./_spawn.ts";
import { freePort } from "./_free_port.ts";

/** A running Dovecot; `stop()` in a `finally`. */
export interface Dovecot {
  imapPort: number;
  smtpPort: number;
  peer: PeerProcess;
  stop(): Promise<void>;
}

/** Starts Dovecot with `certPem`/`keyPem` for TLS; resolves once both ports accept. */
export async function startDovecot(certPem: string, keyPem: string): Promise<Dovecot> {
  const dir = mkdtempSync(join(tmpdir(), "kerneltls-dovecot-"));
  const [imapPort, smtpPort] = [await freePort(), await freePort()];
  writeFileSync(join(dir, "cert.pem"), certPem);
  writeFileSync(join(dir, "key.pem"), keyPem, { mode: 0o600 });
  writeFileSync(
    join(dir, "dovecot.conf"),
    `base_dir = ${dir}/run
state_dir = ${dir}/state
log_path = /dev/stderr
protocols = imap submission
listen = 127.0.0.1
hostname = localhost
ssl = yes
ssl_cert = <${dir}/cert.pem
ssl_key = <${dir}/key.pem
ssl_min_protocol = TLSv1.2
disable_plaintext_auth = yes
auth_mechanisms = plain
passdb {
  driver = static
  args = password=secret
}
userdb {
  driver = static
  args = uid=nobody gid=nogroup home=${dir}/home
}
submission_relay_host = 127.0.0.1
submission_relay_port = 9
service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = ${imapPort}
  }
  inet_listener imaps {
    port = 0
  }
}
service submission-login {
  inet_listener submission {
    address = 127.0.0.1
    port = ${smtpPort}
  }
}
`,
  );
  const peer = new PeerProcess("dovecot", ["-F", "-c", join(dir, "dovecot.conf")]);
  const stop = async () => {
    await peer.stop();
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await peer.waitFor("starting up");
    for (const port of [imapPort, smtpPort]) await waitForPort(port, peer);
  } catch (e) {
    await stop();
    throw e;
  }
  return { imapPort, smtpPort, peer, stop };
}

async function waitForPort(port: number, peer: PeerProcess): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if (peer.exited) throw new Error(`dovecot exited:\n${peer.output}`);
    const ok = await new Promise<boolean>((resolve) => {
      const s = connect(port, "127.0.0.1");
      s.once("connect", () => {
        s.destroy();
        resolve(true);
      });
      s.once("error", () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`dovecot did not listen on ${port}:\n${peer.output}`);
}
