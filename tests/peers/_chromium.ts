// Debian's Chromium driven by playwright-core loaded into the test process
// (Deno and Bun both run it; no browser is downloaded): where playwright-core
// is, whether both are there, and a launch with a fresh --user-data-dir.
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { peerMissing } from "./_spawn.ts";
import { CHROMIUM, CHROMIUM_SWITCHES } from "./chromium_switches.mjs";

export { CHROMIUM };

/** Holds node_modules/playwright-core: $KERNELTLS_PLAYWRIGHT_DIR, else <tmpdir>/kerneltls-playwright. */
export const PW_DIR = process.env.KERNELTLS_PLAYWRIGHT_DIR ??
  join(tmpdir(), "kerneltls-playwright");

const LAUNCH_TIMEOUT_MS = 30_000;

/** Undefined when playwright-core is installed; else a skip message (an error when CI=true). */
export function playwrightMissing(): string | undefined {
  if (existsSync(join(PW_DIR, "node_modules", "playwright-core", "package.json"))) return undefined;
  const msg = `playwright-core is not installed in ${PW_DIR} ` +
    `(npm install --no-save --prefix ${PW_DIR} playwright-core@1); skipping the Chromium tests`;
  if (process.env.CI === "true") throw new Error(`${msg} (CI=true: install it)`);
  return msg;
}

/** Undefined when Chromium and playwright-core are there; else a skip message (an error in CI). */
export function chromiumMissing(): string | undefined {
  return peerMissing(CHROMIUM) ?? playwrightMissing();
}

/** What Chromium's network stack says of a response's connection. */
export interface SecurityDetails {
  protocol?: string;
  subjectName?: string;
  issuer?: string;
}

/** The part of playwright-core's Response the tests use. */
export interface ChromiumResponse {
  status(): number;
  securityDetails(): Promise<SecurityDetails | null>;
}

/** The part of playwright-core's Page the tests use. */
export interface ChromiumPage {
  goto(url: string, options?: { timeout?: number }): Promise<ChromiumResponse | null>;
  textContent(selector: string, options?: { timeout?: number }): Promise<string | null>;
  screenshot(options?: { timeout?: number }): Promise<Uint8Array>;
}

/** The part of playwright-core's persistent BrowserContext the tests use. */
export interface ChromiumContext {
  newPage(): Promise<ChromiumPage>;
  /** Closes the pages and ends the browser process playwright started. */
  close(): Promise<void>;
  browser(): { version(): string } | null;
}

/**
 * Starts Chromium with the shared switches plus `extraSwitches`, a fresh
 * profile in `userDataDir` and a `viewport`-sized page area.
 */
export async function launchChromium(
  userDataDir: string,
  extraSwitches: string[],
  viewport: { width: number; height: number },
): Promise<ChromiumContext> {
  const { chromium } = createRequire(join(PW_DIR, "package.json"))("playwright-core");
  return await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    headless: true,
    timeout: LAUNCH_TIMEOUT_MS,
    args: [...CHROMIUM_SWITCHES, ...extraSwitches],
    viewport,
  });
}
