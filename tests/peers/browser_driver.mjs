// Drives Debian's headless Chromium with playwright-core (no downloaded browsers).
// Usage: node tests/peers/browser_driver.mjs <dir holding node_modules/playwright-core> <url>...
// Opens each URL in a fresh page, waits for the page to set `window.__result`,
// and prints one line per page: `RESULT <url> <json>`. Page errors and console
// errors are printed as `PAGE ...` lines, to explain a failure. Exits non-zero
// when a page gives no result in time; the browser is always closed.
import { createRequire } from "node:module";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CHROMIUM, CHROMIUM_SWITCHES } from "./chromium_switches.mjs";

const [pwDir, ...urls] = process.argv.slice(2);
const { chromium } = createRequire(join(pwDir, "package.json"))("playwright-core");

const PAGE_TIMEOUT_MS = 25_000;
const profile = mkdtempSync(join(tmpdir(), "kerneltls-chromium-"));
let context;
const watchdog = setTimeout(() => {
  console.error("FAIL browser driver did not finish in 90 s");
  // playwright kills the browser it launched when this process exits.
  process.exit(2);
}, 90_000);

let failed = false;
try {
  // A persistent context is how playwright takes a fresh --user-data-dir.
  context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    timeout: 30_000,
    args: CHROMIUM_SWITCHES,
  });
  for (const url of urls) {
    const page = await context.newPage();
    page.on("pageerror", (e) => console.log(`PAGE ${url} pageerror: ${e.message}`));
    page.on("console", (m) => {
      if (m.type() === "error") console.log(`PAGE ${url} console.error: ${m.text()}`);
    });
    try {
      await page.goto(url, { timeout: PAGE_TIMEOUT_MS });
      await page.waitForFunction(() => globalThis.__result !== undefined, null, {
        timeout: PAGE_TIMEOUT_MS,
      });
      const result = await page.evaluate(() => JSON.stringify(globalThis.__result));
      console.log(`RESULT ${url} ${result}`);
    } catch (e) {
      failed = true;
      console.log(`FAIL ${url}: ${e.message}`);
    } finally {
      await page.close().catch(() => {});
    }
  }
} catch (e) {
  failed = true;
  console.log(`FAIL launching chromium: ${e.message}`);
} finally {
  await context?.close().catch(() => {});
  rmSync(profile, { recursive: true, force: true });
  clearTimeout(watchdog);
}
process.exit(failed ? 1 : 0);
