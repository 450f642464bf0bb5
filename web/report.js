// The HTML report of one run: everything comes from the JSON embedded in
// the page (#run-data), so the file works opened from disk.
"use strict";

const data = JSON.parse(document.getElementById("run-data").textContent);
const run = data.report;
const months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep",
                "Oct", "Nov", "Dec"];

function kpi(id, label, text, value, cls) {
  const box = document.createElement("div");
  box.className = "kpi";
  const l = document.createElement("div");
  l.className = "label";
  l.textContent = label;
  const v = document.createElement("div");
  v.className = "value " + (cls || "");
  v.id = id;
  v.textContent = text;
  if (value !== undefined && value !== null) v.dataset.value = value;
  box.append(l, v);
  return box;
}

function seconds(x) {
  const s = Number(x || 0);
  return s < 10 ? s.toFixed(2) : s.toFixed(1);
}

function renderSummary() {
  const info = run;
  const journal = run.journal || {};
  const title = document.getElementById("run-title");
  title.textContent =
    "intuition " + (info.mode || "?") + " of " + (info.input || "?") + " · " +
    fmt.count(run.quotes) + " quotes in " + seconds(info.elapsed_s) +
    " s · journal " + (baseName(journal.path) || "?");
  title.title = journal.path || "";
  const pills = [];
  const halted = run.halted;
  const p = document.createElement("span");
  p.className = "pill " + (halted ? "bad" : "ok");
  p.textContent = halted ? "trading halted: " + halted : "completed";
  if (info.interrupted && !halted) p.textContent = "interrupted";
  pills.push(p);
  document.getElementById("run-pills").replaceChildren(...pills);
  const refused = Object.values(run.refusals || {}).reduce((a, b) => a + b, 0);
  const pnl = run.equity - run.starting_cash;
  const sharpe = run.sharpe === null ? "n/a" : run.sharpe.toFixed(3);
  document.getElementById("summary").replaceChildren(
    kpi("summary-equity", "Final equity", fmt.money(run.equity), run.equity),
    kpi("summary-cash", "Final cash", fmt.money(run.final_cash), run.final_cash),
    kpi("summary-pnl", "P&L since inception", fmt.signed(pnl), pnl, tone(pnl)),
    kpi("summary-total-return", "Total return", fmt.pct(run.total_return),
        run.total_return, tone(run.total_return)),
    kpi("summary-session-return", "Session return", fmt.pct(run.session_return),
        run.session_return, tone(run.session_return)),
    kpi("summary-sharpe", "Sharpe", sharpe, run.sharpe),
    kpi("summary-max-drawdown", "Max drawdown", fmt.pct(-run.max_drawdown),
        run.max_drawdown, run.max_drawdown > 0 ? "down" : ""),
    kpi("summary-orders", "Orders", fmt.count(run.orders), run.orders),
    kpi("summary-refused", "Refused", fmt.count(refused), refused),
    kpi("summary-quotes", "Quotes", fmt.count(run.quotes), run.quotes));
  if (run.sharpe === null && run.sharpe_missing)
    document.getElementById("summary-sharpe").title = run.sharpe_missing;
}

function renderCurve() {
  const equity = makeChart(document.getElementById("equity-chart"), "Equity",
                           "#4c9aff", "rgba(76,154,255,0.12)", fmt.money, 300,
                           fmt.axis);
  const drawdown = makeChart(document.getElementById("drawdown-chart"),
                             "Drawdown", "#e5484d", "rgba(229,72,77,0.18)",
                             v => (v * 100).toFixed(1) + "%", 160,
                             undefined, drawdownRange);
  plotCurve(equity, drawdown, run.equity_curve || []);
  document.getElementById("curve-note").textContent =
    fmt.count((run.equity_curve || []).length) + " points of this session's curve.";
}

function renderMonthly() {
  const years = {};
  for (const m of data.monthly) {
    (years[m.year] = years[m.year] || {months: {}, year: null}).months[m.month] = m.return;
  }
  for (const y of data.yearly) if (years[y.year]) years[y.year].year = y.return;
  const rows = Object.keys(years).sort().map(y => [y, years[y]]);
  fillTable(document.getElementById("monthly-body"), rows, ([y, row]) => {
    const cells = [[y, "text"]];
    for (let m = 1; m <= 12; ++m) {
      const r = row.months[m];
      cells.push(r === undefined ? ["", "month"] : [fmt.pct(r), "month " + tone(r)]);
    }
    cells.push([fmt.pct(row.year), tone(row.year)]);
    return cells;
  });
}

function renderTables() {
  fillTable(document.getElementById("strategies-body"),
            Object.entries(run.strategies || {}), ([name, s]) => {
              const total = s.realised_pnl + s.unrealised_pnl;
              return [[name, "text"], [fmt.count(s.buys)], [fmt.count(s.sells)],
                      [fmt.signed(s.realised_pnl), tone(s.realised_pnl)],
                      [fmt.signed(s.unrealised_pnl), tone(s.unrealised_pnl)],
                      [fmt.money(s.commission)], [fmt.signed(total), tone(total)]];
            });
  fillTable(document.getElementById("positions-body"),
            Object.entries(run.positions || {}),
            ([sym, p]) => [[sym, "text"], [fmt.count(p.qty)], [fmt.money(p.last)],
                           [fmt.money(p.value)]]);
  fillTable(document.getElementById("refusals-body"),
            Object.entries(run.refusals || {}).filter(([, n]) => n > 0),
            ([reason, n]) => [[reason, "text"], [fmt.count(n)]]);
  const tbody = document.getElementById("orders-body");
  fillTable(tbody, data.orders,
            o => [[String(o.seq), "text"], [fmt.time(o.ts), "text"],
                  [o.strategy, "text"], [o.symbol, "text"],
                  [o.side, "text " + (o.side === "buy" ? "up" : "down")],
                  [fmt.count(o.qty)], [fmt.money(o.price)], [fmt.money(o.commission)]]);
  document.getElementById("orders-note").textContent = data.orders_note;
}

renderSummary();
renderCurve();
renderMonthly();
renderTables();
