// Drives the live dashboard of a running `intuition run` in Chromium:
//   node dashboard_check.mjs URL SCREENSHOT
// Prints "loaded N" once the page is live (N order rows), then waits (at most
// 120 s) until the orders table shows every journaled order and the equity
// shown equals /api/state's, searches the actor map for DAX, takes a
// screenshot and prints one JSON line with what it saw. Exits 0 when nothing went wrong.
import {launch, watch, sleep} from "./browser.mjs";

const [url, screenshot] = process.argv.slice(2);
const origin = new URL(url).origin;
const api = async path => (await fetch(origin + path)).json();

const browser = await launch();
const result = {counts: [], problems: []};
try {
  const page = await browser.newPage({viewport: {width: 1440, height: 1500}});
  result.problems = watch(page, u => u.startsWith(origin + "/") || u.startsWith("data:"));
  await page.goto(url, {waitUntil: "load"});
  await page.waitForFunction(() => document.getElementById("live").textContent === "live",
                             null, {timeout: 30000});
  const rows = () => page.locator("#orders-body tr").count();
  result.initial_rows = await rows();
  console.log("loaded " + result.initial_rows);
  const deadline = Date.now() + 120000;
  let settled = 0;
  let lastSeq = -1;
  while (Date.now() < deadline) {
    await sleep(500);
    const n = await rows();
    if (result.counts[result.counts.length - 1] !== n) result.counts.push(n);
    const st = await api("/api/state");
    const shownSeq = await page.evaluate(() => {
      const first = document.querySelector("#orders-body tr");
      return first ? Number(first.dataset.seq) : 0;
    });
    const shownEquity = await page.evaluate(
      () => Number(document.getElementById("equity").dataset.value));
    const seq = st.journal.last_seq;
    const done = seq > 0 && shownSeq === seq && seq === lastSeq
                 && shownEquity === st.portfolio.equity
                 && st.rates.orders_per_s === 0;
    lastSeq = seq;
    settled = done ? settled + 1 : 0;
    if (settled >= 3) {
      result.last_seq = seq;
      result.shown_seq = shownSeq;
      result.equity_api = st.portfolio.equity;
      result.equity_shown = shownEquity;
      result.equity_text = await page.locator("#equity").textContent();
      result.actors_total = st.actors.total;
      break;
    }
  }
  result.final_rows = await rows();
  // The actor map's search asks the server, which searches every actor.
  await page.fill("#actor-search", "DAX");
  await page.waitForFunction(
    () => document.querySelectorAll("#search-body tr").length > 0, null,
    {timeout: 10000});
  result.search_rows = await page.locator("#search-body tr").count();
  await page.screenshot({path: screenshot, fullPage: true});
} catch (e) {
  result.problems.push("error: " + e.message);
} finally {
  await browser.close();
}
console.log(JSON.stringify(result));
process.exit(result.problems.length === 0 && result.last_seq > 0 ? 0 : 1);
