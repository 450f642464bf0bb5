// The live dashboard: the state from /api/state, then every update from
// /api/events (server-sent events); orders from /api/orders?since=SEQ.
"use strict";

const maxOrderRows = 200;
const equityChart = makeChart(document.getElementById("equity-chart"),
                              "Equity", "#4c9aff", "rgba(76,154,255,0.12)",
                              fmt.money, 240, fmt.axis);
const drawdownChart = makeChart(document.getElementById("drawdown-chart"),
                                "Drawdown", "#e5484d", "rgba(229,72,77,0.18)",
                                v => (v * 100).toFixed(1) + "%", 140,
                                undefined, drawdownRange);
let curve = [];
let lastOrderSeq = null;
let fetchingOrders = false;

function render(st) {
  const mode = document.getElementById("mode");
  mode.textContent =
    "intuition " + st.mode + " · journal " + baseName(st.journal.path);
  mode.title = st.journal.path || "";
  document.getElementById("updated").textContent =
    "updated " + new Date(st.updated_ms).toLocaleTimeString();
  const pf = st.portfolio || {};
  if (st.equity) {
    const last = curve.length ? curve[curve.length - 1][0] : 0;
    if (st.equity.t > last) curve.push([st.equity.t, st.equity.value]);
    if (curve.length > 20000) curve = curve.filter((p, i) => i % 2 === 0);
  }
  renderFigures(st, pf);
  renderHealth(st, pf);
  renderPortfolio(pf);
  renderActors(st.actors);
  plotCurve(equityChart, drawdownChart, curve);
  const lastSeq = st.journal.last_seq;
  if (lastSeq !== undefined && lastSeq !== lastOrderSeq) fetchOrders(lastSeq);
}

function renderFigures(st, pf) {
  const equity = pf.equity;
  const eq = document.getElementById("equity");
  eq.textContent = fmt.money(equity);
  eq.dataset.value = equity;
  setText("cash", fmt.money(pf.final_cash));
  const pnl = equity - pf.starting_cash;
  setText("pnl", fmt.signed(pnl), tone(pnl));
  setText("return", fmt.pct(pnl / pf.starting_cash), tone(pnl));
  const dd = curve.length ? drawdownOf(curve.map(p => p[1])).pop() : 0;
  setText("drawdown", fmt.pct(dd), dd < 0 ? "down" : "");
  setText("quote-rate", fmt.rate(st.rates && st.rates.quotes_per_s));
  setText("order-rate", fmt.rate(st.rates && st.rates.orders_per_s));
  setText("order-count", fmt.count(pf.orders));
  const refusals = pf.refusals || {};
  const refused = Object.values(refusals).reduce((a, b) => a + b, 0);
  setText("refused-count", fmt.count(refused));
  fillTable(document.getElementById("refusals-body"),
            Object.entries(refusals).filter(([, n]) => n > 0),
            ([reason, n]) => [[reason, "text"], [fmt.count(n)]]);
}

function pill(text, cls) {
  const s = document.createElement("span");
  s.className = "pill " + cls;
  s.textContent = text;
  return s;
}

function renderHealth(st, pf) {
  const rows = [];
  const pills = [];
  const j = st.journal || {};
  const halted = j.halted || pf.halted;
  rows.push(["Journal", halted ? "HALTED (" + halted + ")" : "ok",
             halted ? "down" : "up"]);
  if (j.halt_error) rows.push(["Journal error", j.halt_error, "down"]);
  rows.push(["Last order seq", fmt.count(j.last_seq)]);
  rows.push(["Sync policy", j.policy || "–"]);
  rows.push(["Slowest sync", j.max_sync_us === undefined ? "–"
                                                         : j.max_sync_us + " µs"]);
  pills.push(pill(halted ? "trading halted" : "journal ok",
                  halted ? "bad" : "ok"));
  if (st.mqtt) {
    const i = st.mqtt.ingress || {};
    const o = st.mqtt.publisher || {};
    rows.push(["MQTT in", i.connected ? "connected" : "disconnected",
               i.connected ? "up" : "down"]);
    rows.push(["Input backlog", fmt.count(i.backlog)]);
    rows.push(["MQTT out", o.connected ? "connected" : "disconnected",
               o.connected ? "up" : "down"]);
    rows.push(["Unconfirmed orders", fmt.count(o.unconfirmed)]);
    rows.push(["Waiting in journal", fmt.count(o.waiting_in_journal)]);
    pills.push(pill(i.connected && o.connected ? "mqtt connected"
                                               : "mqtt disconnected",
                    i.connected && o.connected ? "ok" : "bad"));
  }
  if (pf.tick_to_order && pf.tick_to_order.count)
    rows.push(["Tick to order p50 / p99",
               pf.tick_to_order.p50_us.toFixed(0) + " / "
               + pf.tick_to_order.p99_us.toFixed(0) + " µs"]);
  if (st.unreachable && st.unreachable.length) {
    rows.push(["Not answering", st.unreachable.join(", "), "down"]);
    pills.push(pill("actors not answering", "warn"));
  }
  const dl = document.getElementById("health");
  dl.replaceChildren(...rows.flatMap(([k, v, cls]) => {
    const dt = document.createElement("dt");
    dt.textContent = k;
    const dd = document.createElement("dd");
    dd.textContent = v;
    if (cls) dd.className = cls;
    return [dt, dd];
  }));
  document.getElementById("health-pills").replaceChildren(...pills);
}

