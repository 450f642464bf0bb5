// Launches Debian's Chromium with playwright-core (from web/node_modules),
// and watches a page for everything that went wrong: failed requests, HTTP
// errors, script errors, and requests that left the allowed origin.
import {createRequire} from "node:module";

const require = createRequire(new URL("../../../web/package.json", import.meta.url));
const {chromium} = require("playwright-core");

export async function launch() {
  return chromium.launch({
    executablePath: "/usr/bin/chromium",
    headless: true,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
           "--no-first-run", "--disable-background-networking",
           "--disable-component-update", "--disable-sync"],
  });
}

/// Records on `page` what went wrong into the returned list. `allowed(url)`
/// says which requests may be made at all.
export function watch(page, allowed) {
  const problems = [];
  page.on("requestfailed", r => {
    // The live stream is cut when the test closes the page.
    if (!r.url().endsWith("/api/events"))
      problems.push("request failed: " + r.url() + " " + (r.failure() || {}).errorText);
  });
  page.on("response", r => {
    if (r.status() >= 400) problems.push("HTTP " + r.status() + ": " + r.url());
  });
  page.on("request", r => {
    if (!allowed(r.url())) problems.push("request outside the page's origin: " + r.url());
  });
  page.on("console", m => {
    if (m.type() === "error") problems.push("console error: " + m.text());
  });
  page.on("pageerror", e => problems.push("script error: " + e.message));
  return problems;
}

export const sleep = ms => new Promise(r => setTimeout(r, ms));
