// How every test launches Debian's Chromium, shared by tests/peers/_chromium.ts
// (playwright-core in the test process) and tests/peers/browser_driver.mjs
// (playwright-core under Node): headless, no sandbox (the tests run as root),
// no GPU, no QUIC (so HTTPS goes over TCP, to our TLS), and no background
// connections (component updates, sync, first-run pages). Never
// --ignore-certificate-errors: tests that need trust grant it per key.
import process from "node:process";

/** The Chromium binary: $KERNELTLS_CHROMIUM, else Debian's /usr/bin/chromium. */
export const CHROMIUM = process.env.KERNELTLS_CHROMIUM ?? "/usr/bin/chromium";

/** The switches, before any a test adds. */
export const CHROMIUM_SWITCHES = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--no-first-run",
  "--disable-quic",
  "--disable-component-update",
  "--disable-sync",
];
