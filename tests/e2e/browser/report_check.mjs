// Opens an HTML report from disk in Chromium:
//   node report_check.mjs FILE.html SCREENSHOT
// Prints one JSON line with the figures the page shows; exits 0 when it
// loaded nothing from outside the file and ran without errors.
import {pathToFileURL} from "node:url";
import {launch, watch} from "./browser.mjs";

const [file, screenshot] = process.argv.slice(2);
const url = pathToFileURL(file).href;
const browser = await launch();
const result = {problems: []};
try {
  const page = await browser.newPage({viewport: {width: 1440, height: 1200}});
  result.problems = watch(page, u => u === url || u.startsWith("data:"));
  await page.goto(url, {waitUntil: "load"});
  const value = id => page.evaluate(
    x => Number(document.getElementById(x).dataset.value), id);
  result.equity = await value("summary-equity");
  result.total_return = await value("summary-total-return");
  result.max_drawdown = await value("summary-max-drawdown");
  result.orders = await value("summary-orders");
  result.equity_text = await page.locator("#summary-equity").textContent();
  result.order_rows = await page.locator("#orders-body tr").count();
  result.first_order_seq = Number(
    await page.locator("#orders-body tr td").first().textContent());
  result.month_rows = await page.locator("#monthly-body tr").count();
  result.month_cells = await page.locator("#monthly-body td.month:not(:empty)").count();
  result.strategy_rows = await page.locator("#strategies-body tr").count();
  result.charts = await page.locator(".uplot canvas").count();
  await page.screenshot({path: screenshot, fullPage: true});
} catch (e) {
  result.problems.push("error: " + e.message);
} finally {
  await browser.close();
}
console.log(JSON.stringify(result));
process.exit(result.problems.length === 0 ? 0 : 1);