function renderPortfolio(pf) {
  const strategies = Object.entries(pf.strategies || {});
  fillTable(document.getElementById("strategies-body"), strategies,
            ([name, s]) => {
              const total = s.realised_pnl + s.unrealised_pnl;
              return [[name, "text"], [fmt.count(s.buys)], [fmt.count(s.sells)],
                      [fmt.signed(s.realised_pnl), tone(s.realised_pnl)],
                      [fmt.signed(s.unrealised_pnl), tone(s.unrealised_pnl)],
                      [fmt.money(s.commission)],
                      [fmt.signed(total), tone(total)]];
            });
  const positions = pf.positions || {};
  fillTable(document.getElementById("positions-body"), pf.holdings || [],
            h => [[h.strategy, "text"], [h.symbol, "text"], [fmt.count(h.qty)],
                  [fmt.money(h.avg_cost)],
                  [fmt.money(positions[h.symbol] && positions[h.symbol].last)],
                  [fmt.signed(h.unrealised_pnl), tone(h.unrealised_pnl)]]);
}

function renderActors(a) {
  if (!a || a.total === undefined) {
    document.getElementById("actors-note").textContent = "(listing…)";
    return;
  }
  document.getElementById("actors-note").textContent =
    "listed " + new Date(a.updated_ms).toLocaleTimeString();
  setText("actor-total", fmt.count(a.total));
  const nodes = a.nodes || [];
  setText("node-total", fmt.count(Math.max(nodes.length, a.by_node.length)));
  setText("mailbox-total",
          fmt.count(a.by_node.reduce((s, n) => s + n.mailbox, 0)));
  const byNode = Object.fromEntries(a.by_node.map(n => [n.name, n]));
  const listed = nodes.length ? nodes
                              : a.by_node.map(n => ({name: n.name, alive: true}));
  fillTable(document.getElementById("nodes-body"), listed, n => {
    const t = byNode[n.name] || {actors: 0, mailbox: 0};
    return [[n.name + (n.alive === false ? " (lost)" : ""),
             n.alive === false ? "text down" : "text"],
            [n.address || "", "text"], [fmt.count(t.actors)],
            [fmt.count(t.mailbox)]];
  });
  fillTable(document.getElementById("by-strategy-body"), a.by_strategy,
            s => [[s.name, "text"], [fmt.count(s.actors)], [fmt.count(s.mailbox)]]);
  fillTable(document.getElementById("busiest-body"), a.busiest,
            x => [[x.name, "text"], [x.node, "text"], [fmt.count(x.epoch)],
                  [fmt.count(x.mailbox)], [fmt.count(x.processed)]]);
}

function orderRow(o) {
  return [[String(o.seq), "text"], [fmt.time(o.ts), "text"],
          [o.strategy, "text"], [o.symbol, "text"],
          [o.side, "text " + (o.side === "buy" ? "up" : "down")],
          [fmt.count(o.qty)], [fmt.money(o.price)], [fmt.money(o.commission)]];
}

async function fetchOrders(lastSeq) {
  if (fetchingOrders) return;
  fetchingOrders = true;
  try {
    let since = lastOrderSeq === null ? Math.max(0, lastSeq - maxOrderRows)
                                      : lastOrderSeq;
    const tbody = document.getElementById("orders-body");
    while (since < lastSeq) {
      const r = await fetch("/api/orders?since=" + since + "&limit=500");
      const page = await r.json();
      if (!page.orders || page.orders.length === 0) break;
      const fresh = document.createElement("tbody");
      fillTable(fresh, page.orders.slice().reverse(), orderRow);
      const rows = Array.from(fresh.children);
      rows.forEach((tr, i) => {
        tr.dataset.seq = page.orders[page.orders.length - 1 - i].seq;
      });
      tbody.prepend(...rows);
      while (tbody.children.length > maxOrderRows) tbody.lastChild.remove();
      since = page.next;
    }
    lastOrderSeq = since;
    document.getElementById("orders-note").textContent =
      "(" + fmt.count(lastSeq) + " journaled, latest " +
      Math.min(maxOrderRows, tbody.children.length) + " shown)";
  } finally {
    fetchingOrders = false;
  }
}

let searchTimer = null;
document.getElementById("actor-search").addEventListener("input", e => {
  clearTimeout(searchTimer);
  searchTimer = setTimeout(() => search(e.target.value), 250);
});

async function search(q) {
  if (!q) {
    document.getElementById("search-body").replaceChildren();
    document.getElementById("search-note").textContent = "";
    return;
  }
  const r = await fetch("/api/actors?q=" + encodeURIComponent(q) + "&limit=100");
  const found = await r.json();
  document.getElementById("search-note").textContent =
    fmt.count(found.matches) + " of " + fmt.count(found.total) + " actors match" +
    (found.matches > found.rows.length ? ", first " + found.rows.length + " shown"
                                       : "");
  fillTable(document.getElementById("search-body"), found.rows,
            x => [[x.name, "text"], [x.node, "text"], [fmt.count(x.epoch)],
                  [fmt.count(x.mailbox)]]);
}

async function start() {
  const r = await fetch("/api/state");
  const st = await r.json();
  curve = st.equity_curve || [];
  if (st.portfolio) render(st);
  const live = document.getElementById("live");
  const events = new EventSource("/api/events");
  events.onopen = () => { live.textContent = "live"; live.className = "pill ok"; };
  events.onerror = () => {
    live.textContent = "offline";
    live.className = "pill bad";
  };
  events.onmessage = e => {
    const s = JSON.parse(e.data);
    if (s.portfolio) render(s);
  };
}

start();
