// Debian's Firefox ESR (NSS) as a TLS client: a fresh profile in a temp dir
// that trusts one CA (added with NSS's certutil) and makes no background
// connections, and `--headless --screenshot` of one URL.
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import process from "node:process";
import { peerMissing, PeerProcess } from "./_spawn.ts";

/** The Firefox binary: $KERNELTLS_FIREFOX, else Debian's firefox-esr, else firefox. */
export const FIREFOX = process.env.KERNELTLS_FIREFOX ??
  ["/usr/bin/firefox-esr", "/usr/bin/firefox"].find((p) => existsSync(p)) ?? "firefox-esr";

/** Undefined when Firefox and certutil can run; else a skip message (an error when CI=true). */
export function firefoxMissing(): string | undefined {
  return peerMissing(FIREFOX) ?? peerMissing("certutil", ["-H"]);
}

/**
 * Preferences that keep a test profile off the network except for the page
 * it is told to load: no updates, telemetry, studies, captive-portal or
 * connectivity checks, Safe Browsing, remote settings, OCSP, DNS over HTTPS,
 * prefetching or speculative connections; IPv4 only.
 */
const PREFS: Record<string, boolean | number | string> = {
  "app.update.auto": false,
  "app.update.disabledForTesting": true,
  "app.update.enabled": false,
  "app.normandy.enabled": false,
  "app.shield.optoutstudies.enabled": false,
  "browser.aboutwelcome.enabled": false,
  "browser.discovery.enabled": false,
  "browser.newtabpage.enabled": false,
  "browser.region.network.url": "",
  "browser.safebrowsing.blockedURIs.enabled": false,
  "browser.safebrowsing.downloads.enabled": false,
  "browser.safebrowsing.malware.enabled": false,
  "browser.safebrowsing.phishing.enabled": false,
  "browser.safebrowsing.provider.mozilla.updateURL": "",
  "browser.safebrowsing.provider.google4.updateURL": "",
  "browser.search.update": false,
  "browser.sessionstore.resume_from_crash": false,
  "browser.shell.checkDefaultBrowser": false,
  "browser.startup.homepage_override.mstone": "ignore",
  "browser.startup.page": 0,
  "browser.topsites.contile.enabled": false,
  "datareporting.healthreport.uploadEnabled": false,
  "datareporting.policy.dataSubmissionEnabled": false,
  "extensions.blocklist.enabled": false,
  "extensions.getAddons.cache.enabled": false,
  "extensions.update.enabled": false,
  "geo.provider.network.url": "",
  "media.gmp-manager.url": "",
  "network.captive-portal-service.enabled": false,
  "network.connectivity-service.enabled": false,
  "network.dns.disableIPv6": true,
  "network.dns.disablePrefetch": true,
  "network.http.speculative-parallel-limit": 0,
  "network.predictor.enabled": false,
  "network.prefetch-next": false,
  "network.proxy.type": 0,
  "network.trr.mode": 5,
  "security.OCSP.enabled": 0,
  "security.remote_settings.crlite_filters.enabled": false,
  "services.settings.server": "http://127.0.0.1:9/",
  "toolkit.telemetry.enabled": false,
  "toolkit.telemetry.server": "",
  "toolkit.telemetry.unified": false,
};

/** Runs NSS's certutil; throws with its output when it fails. */
async function certutil(args: string[]): Promise<void> {
  const p = new PeerProcess("certutil", args);
  try {
    const code = await p.waitExit();
    if (code !== 0) throw new Error(`certutil ${args.join(" ")} exited ${code}:\n${p.output}`);
  } finally {
    await p.stop();
  }
}

/**
 * Makes `dir` a Firefox profile (an NSS database and user.js) that trusts
 * `caPem` for TLS servers, or no CA of ours when it is undefined.
 */
export async function makeFirefoxProfile(dir: string, caPem: string | undefined): Promise<void> {
  const prefs = Object.entries(PREFS).map(([k, v]) =>
    `user_pref(${JSON.stringify(k)}, ${JSON.stringify(v)});`
  );
  writeFileSync(join(dir, "user.js"), prefs.join("\n") + "\n");
  await certutil(["-N", "-d", `sql:${dir}`, "--empty-password"]);
  if (caPem === undefined) return;
  const caFile = join(dir, "ca.pem");
  writeFileSync(caFile, caPem);
  await certutil(["-A", "-d", `sql:${dir}`, "-t", "C,,", "-n", "test-ca", "-i", caFile]);
}

/** How a Firefox run ended. */
export interface FirefoxRun {
  /** False when `stopWhen` settled first and Firefox was stopped. */
  exited: boolean;
  code: number | null;
  output: string;
}

/**
 * Loads `url` in headless Firefox with `profile` and writes a screenshot to
 * `png`; Firefox exits by itself once the page has loaded (not on an error
 * page). It is stopped by PID (its process group) when `stopWhen` settles
 * first; not done within `timeoutMs`, it is stopped and this throws.
 */
export async function firefoxScreenshot(
  profile: string,
  url: string,
  png: string,
  opts: { width: number; height: number; timeoutMs: number; stopWhen?: Promise<unknown> },
): Promise<FirefoxRun> {
  const firefox = PeerProcess.group(FIREFOX, [
    "--headless",
    "--no-remote",
    "--profile",
    profile,
    "--window-size",
    `${opts.width},${opts.height}`,
    "--screenshot",
    png,
    url,
  ]);
  try {
    const exit = firefox.waitExit(opts.timeoutMs).then(() => true);
    const stop = opts.stopWhen?.then(() => false, () => false) ?? new Promise<boolean>(() => {});
    const exited = await Promise.race([exit, stop]);
    exit.catch(() => {/* stopped below */});
    return { exited, code: exited ? firefox.child.exitCode : null, output: firefox.output };
  } catch (e) {
    throw new Error(`${(e as Error).message}; Firefox output:\n${firefox.output}`);
  } finally {
    await firefox.stop();
    // Content processes left behind by a main process that exited are in its group too.
    try {
      process.kill(-firefox.child.pid!, "SIGKILL");
    } catch { /* the group is gone */ }
  }
}
